"""End a build's process without a last garbage collection of everything the build made.

When ``sphinx-build`` returns, Python's shutdown collects garbage once more, walking every object
the build left alive (the environment, every page's doctree, every extension's caches) although
nothing is written any more. That took 2.2 s of the 11 s of a rebuild with nothing changed.

When the build has finished, the objects alive are frozen (``gc.freeze``): the collector leaves
them alone from then on, at shutdown too, and the process ends at once; its memory goes back to
the system with it, as always. Objects that are garbage without a cycle are still freed as their
last reference goes, and files are still closed and flushed that way. A process that runs another
build unfreezes them when that build starts, so nothing is kept longer than one build.
"""

from __future__ import annotations

import gc
from typing import Any

from sphinx.application import Sphinx


def _unfreeze(app: Sphinx) -> None:
    gc.unfreeze()


def _freeze(app: Sphinx, exception: Exception | None) -> None:
    gc.freeze()


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", _unfreeze)
    # After every other handler of the book's (strict_rebuilds' runs at 1000).
    app.connect("build-finished", _freeze, priority=1001)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
