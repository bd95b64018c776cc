"""Merge a cell's printed output exactly as the kernel printed it.

myst-nb 1.4 merges a cell's stream outputs (``nb_merge_streams``) by stripping each chunk and
adding a newline. How the kernel cuts printed text into chunks depends on timing: when
``print("a")`` is sent as ``"a"`` and then ``"\\nb..."``, the page gained a blank line that
another build of the same commit did not have. It also edits the outputs in place, so the
notebook offered for download showed part of the text twice. Here the chunks are joined as
sent (nbclient's own rule), on copies.

The fix replaces ``myst_nb.core.render.coalesce_streams`` by name. Should myst-nb rename or move
it, the replacement would silently do nothing; so it counts its calls, and a page that shows
printed output although the replacement was never called while it was read is a warning
(a failed build under ``-W``), as is a missing function to replace.
"""

from __future__ import annotations

import copy
from typing import Any

from docutils import nodes
from nbformat import NotebookNode
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Calls of the replacement and stream chunks it joined, in this process.
COUNTS = {"calls": 0, "joined": 0}
_AT_SOURCE_READ: dict[str, int] = {}


def coalesce_streams(outputs: list[NotebookNode]) -> list[NotebookNode]:
    """One output per stream name, holding all its text in order, placed where it began."""
    COUNTS["calls"] += 1
    merged: list[NotebookNode] = []
    streams: dict[str, NotebookNode] = {}
    for output in outputs:
        if output["output_type"] != "stream":
            merged.append(output)
        elif output["name"] in streams:
            streams[output["name"]]["text"] += output["text"]
            COUNTS["joined"] += 1
        else:
            streams[output["name"]] = copy.deepcopy(output)
            merged.append(streams[output["name"]])
    return merged


def _before_reading(app: Sphinx, docname: str, source: list[str]) -> None:
    _AT_SOURCE_READ[docname] = COUNTS["calls"]


def _check_page(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    before = _AT_SOURCE_READ.pop(docname, None)
    if before is None or not app.config.nb_merge_streams:
        return
    printed = any(
        "stream" in node.get("classes", []) for node in doctree.findall(nodes.literal_block)
    )
    if printed and COUNTS["calls"] == before:
        logger.warning(
            "stream_merge: this page shows printed output, but myst-nb never called "
            "myst_nb.core.render.coalesce_streams while reading it: myst-nb merges streams "
            "some other way now, and this patch does nothing; update docs/_ext/stream_merge.py",
            location=docname,
        )


def _report(app: Sphinx, exception: BaseException | None) -> None:
    if exception is None:
        logger.info(
            f"stream_merge: {COUNTS['calls']} cells' outputs merged, "
            f"{COUNTS['joined']} stream chunks joined as printed"
        )


def setup(app: Sphinx) -> dict[str, Any]:
    from myst_nb.core import render

    if not callable(getattr(render, "coalesce_streams", None)):
        logger.warning(
            "stream_merge: myst_nb.core.render has no coalesce_streams to replace (myst-nb "
            "changed); printed output may differ between builds: update "
            "docs/_ext/stream_merge.py"
        )
    render.coalesce_streams = coalesce_streams
    app.connect("source-read", _before_reading)
    app.connect("doctree-read", _check_page)
    app.connect("build-finished", _report)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
