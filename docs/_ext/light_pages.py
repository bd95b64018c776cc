"""Light pages: the theme's icons as inline SVG, and the search index only on the search page.

Icons.

pydata-sphinx-theme writes each icon as ``<i class="fa-solid fa-...">`` and loads Font
Awesome's JavaScript (``fontawesome.js``, 1.5 MB, every icon there is) to replace each by an
SVG in the reader's browser. Here the replacement is made when the book is built, from the
same script's icon data: every page carries the few SVGs it shows (a few hundred bytes each),
the script is neither linked nor published, and the icons show with JavaScript off too.

Should the theme change how it writes icons, or name an icon the data lacks, the page keeps
an ``<i class="fa-...">`` that nothing draws: that is a warning naming the page (a failed build
under ``-W``), as is an icon script whose data cannot be read.

Search. The search page loads none of the stylesheets and scripts made for the pages' content.
pydata-sphinx-theme loads Sphinx's search script and the whole search index (160 kB)
on every page, for its search-as-you-type box; the book does not turn that box on
(``search_as_you_type``), so only the search page, which uses them, keeps them. There they
name their versions (``?v=``, a checksum of the file as written), as Sphinx's other scripts do:
the index changes whenever the book does, and a reader's browser keeping an old copy would
search pages as they were.
"""

from __future__ import annotations

import html
import re
import zlib
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

SCRIPT = "_static/scripts/fontawesome.js"
# One icon of Font Awesome 6's data: name: [width, height, [aliases], unicode, path].
_ICON = re.compile(
    r'(?:"(?P<quoted>[a-z0-9-]+)"|\b(?P<name>[a-z0-9]+)):'
    r"\[(?P<width>\d+),(?P<height>\d+),\[(?P<aliases>[^\]]*)\],"
    r'"[0-9a-f]+",(?P<path>"[^"]*")\]'
)
# Where each pack's icons are registered; the icons defined before it are that pack's.
_PACK = re.compile(r'\w\("(?P<pack>fa[bsr])",\w\)')
_STYLES = {
    "fa-solid": "fas",
    "fas": "fas",
    "fa-regular": "far",
    "far": "far",
    "fa-brands": "fab",
    "fab": "fab",
}
_ICON_ELEMENT = re.compile(r'<i class="(?P<classes>[^"]*\bfa-[^"]*)"(?P<attrs>[^>]*)>\s*</i>')
_SCRIPT_TAG = re.compile(
    r'\s*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>'
)
# The theme's tags for search-as-you-type (its layout.html), on every page but the search page.
_SEARCH_TAGS = re.compile(
    r'\s*<script src="[^"]*_static/searchtools\.js"></script>'
    r'\s*<script src="[^"]*_static/language_data\.js"></script>'
    r'\s*<script src="[^"]*searchindex\.js"></script>'
)
# The same scripts on the search page, where the theme names no versions.
_UNVERSIONED_SEARCH = re.compile(
    r'<script src="(?P<src>(?:_static/searchtools|_static/language_data|searchindex)\.js)">'
)
# What the search page does not use (its results are links and excerpts: no notebook cells,
# design elements, gallery cards, copy or toggle buttons, exercises): left out of it.
_UNUSED_ON_SEARCH = re.compile(
    r'\s*<(?:link|script)[^>]*(?:href|src)="_static/(?:mystnb\.[0-9a-f]+\.css|sphinx-design\.min'
    r"\.css|design-tabs\.js|sg_gallery[-a-z]*\.css|sg-tags\.js|copybutton\.(?:css|js)|clipboard"
    r'\.min\.js|togglebutton\.(?:css|js)|exercise\.css)[^"]*"[^>]*>(?:</script>)?'
)
COUNTS = {"icons": 0, "pages": 0, "search": 0}


def read_icons(script: str) -> dict[tuple[str, str], tuple[int, int, str]]:
    """(pack, name) -> (width, height, path) for every icon in Font Awesome's script."""
    icons: dict[tuple[str, str], tuple[int, int, str]] = {}
    start = 0
    for pack in _PACK.finditer(script):
        for icon in _ICON.finditer(script, start, pack.start()):
            value = (int(icon["width"]), int(icon["height"]), icon["path"].strip('"'))
            names = [
                icon["quoted"] or icon["name"],
                *re.findall(r'"([a-z0-9-]+)"', icon["aliases"]),
            ]
            for name in names:
                icons.setdefault((pack["pack"], name), value)
        start = pack.end()
    return icons


def _svg(match: re.Match[str], icons: dict[tuple[str, str], tuple[int, int, str]]) -> str:
    classes = match["classes"].split()
    pack = next((_STYLES[c] for c in classes if c in _STYLES), "fas")
    names = [c[3:] for c in classes if c.startswith("fa-") and c not in _STYLES]
    found = next(((name, icons[(pack, name)]) for name in names if (pack, name) in icons), None)
    if found is None:
        return match[0]
    name, (width, height, path) = found
    kept = " ".join(c for c in classes if c not in _STYLES)
    return (
        f'<svg class="svg-inline--fa {html.escape(kept)}"{match["attrs"]} aria-hidden="true"'
        f' focusable="false" data-prefix="{pack}" data-icon="{name}" role="img"'
        f' xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}">'
        f'<path fill="currentColor" d="{path}"></path></svg>'
    )


def _versioned(src: str, outdir: Path) -> str:
    checksum = zlib.crc32((outdir / src).read_bytes())
    return f'<script src="{src}?v={checksum:08x}">'


def _inline(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    script = outdir / SCRIPT
    if not script.is_file():
        logger.warning(f"light_pages: the theme no longer ships {SCRIPT}; update this extension")
        return
    icons = read_icons(script.read_text(encoding="utf-8"))
    if len(icons) < 100:
        logger.warning(f"light_pages: read only {len(icons)} icons from {SCRIPT}")
        return
    for page in sorted(outdir.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        replaced, count = _ICON_ELEMENT.subn(lambda m: _svg(m, icons), text)
        replaced, _ = _SCRIPT_TAG.subn("", replaced)
        if page.name == "search.html" and page.parent == outdir:
            replaced, unused = _UNUSED_ON_SEARCH.subn("", replaced)
            if unused < 5:
                logger.warning(
                    f"light_pages: only {unused} unused stylesheets and scripts found on the "
                    "search page; update _UNUSED_ON_SEARCH"
                )
            replaced, versioned = _UNVERSIONED_SEARCH.subn(
                lambda m: _versioned(m["src"], outdir), replaced
            )
            if versioned != 3:
                logger.warning(
                    f"light_pages: versioned {versioned} of the search page's 3 search "
                    "scripts; update _UNVERSIONED_SEARCH"
                )
        if page.name != "search.html" and not app.config.html_theme_options.get(
            "search_as_you_type"
        ):
            replaced, dropped = _SEARCH_TAGS.subn("", replaced)
            COUNTS["search"] += dropped
        if replaced == text:
            continue
        COUNTS["icons"] += count
        COUNTS["pages"] += 1
        left = _ICON_ELEMENT.findall(replaced)
        if left:
            logger.warning(
                f"light_pages: no SVG for {', '.join(sorted(set(left)))}",
                location=str(page.relative_to(outdir)),
            )
        if "fontawesome.js" in replaced:
            logger.warning(
                "light_pages: the page still loads fontawesome.js",
                location=str(page.relative_to(outdir)),
            )
        page.write_text(replaced, encoding="utf-8")
    for leftover in (script, script.with_name(script.name + ".map")):
        leftover.unlink(missing_ok=True)
    logger.info(
        f"light_pages: {COUNTS['icons']} icons inlined in {COUNTS['pages']} pages; search "
        f"scripts left out of {COUNTS['search']} pages"
    )
    if COUNTS["pages"] and not COUNTS["search"]:
        logger.warning(
            "light_pages: no page loaded the theme's search scripts; update _SEARCH_TAGS"
        )


def setup(app: Sphinx) -> dict[str, Any]:
    # Before the other build-finished handlers that read the pages (none rewrite icons).
    app.connect("build-finished", _inline, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
