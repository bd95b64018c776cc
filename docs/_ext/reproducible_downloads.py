"""Make every file a reader downloads identical on every build of the same commit.

- sphinx-book-theme copies each chapter's notebook into ``_sources/`` and links it from the
  page's download menu. It is the chapter to run yourself, so it carries no outputs: with
  them it differed between a build that executed the page and one served from the cache
  (which copied none), and with how the kernel happened to split printed text. Reading a
  MyST chapter also gives every cell a random ``id`` (nbformat's default); here each cell's
  id becomes its position, which is as unique and never changes between builds.
- sphinx-gallery zips each example's script and notebook, and a zip records the time each
  file was written, which is the time of the build; here every entry is dated
  ``SOURCE_DATE_EPOCH`` (1980, zip's earliest date, when it is not set).
- sphinx-sitemap lists the pages in the order they were written, which under ``--jobs``
  is the order the writing processes happened to finish; here they are sorted by address.
"""

from __future__ import annotations

import json
import os
import time
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from sphinx.application import Sphinx

#: Notebook metadata a reader's Jupyter needs to open the chapter with the right kernel.
KEPT_METADATA = frozenset({"kernelspec", "jupytext"})
# sphinx-book-theme copies the notebook in its own handler at priority 501; run after it.
AFTER_THE_THEME = 900
# sphinx-sitemap writes its file at build-finished with the default priority, 500.
AFTER_THE_SITEMAP = 900
SITEMAP_NAMESPACE = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _stable_cell_ids(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    notebook = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    if not context.get("ipynb_source") or not notebook.is_file():
        return
    content = json.loads(notebook.read_text(encoding="utf-8"))
    # What a fresh execution adds (the Python version in language_info, timings) is left
    # out: the notebook is the same whether this build ran the page or took it from the cache.
    content["metadata"] = {
        key: value for key, value in content["metadata"].items() if key in KEPT_METADATA
    }
    for index, cell in enumerate(content["cells"]):
        cell["id"] = f"cell-{index}"
        cell.get("metadata", {}).pop("execution", None)
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    # nbformat's own on-disk layout, so the file reads like any saved notebook.
    text = json.dumps(content, sort_keys=True, indent=1, ensure_ascii=False)
    notebook.write_text(text + "\n", encoding="utf-8")


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


def _sorted_sitemap(app: Sphinx, exception: BaseException | None) -> None:
    sitemap = Path(app.outdir) / app.config.sitemap_filename
    # A build that wrote no page leaves the last complete sitemap as it was.
    if exception is not None or app.builder.format != "html" or not sitemap.is_file():
        return
    tree = ElementTree.parse(sitemap)
    root = tree.getroot()
    pages = list(root)
    if not all(page.tag == f"{SITEMAP_NAMESPACE}url" for page in pages):
        msg = f"{sitemap} holds elements other than <url>; sphinx-sitemap changed its format"
        raise RuntimeError(msg)
    pages.sort(key=lambda page: page.findtext(f"{SITEMAP_NAMESPACE}loc", default=""))
    root[:] = pages
    # Written back with the sitemap's namespace as the default one, as sphinx-sitemap writes it.
    ElementTree.register_namespace("", SITEMAP_NAMESPACE.strip("{}"))
    tree.write(sitemap, xml_declaration=True, encoding="utf-8", method="xml")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", _stable_cell_ids, priority=AFTER_THE_THEME)
    app.connect("build-finished", _dated_zips)
    app.connect("build-finished", _sorted_sitemap, priority=AFTER_THE_SITEMAP)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
