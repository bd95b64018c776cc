"""Read every page of the built book in Chromium, the way a reader meets it.

    python tests_browser/check_book.py docs/_build/html --axe PATH/axe.min.js [--pages P ...]

The built HTML is served on 127.0.0.1 and each page is opened in Chromium through Playwright
(``--chromium``: by default the system's, Debian's ``chromium-headless-shell`` first, see
``tools/chromium.py``; '' for Playwright's own download).
A page fails, and the run names the page and the problem, when it

- logs a console error, or a request fails or answers with an HTTP error;
- asks any host other than 127.0.0.1 for anything (Chromium resolves no other host name, so
  the request fails at once instead of waiting on the network);
- shows a formula not rendered to MathML at build time, or raw TeX in its text;
- has an image that does not load, or whose alt text is empty, a file name or matplotlib's
  ``<Figure size ...>`` repr;
- has a critical or serious axe-core violation of WCAG 2 A/AA, in light mode, or of colour
  contrast once the dark-mode toggle has switched it to dark (colour contrast is judged once per
  text style and mode, on the text that shows it on the first page that does: see
  ``TEXT_STYLES``; a link in running text once per style of link and text: see
  ``LINKS_IN_TEXT``);
- runs code cells but offers no executed ``.ipynb`` download or no launch button;
- links a stylesheet or script whose address names no version (``VERSIONED``);
- weighs more than its budget (below).

The search page must also find "gradient", show no two results a reader cannot tell apart,
and its excerpts of the pages found are checked like a page's own text once every one has
loaded. Screenshots of every page's first screen,
light and dark (and of a failing page whole), go to ``artifacts/screenshots/``; the page-weight
table to ``artifacts/page-weight.md`` and the accessibility findings (all impacts) to
``artifacts/accessibility.md``.

Page weight, absolute budgets, figures excluded (each figure capped on its own): at most
``FIRST_VISIT_BUDGET`` on a first visit with an empty cache, at most ``WARM_VISIT_BUDGET`` for a
chapter reached from another chapter with a warm cache, the search page at most
``SEARCH_BUDGET`` with its excerpts. The table (``artifacts/page-weight.md``) also gives, per
page, the time from navigation until its last formula is laid out.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    ViewportSize,
    async_playwright,
)
from playwright.async_api import Error as PlaywrightError

# The browser and its flags are shared with the PDF and the noxfile.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from chromium import QUIET_FLAGS, system_chromium

CHROMIUM = system_chromium() or ""
HOST = "127.0.0.1"
# No host name resolves but the book's server: a request to any other host fails at once, and
# Traffic reports it. (Intercepting every request in Python to abort those would send each of
# the book's own requests through this process too, which slowed every page by about a second.)
CHROMIUM_ARGS = [f"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE {HOST}", *QUIET_FLAGS]
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
# A page spends part of its time waiting (for the network to go quiet, for a navigation), so
# three pages at a time keep two cores busy; more only slows each page towards a timeout.
CONCURRENCY = 3
TIMEOUT_MS = 60_000
SWITCH_TIMEOUT_MS = 10_000
SETTLE_TIMEOUT_MS = 15_000

KIB = 1024
KB = 1000
# Absolute budgets, figures excluded (each figure is capped on its own): a first visit to any
# page with an empty cache; a visit to a chapter coming from another page, cache warm; the
# search page with its excerpts, for SEARCH_TERM.
# Issue 17's targets. A warm visit is mostly the chapter's own HTML (the longest chapter,
# optimization-practice, was split in two to stay under it).
FIRST_VISIT_BUDGET = 1200 * KB
WARM_VISIT_BUDGET = 300 * KB
SEARCH_BUDGET = 1000 * KB
FIGURE_BUDGET = 400 * KIB
# The chapter a warm visit comes from (the first that runs code, so its cache holds what every
# chapter loads); that chapter itself is reached from the one before it.
WARM_FROM = ("derivatives.html", "why-calculus.html")
LANDING = "index.html"
SEARCH_PAGE = "search.html"
SEARCH_TERM = "gradient"
# Content images: cell outputs and figures (_images/) and the gallery's own images.
OWN_IMAGE = re.compile(r"/(_images|gallery/images)/")
# A stylesheet or script a page links names its version: Sphinx's ?v= checksum, the theme's
# ?digest=, or a content hash in its name. Without one a reader's browser can keep an old copy
# once the book changes, and a clean build and a rebuild can link it differently
# (sphinx-exercise's stylesheet did: see conf.py). What a stylesheet imports (the theme's
# basic.css) is the stylesheet's own affair.
VERSIONED = re.compile(r"[?&](v|digest)=|[0-9a-f]{16}")
LINKED_FILES = """() => [
  ...[...document.querySelectorAll("link[rel=stylesheet]")].map((link) => link.href),
  ...[...document.querySelectorAll("script[src]")].map((script) => script.src),
]"""

# Returns what a reader would see as raw TeX: formulas not rendered (to MathML at build time, or
# by MathJax in the browser), rendering errors, and TeX delimiters or commands in the visible
# text outside code. A formula must be MathML (what screen readers read), with the TeX kept as
# its annotation.
MATH_PROBE = r"""async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const untypeset = [...document.querySelectorAll(".math")]
    .filter((el) => !el.querySelector("mjx-container, math"))
    .map((el) => el.textContent.trim().slice(0, 60));
  const errors = [...document.querySelectorAll("mjx-merror, .katex-error, merror")]
    .map((el) => el.getAttribute("data-mjx-error") || el.textContent.slice(0, 60));
  const inaccessible = [...document.querySelectorAll(".math math")]
    .filter((m) => !m.querySelector('annotation[encoding="application/x-tex"]'))
    .map((m) => m.textContent.slice(0, 60));
  // Code, and the API's signatures (a default such as xlabel='$x$' is a literal string).
  const skip = "PRE, CODE, SCRIPT, STYLE, TEXTAREA, MJX-CONTAINER, math, .highlight, .math, .sig";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const tex = new RegExp(
    String.raw`\\[()[\]]|\$\$|\$[^$\s][^$]{0,80}\$|` +
      String.raw`\\(?:frac|sum|int|partial|nabla|mathbf|alpha|beta|theta|cdot|left|begin)\b`
  );
  const raw = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip) || !parent.checkVisibility()) continue;
    if (tex.test(node.textContent)) raw.push(node.textContent.trim().slice(0, 80));
  }
  return { untypeset, errors, raw, inaccessible };
}"""

# Installed before the page's own scripts: on every animation frame from navigation on, checks
# whether every formula is laid out (typeset by MathJax, or rendered at build time, and the
# page's fonts loaded) and records when that first held, in ms since navigation started.
MATH_CLOCK = """(() => {
  const check = () => {
    const formulas = document.querySelectorAll(".math");
    const ready = document.readyState !== "loading" && document.fonts.status === "loaded" &&
      [...formulas].every((el) => el.querySelector("mjx-container, math"));
    if (ready) {
      window.__mathLaidOut = performance.now();
      window.__formulas = formulas.length;
    } else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();"""

# A figure whose backend could not draw it shows up as matplotlib's text repr instead.
FIGURE_REPR_PROBE = """() => [...document.querySelectorAll(".cell_output")]
  .map((output) => output.textContent.match(/<Figure size [^>]*>/))
  .filter(Boolean).map((match) => match[0])"""

# Figures a cell output carries inside the page's HTML, as data: URIs: figures all the same, so
# their bytes are set aside like those of the figures fetched from _images/. An animation's
# frames sit in its player's script (matplotlib's to_jshtml, lines continued with a backslash),
# and the frame on show is also an image's src: each distinct URI is counted once.
INLINE_FIGURES = r"""() => {
  const uris = new Set();
  for (const img of document.images) {
    const src = img.getAttribute("src") || "";
    if (src.startsWith("data:image/")) uris.add(src.replace(/\\\n/g, ""));
  }
  for (const script of document.scripts) {
    for (const match of script.text.matchAll(/data:image\/[a-z+]+;base64,[A-Za-z0-9+\/=\\\n]+/g)) {
      uris.add(match[0].replace(/\\\n/g, ""));
    }
  }
  let total = 0;
  for (const uri of uris) total += uri.length;
  return total;
}"""

IMAGE_PROBE = """() => [...document.images].map((img) => ({
  src: img.currentSrc || img.src,
  alt: img.getAttribute("alt"),
  loaded: img.complete && img.naturalWidth > 0,
}))"""

# WCAG's contrast ratio of the article's text against the background it is painted on.
CONTRAST_PROBE = """() => {
  const luminance = (rgb) => {
    const [r, g, b] = rgb.match(/[\\d.]+/g).slice(0, 3).map(Number).map((c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const text = document.querySelector("article p, article li, article dd, main") || document.body;
  let el = text;
  let background = getComputedStyle(el).backgroundColor;
  while (el && /rgba\\(.*, 0\\)|transparent/.test(background)) {
    el = el.parentElement;
    background = el ? getComputedStyle(el).backgroundColor : "rgb(255, 255, 255)";
  }
  const [fg, bg] = [luminance(getComputedStyle(text).color), luminance(background)];
  return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
}"""

# One violation as the report lists it.
AXE_VIOLATION = """(v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
  })"""

# Every WCAG 2 A/AA rule but its two slowest, which run on what needs them: color-contrast
# (CONTRAST_RUN) and link-in-text-block (LINKS_IN_TEXT).
AXE_RUN = (
    """async () => {
  const options = {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa"] },
    rules: {
      "color-contrast": { enabled: false },
      "link-in-text-block": { enabled: false },
    },
  };
  const result = await axe.run(document, { ...options, resultTypes: ["violations"] });
  return result.violations.map("""
    + AXE_VIOLATION
    + """);
}"""
)

# What shows behind an element and how opaque it is, walking up its ancestors (remembered per
# element, as siblings share them): an element's own background when opaque, else what it lets
# through of its parent's too. A gradient is as much a part of it as a colour; a picture is not
# one colour, and shows as url(...) in the description. Shared by TEXT_STYLES and LINKS_IN_TEXT.
STYLE_HELPERS = r"""
  const backgrounds = new Map();
  const background = (el) => {
    if (!el) return "canvas";
    if (!backgrounds.has(el)) {
      const style = getComputedStyle(el);
      const image = style.backgroundImage;
      const colour = /rgba\(.*, 0\)|transparent/.test(style.backgroundColor)
        ? "" : style.backgroundColor;
      const own = (image === "none" ? "" : `${image} `) + colour;
      const opaque = image === "none" && colour.startsWith("rgb(");
      const behind = opaque ? "" : background(el.parentElement);
      backgrounds.set(el, own && behind ? `${own} over ${behind}` : own || behind);
    }
    return backgrounds.get(el);
  };
  const opacities = new Map();
  const opacity = (el) => {
    if (!el) return 1;
    if (!opacities.has(el)) {
      opacities.set(el, Number(getComputedStyle(el).opacity) * opacity(el.parentElement));
    }
    return opacities.get(el);
  };
"""

# What axe's color-contrast rule judges on a page: each visible piece of text's colour, the
# background it sits on, whether it is large text, its opacity and its shadow. The rule is by
# far axe's slowest (it lays out every glyph of every formula), and the book's pages repeat the
# same few dozen styles, so, as Deque advises for multi-page sites, each style is judged once
# per colour mode, on the first page that shows it, and there only on the elements that show
# it. Text over a picture has no one background colour (its style names the picture's url()):
# it is judged wherever it appears. Returns the styles; remembers the elements of each for
# CONTRAST_RUN.
TEXT_STYLES = (
    r"""() => {
  const styles = new Map();"""
    + STYLE_HELPERS
    + r"""
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || !node.textContent.trim() || !el.checkVisibility()) continue;
    const style = getComputedStyle(el);
    // WCAG's large text (24px, or 18.66px bold) needs 3:1, any other 4.5:1, as axe judges it.
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const key = [style.color, background(el), large, opacity(el), style.textShadow].join("|");
    if (!styles.has(key)) styles.set(key, new Set());
    styles.get(key).add(el);
  }
  window.__textStyles = styles;
  return [...styles.keys()];
}"""
)

# axe's color-contrast rule on the elements that show the given styles (TEXT_STYLES, just run).
CONTRAST_RUN = (
    """async (keys) => {
  const elements = new Set(keys.flatMap((key) => [...window.__textStyles.get(key)]));
  const result = await axe.run(
    { include: [...elements] },
    { runOnly: { type: "rule", values: ["color-contrast"] }, resultTypes: ["violations"] },
  );
  return result.violations.map("""
    + AXE_VIOLATION
    + """);
}"""
)

# axe's link-in-text-block rule (a link in running text must stand out from it by more than colour)
# took about half of axe's time on a chapter when colour contrast was not judged: for each link, axe
# walks the whole paragraph around it, every formula's spans included, and works out the colours of
# both. Its verdict on a link in running text reads only the computed style of the link and of the
# paragraph (block) around it: their colours (text fill and stroke too), backgrounds and opacities,
# fonts, weights, sizes, decorations, borders and outlines, and the link's ::before and ::after.
# Those make a link's key. Like the contrast styles, a key is judged once, on the first link in
# running text that has it: the rule runs on every link whose key was never judged and that passes a
# quick test (below), and a key counts as judged only when axe found its link in running text (a
# link in a menu decides nothing for the same style in a paragraph). A key over a picture is never
# counted as judged. Takes the keys already judged; returns the keys judged now and the violations.
LINKS_IN_TEXT = (
    r"""async (judged) => {
  const done = new Set(judged);"""
    + STYLE_HELPERS
    + r"""
  // axe has two ideas of a block: its verdict's includes inline-block, its running-text test's
  // does not.
  const textBlock = ["block", "list-item", "table", "flex", "grid"];
  const verdictBlock = [...textBlock, "inline-block"];
  const isBlock = (el, kinds) => {
    const display = getComputedStyle(el).display;
    return kinds.includes(display) || display.startsWith("table-");
  };
  const blockAround = (link, kinds) => {
    let block = link.parentElement;
    while (block && !isBlock(block, kinds)) block = block.parentElement;
    return block;
  };
  const props = [
    "display", "color", "font-family", "font-size", "font-weight", "font-style",
    "text-decoration", "text-decoration-line", "text-decoration-style", "text-shadow",
    "background-image", "border-top-style", "border-top-width", "border-top-color",
    "border-bottom-style", "border-bottom-width", "border-bottom-color",
    "outline-style", "outline-width", "outline-color", "-webkit-text-fill-color",
    "-webkit-text-stroke-color", "-webkit-text-stroke-width",
  ];
  const describe = (el) => {
    const style = getComputedStyle(el);
    return [...props.map((p) => style.getPropertyValue(p)), background(el), opacity(el)].join("|");
  };
  // Whether axe could find a link in running text at all, by a test weaker than axe's: not
  // hidden (visibility, or opacity 0 here or above, as the theme hides a heading's # link until
  // it is pointed at), not a block or inline-block itself, and more text outside it than in it
  // in the block around it (axe's block here leaves out inline-block), both tidied as axe tidies
  // them. axe counts only part of the text outside (visible, outside other links, on the link's
  // line), and taking characters out of a text never makes it longer once tidied. A menu's
  // links, the hidden # links and "Solution to Exercise 1.1" fail it, and axe is spared from
  // looking at them.
  const tidy = (text) =>
    text.replace(/\r\n/g, "\n").replace(/\u00A0/g, " ").replace(/[\s]{2,}/g, " ").trim();
  const mayBeInText = (link) => {
    const { display, visibility } = getComputedStyle(link);
    if (visibility !== "visible" || opacity(link) === 0) return false;
    const inlineBlock = ["inline-block", "inline-flex", "inline-grid"].includes(display);
    if (inlineBlock || isBlock(link, textBlock)) return false;
    const block = blockAround(link, textBlock);
    if (!block) return true;
    let outside = "";
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!link.contains(node)) outside += node.textContent;
    }
    return tidy(outside).length > tidy(link.textContent).length;
  };
  const fresh = new Map();
  for (const link of document.querySelectorAll("a[href], [role=link]")) {
    const block = blockAround(link, verdictBlock);
    const pseudo = ["::before", "::after"].map((p) => getComputedStyle(link, p).content);
    const key = [describe(link), block ? describe(block) : "", ...pseudo].join(" in ");
    if (!done.has(key) && mayBeInText(link)) fresh.set(link, key.includes("url(") ? null : key);
  }
  if (!fresh.size) return { judged: [], violations: [] };
  const result = await axe.run(
    { include: [...fresh.keys()] },
    { runOnly: { type: "rule", values: ["link-in-text-block"] }, elementRef: true },
  );
  const now = new Set();
  for (const outcome of [result.passes, result.violations, result.incomplete]) {
    for (const node of outcome.flatMap((rule) => rule.nodes)) now.add(fresh.get(node.element));
  }
  now.delete(null);
  now.delete(undefined);
  return {
    judged: [...now],
    violations: result.violations.map("""
    + AXE_VIOLATION
    + """),
  };
}"""
)

# Runs every finite animation and transition to its end state (an infinite one cannot be, and
# is left running).
FINISH_FADES = """() => {
  for (const animation of document.getAnimations()) {
    try { animation.finish(); } catch (error) { /* infinite: nothing to finish */ }
  }
}"""

FAILING_IMPACTS = {"critical", "serious"}
MIN_CONTRAST = 4.5


@dataclass
class PageResult:
    """What reading one page found."""

    page: str
    problems: list[str] = field(default_factory=list)
    accessibility: list[str] = field(default_factory=list)
    bytes: int = 0
    content_bytes: int = 0
    figure_bytes: int = 0
    inline_figure_bytes: int = 0
    warm_bytes: int | None = None
    #: Bytes per URL the page fetched on its first visit, in light mode (before the switch).
    light_transfers: dict[str, int] = field(default_factory=dict)
    formulas: int = 0
    math_ms: float | None = None

    @property
    def counted(self) -> int:
        """What the budget counts: everything transferred but the page's own figures."""
        return self.bytes - self.figure_bytes - self.inline_figure_bytes


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 at a free port; yield its base URL."""

    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """The run reports failures itself; one log line per file is noise."""

    class QuietServer(ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            """A page closed while a file was on its way is no error of the book's."""
            if not isinstance(sys.exc_info()[1], ConnectionError):
                super().handle_error(request, client_address)

    server = QuietServer((HOST, 0), partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def book_pages(root: Path) -> list[str]:
    """Every HTML page of the built book, as paths relative to ``root``."""
    assets = {"_static", "_sources", "_images", "_downloads"}
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*.html")
        if not assets.intersection(path.relative_to(root).parts)
    )


def alt_text_problem(alt: str | None) -> str | None:
    """Why ``alt`` does not describe its image, or None when it does."""
    if alt is None or not alt.strip():
        return "has no alt text"
    if alt.lstrip().startswith("<Figure size"):
        return f"has matplotlib's repr as alt text ({alt!r})"
    if re.fullmatch(r"\S+\.(png|svg|jpe?g|gif|webp)", alt.strip(), flags=re.IGNORECASE):
        return f"has a file name as alt text ({alt!r})"
    return None


async def switch_to_dark(page: Page) -> bool:
    """Pick "Dark" in the theme's colour-mode menu, as a reader would; True if it took.

    A click can land while the theme's script is still wiring the menu on a busy machine, so
    a second try follows a first that did not take. The theme then fades its colours in and
    the button's tooltip lingers under the pointer: judging contrast mid-fade or under the
    tooltip reports phantom failures, so the fades are run to their end and the pointer moved.
    """
    for _ in range(2):
        try:
            await page.locator(".theme-switch-button:visible").first.click()
            await page.locator(".theme-change-button[data-mode=dark]:visible").first.click(
                timeout=SWITCH_TIMEOUT_MS
            )
            await page.wait_for_function(
                "document.documentElement.dataset.theme === 'dark'", timeout=SWITCH_TIMEOUT_MS
            )
            break
        except PlaywrightError:
            await page.keyboard.press("Escape")
    else:
        return False
    await page.mouse.move(0, VIEWPORT["height"] - 1)
    await page.evaluate(FINISH_FADES)
    await page.wait_for_function("!document.querySelector('.tooltip')")
    return True


class StyleLedger:
    """The styles already judged, per kind (text contrast or links in text) and colour mode,
    across pages.

    A page claims the styles it is the first to judge; if its check is cut short (a timeout,
    retried), ``forget`` hands them back so that the retry, or another page, judges them.
    """

    def __init__(self) -> None:
        self.judged: dict[str, set[str]] = {}
        self.claims: dict[str, list[tuple[str, set[str]]]] = {}

    def claim(self, name: str, kind: str, styles: set[str]) -> set[str]:
        """Claim for page ``name`` the ``styles`` of ``kind`` not judged yet; return those."""
        judged = self.judged.setdefault(kind, set())
        new = styles - judged
        judged |= new
        self.claims.setdefault(name, []).append((kind, new))
        return new

    def forget(self, name: str) -> None:
        """Hand back the styles page ``name`` claimed: its check did not finish."""
        for kind, styles in self.claims.pop(name, []):
            self.judged[kind] -= styles


async def contrast_findings(
    page: Page, axe: Path, ledger: StyleLedger, name: str, mode: str
) -> list[str]:
    """axe's color-contrast violations in ``mode`` (now the page's), judged on the text of
    page ``name`` whose style no page judged before in that mode, and on text over a picture
    (TEXT_STYLES)."""
    styles = set(await page.evaluate(TEXT_STYLES))
    over_picture = {style for style in styles if "url(" in style}
    judge = ledger.claim(name, f"text ({mode})", styles - over_picture) | over_picture
    if not judge:
        return []
    await load_axe(page, axe)
    return finding_lines(await page.evaluate(CONTRAST_RUN, sorted(judge)), mode)


async def link_findings(page: Page, ledger: StyleLedger, name: str) -> list[str]:
    """axe's link-in-text-block violations on links whose style was never judged in running
    text (LINKS_IN_TEXT); axe must be loaded."""
    kind = "links (light)"
    found = await page.evaluate(LINKS_IN_TEXT, sorted(ledger.judged.get(kind, ())))
    ledger.claim(name, kind, set(found["judged"]))
    return finding_lines(found["violations"], "light")


def finding_lines(violations: list[dict[str, Any]], mode: str) -> list[str]:
    """axe's violations, one line each, with their impact."""
    return [
        f"{v['impact']}: {v['id']} ({mode}) {v['help']} at {', '.join(v['targets'])}"
        for v in violations
    ]


async def load_axe(page: Page, axe: Path) -> None:
    """Load axe-core into the page, unless it is there already."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(axe))


async def axe_findings(page: Page, axe: Path, mode: str) -> list[str]:
    """axe-core's violations of every WCAG 2 A/AA rule on the page but color-contrast
    (``contrast_findings``) and link-in-text-block (``link_findings``), one line each."""
    await load_axe(page, axe)
    return finding_lines(await page.evaluate(AXE_RUN), mode)


async def check_notebook_download(page: Page, result: PageResult) -> None:
    """A page that runs code offers its executed notebook and a launch button."""
    if not await page.locator("div.cell").count():
        return
    link = page.locator("a[href$='.ipynb']").first
    if not await link.count():
        result.problems.append("runs code but offers no .ipynb download")
    else:
        href = await link.get_attribute("href") or ""
        response = await page.request.get(urljoin(page.url, href))
        if not response.ok or '"cells"' not in await response.text():
            result.problems.append(f"its .ipynb download {href} is not a notebook")
    if not await page.locator("a[href*='/v2/gh/']").count():
        result.problems.append("runs code but has no launch button")


# True once the search has listed every result and each has its excerpt (fetched one page at
# a time, after the list itself): only then is everything a reader will see on the page.
SEARCH_DONE = """() => {
  const status = document.querySelector("#search-results .search-summary");
  const items = [...document.querySelectorAll("#search-results ul.search li")];
  return Boolean(status && status.textContent.startsWith("Search finished")) &&
    items.every((item) => item.querySelector("p.context, span"));
}"""


# Results a reader cannot tell apart: the same title and the same excerpt (every term of one
# glossary showed the glossary's first use of the word).
SEARCH_REPEATS = r"""() => {
  const seen = new Set();
  const repeated = [];
  for (const item of document.querySelectorAll("#search-results ul.search li")) {
    const text = item.textContent.replace(/\s+/g, " ").trim();
    if (seen.has(text)) repeated.push(text.slice(0, 100));
    seen.add(text);
  }
  return repeated;
}"""


async def check_search(page: Page, result: PageResult) -> None:
    """Sphinx's client-side search, opened as a reader's query, finds the book's central word,
    and shows no result twice."""
    try:
        await page.locator("#search-results ul.search li").first.wait_for(timeout=10_000)
    except PlaywrightError:
        result.problems.append(f"searching for {SEARCH_TERM!r} finds nothing")
        return
    await page.wait_for_function(SEARCH_DONE)
    result.problems += [
        f"search shows a result twice: {text!r}" for text in await page.evaluate(SEARCH_REPEATS)
    ]


class Traffic:
    """Every request a page makes: off-host ones recorded, the rest measured."""

    def __init__(self, result: PageResult) -> None:
        self.result = result
        self.off_host: set[str] = set()
        self.downloads: list[asyncio.Task[tuple[str, str, int]]] = []
        #: How many of ``downloads`` the page made before it was switched to dark.
        self.light = 0

    def attach(self, context: BrowserContext, page: Page) -> None:
        # The context's events include requests made by the page's workers.
        context.on("request", self.request)
        page.on("console", self.console)
        page.on("pageerror", self.page_error)
        page.on("response", self.response)
        page.on("requestfailed", self.request_failed)
        page.on("requestfinished", self.request_finished)

    def request(self, request: Request) -> None:
        # Chromium resolves no other host (CHROMIUM_ARGS), so such a request fails at once.
        if urlsplit(request.url).hostname != HOST:
            self.off_host.add(request.url)

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.result.problems.append(f"console error: {message.text}")

    def page_error(self, error: Exception) -> None:
        self.result.problems.append(f"script error: {error}")

    def response(self, response: Response) -> None:
        if response.status >= 400:
            self.result.problems.append(f"HTTP {response.status}: {response.url}")

    def request_failed(self, request: Request) -> None:
        if request.url not in self.off_host:
            self.result.problems.append(f"request failed: {request.url} ({request.failure})")

    def request_finished(self, request: Request) -> None:
        self.downloads.append(asyncio.ensure_future(_transferred(request)))

    async def settle(self) -> None:
        """Add up what was transferred, and report the requests that must not happen."""
        downloads = await asyncio.gather(*self.downloads)
        for url, _, size in downloads[: self.light]:
            # A file asked for twice came from the cache the second time.
            self.result.light_transfers[url] = max(size, self.result.light_transfers.get(url, 0))
        self.result.bytes = sum(size for _, _, size in downloads)
        figures = [(url, size) for url, _, size in downloads if OWN_IMAGE.search(url)]
        # What the page fetches by script is its own content too: the search page loads each
        # hit's page to show a summary of it.
        fetched = [size for _, kind, size in downloads if kind in {"fetch", "xhr"}]
        self.result.content_bytes = sum(size for _, size in figures) + sum(fetched)
        self.result.figure_bytes = sum(size for _, size in figures)
        self.result.problems += [
            f"figure {url} weighs {size / KIB:.0f} KiB, over {FIGURE_BUDGET // KIB} KiB"
            for url, size in figures
            if size > FIGURE_BUDGET
        ]
        self.result.problems += [f"request to another host: {url}" for url in sorted(self.off_host)]


async def _transferred(request: Request) -> tuple[str, str, int]:
    sizes = await request.sizes()
    # A response taken from the cache transferred nothing (Chromium gives minus its headers).
    return request.url, request.resource_type, max(sizes["responseBodySize"], 0)


async def settle(page: Page) -> None:
    """Wait, for a while, until the page has fetched nothing for half a second.

    A starved machine can keep a page from ever looking idle to Playwright although nothing is
    pending; the checks that follow (images loaded, requests failed) judge what did not arrive.
    """
    with suppress(PlaywrightError):
        await page.wait_for_load_state("networkidle", timeout=SETTLE_TIMEOUT_MS)


async def unversioned_files(page: Page) -> list[str]:
    """A problem for each stylesheet or script the page links without naming its version."""
    return [
        f"linked without a version: {url}"
        for url in await page.evaluate(LINKED_FILES)
        if not VERSIONED.search(url)
    ]


async def read_page(page: Page, name: str, base: str, result: PageResult) -> None:
    """The light-mode checks: math, images, notebook download, search."""
    query = f"?q={SEARCH_TERM}" if name == SEARCH_PAGE else ""
    await page.goto(base + name + query, wait_until="load")
    if name == SEARCH_PAGE:
        await check_search(page, result)
    math = await page.evaluate(MATH_PROBE)
    try:
        await page.wait_for_function("window.__mathLaidOut !== undefined", timeout=TIMEOUT_MS)
        result.math_ms = await page.evaluate("window.__mathLaidOut")
        result.formulas = await page.evaluate("window.__formulas")
    except PlaywrightError:
        result.problems.append("its formulas were never all laid out")
    await settle(page)
    result.problems += [f"math not typeset: {tex!r}" for tex in math["untypeset"]]
    result.problems += [f"math error: {error}" for error in math["errors"]]
    result.problems += [f"formula without its TeX: {text!r}" for text in math["inaccessible"]]
    result.problems += [f"raw TeX visible: {text!r}" for text in math["raw"]]
    result.problems += await unversioned_files(page)
    result.inline_figure_bytes = await page.evaluate(INLINE_FIGURES)
    for image in await page.evaluate(IMAGE_PROBE):
        if not image["loaded"]:
            result.problems.append(f"image does not load: {image['src']}")
        if (problem := alt_text_problem(image["alt"])) is not None:
            result.problems.append(f"image {image['src']} {problem}")
    result.problems += [
        f"a figure shows as text: {text}" for text in await page.evaluate(FIGURE_REPR_PROBE)
    ]
    await check_notebook_download(page, result)


async def read_dark_page(
    page: Page, axe: Path | None, ledger: StyleLedger, result: PageResult
) -> None:
    """In dark mode the text must stay legible: WCAG AA contrast, for the body and axe alike."""
    if (ratio := await page.evaluate(CONTRAST_PROBE)) < MIN_CONTRAST:
        result.problems.append(f"dark mode: text contrast {ratio:.1f}:1, under 4.5:1")
    if axe is not None:
        result.accessibility += await contrast_findings(page, axe, ledger, result.page, "dark")


async def check_page(
    browser: Browser, base: str, name: str, axe: Path | None, ledger: StyleLedger, shots: Path
) -> PageResult:
    """Open one page, light then dark, and collect every problem a reader would meet.

    Screenshots show the first screen, light and dark; a failing page is also shot whole.
    """
    result = PageResult(name)
    context = await browser.new_context(
        viewport=VIEWPORT, color_scheme="light", service_workers="block"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    await page.add_init_script(MATH_CLOCK)
    traffic = Traffic(result)
    traffic.attach(context, page)
    slug = name.removesuffix(".html").replace("/", "__")
    try:
        await read_page(page, name, base, result)
        traffic.light = len(traffic.downloads)
        if axe is not None:
            # Mid-fade (the theme fades parts of a page in as it loads), a style's opacity is
            # whatever it was at that instant: a new style on nearly every page, and text that
            # axe would judge at an opacity no reader sees once the page has settled.
            await page.evaluate(FINISH_FADES)
            result.accessibility += await axe_findings(page, axe, "light")
            result.accessibility += await contrast_findings(page, axe, ledger, name, "light")
            result.accessibility += await link_findings(page, ledger, name)
        await page.screenshot(path=shots / f"{slug}-light.png")
        if await switch_to_dark(page):
            await read_dark_page(page, axe, ledger, result)
            await page.screenshot(path=shots / f"{slug}-dark.png")
        else:
            result.problems.append("the dark-mode toggle did not switch the page to dark")
        if result.problems or failing(result.accessibility):
            await page.screenshot(path=shots / f"{slug}-whole.png", full_page=True)
        # Requests still in flight would be counted as failed when the context closes.
        await settle(page)
    except PlaywrightError as error:
        result.problems.append(f"{error.message.splitlines()[0]}")
    finally:
        await context.close()
    await traffic.settle()
    result.problems += failing(result.accessibility)
    return result


def failing(findings: list[str]) -> list[str]:
    """The accessibility findings that fail the run: critical and serious ones."""
    return [line for line in findings if line.split(":")[0] in FAILING_IMPACTS]


def warm_transfer(chapter: PageResult, origin: PageResult) -> int:
    """Bytes, figures excluded, that ``chapter`` transfers when the reader comes from
    ``origin`` with a warm cache: what its first visit fetched that the origin's did not.

    A browser takes from its cache what the origin fetched (the server sends no header that
    forbids it). Measured instead by visiting the origin and then the chapter, this came out the
    same but for the responses taken from the cache, which Chromium reports as transferring
    minus the size of their headers.
    """
    fresh = {
        url: size
        for url, size in chapter.light_transfers.items()
        if url not in origin.light_transfers and not OWN_IMAGE.search(url)
    }
    return sum(fresh.values()) - chapter.inline_figure_bytes


def is_chapter(name: str) -> bool:
    """A page of the book's text (not the landing, search or index pages, API or gallery)."""
    return "/" not in name and name not in {LANDING, SEARCH_PAGE, "genindex.html"}


async def check_book(
    root: Path, pages: list[str], axe: Path | None, artifacts: Path, chromium: str = CHROMIUM
) -> list[PageResult]:
    """Check ``pages`` of the book at ``root``, ``CONCURRENCY`` at a time, and the chapters
    their warm visits come from (``WARM_FROM``)."""
    if any(is_chapter(name) for name in pages):
        pages = sorted(set(pages) | set(WARM_FROM))
    shots = artifacts / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    gate = asyncio.Semaphore(CONCURRENCY)
    ledger = StyleLedger()
    with serve(root) as base:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=chromium or None, args=CHROMIUM_ARGS
            )

            async def one(name: str) -> PageResult:
                async with gate:
                    result = await check_page(browser, base, name, axe, ledger, shots)
                    # A busy two-core machine can starve one page past a timeout; a page
                    # that is really broken fails the same way twice.
                    if any("Timeout" in problem for problem in result.problems):
                        ledger.forget(name)
                        result = await check_page(browser, base, name, axe, ledger, shots)
                    return result

            results = {r.page: r for r in await asyncio.gather(*(one(name) for name in pages))}
            await browser.close()
    for name, result in results.items():
        if is_chapter(name):
            origin = next(chapter for chapter in WARM_FROM if chapter != name)
            result.warm_bytes = warm_transfer(result, results[origin])
    return list(results.values())


def weigh(results: list[PageResult]) -> list[list[str]]:
    """Judge every page against its budgets; the rows of the page-weight table."""
    rows = []
    for result in sorted(results, key=lambda r: -r.counted):
        budget = SEARCH_BUDGET if result.page == SEARCH_PAGE else FIRST_VISIT_BUDGET
        over = []
        if result.counted > budget:
            over.append(
                f"weighs {result.counted / KB:,.0f} kB without its figures,"
                f" over {budget / KB:,.0f} kB"
            )
        if result.warm_bytes is not None and result.warm_bytes > WARM_VISIT_BUDGET:
            over.append(
                f"weighs {result.warm_bytes / KB:,.0f} kB coming from another chapter (warm cache),"
                f" over {WARM_VISIT_BUDGET / KB:,.0f} kB"
            )
        result.problems += over
        rows.append(
            [
                result.page,
                *(
                    f"{n / KB:,.0f}"
                    for n in (
                        result.bytes,
                        result.figure_bytes + result.inline_figure_bytes,
                        result.counted,
                    )
                ),
                f"{budget / KB:,.0f}",
                "" if result.warm_bytes is None else f"{result.warm_bytes / KB:,.0f}",
                str(result.formulas),
                "" if result.math_ms is None else f"{result.math_ms:,.0f}",
                "OVER" if over else "ok",
            ]
        )
    return rows


def write_reports(results: list[PageResult], rows: list[list[str]], artifacts: Path) -> str:
    """Write the page-weight and accessibility reports; return the weight table."""
    header = [
        "page",
        "kB transferred",
        "kB of figures",
        "kB counted",
        "kB budget",
        "kB from another chapter, warm",
        "formulas",
        "ms to last formula",
        "",
    ]
    table = "\n".join(
        "| " + " | ".join(row) + " |" for row in [header, ["---", *["---:"] * 7, "---"], *rows]
    )
    (artifacts / "page-weight.md").write_text(
        "# Page weight and time to math\n\nBytes (kB = 1000 bytes, uncompressed) each page "
        "transfers on a first visit with an empty cache; *counted* leaves out the page's own "
        f"figures and must stay under {FIRST_VISIT_BUDGET / KB:,.0f} kB "
        f"({SEARCH_BUDGET / KB:,.0f} kB for the search page, for {SEARCH_TERM!r}, with its "
        f"excerpts). A chapter reached from another ({' or '.join(WARM_FROM)}) with a warm cache "
        "must transfer at most "
        f"{WARM_VISIT_BUDGET / KB:,.0f} kB without its figures; each figure at most "
        f"{FIGURE_BUDGET // KIB} KiB. *ms to last formula*: from navigation until every formula "
        "on the page is laid out with its fonts loaded, in headless Chromium from a local "
        f"server.\n\n{table}\n"
    )
    findings = [f"- {r.page}: {line}" for r in results for line in r.accessibility]
    (artifacts / "accessibility.md").write_text(
        "# axe-core findings (WCAG 2 A and AA; critical and serious fail the run)\n\n"
        + ("\n".join(findings) or "No violations.")
        + "\n"
    )
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="the built book, e.g. docs/_build/html")
    parser.add_argument("--axe", type=Path, help="axe.min.js from the npm package axe-core")
    parser.add_argument("--artifacts", type=Path, default=Path("artifacts"))
    parser.add_argument(
        "--chromium",
        default=CHROMIUM,
        help=f"the browser's executable ({CHROMIUM} by default; '' for Playwright's own)",
    )
    parser.add_argument(
        "--pages",
        nargs="+",
        metavar="PAGE",
        help="check only these pages, e.g. search.html",
    )
    args = parser.parse_args()
    if not (args.html / "index.html").is_file():
        sys.exit(f"html: no index.html in {args.html}; build the book first (nox -s docs)")
    if args.axe is not None and not args.axe.is_file():
        sys.exit(f"--axe: {args.axe} does not exist; npm install axe-core@4 and pass axe.min.js")
    pages = book_pages(args.html)
    if args.pages:
        if unknown := sorted(set(args.pages) - set(pages)):
            sys.exit(f"--pages: not pages of the book: {', '.join(unknown)}")
        pages = sorted(set(args.pages))
    results = asyncio.run(check_book(args.html, pages, args.axe, args.artifacts, args.chromium))
    table = write_reports(results, weigh(results), args.artifacts)
    print(table)
    failing = [r for r in results if r.problems]
    for result in failing:
        for problem in result.problems:
            print(f"FAIL {result.page}: {problem}")
    worst = max(results, key=lambda r: r.counted)
    print(
        f"{len(results)} pages checked light and dark, {len(failing)} failing; heaviest "
        f"{worst.page} at {worst.counted / KB:,.0f} kB without figures; screenshots and reports in "
        f"{args.artifacts}/"
    )
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
