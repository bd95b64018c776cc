"""Incremental builds of a tiny book are as strict as clean ones (docs/_ext/strict_rebuilds.py)
and keep chapters numbered through the parts (docs/_ext/chapter_numbers.py).

Each test builds a four-page Sphinx project with the book's two extensions, changes one thing,
builds again the way ``nox -s docs`` does (strict, incremental) and checks what a reader or the
gate would see.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXTENSIONS = Path(__file__).resolve().parent.parent / "docs" / "_ext"

CONF = f"""
import sys
sys.path.insert(0, {str(EXTENSIONS)!r})
extensions = ["strict_rebuilds", "chapter_numbers"]
numfig = True
numfig_secnum_depth = 1
build_inputs_hash = "one"
"""
INDEX = """
Book
====

.. toctree::
   :numbered:
   :caption: Part I

{part_one}

.. toctree::
   :numbered:
   :caption: Part II

   third
"""


def _chapter(title: str, body: str = "") -> str:
    table = f"""
.. table:: A table of {title}
   :name: table-{title.lower()}

   = =
   a b
   = =
"""
    heading = f"{title}\n{'=' * len(title)}\n\n.. _{title.lower()}-section:\n\n"
    return f"{heading}Section\n-------\n{body}\n{table}"


@pytest.fixture
def book(tmp_path: Path) -> Path:
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text(CONF)
    (source / "index.rst").write_text(INDEX.format(part_one="   first\n   second"))
    (source / "first.rst").write_text(_chapter("First"))
    (source / "second.rst").write_text(_chapter("Second"))
    (source / "third.rst").write_text(_chapter("Third", "See :ref:`first-section`."))
    return tmp_path


def build(book: Path) -> subprocess.CompletedProcess[str]:
    """One strict incremental build, as ``nox -s docs`` makes it."""
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going"]
    command += ["-d", str(book / "doctrees"), str(book / "src"), str(book / "html")]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def page(book: Path, name: str) -> str:
    return (book / "html" / f"{name}.html").read_text()


def test_a_build_with_nothing_changed_reads_and_writes_nothing(book: Path) -> None:
    assert build(book).returncode == 0
    written = {path: path.stat().st_mtime_ns for path in (book / "html").glob("*.html")}
    again = build(book)
    assert again.returncode == 0, again.stderr
    assert "0 added, 0 changed, 0 removed" in again.stdout
    assert "no targets are out of date" in again.stdout
    for name in ("first", "second", "third"):
        path = book / "html" / f"{name}.html"
        assert path.stat().st_mtime_ns == written[path], f"{name}.html written again"


def test_a_warning_is_repeated_until_it_is_fixed(book: Path) -> None:
    (book / "src" / "second.rst").write_text(_chapter("Second", "See :ref:`no-such-label`."))
    first = build(book)
    assert first.returncode != 0
    assert "no-such-label" in first.stderr
    # Nothing changed: Sphinx alone would read nothing and pass.
    second = build(book)
    assert second.returncode != 0, "the warning vanished in a build with nothing changed"
    assert "no-such-label" in second.stderr
    (book / "src" / "second.rst").write_text(_chapter("Second"))
    assert build(book).returncode == 0


def test_a_link_broken_by_another_page_warns(book: Path) -> None:
    assert build(book).returncode == 0
    # third.rst links to first's section label; only first.rst changes.
    (book / "src" / "first.rst").write_text(_chapter("First").replace(".. _first-section:", ""))
    broken = build(book)
    assert broken.returncode != 0, "third.html kept a link to a label that is gone"
    assert "first-section" in broken.stderr
    assert "third" in broken.stderr


def test_a_removed_page_is_no_longer_published(book: Path) -> None:
    assert build(book).returncode == 0
    assert (book / "html" / "second.html").is_file()
    (book / "src" / "index.rst").write_text(INDEX.format(part_one="   first"))
    (book / "src" / "second.rst").unlink()
    done = build(book)
    assert done.returncode == 0, done.stderr
    assert not (book / "html" / "second.html").exists()
    assert not list((book / "html" / "_sources").glob("second.*"))


def test_changed_build_inputs_read_every_page(book: Path) -> None:
    assert build(book).returncode == 0
    conf = book / "src" / "conf.py"
    conf.write_text(conf.read_text().replace('"one"', '"two"'))
    again = build(book)
    assert again.returncode == 0, again.stderr
    assert "build_inputs_hash" in again.stdout
    assert "0 added, 0 changed" not in again.stdout


def test_highlighted_module_sources_are_rewritten_with_the_pages(book: Path) -> None:
    source = book / "src"
    (source / "tiny.py").write_text('def f():\n    """Nothing."""\n')
    conf = source / "conf.py"
    conf.write_text(
        conf.read_text()
        + f"sys.path.insert(0, {str(source)!r})\n"
        + 'extensions += ["sphinx.ext.autodoc", "sphinx.ext.viewcode"]\nhtml_title = "Old"\n'
    )
    (source / "second.rst").write_text(_chapter("Second", ".. autofunction:: tiny.f"))
    assert build(book).returncode == 0
    assert "Old" in (book / "html" / "_modules" / "tiny.html").read_text()
    # A new setting (a new title, theme, static file) is a new build input; the module did
    # not change, which is all viewcode looks at.
    conf.write_text(conf.read_text().replace('"Old"', '"New"').replace('"one"', '"two"'))
    again = build(book)
    assert again.returncode == 0, again.stderr
    assert "New" in (book / "html" / "_modules" / "tiny.html").read_text()


def test_chapters_are_numbered_through_the_parts(book: Path) -> None:
    assert build(book).returncode == 0
    # Part II's chapter is chapter 3, its table Table 3.1 (Sphinx alone restarts at 1).
    third = page(book, "third")
    assert "3. Third" in third
    assert "Table 3.1" in third
    assert "Table 1.1" in page(book, "first")
    # An edit that changes no number keeps them (and writes every page with them).
    (book / "src" / "first.rst").write_text(_chapter("First", "More prose."))
    assert build(book).returncode == 0
    assert "Table 3.1" in page(book, "third")
    # A chapter added to Part I moves Part II's chapter and its table on.
    (book / "src" / "index.rst").write_text(INDEX.format(part_one="   first\n   second\n   new"))
    (book / "src" / "new.rst").write_text(_chapter("New"))
    assert build(book).returncode == 0
    third = page(book, "third")
    assert "4. Third" in third
    assert "Table 4.1" in third
    assert "Table 3.1" in page(book, "new")
