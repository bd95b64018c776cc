"""Merge a cell's printed output exactly as the kernel printed it.

myst-nb 1.4 merges a cell's stream outputs (``nb_merge_streams``) by stripping each chunk and
adding a newline. How the kernel cuts printed text into chunks depends on timing: when
``print("a")`` is sent as ``"a"`` and then ``"\\nb..."``, the page gained a blank line that
another build of the same commit did not have. It also edits the outputs in place, so the
notebook offered for download showed part of the text twice. Here the chunks are joined as
sent (nbclient's own rule), on copies.
"""

from __future__ import annotations

import copy
from typing import Any

from nbformat import NotebookNode
from sphinx.application import Sphinx


def coalesce_streams(outputs: list[NotebookNode]) -> list[NotebookNode]:
    """One output per stream name, holding all its text in order, placed where it began."""
    merged: list[NotebookNode] = []
    streams: dict[str, NotebookNode] = {}
    for output in outputs:
        if output["output_type"] != "stream":
            merged.append(output)
        elif output["name"] in streams:
            streams[output["name"]]["text"] += output["text"]
        else:
            streams[output["name"]] = copy.deepcopy(output)
            merged.append(streams[output["name"]])
    return merged


def setup(app: Sphinx) -> dict[str, Any]:
    from myst_nb.core import render

    render.coalesce_streams = coalesce_streams
    return {"parallel_read_safe": True, "parallel_write_safe": True}
