"""Keep each page's pickled doctree to that page.

Autodoc builds a signature's nodes in a document of its own and moves them into the page; those
nodes keep pointing at their first document, whose settings still hold Sphinx's whole build
environment. Sphinx clears the environment from the page's own document only, so every API
page's doctree pickled the environment with it: 6 MB each, 42 of the 48 MB of doctrees, read
back by every step that walks the pages (numbering figures alone unpickled them twice, 30 s of a
build). Here, once a page is read, every node is pointed at the page's document.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Nodes pointed back at their page, in this process (reported at the end of the build).
COUNTS = {"nodes": 0}


def adopt_foreign_nodes(app: Sphinx, doctree: nodes.document) -> None:
    """Point every node whose document is not this page's at this page's document."""
    for node in doctree.findall(include_self=False):
        # docutils keeps a node's document in ``_document`` (the property walks up otherwise).
        foreign = node.__dict__.get("_document")
        if foreign is not None and foreign is not doctree:
            node.document = doctree
            COUNTS["nodes"] += 1


def report(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and COUNTS["nodes"]:
        logger.info(f"lean_doctrees: {COUNTS['nodes']} nodes pointed back at their page")


def setup(app: Sphinx) -> dict[str, Any]:
    # Late, after every other handler may have added nodes, and before Sphinx pickles the page.
    app.connect("doctree-read", adopt_foreign_nodes, priority=900)
    app.connect("build-finished", report)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
