"""Make the ".ipynb" a reader downloads from a chapter identical on every build.

sphinx-book-theme copies each chapter's executed notebook into ``_sources/`` and links it
from the page's download menu. Reading a MyST chapter gives every cell a random ``id``
(nbformat's default), so two builds of the same commit offered different notebooks; here
each cell's id becomes its position, which is as unique and never changes between builds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

# sphinx-book-theme copies the notebook in its own handler at priority 501; run after it.
AFTER_THE_THEME = 900


def _stable_cell_ids(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    notebook = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    if not context.get("ipynb_source") or not notebook.is_file():
        return
    content = json.loads(notebook.read_text(encoding="utf-8"))
    for index, cell in enumerate(content["cells"]):
        cell["id"] = f"cell-{index}"
    # nbformat's own on-disk layout, so the file reads like any saved notebook.
    text = json.dumps(content, sort_keys=True, indent=1, ensure_ascii=False)
    notebook.write_text(text + "\n", encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", _stable_cell_ids, priority=AFTER_THE_THEME)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
