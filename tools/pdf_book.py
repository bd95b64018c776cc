"""The whole book as one PDF, printed by Chromium from the built HTML pages.

    python tools/pdf_book.py docs/_build/html --chromium /usr/bin/chromium-headless-shell

Reads the HTML build (``nox -s docs``) and runs nothing of the book again: every page's
article (its formulas already MathML, its figures SVG, its numbers those Sphinx gave it for the
web) is put, in the order of the book's sidebar, after a title page, a contents list and a page
for each part; ids are made unique per page and every link between pages becomes a link inside
the PDF (links to pages left out, such as the index or highlighted sources, go to the published
site). Solutions are shown expanded; code a chapter hides on the web (``hide-input`` cells)
stays hidden, its output shown; an animation shows its last frame.

Chromium prints it with a print stylesheet (``tools/pdf_book.css``) in pieces of whole chapters,
in parallel (one per core: a long document also prints more slowly per page). pikepdf joins
the pieces, turns links between them into links inside the book, stamps page numbers, and
writes the bookmark outline from the headings (parts, chapters, sections, subsections). The PDF
is not tagged: Chromium tags only what it prints as one document, and printing the book as one
took twice as long. It is reproducible (its dates are ``SOURCE_DATE_EPOCH``, its file id a hash
of its content) and checked: it must have pages, an outline naming every part and chapter, a
place for every heading and link, and no raw TeX in its text outside code. It is written into
the HTML build (``calculus-for-machine-learning.pdf``), where the landing page links it, and
that link is checked too.

Nothing is requested from any host: the document is read from files, and every request that
is not for a local file is refused and reported.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import posixpath
import re
import sys
import time
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
from chromium import QUIET_FLAGS, system_chromium
from lxml.html import HtmlElement

PDF_NAME = "calculus-for-machine-learning.pdf"
# A link to another piece's id while the pieces are printed apart (see assemble, merge).
ELSEWHERE = "https://elsewhere-in-the-book.invalid/"
OUTLINE_DEPTH = 4  # parts, chapters, sections, subsections
PIECES = 4  # documents printed apart, two at a time on two cores (see assemble)
STYLESHEET = Path(__file__).with_suffix(".css")
# TeX that reached the page as text: a formula KaTeX did not render, or $-delimited math that
# the Markdown reader did not see. (Code and its outputs may hold a lone backslash or dollar,
# so only the shapes of TeX markup count.)
RAW_TEX = re.compile(
    r"\\(?:frac|mathbf|boldsymbol|partial|nabla|sum|begin|end|left|right|mathrm|operatorname"
    r"|sqrt|cdot|alpha|theta|eta|sigma|hat|top|mathbb|label|eqref|tag)\b|\$\$|\\\(|\\\["
)
# Elements a printed page cannot use: the web page's scripts and buttons.
DROPPED = (
    "script",
    "style",
    "a.headerlink",
    "details.hide",  # a hide-input cell's collapsed code; its output stays
    "div.toctree-wrapper",
    "div.sphx-glr-thumbnails",
    "div.sphx-glr-download-link-note",
    "div.sphx-glr-footer",
    "p.sphx-glr-signature",
    "div.anim-controls",
    "button",
    # A formula's TeX source, kept on the web for copying; on paper it only weighs.
    "annotation",
)
BROKEN_IMAGES = """
Array.from(document.images)
  .filter((image) => !image.complete || image.naturalWidth === 0)
  .map((image) => image.getAttribute("src").slice(0, 100))
"""
ID_ATTRIBUTES = ("id",)
REFERENCE_ATTRIBUTES = ("for", "aria-describedby", "aria-labelledby", "aria-controls", "headers")


@dataclass
class Page:
    """One page of the book: its path in the HTML build and its place in the outline."""

    path: str  # relative to the HTML build, e.g. "gallery/plot_learning_rates.html"
    level: int  # outline level of its title: 2 for a chapter, 3 for a page under one

    @property
    def anchor(self) -> str:
        return self.path.removesuffix(".html").replace("/", "-")


@dataclass
class Part:
    """A caption of the sidebar (Part I, ..., Examples, Reference) and its pages."""

    title: str
    pages: list[Page] = field(default_factory=list)


def _read(path: Path) -> HtmlElement:
    """A page of the HTML build (UTF-8, as Sphinx writes it)."""
    parser = lxml.html.HTMLParser(encoding="utf-8")
    return lxml.html.parse(str(path), parser=parser).getroot()


def _css(element: HtmlElement, selector: str) -> list[HtmlElement]:
    return list(element.cssselect(selector))


def read_parts(html: Path) -> list[Part]:
    """The book's parts and pages in reading order, from the landing page's sidebar."""
    root = _read(html / "index.html")
    nav = _css(root, "nav.bd-docs-nav")
    if not nav:
        raise SystemExit("pdf: index.html has no sidebar (nav.bd-docs-nav) to read the order from")
    parts: list[Part] = []
    for element in nav[0].iter("p", "ul"):
        if element.tag == "p" and "caption" in (element.get("class") or "").split():
            parts.append(Part(element.text_content().strip()))
        elif element.tag == "ul" and "bd-sidenav" in (element.get("class") or "") and parts:
            for link in _css(element, "li > a.reference.internal"):
                level = 2 if "toctree-l1" in (link.getparent().get("class") or "") else 3
                href = urlsplit(link.get("href", "")).path
                if href.endswith(".html"):
                    parts[-1].pages.append(Page(href, level))
    if not any(part.pages for part in parts):
        raise SystemExit("pdf: found no chapters in the sidebar of index.html")
    return parts


@dataclass
class Book:
    """What the pages refer to: which pages are in the PDF, the site, the way to the files."""

    html: Path
    document_dir: Path
    site: str
    anchors: dict[str, str]  # page path -> anchor of the page in the document

    def file_url(self, page: str, url: str) -> str:
        """A resource of ``page`` (an image) as a path from the assembled document."""
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(url)))
        return Path(os.path.relpath(self.html / target, self.document_dir)).as_posix()

    def link(self, page: str, href: str) -> str:
        """A link of ``page``: inside the document when it can be, else to the published site."""
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith("mailto:"):
            return href
        if not parts.path:  # a link within the page
            return f"#{self.anchors[page]}--{parts.fragment}" if parts.fragment else href
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))
        if target in self.anchors:
            anchor = self.anchors[target]
            return f"#{anchor}--{parts.fragment}" if parts.fragment else f"#{anchor}"
        published = urljoin(self.site, target)
        return f"{published}#{parts.fragment}" if parts.fragment else published


def _last_frame(player: HtmlElement) -> str | None:
    """The last frame (a data: URI) of matplotlib's animation player after ``player``."""
    for script in player.itersiblings("script"):
        frames = re.findall(r'frames\[\d+\] = "([^"]*)"', script.text or "", re.S)
        if frames:
            return frames[-1].replace("\\\n", "")
    return None


def _prepare(article: HtmlElement, page: Page, book: Book) -> None:
    """Make one page's article printable and its ids and links those of the whole document."""
    prefix = book.anchors[page.path]
    for player in _css(article, "div.animation"):
        frame, images = _last_frame(player), player.findall("img")
        if frame and images:
            images[0].set("src", frame)
            note = lxml.html.fragment_fromstring(
                '<p class="pdf-note">An animation on the web; its last frame is shown.</p>'
            )
            player.append(note)
    for selector in DROPPED:
        for element in _css(article, selector):
            element.drop_tree()
    for details in article.iter("details"):
        details.set("open", "open")
    for solution in _css(article, "div.solution.dropdown"):
        solution.set("class", solution.get("class", "").replace("dropdown", "").strip())
    for element in article.iter():
        if not isinstance(element.tag, str):
            continue
        for name in ID_ATTRIBUTES:
            if value := element.get(name):
                element.set(name, f"{prefix}--{value}")
        for name in REFERENCE_ATTRIBUTES:
            if value := element.get(name):
                element.set(name, " ".join(f"{prefix}--{v}" for v in value.split()))
        if element.tag == "a" and (href := element.get("href")) is not None:
            element.set("href", book.link(page.path, href))
        src = element.get("src") if element.tag == "img" else None
        if src and not src.startswith("data:"):
            element.set("src", book.file_url(page.path, src))
            element.attrib.pop("srcset", None)
        if element.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            # The outline nests by heading level: a chapter's title sits under its part.
            level = min(6, int(element.tag[1]) + page.level - 1)
            element.set("aria-level", str(level))


def _links_to_pdf(element: HtmlElement) -> bool:
    return any(a.get("href", "").endswith(PDF_NAME) for a in element.iter("a"))


def _heading(root: HtmlElement) -> str:
    headings = _css(root, "article.bd-article h1")
    return headings[0].text_content().strip().removesuffix("#") if headings else ""


def _title_page(index: HtmlElement, html: Path, site: str) -> str:
    options = (html / "_static" / "documentation_options.js").read_text(encoding="utf-8")
    version = re.search(r"VERSION: '([^']*)'", options)
    tagline = _css(index, "article.bd-article h1 + p")
    copyright_ = _css(index, "p.copyright")
    lines = [f'<p class="pdf-book-title">{escape(_heading(index))}</p>']
    if tagline:
        lines.append(f'<p class="pdf-tagline">{escape(tagline[0].text_content().strip())}</p>')
    if version:
        lines.append(f'<p class="pdf-version">Version {escape(version.group(1))}</p>')
    if copyright_:
        text = " ".join(copyright_[0].text_content().split())
        lines.append(f'<p class="pdf-authors">{escape(text)}</p>')
    if site:
        lines.append(f'<p class="pdf-site">Read it online: <a href="{site}">{escape(site)}</a></p>')
    return '<section class="pdf-title-page">' + "".join(lines) + "</section>"


@dataclass
class Assembled:
    """The book ready to print: HTML documents of whole chapters, and what the PDF must have."""

    documents: list[str]  # the book in pieces of whole chapters, printed apart
    outline: list[tuple[int, str, str]]  # (level, id, title) of each heading, in order
    parts: list[Part]
    chapters: list[str]
    dangling: list[str]  # links to an id no document has
    code: str  # the text of the book's code, see code_text


def _element(markup: str) -> HtmlElement:
    return lxml.html.fragment_fromstring(markup)


def _contents(parts: list[Part], titles: dict[str, str], foreword: Page) -> HtmlElement:
    items = [f'<li><a href="#{foreword.anchor}">About this book</a></li>']
    for number, part in enumerate(parts):
        chapters = "".join(
            f'<li><a href="#{page.anchor}">{escape(titles[page.path])}</a></li>'
            for page in part.pages
            if page.level == 2
        )
        items.append(
            f'<li><a href="#part-{number}">{escape(part.title)}</a><ul>{chapters}</ul></li>'
        )
    return _element(
        '<nav class="pdf-contents" aria-label="Contents"><h1 id="contents">Contents</h1>'
        f"<ul>{''.join(items)}</ul></nav>"
    )


def assemble(html: Path, document: Path) -> Assembled:
    """The whole book as HTML documents meant to be printed (pieces of it), and its outline.

    ``document`` names where the documents will be written (their links to images and
    stylesheets are relative to its folder).
    """
    parts = read_parts(html)
    index = _read(html / "index.html")
    canonical = _css(index, "link[rel=canonical]")
    site = urljoin(canonical[0].get("href", ""), ".") if canonical else ""
    foreword = Page("index.html", 1)
    pages = [foreword] + [page for part in parts for page in part.pages]
    book = Book(html, document.parent, site, {page.path: page.anchor for page in pages})
    roots = {page.path: _read(html / page.path) for page in pages}
    titles = {page.path: _heading(roots[page.path]) for page in pages}

    def section(page: Page, heading: str = "") -> HtmlElement:
        article = _css(roots[page.path], "article.bd-article")
        if not article:
            raise SystemExit(f"pdf: {page.path} has no article.bd-article")
        _prepare(article[0], page, book)
        wrapper = _element(
            f'<section class="pdf-page pdf-level-{page.level}" id="{page.anchor}"></section>'
        )
        if heading:
            wrapper.append(_element(heading))
        wrapper.extend(list(article[0]))
        return wrapper

    # The landing page is the book's foreword: its title and tagline are the title page's,
    # and its link to this PDF has no use inside it.
    landing = _css(roots["index.html"], "article.bd-article")[0]
    for element in _css(landing, "h1 + p") + _css(landing, "h1"):
        element.drop_tree()
    for paragraph in list(landing.iter("p")):
        if _links_to_pdf(paragraph):
            paragraph.drop_tree()
    tops = [
        _element(_title_page(index, html, site)),
        _contents(parts, titles, foreword),
        section(foreword, '<h1 aria-level="1">About this book</h1>'),
    ]
    for number, part in enumerate(parts):
        tops.append(
            _element(
                f'<section class="pdf-part" id="part-{number}">'
                f'<h1 aria-level="1">{escape(part.title)}</h1></section>'
            )
        )
        tops.extend(section(page) for page in part.pages)

    # The book is printed in pieces of whole chapters, in parallel (a long document also
    # prints more slowly per page): a link to another piece's id is marked, and the merged
    # PDF gets it back. Pieces of about equal size (in elements) keep both cores busy.
    sizes = [sum(1 for _ in top.iter()) for top in tops]
    target = sum(sizes) / PIECES
    chunks: list[list[HtmlElement]] = [[]]
    filled = 0
    for top, size in zip(tops, sizes, strict=True):
        if chunks[-1] and filled + size / 2 > target:
            chunks.append([])
            filled = 0
        chunks[-1].append(top)
        filled += size

    owner = {
        element.get("id"): number
        for number, chunk in enumerate(chunks)
        for top in chunk
        for element in top.iter()
        if isinstance(element.tag, str) and element.get("id")
    }
    outline: list[tuple[int, str, str]] = []
    targets: set[str] = set()
    dangling: set[str] = set()
    for number, chunk in enumerate(chunks):
        for top in chunk:
            for element in top.iter("h1", "h2", "h3", "h4", "a"):
                if element.tag == "a":
                    fragment = element.get("href", "#")[1:]
                    if not element.get("href", "").startswith("#") or not fragment:
                        continue
                    if fragment not in owner:
                        dangling.add(element.get("href", ""))
                    elif owner[fragment] != number:
                        element.set("href", f"{ELSEWHERE}#{fragment}")
                    targets.add(fragment)
                    continue
                level = int(element.get("aria-level") or element.tag[1])
                if level > OUTLINE_DEPTH or _in_class(element, "pdf-contents"):
                    continue
                if not element.get("id"):
                    element.set("id", f"pdf-heading-{len(outline)}")
                    owner[element.get("id")] = number
                title = " ".join(element.text_content().split())
                outline.append((level, element.get("id", ""), title))
                targets.add(element.get("id", ""))

    stylesheets = [
        book.file_url("index.html", urlsplit(sheet.get("href", "")).path)
        for sheet in _css(roots[parts[0].pages[0].path], 'link[rel="stylesheet"]')
    ]
    stylesheets.append(Path(os.path.relpath(STYLESHEET, document.parent)).as_posix())
    head = ['<meta charset="utf-8">', f"<title>{escape(_heading(index))}</title>"]
    head += [f'<link rel="stylesheet" href="{href}">' for href in stylesheets]
    documents = []
    code: list[str] = []
    for number, chunk in enumerate(chunks):
        # Chromium names a destination in the PDF for each id a link in the document points
        # to: these hidden links make one for every heading and every target of another piece.
        mine = sorted(name for name in targets if owner.get(name) == number)
        hidden = "".join(f'<a href="#{escape(name)}"></a>' for name in mine)
        markup = "\n".join(lxml.html.tostring(top, encoding="unicode") for top in chunk)
        code += (
            " ".join(element.text_content().split())
            for top in chunk
            for element in top.iter("pre", "code", "dt")  # dt: an API entry's signature
        )
        # Light mode: the theme's colours for paper.
        documents.append(
            '<!DOCTYPE html>\n<html lang="en" data-theme="light" data-mode="light">\n<head>'
            + "\n".join(head)
            + '</head>\n<body class="pdf-book"><main class="bd-main"><div class="bd-content">'
            '<div class="bd-article-container"><article class="bd-article">\n'
            + markup
            + f'\n</article></div></div></main><nav hidden aria-hidden="true">{hidden}</nav>'
            "</body></html>\n"
        )
    chapters = [titles[page.path] for part in parts for page in part.pages if page.level == 2]
    return Assembled(documents, outline, parts, chapters, sorted(dangling), "\n".join(code))


def _in_class(element: HtmlElement, name: str) -> bool:
    return any(name in (parent.get("class") or "").split() for parent in element.iterancestors())


def _descendants_cpu() -> float:
    """CPU seconds used so far by this process's children and theirs (Linux; else 0)."""
    try:
        tick = os.sysconf("SC_CLK_TCK")
        stats = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    except (OSError, ValueError, AttributeError):
        return 0.0
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0, list(children.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        total += stats[pid][1]
        todo += children.get(pid, [])
    return total / tick


async def _print(documents: list[Path], chromium: str, pdfs: list[Path]) -> float:
    """Print each document with Chromium, one per core at a time; fail on any request that is
    not for a local file, and on an image that does not load. Returns the CPU time it took."""
    from playwright.async_api import Browser, Route, async_playwright

    refused: list[str] = []
    broken: list[str] = []

    async def only_files(route: Route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            await route.continue_()
        else:
            refused.append(url)
            await route.abort()

    slots = asyncio.Semaphore(os.cpu_count() or 1)

    contexts = []
    seconds: dict[str, float] = {}

    async def one(browser: Browser, document: Path, pdf: Path) -> None:
        async with slots:
            started = time.perf_counter()
            # A context of its own: its own renderer process, on its own core. (Closed at the
            # end, once the CPU time of its process is counted.)
            context = await browser.new_context()
            contexts.append(context)
            page = await context.new_page()
            await page.route("**/*", only_files)
            await page.goto(document.as_uri(), wait_until="load")
            await page.evaluate("document.fonts.ready")
            broken.extend(await page.evaluate(BROKEN_IMAGES))
            await page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
            seconds[pdf.stem] = time.perf_counter() - started

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium or None, args=list(QUIET_FLAGS)
        )
        try:
            # The longest first, so that no core idles at the end.
            jobs = sorted(zip(documents, pdfs, strict=True), key=lambda job: -job[0].stat().st_size)
            await asyncio.gather(*(one(browser, document, pdf) for document, pdf in jobs))
            cpu = _descendants_cpu()
            for context in contexts:
                await context.close()
        finally:
            await browser.close()
    if refused:
        raise SystemExit(f"pdf: the document asked other hosts for {sorted(set(refused))[:5]}")
    if broken:
        raise SystemExit(f"pdf: {len(broken)} images did not load: {broken[:5]}")
    print(
        "printed "
        + ", ".join(f"{name} in {value:.0f} s" for name, value in sorted(seconds.items()))
    )
    return cpu


def _pdf_date(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("D:%Y%m%d%H%M%S+00'00'")


def _page_number(pdf: Any, page: Any, number: int, font: Any) -> None:
    """Stamp ``number`` at the foot of ``page``, centred (Helvetica's digits are 0.556 em)."""
    import pikepdf

    size = 9
    x0, _, x1, _ = (float(value) for value in page.mediabox)
    text = str(number)
    x = (x0 + x1) / 2 - 0.556 * size * len(text) / 2
    # A fixed resource name (pikepdf's own would be random, and the PDF not reproducible).
    page.add_resource(font, pikepdf.Name.Font, name=pikepdf.Name.BookPageNumber)
    page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
    stamp = f"\nQ\nq 0.33 g BT /BookPageNumber {size} Tf {x:.2f} 28 Td ({text}) Tj ET Q\n"
    page.contents_add(pdf.make_stream(stamp.encode()))


def merge(
    printed: list[Path], out: Path, outline: list[tuple[int, str, str]], epoch: int, title: str
) -> list[str]:
    """Join the pieces' PDFs into the book: links between pieces, page numbers, the outline.

    The outline is the headings' (parts, chapters, sections, subsections), each pointing where
    Chromium put its heading. The PDF is reproducible: both dates are the source's
    (``SOURCE_DATE_EPOCH``) and the file id is a hash of the content. Returns the problems.
    """
    import pikepdf

    problems: list[str] = []
    book = pikepdf.new()
    destinations = pikepdf.Dictionary()
    sources = [pikepdf.open(path) for path in printed]
    try:
        for source in sources:
            offset = len(book.pages)
            index = {page.obj.objgen: number for number, page in enumerate(source.pages)}
            with warnings.catch_warnings():
                # "does not preserve named destinations": they are carried over just below.
                warnings.simplefilter("ignore", pikepdf.exceptions.PageCopyWarning)
                book.pages.extend(source.pages)
            for name, target in source.Root.get("/Dests", pikepdf.Dictionary()).items():
                page = book.pages[offset + index[target[0].objgen]].obj
                destinations[name] = pikepdf.Array([page, *list(target)[1:]])
    finally:
        for source in sources:
            source.close()
    book.Root.Dests = book.make_indirect(destinations)
    font = book.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    for number, page in enumerate(book.pages):
        for annotation in page.get("/Annots", []):
            uri = str(annotation.get("/A", {}).get("/URI", ""))
            if uri.startswith(ELSEWHERE):
                name = "/" + unquote(urlsplit(uri).fragment)
                del annotation["/A"]
                annotation.Dest = pikepdf.Name(name)
                if name not in destinations:
                    problems.append(
                        f"a link on page {number + 1} to {name[1:]}, which has no place"
                    )
        if number:
            _page_number(book, page, number + 1, font)
    with book.open_outline() as tree:
        stack: list[tuple[int, Any]] = []
        for level, name, text in outline:
            target = destinations.get("/" + name)
            if target is None:
                problems.append(f"the heading {text!r} has no place in the PDF")
                continue
            item = pikepdf.OutlineItem(text, target)
            while stack and stack[-1][0] >= level:
                stack.pop()
            (stack[-1][1].children if stack else tree.root).append(item)
            stack.append((level, item))
    book.Root.PageMode = pikepdf.Name.UseOutlines
    book.Root.Lang = pikepdf.String("en")
    book.docinfo["/Title"] = title
    book.docinfo["/Creator"] = "tools/pdf_book.py, printed by Chromium"
    book.docinfo["/CreationDate"] = _pdf_date(epoch)
    book.docinfo["/ModDate"] = _pdf_date(epoch)
    book.save(
        out,
        deterministic_id=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )
    return problems


@dataclass
class Verdict:
    pages: int
    outline: list[str]
    problems: list[str]


def check(pdf_path: Path, chapters: list[str], parts: list[Part], code: str) -> Verdict:
    """What is wrong with the PDF: no pages, an outline without the chapters, raw TeX, paths."""
    import pikepdf
    import pypdfium2

    problems: list[str] = []
    titles: list[str] = []
    with pikepdf.open(pdf_path) as pdf:
        pages = len(pdf.pages)
        with pdf.open_outline() as outline:
            todo = list(outline.root)
            while todo:
                item = todo.pop(0)
                titles.append(item.title)
                todo.extend(item.children)
        for page in pdf.pages:
            for annotation in page.get("/Annots", []):
                uri = annotation.get("/A", {}).get("/URI")
                if uri is not None and (
                    not str(uri).startswith(("http://", "https://"))
                    or str(uri).startswith(ELSEWHERE)
                ):
                    problems.append(f"a link to {str(uri)[:80]} (not a page of the book)")
    if pages < 2 * len(chapters):
        problems.append(f"only {pages} pages for {len(chapters)} chapters")
    if not titles:
        problems.append("no bookmark outline")
    missing = [name for name in [part.title for part in parts] + chapters if name not in titles]
    if missing:
        problems.append(f"the outline lacks {missing[:5]}")
    document = pypdfium2.PdfDocument(str(pdf_path))
    try:
        for number in range(len(document)):
            text = document[number].get_textpage().get_text_range()
            for match in RAW_TEX.finditer(text):
                # TeX in code (a matplotlib label, say) is code, not a formula left unrendered:
                # the word it is part of must not be a word of the book's code.
                start = max(text.rfind(" ", 0, match.start()), text.rfind("\n", 0, match.start()))
                end = min(
                    (
                        i
                        for i in (text.find(" ", match.end()), text.find("\r", match.end()))
                        if i >= 0
                    ),
                    default=len(text),
                )
                if text[start + 1 : end] not in code:
                    line = " ".join(text[max(0, start - 40) : end + 40].split())
                    problems.append(f"raw TeX on page {number + 1}: …{line}…")
    finally:
        document.close()
    return Verdict(pages, titles, problems[:20])


def _landing_links_pdf(html: Path) -> bool:
    root = _read(html / "index.html")
    article = _css(root, "article.bd-article")
    return bool(article) and _links_to_pdf(article[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="the built book, e.g. docs/_build/html")
    parser.add_argument(
        "--chromium",
        default=system_chromium() or "",
        help="Chromium's executable (by default the system's, tools/chromium.py; empty: "
        "Playwright's own)",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        help="where the assembled HTML and the raw print go (default: beside the HTML build)",
    )
    args = parser.parse_args()
    html: Path = args.html.resolve()
    work: Path = (args.work or html.parent / "pdf").resolve()
    work.mkdir(parents=True, exist_ok=True)
    for stale in work.glob("book-*.*"):  # pieces of an earlier run
        stale.unlink()
    started = time.perf_counter()
    book = assemble(html, work / "book.html")
    documents = [work / f"book-{number}.html" for number in range(len(book.documents))]
    for path, text in zip(documents, book.documents, strict=True):
        path.write_text(text, encoding="utf-8")
    assembled = time.perf_counter()
    printed = [path.with_suffix(".pdf") for path in documents]
    cpu = asyncio.run(_print(documents, args.chromium, printed))
    done_printing = time.perf_counter()
    out = html / PDF_NAME
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    title = _heading(_read(html / "index.html"))
    problems = merge(printed, out, book.outline, epoch, title)
    verdict = check(out, book.chapters, book.parts, book.code)
    problems += verdict.problems
    if book.dangling:
        problems.append(f"{len(book.dangling)} links to nothing in the book: {book.dangling[:5]}")
    if not _landing_links_pdf(html):
        problems.append(f"the landing page (index.html) does not link {PDF_NAME}")
    finished = time.perf_counter()
    print(
        f"{out}: {verdict.pages} pages, {out.stat().st_size / 1e6:.1f} MB, "
        f"{len(verdict.outline)} outline entries; assembled in "
        f"{assembled - started:.1f} s, printed in {done_printing - assembled:.1f} s "
        f"({cpu:.0f} s of CPU), "
        f"merged and checked in {finished - done_printing:.1f} s"
    )
    if problems:
        print("The PDF is not right:\n" + "\n".join(f"- {problem}" for problem in problems))
        out.unlink()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
