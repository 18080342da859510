"""training/eval_card.py: its tables print every answer rule `ptrm eval --json` reports (best-Q, mode, vote, pass)
in that order, and still read results written before eval reported vote (their vote cells are "–")."""
import eval_card


def result(vote=True):
    """A `ptrm eval --json` result: K 1 and 16, one rating bucket; vote only when the CLI reported it."""
    def row(k, best_q, mode, vote_acc, pass_):
        r = {"k": k, "sigma": 0.5, "best_q": best_q, "mode": mode, "pass": pass_}
        if vote:
            r["vote"] = vote_acc
        return r
    rows = [row(1, 0.5, 0.5, 0.5, 0.5), row(16, 0.642, 0.658, 0.7, 0.817)]
    return {"n": 120, "deterministic": 0.5, "steps": 16, "seed": 0, "results": rows,
            "buckets": [{"rating": "24-27", "n": 120, "deterministic": 0.5, "results": rows}]}


def test_k_table_prints_vote_between_mode_and_pass():
    lines = eval_card.k_table(result(), "rating")
    assert lines[0] == ("| subset | n | deterministic | best-Q@1 / mode@1 / vote@1 / pass@1 | "
                        "best-Q@16 / mode@16 / vote@16 / pass@16 |")
    assert lines[1] == "|---|---|---|---|---|"
    assert lines[2] == "| all | 120 | 50.0 | 50.0 / 50.0 / 50.0 / 50.0 | 64.2 / 65.8 / 70.0 / 81.7 |"
    assert lines[3].startswith("| 24-27 | 120 | 50.0 | ")


def test_k_table_reads_results_without_vote():
    lines = eval_card.k_table(result(vote=False), "rating")
    assert lines[2] == "| all | 120 | 50.0 | 50.0 / 50.0 / – / 50.0 | 64.2 / 65.8 / – / 81.7 |"


def test_sweep_table_with_and_without_vote():
    new, old = result(), result(vote=False)
    new["results"], old["results"] = new["results"][1:], old["results"][1:]
    assert eval_card.sweep_table([new, old]) == [
        "| sigma | deterministic | best-Q | mode | vote | pass |",
        "|---|---|---|---|---|---|",
        "| 0.50 | 50.0 | 64.2 | 65.8 | 70.0 | 81.7 |",
        "| 0.50 | 50.0 | 64.2 | 65.8 | – | 81.7 |",
    ]
