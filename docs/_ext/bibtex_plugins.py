"""Look each of pybtex's plugins up once per build instead of once per citation.

sphinxcontrib-bibtex asks ``pybtex.plugin.find_plugin`` for its formatting style every time
Sphinx resolves a citation, and pybtex answers by scanning the entry points of every installed
package: 2.6 s of a clean build, all of it in the one process that resolves references while the
others wait to write pages. The plugins are registered when the extensions are set up and
cannot change while the book builds, so the answer is kept. If pybtex renames the function, the
build fails here, naming it.
"""

from __future__ import annotations

import functools
from typing import Any

import pybtex.plugin
from sphinx.application import Sphinx


def setup(app: Sphinx) -> dict[str, Any]:
    if not hasattr(pybtex.plugin.find_plugin, "cache_info"):
        pybtex.plugin.find_plugin = functools.cache(pybtex.plugin.find_plugin)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
