"""Code blocks without the markup that changes no pixel.

Pygments wraps every token of a code block in ``<span class="...">``, also the names,
punctuation and spaces that the book's code styles draw in the block's own text colour, light
and dark alike. On a code-heavy chapter those spans are a fifth of the page (88 kB of
optimization-practice's 449 kB) and show nothing. Here, once the theme has written the
stylesheet the browser will use (``_static/pygments.css``, both modes), the spans of exactly the
token classes that it draws as plain text in both modes are dropped from every page's code
blocks: their text stays, and so do the spans of every class that is coloured in either mode.
A style that colours names, say, keeps their spans without a change here.

Should the theme's stylesheet change shape so that the block's own colour cannot be read, or
the pages' code blocks stop matching, that is a warning (a failed build under ``-W``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

STYLESHEET = "_static/pygments.css"
MODES = ("light", "dark")
_RULE = re.compile(
    r'html\[data-theme="(?P<mode>light|dark)"\] \.highlight(?: \.(?P<cls>[\w-]+))? '
    r"\{ (?P<declarations>[^}]*) \}"
)
_BLOCK = re.compile(r'<div class="highlight"><pre>.*?</pre></div>', re.DOTALL)
_LINK = re.compile(r"<a\s[^>]*>.*?</a>", re.DOTALL)


def plain_classes(stylesheet: str) -> frozenset[str]:
    """The token classes drawn exactly as the block's own text, in every mode.

    >>> css = '''html[data-theme="light"] .highlight { background: #fff; color: #080808 }
    ... html[data-theme="light"] .highlight .n { color: #080808 }
    ... html[data-theme="light"] .highlight .k { color: #6730C5; font-weight: bold }
    ... html[data-theme="dark"] .highlight { background: #000; color: #F8F8F2 }
    ... html[data-theme="dark"] .highlight .n { color: #F8F8F2 }
    ... html[data-theme="dark"] .highlight .k { color: #F8F8F2 }'''
    >>> sorted(plain_classes(css))
    ['n']
    """
    own: dict[str, str] = {}
    rules: dict[str, dict[str, str]] = {}
    for rule in _RULE.finditer(stylesheet):
        declarations = rule["declarations"].strip().rstrip(";")
        if rule["cls"] is None:
            colour = re.search(r"(?:^|;)\s*color:\s*([^;]+)", declarations)
            if colour is not None:
                own[rule["mode"]] = f"color: {colour[1].strip()}"
        else:
            rules.setdefault(rule["cls"], {})[rule["mode"]] = declarations
    if set(own) != set(MODES):
        return frozenset()
    return frozenset(
        cls
        for cls, by_mode in rules.items()
        if set(by_mode) == set(MODES) and all(by_mode[mode] == own[mode] for mode in MODES)
    )


def unwrap(page: str, classes: frozenset[str]) -> tuple[str, int]:
    """``page`` with the spans of ``classes`` in its code blocks replaced by their text.

    >>> block = (
    ...     '<div class="highlight"><pre><span class="n">y</span> <span class="o">=</span> '
    ...     '<a href="api.html"><span class="n">f</span></a><span class="p">(</span>'
    ...     '<span class="n">x</span><span class="p">)</span></pre></div>'
    ... )
    >>> print(unwrap(block, frozenset({"n", "p"}))[0].replace(" <a", "\\n<a"))
    <div class="highlight"><pre>y <span class="o">=</span>
    <a href="api.html"><span class="n">f</span></a>(x)</pre></div>
    """
    span = re.compile(
        rf'<span class="(?:{"|".join(map(re.escape, sorted(classes)))})">([^<]*)</span>'
    )
    count = 0

    def strip(block: re.Match[str]) -> str:
        nonlocal count
        # A name the gallery links to the API keeps its span: the span's colour, not the
        # link's, is what makes it read as code (and axe judge it as such).
        pieces = _LINK.split(block[0])
        links = _LINK.findall(block[0])
        for index, piece in enumerate(pieces):
            pieces[index], n = span.subn(r"\1", piece)
            count += n
        return "".join(p + link for p, link in zip(pieces, [*links, ""], strict=True))

    return _BLOCK.sub(strip, page), count


def _rewrite(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    classes = plain_classes((outdir / STYLESHEET).read_text(encoding="utf-8"))
    if not classes:
        logger.warning(
            f"plain_code: no token class of {STYLESHEET} reads as the code's own colour in "
            "both modes; the theme's stylesheet changed shape: update this extension"
        )
        return
    blocks = spans = 0
    for page in sorted(outdir.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        blocks += len(_BLOCK.findall(text))
        replaced, count = unwrap(text, classes)
        if count:
            spans += count
            page.write_text(replaced, encoding="utf-8")
    if not blocks:
        logger.warning("plain_code: no code block found in any page; update _BLOCK")
    logger.info(
        f"plain_code: {spans} spans of {', '.join(sorted(classes))} dropped from {blocks} "
        "code blocks"
    )


def setup(app: Sphinx) -> dict[str, Any]:
    # After pydata-sphinx-theme's own build-finished handler (priority 500), which writes the
    # stylesheet read here.
    app.connect("build-finished", _rewrite, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
