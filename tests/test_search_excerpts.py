"""The text the search page's excerpts are cut from (docs/_ext/search_excerpts.py): blocks never
run into one word, an index entry's excerpt starts at its place, formulas are never cut."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from docutils.core import publish_doctree

# The book's extensions are not a package: docs/_ext is on Sphinx's path, as conf.py puts it.
EXTENSIONS = Path(__file__).resolve().parent.parent / "docs" / "_ext"
sys.path.insert(0, str(EXTENSIONS))
from search_excerpts import excerpt, pieces  # noqa: E402

GLOSSARY = """
.. DO NOT EDIT. A COMMENT, AS SPHINX-GALLERY HEADS ITS PAGES.

Terms
=====

.. _term-gradient:

gradient
   The vector of all partial derivatives.

partial derivative
   The derivative with respect to one variable, the others held fixed.

===== =====
left  right
===== =====
"""


def _text(page: list[tuple[str, str]]) -> str:
    return "".join(text for _, text in page)


def test_no_two_blocks_run_into_one_word() -> None:
    page, _ = pieces(publish_doctree(GLOSSARY))
    text = " ".join(_text(page).split())
    assert "gradient The vector" in text
    assert "partial derivative The derivative" in text
    assert "left right" in text
    assert "derivativeThe" not in text


def test_comments_are_not_text() -> None:
    page, _ = pieces(publish_doctree(GLOSSARY))
    assert "COMMENT" not in _text(page)


def test_an_anchor_starts_where_its_element_does() -> None:
    page, anchors = pieces(publish_doctree(GLOSSARY))
    text = _text(page)
    # The section's id, and the explicit target on the term's entry.
    assert text[anchors["terms"] :].startswith("Terms")
    assert text[anchors["term-gradient"] :].lstrip().startswith("gradient The vector")


def test_an_excerpt_from_an_anchor_starts_there_and_one_around_a_word_before_it() -> None:
    page, anchors = pieces(publish_doctree(GLOSSARY))
    starts = [sum(len(text) for _, text in page[:i]) for i in range(len(page))]
    offset = anchors["term-gradient"]
    at_anchor = excerpt(page, starts, offset, {}, before=0)
    assert at_anchor.startswith("gradient The vector")
    around = excerpt(page, starts, offset, {})
    assert around.startswith("Terms")


def test_a_formula_is_whole_in_an_excerpt_or_left_out() -> None:
    tex = r"\frac{\partial f}{\partial x}"
    before = "a" * 230 + " "
    page = [("text", before), ("math", tex), ("text", " after")]
    starts = [0, len(before), len(before) + len(tex)]
    rendered = {tex: "<math>f</math>"}
    # A window around the formula takes it whole: it is there, rendered.
    assert "<math>f</math>" in excerpt(page, starts, len(before), rendered)
    # A window from the start ends inside it (240 characters): it is left out, not cut.
    cut = excerpt(page, starts, 0, rendered, before=0)
    assert "<math>" not in cut
    assert "frac" not in cut


def test_a_rebuild_that_reads_pages_in_parallel_writes_their_new_excerpts(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(EXTENSIONS)!r})\nextensions = ['search_excerpts']\n"
    )
    pages = [f"page{number}" for number in range(4)]
    (source / "index.rst").write_text(
        "Book\n====\n\n.. toctree::\n\n" + "".join(f"   {page}\n" for page in pages)
    )

    def build(word: str) -> dict[str, dict[str, str]]:
        for page in pages:
            (source / f"{page}.rst").write_text(f"{page}\n=====\n\nA {word} on {page}.\n")
        command = [sys.executable, "-m", "sphinx", "-q", "-j", "2", "-b", "html"]
        subprocess.run([*command, str(source), str(tmp_path / "out")], check=True)
        excerpts: dict[str, dict[str, str]] = {}
        for file in (tmp_path / "out" / "_static" / "excerpts").glob("[0-9]*.json"):
            excerpts.update(json.loads(file.read_text()))
        return excerpts

    assert set(build("parabola")["parabola"]) == set(pages)
    # The second build is incremental, and reads the four pages in other processes.
    assert set(build("hyperbola")["hyperbola"]) == set(pages)
