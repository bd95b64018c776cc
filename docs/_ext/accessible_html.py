"""Small fixes that make the theme's HTML pass axe-core's WCAG 2 A/AA checks.

Each fix answers one violation that ``nox -s browser`` found in the built book.

The fixes rewrite markup that Sphinx, docutils, sphinx-gallery and the theme write, matched by
exact strings and a regex; should upstream change that markup, a fix would silently do
nothing. So each one counts what it changed, and a page that has what a fix is for (citations,
gallery thumbnails, sidebar toggles) but was left unchanged is a warning (a failed build under
``-W``) naming the fix to update.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from markupsafe import Markup
from sphinx.application import Sphinx
from sphinx.util import logging

STATIC = Path(__file__).parent / "static"
logger = logging.getLogger(__name__)
#: What each fix changed in this process: citations, thumbnails, toggles.
COUNTS = {"citations": 0, "thumbnails": 0, "toggles": 0}


def _unchanged(fix: str, pagename: str, what: str) -> None:
    logger.warning(
        f"accessible_html: {fix} changed nothing on a page that has {what}; the markup it "
        "rewrites has changed upstream: update docs/_ext/accessible_html.py",
        location=pagename,
    )


def _citations_as_list_items(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    # docutils wraps citations in role="list" but gives each one role="doc-biblioentry",
    # which ARIA 1.3 deprecated; assistive technology then sees a list without items
    # (axe-core: aria-required-children, critical).
    body = context.get("body")
    if not body:
        return
    found = body.count('role="doc-biblioentry"')
    context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')
    COUNTS["citations"] += found
    if not found and 'class="citation-list"' in body:
        _unchanged("_citations_as_list_items", pagename, "a list of citations")


_THUMBNAIL = re.compile(
    r'(<div class="sphx-glr-thumbcontainer" tooltip="(?P<tooltip>[^"]*)">)<img alt=""'
    r'(?P<rest>.*?<a class="reference internal" href="[^"]*")'
    r'(?P<link>><span class="doc">(?P<title>[^<]*)</span>)',
    re.DOTALL,
)


def _describe_gallery_thumbnails(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    # sphinx-gallery leaves thumbnails without alt text, and hides the text of the link that
    # covers each card (axe-core: image-alt, link-name). The example's own summary describes
    # its figure; its title names the link.
    if not pagename.startswith("gallery/") or "body" not in context:
        return
    context["body"], found = _THUMBNAIL.subn(
        lambda match: (
            f'{match[1]}<img alt="Figure of the example: {match["tooltip"]}"'
            f'{match["rest"]} aria-label="{match["title"]}"{match["link"]}'
        ),
        context["body"],
    )
    COUNTS["thumbnails"] += found
    cards = context["body"].count('class="sphx-glr-thumbcontainer"')
    if found < cards:
        _unchanged("_describe_gallery_thumbnails", pagename, f"{cards - found} more thumbnails")


_TOGGLE = '<summary><span class="toctree-toggle" role="presentation">'
_NAMED_TOGGLE = (
    '<summary aria-label="Show or hide the pages under this entry">'
    '<span class="toctree-toggle" role="presentation">'
)


def _named_toc_toggles(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    # The sidebar's expand toggles are an icon alone (axe-core: summary-name, serious). The
    # theme draws the sidebar from this function while rendering the page; name its toggles.
    generate = context.get("generate_toctree_html")
    if generate is None:
        if templatename == "page.html":
            _unchanged("_named_toc_toggles", pagename, "the theme's sidebar")
        return

    def named(*args: Any, **kwargs: Any) -> Any:
        html = generate(*args, **kwargs)
        found = str(html).count(_TOGGLE)
        fixed = str(html).replace(_TOGGLE, _NAMED_TOGGLE)
        COUNTS["toggles"] += found
        if found < str(html).count('class="toctree-toggle"'):
            _unchanged("_named_toc_toggles", pagename, "sidebar toggles")
        return Markup(fixed) if isinstance(html, Markup) else fixed

    context["generate_toctree_html"] = named


def _add_static(app: Sphinx) -> None:
    # Relative to conf.py, like the book's own static path, so that the build records no
    # path of the machine it ran on.
    app.config.html_static_path.append(os.path.relpath(STATIC, app.confdir))


def _report(app: Sphinx, exception: BaseException | None) -> None:
    if exception is None:
        logger.info(
            "accessible_html: {citations} citations made list items, {thumbnails} gallery "
            "thumbnails described, {toggles} sidebar toggles named".format(**COUNTS)
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", _add_static)
    app.connect("build-finished", _report)
    app.connect("html-page-context", _citations_as_list_items)
    app.connect("html-page-context", _describe_gallery_thumbnails)
    # After the theme's own handler (priority 500) has put the function in the context.
    app.connect("html-page-context", _named_toc_toggles, priority=900)
    app.add_js_file("accessible.js", loading_method="defer")
    app.add_css_file("accessible.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
