"""Order the examples gallery as the book is read.

Every example links back to its chapter with ``:doc:`/name```; an example sorts where that
chapter stands in the landing page's tables of contents. Adding an example or a chapter
needs no list kept in sync here.
"""

from __future__ import annotations

import re
from pathlib import Path

_DOCS = Path(__file__).resolve().parent.parent
_CHAPTER_LINK = re.compile(r":doc:`/([\w-]+)`")


def _reading_order() -> list[str]:
    """Document names in the order of the toctrees of ``docs/index.md``."""
    names: list[str] = []
    in_toctree = False
    for line in (_DOCS / "index.md").read_text().splitlines():
        if line.startswith("```{toctree}"):
            in_toctree = True
        elif line.startswith("```"):
            in_toctree = False
        elif in_toctree and line and not line.startswith(":"):
            names.append(line.strip())
    return names


class ChapterOrder:
    """sphinx-gallery's ``within_subsection_order``: by chapter, then by file name."""

    def __init__(self, src_dir: str) -> None:
        self.src_dir = Path(src_dir)
        self.order = {name: position for position, name in enumerate(_reading_order())}

    def __call__(self, filename: str) -> tuple[int, str]:
        link = _CHAPTER_LINK.search((self.src_dir / filename).read_text())
        chapter = link.group(1) if link else ""
        return self.order.get(chapter, len(self.order)), filename

    def __repr__(self) -> str:
        # sphinx-gallery folds the key's repr into its cache of the configuration.
        return f"<{type(self).__name__}>"
