"""training/rerun_card.py: every command a card's eval JSON records is rerun with --model swapped, the results land
in the card's own shape with the command as recorded, and a stopped re-measure resumes without rerunning what is done."""
import json
import os
import stat

import pytest

import rerun_card

FAKE_CLI = """#!/usr/bin/python3
import json, sys
argv = sys.argv[1:]
with open(sys.argv[0] + ".calls", "a") as f:
    f.write(" ".join(argv) + "\\n")
print(json.dumps({"model": argv[argv.index("--model") + 1], "k": argv[argv.index("--k") + 1]}))
"""


@pytest.fixture
def setup(tmp_path):
    cli = tmp_path / "ptrm"
    cli.write_text(FAKE_CLI)
    cli.chmod(cli.stat().st_mode | stat.S_IXUSR)
    model = tmp_path / "new.safetensors"
    model.write_bytes(b"x")

    def cmd(k):
        return f"{cli} eval --model assets/models/m.safetensors --data d.csv --k {k} --json"
    card = {"note": "old file", "grid": [{"command": cmd("1,4"), "n": 1}],
            "sweep": [{"command": cmd("16"), "n": 1}, {"command": cmd("64"), "n": 1}],
            "hard": {"a": {"command": cmd("2")}, "b": {"command": cmd("3")}}, "k16": {"command": cmd("16,1")}}
    path = tmp_path / "card.json"
    path.write_text(json.dumps(card))
    return tmp_path, cli, model, path


def calls(cli):
    p = str(cli) + ".calls"
    return open(p).read().splitlines() if os.path.exists(p) else []


def test_reruns_every_command_in_the_cards_shape(setup):
    tmp, cli, model, card = setup
    out = tmp / "out.json"
    rerun_card.main(["--card", str(card), "--model", str(model), "--out", str(out), "--jobs", "2"])
    got = json.loads(out.read_text())
    assert [r["k"] for r in got["sweep"]] == ["16", "64"]
    assert got["grid"][0]["k"] == "1,4" and got["hard"]["b"]["k"] == "3" and got["k16"]["k"] == "16,1"
    assert {r["model"] for r in [got["grid"][0], got["hard"]["a"], got["k16"]]} == {str(model)}
    # The command is kept as the card records it (the shipped path), not the temporary file it ran on.
    assert got["hard"]["a"]["command"].endswith("--model assets/models/m.safetensors --data d.csv --k 2 --json")
    assert len(calls(cli)) == 6


def test_resumes_and_runs_only_what_is_asked(setup):
    tmp, cli, model, card = setup
    out = tmp / "out.json"
    rerun_card.main(["--card", str(card), "--model", str(model), "--out", str(out), "--only", "sweep/1", "hard/a"])
    assert len(calls(cli)) == 2
    got = json.loads(out.read_text())
    assert got["sweep"][0] is None and got["sweep"][1]["k"] == "64"
    rerun_card.main(["--card", str(card), "--model", str(model), "--out", str(out)])
    assert len(calls(cli)) == 6  # the two done entries were not run again
    assert json.loads(out.read_text())["sweep"][0]["k"] == "16"


def test_bad_arguments_are_clear_errors(setup, capsys):
    tmp, cli, model, card = setup
    with pytest.raises(SystemExit):
        rerun_card.main(["--card", str(card), "--model", str(model), "--out", str(tmp / "o.json"), "--only", "nope/0"])
    assert "nope/0: not in" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        rerun_card.main(["--card", str(card), "--model", str(tmp / "missing"), "--out", str(tmp / "o.json")])
    assert "no such file" in capsys.readouterr().err
    assert calls(cli) == []
