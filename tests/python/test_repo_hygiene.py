"""Repository hygiene over every tracked text file: no absolute path of one machine (paths are relative to the
repository, and the shared folder is ../shared/...), and every Markdown document a file cites exists."""
from __future__ import annotations

import os
import re
import subprocess

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SELF = os.path.relpath(os.path.abspath(__file__), REPO)

# Home, work and scratch folders of one machine (the user's home, root's, the work and temp folders). System paths such as /usr/bin/python3 or /usr/share/nodejs are the same on every
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
        if not name or not os.path.isfile(path) or name in ("package-lock.json", SELF):
            continue  # the lock file is npm's; this file names the patterns it looks for
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
    files = dict(tracked_text_files())
    basenames = {os.path.basename(n) for n in files if n.endswith(".md")}
    missing = []
    for name, text in files.items():
        here = os.path.dirname(os.path.join(REPO, name))
        for lineno, line in enumerate(text.splitlines(), 1):
            if "://" in line and not CITED_MD.search(line.split("://")[0]):
                continue  # the only .md words are inside a URL
            for cited in CITED_MD.findall(line):
                if cited.startswith("../shared/"):
                    continue  # the shared folder beside the clone: outside the repository by design
                candidates = [os.path.join(REPO, cited), os.path.join(here, cited)]
                if "/" not in cited and cited in basenames:
                    continue  # a bare name of a document the repo has (e.g. design.md in a path built in code)
                if not any(os.path.isfile(c) for c in candidates):
                    missing.append(f"{name}:{lineno}: {cited}")
    assert not missing, "documents cited but not in the repository (write the facts into docs/references.md, or " \
        "cite ../shared/docs/... for the shared notes):\n" + "\n".join(missing)


def test_design_layout_names_every_source_file():
    """docs/design.md "Layout" describes the tree: its top-level entries exist, and every header and source file of
    the engine and the CLI is named there (so a new or moved file updates the layout)."""
    with open(os.path.join(REPO, "docs", "design.md"), encoding="utf-8") as f:
        doc = f.read()
    layout = doc.split("## Layout", 1)[1].split("```", 2)[1]
    for line in layout.splitlines():
        if line and not line[0].isspace():
            entry = line.split()[0]
            if not entry.endswith("*.cpp"):
                assert os.path.exists(os.path.join(REPO, entry)), f"design.md layout names {entry}, which is missing"
    named = set(re.findall(r"[\w.{},]+\.(?:cpp|h|\{h,cpp\})", layout))
    names = set()
    for n in named:
        names.update([n.replace("{h,cpp}", "h"), n.replace("{h,cpp}", "cpp")] if "{h,cpp}" in n else [n])
    unnamed = []
    for folder in ("engine/include/ptrm", "engine/src", "cli"):
        for root, _, files in os.walk(os.path.join(REPO, folder)):
            unnamed += [os.path.relpath(os.path.join(root, f), REPO) for f in files
                        if f.endswith((".cpp", ".h")) and f not in names]
    assert not unnamed, "files missing from docs/design.md's Layout section: " + ", ".join(sorted(unnamed))
