"""Make every file a reader downloads identical on every build of the same commit.

- sphinx-book-theme copies each chapter's executed notebook into ``_sources/`` and links it
  from the page's download menu. Reading a MyST chapter gives every cell a random ``id``
  (nbformat's default); here each cell's id becomes its position, which is as unique and
  never changes between builds, and a cell's printed text is one output however the kernel
  happened to split it.
- sphinx-gallery zips each example's script and notebook, and a zip records the time each
  file was written, which is the time of the build; here every entry is dated
  ``SOURCE_DATE_EPOCH`` (1980, zip's earliest date, when it is not set).
"""

from __future__ import annotations

import json
import os
import time
import zipfile
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
        if "outputs" in cell:
            cell["outputs"] = _merged_streams(cell["outputs"])
    # nbformat's own on-disk layout, so the file reads like any saved notebook.
    text = json.dumps(content, sort_keys=True, indent=1, ensure_ascii=False)
    notebook.write_text(text + "\n", encoding="utf-8")


def _merged_streams(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Join consecutive prints to the same stream into one output.

    How a kernel splits a cell's printed text into stream messages depends on timing, so the
    same cell gave differently split outputs on two builds (the page itself merges them).
    """
    merged: list[dict[str, Any]] = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and output.get("output_type") == "stream"
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            previous["text"] = _text(previous["text"]) + _text(output["text"])
        else:
            merged.append(output)
    return merged


def _text(text: str | list[str]) -> str:
    return text if isinstance(text, str) else "".join(text)


def _zip_date() -> tuple[int, int, int, int, int, int]:
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))
    return time.gmtime(max(epoch, 315532800))[:6]


def _dated_zips(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for archive in sorted(Path(app.outdir, "_downloads").rglob("*.zip")):
        with zipfile.ZipFile(archive) as source:
            entries = [(info, source.read(info)) for info in source.infolist()]
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as target:
            for info, data in sorted(entries, key=lambda entry: entry[0].filename):
                stamped = zipfile.ZipInfo(info.filename, date_time=_zip_date())
                stamped.external_attr = 0o644 << 16
                target.writestr(stamped, data, zipfile.ZIP_DEFLATED)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", _stable_cell_ids, priority=AFTER_THE_THEME)
    app.connect("build-finished", _dated_zips)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
