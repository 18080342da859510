"""Repository hygiene over every tracked text file: no absolute path of one machine (paths are relative to the
repository, and the shared folder is ../shared/...), and every Markdown document a file cites exists."""
from __future__ import annotations

import os
import re
import subprocess

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Home, work and scratch folders of a machine, e.g. /home/<user>/, /root/, /tmp/ (built from parts so that this
# file does not match itself). System paths such as /usr/bin/python3 or /usr/share/nodejs are the same on every
# Debian machine and are allowed.
MACHINE_DIRS = ("work", "root", "home", "tmp", "Users", "mnt")
ABSOLUTE = re.compile(r"(?<![\w.~$-])/(?:" + "|".join(MACHINE_DIRS) + r")/")
# A cited Markdown document: a path-like word ending in .md, not part of a URL.
CITED_MD = re.compile(r"(?<![\w/.:-])((?:\.\./|\./)?[\w.-]+(?:/[\w.-]+)*\.md)\b")


def tracked_text_files():
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    for name in out.decode().split("\0"):
        path = os.path.join(REPO, name)
        if not name or not os.path.isfile(path) or name == "package-lock.json":
            continue
        with open(path, "rb") as f:
            data = f.read()
        if b"\0" in data[:8192]:
            continue  # binary (models, screenshots)
        yield name, data.decode("utf-8", errors="replace")


def test_no_absolute_machine_paths():
    found = []
    for name, text in tracked_text_files():
        for lineno, line in enumerate(text.splitlines(), 1):
            if ABSOLUTE.search(line):
                found.append(f"{name}:{lineno}: {line.strip()[:120]}")
    assert not found, "absolute machine paths (use repo-relative paths, ../shared/... for the shared folder):\n" + \
        "\n".join(found)


def test_cited_documents_exist():
    missing = []
    for name, text in tracked_text_files():
        here = os.path.dirname(os.path.join(REPO, name))
        for lineno, line in enumerate(text.splitlines(), 1):
            if "://" in line and not CITED_MD.search(line.split("://")[0]):
                continue  # the only .md words are inside a URL
            for cited in CITED_MD.findall(line):
                if cited.startswith("../shared/"):
                    continue  # the shared folder beside the clone: outside the repository by design
                candidates = [os.path.join(REPO, cited), os.path.join(here, cited)]
                if not any(os.path.isfile(c) for c in candidates):
                    missing.append(f"{name}:{lineno}: {cited}")
    assert not missing, "documents cited but not in the repository (write the facts into docs/references.md, or " \
        "cite ../shared/docs/... for the shared notes):\n" + "\n".join(missing)
