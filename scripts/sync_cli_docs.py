#!/usr/bin/python3
"""Rewrites the CLI block of docs/design.md with `ptrm --help` (tests/engine/test_docs.cpp demands they match).

usage: /usr/bin/python3 scripts/sync_cli_docs.py [PATH_TO_PTRM]      (default build/ptrm)
"""
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADING = "## CLI (native `ptrm`)"
FENCE = "```text\n"


def main() -> int:
    cli = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "build", "ptrm")
    help_text = subprocess.run([cli, "--help"], capture_output=True, text=True, check=True).stdout
    path = os.path.join(REPO, "docs", "design.md")
    with open(path, encoding="utf-8") as f:
        doc = f.read()
    h = doc.index(HEADING)
    a = doc.index(FENCE, h) + len(FENCE)
    b = doc.index("```", a)
    if doc[a:b] == help_text:
        print("docs/design.md: CLI block already matches `ptrm --help`")
        return 0
    with open(path, "w", encoding="utf-8") as f:
        f.write(doc[:a] + help_text + doc[b:])
    print("docs/design.md: CLI block rewritten from `ptrm --help`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
