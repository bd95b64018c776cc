"""Rebuild only what changed, and never less strictly than a clean build.

Sphinx's incremental build re-reads a page only when its source file changed, and then writes
only the pages it re-read. A strict book cannot trust that alone:

- **Warnings would vanish.** A page that warned is not read again in the next build, so its
  warning is not repeated and the build passes. Here a build that warned or failed deletes the
  saved environment when it ends: the next build reads every page again, as a clean one.
  Every build after a green one starts from pages that gave no warning.
- **Links would go stale.** A page that links to a section of another page is not written again
  when that section is renamed or removed, and its link breaks without a warning. Here, once
  any page was read, every page is written again (resolving every reference, with its
  warnings), and so are the highlighted sources of calcml's modules (``sphinx.ext.viewcode``
  rewrites one only when its module is newer, so a new theme or setting passed them by). A
  build in which nothing changed reads and writes nothing.
- **What turns a page into HTML is not a page.** Sphinx does not see a change to the book's
  extensions, ``conf.py``, static files, calcml (whose outputs the pages show) or an installed
  package. ``conf.py`` hashes them into ``build_inputs_hash``, a setting that makes Sphinx read
  every page again when it changes.
- **Removed pages would stay published.** Sphinx never deletes the output of a page whose
  source is gone; here its HTML and its copied sources are deleted.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import ENV_PICKLE_FILENAME, Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: The pages read in this build.
_READ: set[str] = set()


def _forget_last_build(app: Sphinx) -> None:
    # One process can run several builds (sphinx-autobuild): each starts with nothing read.
    _READ.clear()


def _note_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    # In the build's own process: pages read in parallel are read in other processes.
    _READ.update(docnames)


def pages_read() -> frozenset[str]:
    """The pages read in this build so far (none: nothing changed since the last build)."""
    return frozenset(_READ)


def _write_all_once_any_read(app: Sphinx, env: BuildEnvironment) -> list[str]:
    return sorted(env.found_docs) if _READ else []


def _rewrite_module_sources_once_any_read(app: Sphinx) -> list[tuple[str, Any, str]]:
    # viewcode writes a module's page when the page does not exist.
    if _READ:
        shutil.rmtree(Path(app.outdir) / "_modules", ignore_errors=True)
    return []


def _delete_removed_pages(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    outdir = Path(app.outdir)
    for docname in sorted(removed):
        page = outdir / f"{docname}.html"
        sources = outdir / "_sources" / docname
        for output in [page, *sources.parent.glob(f"{sources.name}.*")]:
            if output.is_file():
                output.unlink()
                logger.info(f"strict_rebuilds: deleted {output.relative_to(outdir)}")
    return []


def _distrust_after_warning(app: Sphinx, exception: Exception | None) -> None:
    # Sphinx itself deletes the environment after an exception, not after a warning.
    if exception is None and not app._warncount:
        return
    environment = Path(app.doctreedir) / ENV_PICKLE_FILENAME
    if environment.is_file():
        environment.unlink()
    logger.info("strict_rebuilds: this build warned; the next one reads every page again")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", _forget_last_build)
    if not hasattr(app, "_warncount"):
        # Without the count this extension cannot tell a warning happened: fail loudly.
        raise RuntimeError("strict_rebuilds: Sphinx no longer counts warnings in _warncount")
    app.add_config_value("build_inputs_hash", "", "env", types=frozenset({str}))
    app.connect("env-before-read-docs", _note_read)
    app.connect("env-get-outdated", _delete_removed_pages)
    app.connect("env-get-updated", _write_all_once_any_read)
    # Before viewcode's own handler (priority 500) decides which module pages to write.
    app.connect("html-collect-pages", _rewrite_module_sources_once_any_read, priority=400)
    # Last: a warning from any other build-finished handler counts too.
    app.connect("build-finished", _distrust_after_warning, priority=1000)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
