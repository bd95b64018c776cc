"""Search excerpts made when the book is built, so the search page fetches no whole page.

Sphinx's search page shows each result with an excerpt, which it makes by downloading the whole
page found: a query as common as "gradient" downloaded most of the book. Here, while the pages
are read, each page's text is kept (formulas as their TeX, code as code); once the search
index is written, for every word it indexes, ``_static/excerpts/<n>.json`` (the words spread
over ``BUCKETS`` files) maps each page containing the word to the text around its first
occurrence (Sphinx's window: 120 characters before, 240 in all), formulas whole and rendered as
MathML (katex_math), never cut. A result that is an index entry (a glossary's term) links its
place in the page, and its excerpt starts there, as Sphinx's own does: each word of the entry
maps ``<page>#<place>`` to it too.
``_static/search-math.js`` shows them, one file fetched per word of the query;
``html_show_search_summary = False`` keeps Sphinx from fetching the pages.

A search index this cannot read is a warning (a failed build under ``-W``).
"""

from __future__ import annotations

import bisect
import functools
import html
import json
import re
import shutil
from pathlib import Path
from typing import Any

import katex_math
import strict_rebuilds
from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

logger = logging.getLogger(__name__)

BEFORE = 120
LENGTH = 240
FOLDER = "_static/excerpts"
# Words share files (512 files of ~15 kB instead of 3000): a query fetches one per word.
BUCKETS = 512
_WORD = re.compile(r"\w+")


#: A page as kept for its excerpts: its text in pieces (kind, text), and the offset in that text
#: at which each element with an id (an anchor) begins.
Page = tuple[list[tuple[str, str]], dict[str, int]]


def pieces(doctree: nodes.Node) -> Page:
    """A page's text in reading order (plain text, code and formulas as TeX), and where each
    anchor begins in it. Each block (a paragraph, a glossary term, a table cell...) ends with a
    space, so that two never run into one word."""
    found: list[tuple[str, str]] = []
    anchors: dict[str, int] = {}
    length = 0

    def add(kind: str, text: str) -> None:
        nonlocal length
        found.append((kind, text))
        length += len(text)

    def visit(node: nodes.Node) -> None:
        if isinstance(node, nodes.Element):
            for anchor in node["ids"]:
                anchors.setdefault(anchor, length)
        # First: a comment is a FixedTextElement too (sphinx-gallery heads each example's page
        # with one, in capitals).
        if isinstance(node, nodes.comment | nodes.raw | nodes.image | nodes.system_message):
            return
        if isinstance(node, nodes.Text):
            add("text", re.sub(r"\s+", " ", node.astext()))
        elif isinstance(node, nodes.math | nodes.math_block):
            add("math", node.astext().strip())
            if isinstance(node, nodes.math_block):
                add("text", " ")
        elif isinstance(node, nodes.FixedTextElement | nodes.literal | addnodes.desc_signature):
            add("code", re.sub(r"\s+", " ", node.astext()))
            if not isinstance(node, nodes.literal):
                add("text", " ")
        elif isinstance(node, nodes.Element):
            for child in node.children:
                visit(child)
            if not isinstance(node, nodes.Inline):
                add("text", " ")

    visit(doctree)
    return found, anchors


def _pages(env: BuildEnvironment) -> dict[str, Page]:
    """Pagename -> the page as kept for its excerpts, in the environment across builds."""
    if not hasattr(env, "search_excerpt_pages"):
        env.search_excerpt_pages = {}
    pages: dict[str, Page] = env.search_excerpt_pages
    return pages


def _keep_text(app: Sphinx, doctree: nodes.document) -> None:
    # As read, before post-transforms (sphinx-gallery turns code blocks into other nodes).
    _pages(app.env)[app.env.docname] = pieces(doctree)


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _pages(env).pop(docname, None)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    _pages(env).update({name: _pages(other)[name] for name in docnames if name in _pages(other)})


def _starts(page: list[tuple[str, str]]) -> list[int]:
    starts, position = [], 0
    for _, text in page:
        starts.append(position)
        position += len(text)
    return starts


def _first_offsets(page: list[tuple[str, str]], stem: Any) -> dict[str, int]:
    """Stemmed word -> offset of its first occurrence in the page's text."""
    offsets: dict[str, int] = {}
    position = 0
    for kind, text in page:
        if kind != "math":
            for word in _WORD.finditer(text):
                offsets.setdefault(stem(word[0]), position + word.start())
        position += len(text)
    return offsets


def excerpt(
    page: list[tuple[str, str]],
    starts: list[int],
    offset: int,
    math: dict[str, str],
    before: int = BEFORE,
) -> str:
    """The HTML of the excerpt of ``page`` (its pieces start at ``starts``) from ``before``
    characters before ``offset``: formulas whole or left out, never cut. It opens with "..."
    when it starts inside the text, not at ``offset`` (a place's start) or the page's."""
    start = max(offset - before, 0)
    end = start + LENGTH
    out = ["..." if start > 0 and before else ""]
    first = max(bisect.bisect_right(starts, start) - 1, 0)
    for (kind, text), low in zip(page[first:], starts[first:], strict=True):
        high = low + len(text)
        if low >= end:
            break
        if high <= start:
            continue
        if kind == "math":
            if low >= start and high <= end and text in math:
                out.append(f'<span class="{katex_math.MATH_CLASS}">{math[text]}</span>')
            continue
        cut = html.escape(text[max(start - low, 0) : end - low])
        out.append(f"<code>{cut}</code>" if kind == "code" else cut)
    total = starts[-1] + len(page[-1][1]) if page else 0
    out.append("..." if total > end else "")
    return re.sub(r"\s+", " ", "".join(out)).strip()


def bucket(term: str) -> int:
    """The file a word's excerpts go to (search-math.js computes the same)."""
    value = 0
    for character in term:
        value = (value * 31 + ord(character)) % 2**32
    return value % BUCKETS


def _formula_html(tex: str) -> str | None:
    for key in (katex_math._key(False, tex), katex_math._key(True, tex)):
        if key in katex_math.RENDERED:
            # A displayed formula is quoted inline.
            return katex_math.page_markup(katex_math.RENDERED[key]).replace(' display="block"', "")
    return None


def _read_index(
    path: Path,
) -> tuple[list[str], dict[str, set[int]], dict[str, set[tuple[int, str]]]]:
    """The index's pages, the pages of each word, and the places (page, anchor) of each index
    entry (a glossary's term, say)."""
    text = path.read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    terms: dict[str, set[int]] = {}
    for table in (index["titleterms"], index["terms"]):
        for term, found in table.items():
            terms.setdefault(term, set()).update([found] if isinstance(found, int) else found)
    entries = {
        entry: {(number, anchor) for number, anchor, _ in found if anchor}
        for entry, found in index["indexentries"].items()
    }
    return index["docnames"], terms, entries


def _write_excerpts(app: Sphinx, exception: BaseException | None) -> None:
    outdir = Path(app.outdir)
    if exception is not None or app.builder.format != "html":
        return
    if not strict_rebuilds.pages_read() and (outdir / FOLDER).is_dir():
        return  # no page was read: the excerpts of the last build stand
    pages = _pages(app.env)
    from sphinx.search.en import SearchEnglish

    try:
        docnames, terms, entries = _read_index(outdir / "searchindex.js")
    except (OSError, ValueError, KeyError) as error:
        logger.warning(f"search_excerpts: cannot read searchindex.js: {error}")
        return
    stem = functools.cache(SearchEnglish({}).stem)
    offsets = {name: _first_offsets(page, stem) for name, (page, _) in pages.items()}
    starts = {name: _starts(page) for name, (page, _) in pages.items()}
    formulas = {tex for page, _ in pages.values() for kind, tex in page if kind == "math"}
    math = {tex: rendered for tex in formulas if (rendered := _formula_html(tex)) is not None}
    missing = sorted(set(docnames) - set(pages))
    if missing:
        logger.warning(f"search_excerpts: no text kept for the pages {', '.join(missing)}")
    files: list[dict[str, dict[str, str]]] = [{} for _ in range(BUCKETS)]
    for term, found in sorted(terms.items()):
        excerpts = {}
        for number in sorted(found):
            name = docnames[number]
            if name in pages:
                offset = offsets[name].get(term, 0)
                excerpts[name] = excerpt(pages[name][0], starts[name], offset, math)
        if excerpts:
            files[bucket(term)][term] = excerpts
    # A result that is an index entry links its place in the page: its excerpt starts there, not
    # at the page's first use of the word (the same for every term of one glossary). Filed under
    # each word of the entry, in the files a query of that word fetches anyway.
    places = 0
    for entry, found in sorted(entries.items()):
        words = {stem(word) for word in _WORD.findall(entry)}
        for number, anchor in sorted(found):
            name = docnames[number]
            if name in pages and anchor in pages[name][1]:
                offset = pages[name][1][anchor]
                text = excerpt(pages[name][0], starts[name], offset, math, before=0)
                for word in words:
                    files[bucket(word)].setdefault(word, {})[f"{name}#{anchor}"] = text
                places += 1
    if entries and not places:
        logger.warning("search_excerpts: no index entry's place found in the pages' text")
    folder = outdir / FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for number, content in enumerate(files):
        data = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        (folder / f"{number}.json").write_text(data, encoding="utf-8")
    written = sum(len(content) for content in files)
    logger.info(
        f"search_excerpts: {written} words and {places} places of index entries, excerpts of "
        f"{len(pages)} pages"
    )


def setup(app: Sphinx) -> dict[str, Any]:
    # strict_rebuilds keeps the record of the pages each build reads.
    app.setup_extension("strict_rebuilds")
    app.connect("doctree-read", _keep_text)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    # Sphinx has written searchindex.js (in its own finish step) before build-finished.
    app.connect("build-finished", _write_excerpts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
