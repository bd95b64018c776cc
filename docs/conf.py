"""Sphinx configuration of *Calculus for Machine Learning*.

Several settings below answer a trap of this stack (stale cached outputs, warnings that vanish
on incremental builds, math from a CDN, figures lost to a headless backend); the comment beside
each says which. Read them before changing one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from importlib import metadata
from pathlib import Path

import sphinx_exercise

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# docs/_ext holds the book's own extensions: accessible_html fixes what axe-core flags,
# reproducible_downloads makes downloadable notebooks, zips and the sitemap identical on
# every build, stream_merge joins a cell's printed text as printed, gallery_order sorts the
# examples gallery in reading order, chapter_numbers numbers chapters straight through the
# parts.
sys.path.insert(0, str(DOCS / "_ext"))

project = "Calculus for Machine Learning"
author = "The Calculus for Machine Learning authors"
copyright = "2026, The Calculus for Machine Learning authors"
release = metadata.version("calcml")

extensions = [
    "myst_nb",
    # Listed right after myst_nb: its builder-inited handler needs myst-nb's configuration and
    # must start the chapters' execution before sphinx-gallery runs the examples.
    "parallel_execution",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "katex_math",
    "sphinx.ext.viewcode",
    "sphinx_copybutton",
    "sphinx_design",
    "sphinx_exercise",
    "sphinx_togglebutton",
    "sphinxcontrib.bibtex",
    "sphinx_gallery.gen_gallery",
    "chapter_numbers",
]

exclude_patterns = [
    "_build",
    "**.ipynb_checkpoints",
    "_static",
    "README.md",
    "gallery/*.ipynb",
    "gallery/*.py",
    "gallery/*.md5",
]
# Authors preview chosen chapters fast: `CALCML_ONLY=chain-rule,gradient nox -s docs-page`
# reads and executes only those pages (with the landing page, glossary and bibliography).
_ONLY = [name for name in os.environ.get("CALCML_ONLY", "").split(",") if name]
if _ONLY:
    include_patterns = [f"{name}.md" for name in [*_ONLY, "index", "glossary", "bibliography"]]
    extensions.remove("sphinx_gallery.gen_gallery")

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}


# --- Executing the chapters -------------------------------------------------------------
# myst-nb keys its cache on cell source alone, so an edit to calcml would leave stale
# outputs on the pages. Keying the cache *directory* on a hash of calcml's sources makes
# every page that runs calcml re-execute after any change to the package; the committed
# benchmark results are in the hash too, since pages read them (taylor-newton quotes the
# Hessian-vector product's cost from bench/results/autodiff.md rather than timing anything).
_EXECUTION_INPUTS = [
    *sorted((ROOT / "calcml").rglob("*.py")),
    *sorted((ROOT / "bench" / "results").glob("*.md")),
]


def _source_hash(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


_CALCML_HASH = _source_hash(_EXECUTION_INPUTS)
_CACHE_ROOT = ROOT / ".cache" / "jupyter-cache"
_CACHE = _CACHE_ROOT / f"calcml-{_CALCML_HASH}"


def _drop_stale_outputs(app, config):  # type: ignore[no-untyped-def]
    # At the start of a build, not when this file is imported (a tool that only reads the
    # configuration must not delete anything): caches of other calcml sources go, and the
    # gallery's outputs go when calcml changed since they were made.
    if _CACHE_ROOT.is_dir():
        for stale in _CACHE_ROOT.iterdir():
            if stale != _CACHE:
                shutil.rmtree(stale, ignore_errors=True)
    if _ONLY:
        return
    if _GALLERY.is_dir() and (
        not _GALLERY_STAMP.is_file() or _GALLERY_STAMP.read_text() != _CALCML_HASH
    ):
        shutil.rmtree(_GALLERY)
    _GALLERY.mkdir(exist_ok=True)
    _GALLERY_STAMP.write_text(_CALCML_HASH)


# The kernels inherit this process's environment; a headless MPLBACKEND=Agg there would
# replace the inline backend and silently drop every figure from the pages.
os.environ.pop("MPLBACKEND", None)

nb_execution_mode = "cache"
nb_execution_cache_path = str(_CACHE)
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 300
nb_merge_streams = True
# Anything a cell writes to stderr (a RuntimeWarning from numpy, say) is a Sphinx
# warning, and the strict build turns it into a failure.
nb_output_stderr = "warn"
nb_render_image_options = {"align": "center"}

myst_enable_extensions = [
    "amsmath",
    "colon_fence",
    "deflist",
    "dollarmath",
    "substitution",
]
myst_dmath_double_inline = True
myst_heading_anchors = 3
# Chapters are numbered (the parts' toctrees in index.md), and figures, equations and
# exercises within them: Fig. 4.2, (4.3), Exercise 4.5.
numfig = True
numfig_secnum_depth = 1
math_numfig = True
math_eqref_format = "({number})"

# --- The examples gallery ------------------------------------------------------------------
# sphinx-gallery re-runs an example only when the script itself changes; like the chapters'
# cache, its outputs must also be thrown away when calcml changes.
# (_drop_stale_outputs, connected in setup(), empties the gallery's folder when it must.)
_GALLERY = DOCS / "gallery"
_GALLERY_STAMP = _GALLERY / ".calcml-hash"
# Examples and chapters run in parallel, one process per core (CALCML_SERIAL=1 runs them one
# after another, for the build benchmark's comparison).
_SERIAL = os.environ.get("CALCML_SERIAL") == "1"

sphinx_gallery_conf = {
    # Relative to this folder: absolute paths would make the build depend on where it runs.
    "examples_dirs": "../examples",
    "gallery_dirs": "gallery",
    "filename_pattern": r"\.py$",
    "abort_on_example_error": True,
    "image_scrapers": ("matplotlib",),
    "thumbnail_size": (400, 280),
    "remove_config_comments": True,
    # Run times and memory would change the page on every build; the book must build to
    # identical HTML twice, so the gallery reports neither.
    "min_reported_time": float("inf"),
    "write_computation_times": False,
    "show_memory": False,
    "show_signature": False,
    "backreferences_dir": None,
    "download_all_examples": False,
    "within_subsection_order": "gallery_order.ChapterOrder",
    # A figure's repr (<Legend at 0x7f...>) printed by a script's last expression would put a
    # memory address, different on every run, into the page.
    "capture_repr": (),
    "parallel": False if _SERIAL else (os.cpu_count() or 1),
}

# --- Incremental builds as strict as clean ones (docs/_ext/strict_rebuilds.py) -------------
# Sphinx re-reads a page when its source changes; it must also when what the page shows or how
# it is turned into HTML changes: calcml and the benchmark results (the executed outputs), the
# book's extensions, this file, its static files, and the installed packages' versions.
_BUILD_INPUTS = [
    *_EXECUTION_INPUTS,
    *sorted((DOCS / "_ext").glob("*.py")),
    DOCS / "conf.py",
    *sorted(path for path in (DOCS / "_static").rglob("*") if path.is_file()),
]
_INSTALLED = " ".join(sorted(f"{d.name}=={d.version}" for d in metadata.distributions()))
build_inputs_hash = (
    f"{_source_hash(_BUILD_INPUTS)}-{hashlib.sha256(_INSTALLED.encode()).hexdigest()[:16]}"
)

# --- Math at first paint -----------------------------------------------------------------
# Every formula is rendered to HTML and MathML when the book is built, by KaTeX run in Node.js
# from PyPI (docs/_ext/katex_math.py): pages need no math script, and no page asks a CDN for
# anything. TeX that KaTeX cannot render fails the build.
html_math_renderer = "katex_build_time"


# Search excerpts are made at build time (docs/_ext/search_excerpts.py) and shown by
# _static/search-math.js; Sphinx's own would download every page found.
html_show_search_summary = False


def _search_excerpts(app, pagename, templatename, context, doctree):  # type: ignore[no-untyped-def]
    if pagename == "search":
        app.add_js_file("search-math.js", loading_method="defer")


# --- Bibliography, autodoc ----------------------------------------------------------------
bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "plain"
bibtex_reference_style = "author_year"

autodoc_typehints = "description"
autodoc_member_order = "bysource"
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False

# --- Theme --------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "Calculus for Machine Learning"
# sphinx-exercise copies its stylesheet into _static when the build has finished, after the
# pages that link it were written: a clean build linked it without Sphinx's ?v= checksum and a
# rebuild with it, so the two differed and a reader's browser could keep an old copy. Copied
# with the book's static files, it is there before any page is written. (If sphinx-exercise
# moves it, Sphinx warns that this entry does not exist, and the build fails.)
html_static_path = [
    "_static",
    str(Path(sphinx_exercise.__file__).parent / "assets" / "html"),
]
# A tab icon: without one, every browser asks the site for /favicon.ico and logs a 404.
html_favicon = "_static/favicon.svg"
html_css_files = ["book.css"]
html_last_updated_fmt = None
html_context = {"default_mode": "auto"}
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": True,
    "use_sidenotes": True,
    "home_page_in_toc": True,
    "navigation_with_keys": False,
    # The sidebar lists chapters only; expandable sub-entries would add toggles that have no
    # accessible name in the theme's markup (axe-core: summary-name, serious).
    "collapse_navigation": True,
}
copybutton_prompt_text = r">>> |\.\.\. "
copybutton_prompt_is_regexp = True


def setup(app):  # type: ignore[no-untyped-def]
    app.connect("config-inited", _drop_stale_outputs)
    app.connect("html-page-context", _search_excerpts)


# --- Publishing (sitemap, link previews, notebook download, launch button) ----------------

# REPOSITORY_URL and SITE_URL are placeholders until the book's repository is public: set
# both to the real addresses before publishing, or the launch button opens nothing.
REPOSITORY_URL = "https://github.com/calcml/calculus-for-machine-learning"
SITE_URL = "https://calcml.github.io/calculus-for-machine-learning/"

if _SERIAL:
    extensions.remove("parallel_execution")

extensions += [
    "sphinx_sitemap",
    "sphinxext.opengraph",
    "accessible_html",
    "reproducible_downloads",
    "stream_merge",
    "light_pages",
    "plain_code",
    "search_excerpts",
    "lean_doctrees",
    "bibtex_plugins",
    "strict_rebuilds",
    "quick_exit",
]
# Read the Docs announces its own canonical address; anywhere else it is GitHub Pages.
html_baseurl = os.environ.get("READTHEDOCS_CANONICAL_URL", SITE_URL)
sitemap_url_scheme = "{link}"
ogp_site_url = html_baseurl
ogp_site_name = project
# A social card is an image drawn per page at build time; a text preview needs none, and
# the build stays fast and byte-for-byte reproducible.
ogp_social_cards = {"enable": False}
html_theme_options |= {
    "repository_url": REPOSITORY_URL,
    "repository_branch": "main",
    "path_to_docs": "docs",
    "use_repository_button": True,
    # Configuring a launcher also makes the theme copy each chapter's executed notebook
    # into _sources/ and offer it as ".ipynb" in the page's download menu. Binder opens the
    # MyST source as a notebook through jupytext (binder/requirements.txt).
    "launch_buttons": {"binderhub_url": "https://mybinder.org", "notebook_interface": "jupyterlab"},
}
