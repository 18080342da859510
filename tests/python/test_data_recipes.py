"""training/data.sh, the one home of the data recipes: every run's cmd.sh asks it for the sets it reads, a set is
only ever complete or absent (built in NAME.partial, renamed at the end), a failed build leaves nothing that a
later run would take for the real set, and two builders started together build a set once. The builders are
replaced by a stub PY that records its arguments."""
import glob
import os
import re
import shutil
import subprocess

import pytest

from conftest import TRAINING

DATA_SH = os.path.join(TRAINING, "data.sh")

# A stand-in for python3: records the builder and its --out, writes a train.csv whose first column is the source
# (so the derived sets' awk filters have rows to keep), and fails when FAIL names the builder's set. SLOW seconds
# between its two files leave a half-written set for a concurrent builder to trip on.
STUB = r"""#!/bin/bash
out=""; prev=""
for a in "$@"; do [ "$prev" = --out ] && out=$a; prev=$a; done
echo "$*" >> "$LOG"
[ -n "${FAIL:-}" ] && [[ "$*" == *"$FAIL"* ]] && exit 3
mkdir -p "$out"
printf 'source,question,answer,rating\n' > "$out/train.csv"
for i in 1 2 3 4 5 6; do printf 'gen9,q,a,1\nmaze15,q,a,1\nmaze9,q,a,1\n'; done >> "$out/train.csv"
sleep "${SLOW:-0}"
printf 'source,question,answer,rating\ngen9,q,a,1\n' > "$out/test.csv"
"""


@pytest.fixture
def repo(tmp_path):
    os.makedirs(tmp_path / "training")
    shutil.copy(DATA_SH, tmp_path / "training" / "data.sh")
    stub = tmp_path / "py"
    stub.write_text(STUB)
    stub.chmod(0o755)
    return tmp_path


def stub_env(repo, fail="", slow="0"):
    return dict(os.environ, PY=str(repo / "py"), LOG=str(repo / "log"), FAIL=fail, SLOW=slow)


def data_sh(repo, *names, fail=""):
    return subprocess.run(["bash", str(repo / "training" / "data.sh"), *names], env=stub_env(repo, fail),
                          capture_output=True, text=True)


def sets(repo):
    """The data sets in training/data (its lock file aside)."""
    return sorted(n for n in os.listdir(repo / "training" / "data") if not n.startswith("."))


def recipe_names():
    out = subprocess.run(["bash", DATA_SH, "--list"], capture_output=True, text=True, check=True).stdout
    return out.split()


def test_every_run_asks_data_sh_for_every_set_it_reads():
    known = set(recipe_names())
    derived = {"sudoku9h": {"sudoku9m"}, "maze15mix75": {"maze15mix"}}  # sets whose recipe builds another first
    cmds = sorted(glob.glob(os.path.join(TRAINING, "checkpoints", "*", "cmd.sh")))
    assert cmds
    for cmd in cmds:
        text = open(cmd).read()
        asked = re.findall(r"^bash training/data\.sh (.+)$", text, re.M)
        assert len(asked) == 1, f"{cmd}: one `bash training/data.sh NAME ...` line"
        names = set(asked[0].split())
        assert names <= known, f"{cmd}: {names - known} has no recipe in training/data.sh"
        built = names.union(*(derived.get(n, set()) for n in names))
        code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        read = set(re.findall(r"training/data/(\w+)/", code))
        assert read <= built, f"{cmd} reads {read - built} without asking training/data.sh for it"
        assert "build_maze.py" not in code and "build_sudoku.py" not in code, f"{cmd}: a second copy of a recipe"


def test_builds_a_set_once_and_derived_sets_after_their_source(repo):
    r = data_sh(repo, "sudoku9h")
    assert r.returncode == 0, r.stderr
    calls = (repo / "log").read_text().splitlines()
    assert len(calls) == 1 and "build_sudoku.py mix" in calls[0] and "sudoku9m.partial" in calls[0]
    rows = (repo / "training" / "data" / "sudoku9h" / "train.csv").read_text().splitlines()
    # header + every non-generated row (12) + every 4th of the 6 generated ones (1)
    assert rows[0].startswith("source,") and len(rows) == 1 + 12 + 1
    assert sets(repo) == ["sudoku9h", "sudoku9m"]
    assert data_sh(repo, "sudoku9m", "sudoku9h").returncode == 0
    assert len((repo / "log").read_text().splitlines()) == 1, "a set that is there is not rebuilt"


def test_a_failed_build_leaves_no_set_and_is_redone(repo):
    r = data_sh(repo, "maze15mix75", fail="maze15mix")
    assert r.returncode != 0
    assert not (repo / "training" / "data" / "maze15mix").exists()
    assert not (repo / "training" / "data" / "maze15mix75").exists()
    r = data_sh(repo, "maze15mix75")
    assert r.returncode == 0, r.stderr
    assert sets(repo) == ["maze15mix", "maze15mix75"]
    rows = (repo / "training" / "data" / "maze15mix75" / "train.csv").read_text().splitlines()
    assert len(rows) == 1 + 6 + 4  # header + every full-size row + every 3rd of the 12 smaller ones


def test_unknown_names_and_no_names_are_usage_errors(repo):
    r = data_sh(repo, "maze15", "sudoku10")
    assert r.returncode == 2 and "unknown data set 'sudoku10'" in r.stderr
    r = data_sh(repo)
    assert r.returncode == 2 and "usage:" in r.stderr


def test_two_builders_at_once_build_a_set_once(repo):
    # Two runs resumed together on a fresh machine: without the lock the second cleared the first's NAME.partial
    # midway and the first renamed a half-written set into place.
    env = stub_env(repo, slow="1")
    cmd = ["bash", str(repo / "training" / "data.sh"), "sudoku9m"]
    first = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert first.wait(timeout=30) == 0 and second.wait(timeout=30) == 0
    assert len((repo / "log").read_text().splitlines()) == 1, "the second builder waited and found the set"
    assert sets(repo) == ["sudoku9m"]
    assert sorted(os.listdir(repo / "training" / "data" / "sudoku9m")) == ["test.csv", "train.csv"]
