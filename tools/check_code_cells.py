"""Fail when a chapter's code cell has a line wider than the page shows.

    python tools/check_code_cells.py docs

The book's theme shows about 80 characters of code; a longer line scrolls sideways, and a
reader misses its end. Every line of every ``{code-cell}`` in the MyST chapters counts, hidden
inputs included (a click shows them), except cells tagged ``remove-input`` or ``remove-cell``,
which no reader sees. The cell's options (YAML between ``---`` lines, or ``:key: value``
lines, at its top) are not code and do not count.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

WIDTH = 80
FENCE = "```"
UNSEEN = ("remove-input", "remove-cell")


def code_lines(chapter: Path) -> Iterator[tuple[int, str]]:
    """The numbered lines of ``chapter``'s code cells that a reader can see."""
    lines = chapter.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        if not lines[index].startswith(FENCE + "{code-cell}"):
            index += 1
            continue
        index += 1
        # The cell's options: a YAML block between "---" lines, or ":key: value" lines.
        options: list[str] = []
        if index < len(lines) and lines[index].strip() == "---":
            end = lines.index("---", index + 1)
            options, index = lines[index + 1 : end], end + 1
        while index < len(lines) and lines[index].startswith(":"):
            options.append(lines[index])
            index += 1
        seen = not any(tag in option for option in options for tag in UNSEEN)
        while index < len(lines) and not lines[index].startswith(FENCE):
            if seen:
                yield index + 1, lines[index]
            index += 1
        index += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docs", type=Path, help="the folder of the book's chapters")
    args = parser.parse_args()
    wide = [
        f"{chapter}:{number}: {len(line)} characters, over {WIDTH}"
        for chapter in sorted(args.docs.glob("*.md"))
        for number, line in code_lines(chapter)
        if len(line) > WIDTH
    ]
    print("\n".join(wide) or f"Every code line of the chapters fits in {WIDTH} characters.")
    return 1 if wide else 0


if __name__ == "__main__":
    sys.exit(main())
