"""tools/pdf_book.py on a tiny HTML build: what goes into the printed document, and the checks.

Run by ``nox -s pdf`` (which has lxml, pikepdf and pypdfium2) before it prints the book; the
``tests`` session skips them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

lxml_html = pytest.importorskip("lxml.html")
pytest.importorskip("cssselect")
pikepdf = pytest.importorskip("pikepdf")
pypdfium2 = pytest.importorskip("pypdfium2")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import pdf_book  # noqa: E402

SIDEBAR = """
<nav class="bd-docs-nav">
<p class="caption" role="heading"><span class="caption-text">Part I — Slopes</span></p>
<ul class="nav bd-sidenav">
<li class="toctree-l1"><a class="reference internal" href="derivatives.html">1. Derivatives</a></li>
</ul>
<p class="caption" role="heading"><span class="caption-text">Examples</span></p>
<ul class="nav bd-sidenav">
<li class="toctree-l1 has-children">
<a class="reference internal" href="gallery/index.html">Gallery</a>
<details><summary>x</summary><ul>
<li class="toctree-l2"><a class="reference internal" href="gallery/plot_a.html">An example</a></li>
</ul></details></li>
</ul>
</nav>
"""


def _page(article: str, head: str = "") -> str:
    return (
        f"<!DOCTYPE html><html><head>{head}"
        '<link rel="stylesheet" href="_static/styles/theme.css?v=1"></head><body>'
        f'{SIDEBAR}<main><article class="bd-article">{article}</article></main>'
        '<p class="copyright">© Copyright 2026, The authors.</p></body></html>'
    )


@pytest.fixture
def html(tmp_path: Path) -> Path:
    root = tmp_path / "html"
    (root / "_static").mkdir(parents=True)
    (root / "gallery").mkdir()
    (root / "_images").mkdir()
    (root / "_static" / "documentation_options.js").write_text("VERSION: '9.9.9',")
    (root / "index.html").write_text(
        _page(
            '<section id="book"><h1>The Book<a class="headerlink" href="#book">#</a></h1>'
            "<p><em>A tagline.</em></p>"
            '<p>Also a PDF: <a href="calculus-for-machine-learning.pdf">PDF</a>.</p>'
            '<section id="who"><h2>Who</h2><p>Everyone.</p></section>'
            '<div class="toctree-wrapper"><a href="derivatives.html">1.</a></div></section>',
            '<link rel="canonical" href="https://example.org/book/index.html">',
        )
    )
    (root / "derivatives.html").write_text(
        _page(
            '<section id="chapter"><h1><span class="section-number">1. </span>Derivatives</h1>'
            '<div class="math" id="equation-eq-slope"><math><semantics><mi>m</mi>'
            '<annotation encoding="application/x-tex">m</annotation></semantics></math></div>'
            '<p>See <a class="reference internal" href="#equation-eq-slope">(1.1)</a>, '
            '<a href="gallery/plot_a.html#top">the example</a>, '
            '<a href="genindex.html">the index</a> and <a href="#">the top</a>.</p>'
            '<div class="cell tag_hide-input"><details class="admonition hide above-input">'
            "<summary>Show code</summary><pre>secret = 1</pre></details>"
            '<div class="cell_output"><pre>42</pre></div></div>'
            '<div class="solution dropdown admonition" id="sol-1"><p>Solution</p></div>'
            '<details class="sd-dropdown"><summary>More</summary><p>hidden</p></details>'
            '<div class="animation"><img alt="frames" id="_anim_img1">'
            '<div class="anim-controls"><button>Play</button></div></div>'
            '<script>var frames = new Array(2);\nframes[0] = "data:image/svg+xml;base64,AA";\n'
            'frames[1] = "data:image/svg+xml;base64,BB\\\nCC";\n</script></section>'
        )
    )
    (root / "gallery" / "index.html").write_text(
        _page('<section id="gallery"><h1>Gallery</h1><div class="sphx-glr-thumbnails"/>')
    )
    (root / "gallery" / "plot_a.html").write_text(
        _page(
            '<section id="top"><h1>An example</h1>'
            '<img src="../_images/a.png" srcset="../_images/a.png" alt="a figure">'
            '<a href="../derivatives.html#equation-eq-slope">(1.1)</a></section>'
        )
    )
    return root


def _assembled(html: Path) -> tuple[lxml_html.HtmlElement, pdf_book.Assembled]:
    """The book's documents (one per part) read as one tree, and what assemble returned."""
    book = pdf_book.assemble(html, html.parent / "pdf" / "book.html")
    tree = lxml_html.fromstring("<div></div>")
    for document in book.documents:
        tree.extend(lxml_html.fromstring(document).find("body"))
    return tree, book


def test_order_and_outline_follow_the_sidebar(html: Path) -> None:
    document, book = _assembled(html)
    assert [part.title for part in book.parts] == ["Part I — Slopes", "Examples"]
    assert book.chapters == ["1. Derivatives", "Gallery"]
    assert 2 <= len(book.documents) <= pdf_book.PIECES  # printed in pieces, in parallel
    assert [(level, title) for level, _, title in book.outline] == [
        (1, "About this book"),
        (2, "Who"),
        (1, "Part I — Slopes"),
        (2, "1. Derivatives"),
        (1, "Examples"),
        (2, "Gallery"),
        (3, "An example"),
    ]
    for _, name, _ in book.outline:
        assert document.get_element_by_id(name) is not None
    title = document.cssselect(".pdf-title-page")[0].text_content()
    assert "The Book" in title
    assert "A tagline." in title
    assert "9.9.9" in title


def test_links_and_ids_are_those_of_one_book(html: Path) -> None:
    document, book = _assembled(html)
    hrefs = [a.get("href") for a in document.cssselect("article a")]
    assert "#derivatives--equation-eq-slope" in hrefs
    # Another piece's target: marked while the pieces print apart, a destination made for it.
    assert f"{pdf_book.ELSEWHERE}#gallery-plot_a--top" in hrefs
    assert f"{pdf_book.ELSEWHERE}#derivatives--equation-eq-slope" in hrefs
    hidden = [a.get("href") for a in document.cssselect("nav[hidden] a")]
    assert "#gallery-plot_a--top" in hidden
    assert "https://example.org/book/genindex.html" in hrefs
    assert document.get_element_by_id("derivatives--equation-eq-slope") is not None
    assert book.dangling == []
    image = document.cssselect("img[alt='a figure']")[0]
    assert image.get("src") == "../html/_images/a.png"
    assert image.get("srcset") is None


def test_solutions_open_hidden_code_out_animation_last_frame(html: Path) -> None:
    document, book = _assembled(html)
    text = document.text_content()
    assert "secret" not in text
    assert "42" in text
    assert "PDF:" not in text  # the landing page's link to the PDF itself
    assert "dropdown" not in document.get_element_by_id("derivatives--sol-1").get("class")
    assert all(details.get("open") for details in document.iter("details"))
    assert not document.cssselect("script, button, annotation, a.headerlink, .toctree-wrapper")
    frame = document.get_element_by_id("derivatives--_anim_img1").get("src")
    assert frame == "data:image/svg+xml;base64,BBCC"
    assert "42" in book.code


def _pdf_with_text(path: Path, lines: list[str], outline: list[str]) -> None:
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    for line in lines:
        content = f"BT /F1 12 Tf 72 720 Td ({line}) Tj ET".encode()
        page = pikepdf.Page(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Page,
                MediaBox=[0, 0, 612, 792],
                Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
                Contents=pdf.make_stream(content),
            )
        )
        pdf.pages.append(page)
    with pdf.open_outline() as tree:
        tree.root.extend(pikepdf.OutlineItem(title, 0) for title in outline)
    pdf.docinfo["/CreationDate"] = "D:20991231235959+00'00'"
    pdf.save(path)


def test_merge_joins_parts_links_outline_reproducibly(tmp_path: Path) -> None:
    first_part, second_part = tmp_path / "a.pdf", tmp_path / "b.pdf"
    _pdf_with_text(first_part, ["one", "two"], [])
    _pdf_with_text(second_part, ["three"], [])
    with pikepdf.open(second_part, allow_overwriting_input=True) as pdf:
        pdf.Root.Dests = pikepdf.Dictionary(
            {"/ch2": pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit])}
        )
        pdf.save(second_part)
    with pikepdf.open(first_part, allow_overwriting_input=True) as pdf:
        link = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Link,
            Rect=[0, 0, 10, 10],
            A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=f"{pdf_book.ELSEWHERE}#ch2"),
        )
        pdf.pages[1].obj.Annots = pdf.make_indirect(pikepdf.Array([link]))
        pdf.Root.Dests = pikepdf.Dictionary(
            {"/ch1": pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit])}
        )
        pdf.save(first_part)
    outline = [(1, "ch1", "Part I"), (2, "ch2", "Chapter 2"), (1, "gone", "Lost")]
    books = [tmp_path / "first.pdf", tmp_path / "second.pdf"]
    for book in books:
        problems = pdf_book.merge([first_part, second_part], book, outline, 1767225600, "T")
        assert problems == ["the heading 'Lost' has no place in the PDF"]
    assert books[0].read_bytes() == books[1].read_bytes()
    with pikepdf.open(books[0]) as pdf:
        assert len(pdf.pages) == 3
        assert str(pdf.docinfo["/CreationDate"]) == "D:20260101000000+00'00'"
        link = pdf.pages[1].Annots[0]
        assert str(link.Dest) == "/ch2"
        assert pdf.Root.Dests["/ch2"][0].objgen == pdf.pages[2].obj.objgen
        with pdf.open_outline() as tree:
            assert [item.title for item in tree.root] == ["Part I"]
            assert [item.title for item in tree.root[0].children] == ["Chapter 2"]
    # Page numbers from the second page on.
    texts = [page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(books[0])]
    assert texts[0].strip() == "one"
    assert texts[2].split() == ["three", "3"]


def test_check_finds_raw_tex_but_not_tex_in_code(tmp_path: Path) -> None:
    path = tmp_path / "book.pdf"
    lines = ["Part I", r"where \\frac{a}{b} is", r'label="$\\nabla f$"', "x", "y"]
    _pdf_with_text(path, lines, ["Part I", "1. Derivatives"])
    parts = [pdf_book.Part("Part I")]
    verdict = pdf_book.check(path, ["1. Derivatives"], parts, r'label="$\nabla f$"')
    assert verdict.pages == 5
    assert verdict.problems == [r"raw TeX on page 2: …where \frac{a}{b} is…"]


def test_check_wants_an_outline_with_every_chapter(tmp_path: Path) -> None:
    path = tmp_path / "book.pdf"
    _pdf_with_text(path, ["a", "b"], [])
    verdict = pdf_book.check(path, ["1. Derivatives"], [pdf_book.Part("Part I")], "")
    assert "no bookmark outline" in verdict.problems
    assert any("lacks" in problem for problem in verdict.problems)
