"""Build the book twice from scratch and require byte-identical output.

    python tools/check_reproducible.py [--keep DIR] [--against docs/_build/html]

Each build starts from a fresh copy of the book's sources (``docs/``, ``examples/``,
``calcml/``) in a temporary folder, with no execution cache and no gallery outputs, so every
cell and example runs again, and the two HTML trees are compared file by file. With
``--against``, the first tree is an existing build (the ``docs`` session's, made in the
checkout): one clean build is enough, and a path of the build machine leaking into a page
is caught too, since the two builds happen in different folders. Any difference (a random SVG id,
a date in a figure, a timing in a page) is listed with a short diff of the first few files,
and the check fails.

Run it through ``nox -s repro``, which installs the book's dependencies and sets
``SOURCE_DATE_EPOCH`` and ``PYTHONHASHSEED`` as the ``docs`` session does.
"""

from __future__ import annotations

import argparse
import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("docs", "examples", "calcml", "bench", "pyproject.toml", "README.md")
# Outputs of an earlier build, relative to the sources' root; a clean build must make them itself.
GENERATED = {Path("docs", "_build"), Path("docs", "gallery")}
# Sphinx's note to itself for incremental builds: a hash of the configuration, which includes
# the absolute paths extensions add (their templates and static files in site-packages). It is
# not a page of the book. The PDF of the book is not made by sphinx-build but printed from these
# pages afterwards (nox -s pdf, tools/pdf_book.py), so only the build it was printed from has
# it; identical pages make an identical PDF (its dates and file id are fixed there).
NOT_THE_BOOK = {".buildinfo", "calculus-for-machine-learning.pdf"}
SHOWN_DIFFS = 3
DIFF_LINES = 12


def copy_sources(workdir: Path, root: Path = ROOT) -> None:
    """A fresh copy of the book's sources in ``workdir`` (emptied first), without the outputs
    of an earlier build."""
    generated = {root / path for path in GENERATED}

    def ignored(directory: str, names: list[str]) -> set[str]:
        return {
            name
            for name in names
            if Path(directory, name) in generated or name in {"__pycache__", ".ipynb_checkpoints"}
        }

    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    for name in SOURCES:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, workdir / name, ignore=ignored)
        elif source.is_file():
            shutil.copy2(source, workdir / name)


def clean_build(workdir: Path) -> Path:
    """Copy the sources into ``workdir`` (emptied first), build the book there, return its HTML."""
    copy_sources(workdir)
    html = workdir / "docs" / "_build" / "html"
    # The copy's calcml, not the installed one, is what its chapters must import.
    env = {**os.environ, "PYTHONPATH": str(workdir)}
    # Doctrees are Sphinx's pickled working state, not the site: keep them out of the tree.
    doctrees = workdir / "docs" / "_build" / "doctrees"
    # One process per core, as the docs session builds: how pages are shared out between the
    # processes is itself a source of difference (it once reordered the sitemap).
    command = [
        "sphinx-build",
        "-b",
        "html",
        "-d",
        str(doctrees),
        "--keep-going",
        "-q",
        "--jobs=auto",
    ]
    subprocess.run([*command, "docs", str(html)], cwd=workdir, env=env, check=True)
    return html


def differences(first: Path, second: Path) -> list[str]:
    """Relative paths of files that differ or exist in only one of the two trees."""
    files = {
        path.relative_to(tree).as_posix()
        for tree in (first, second)
        for path in tree.rglob("*")
        if path.is_file() and path.name not in NOT_THE_BOOK
    }
    return sorted(
        name
        for name in files
        if not (first / name).is_file()
        or not (second / name).is_file()
        or (first / name).read_bytes() != (second / name).read_bytes()
    )


def show(first: Path, second: Path, name: str) -> str:
    """A short unified diff of one differing file (or why there is none)."""
    if not (first / name).is_file() or not (second / name).is_file():
        return f"  only in the {'second' if not (first / name).is_file() else 'first'} build"
    try:
        before = (first / name).read_text().splitlines()
        after = (second / name).read_text().splitlines()
    except UnicodeDecodeError:
        sizes = (first / name).stat().st_size, (second / name).stat().st_size
        return f"  binary file, {sizes[0]} and {sizes[1]} bytes"
    lines = difflib.unified_diff(before, after, "first", "second", n=0, lineterm="")
    return "\n".join(f"  {line[:160]}" for line in list(lines)[:DIFF_LINES])


def report(first: Path, second: Path) -> int:
    """Print what differs between the two builds; 0 when nothing does."""
    differing = differences(first, second)
    if not differing:
        print("Two clean builds produced identical HTML and figures.")
        return 0
    print(f"Two clean builds differ in {len(differing)} files:")
    print("\n".join(f"- {name}" for name in differing))
    for name in differing[:SHOWN_DIFFS]:
        print(f"\n{name}:\n{show(first, second, name)}")
    return 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="keep the builds in this directory")
    parser.add_argument(
        "--against",
        type=Path,
        help="an existing build of the same sources (nox -s docs): build once more and compare",
    )
    args = parser.parse_args()
    scratch = args.keep or Path(tempfile.mkdtemp(prefix="calcml-repro-"))
    workdir, first = scratch / "book", scratch / "first"
    try:
        if args.against is not None:
            return report(args.against.resolve(), clean_build(workdir))
        shutil.rmtree(first, ignore_errors=True)
        shutil.move(clean_build(workdir), first)
        return report(first, clean_build(workdir))
    finally:
        if args.keep is None:
            shutil.rmtree(scratch)


if __name__ == "__main__":
    sys.exit(main())
