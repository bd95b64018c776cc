/* Search results show formulas typeset, never as raw TeX.

Sphinx builds each result's excerpt from the text of the page it found, where a formula is
still its TeX source (MathJax typesets it only in the reader's browser), and it cuts that text
at a fixed number of characters, often in the middle of a formula. This excerpt keeps the same
window around the first match, taken from the article alone, but keeps every formula whole (or leaves out one that would
not fit), shows code as code, and has MathJax typeset the formulas.
*/
"use strict";

(() => {
  // The window Sphinx itself shows: this many characters before the match, this many in all.
  const BEFORE = 120;
  const LENGTH = 240;

  // A formula's TeX, written inline whether the page shows it inline or displayed.
  const formula = (element) => {
    const copy = element.cloneNode(true);
    copy.querySelectorAll(".eqno, .headerlink").forEach((el) => el.remove());
    const tex = copy.textContent.trim().replace(/^\\[([]|\\[)\]]$/g, "");
    return `\\(${tex.replace(/\s+/g, " ").trim()}\\)`;
  };

  // The text of a page as a list of pieces, each plain text, a formula, or code.
  const pieces = (root) => {
    const found = [];
    const visit = (node) => {
      if (node.nodeType === Node.TEXT_NODE) {
        found.push({ kind: "text", text: node.textContent.replace(/\s+/g, " ") });
      } else if (node.nodeType === Node.ELEMENT_NODE) {
        if (node.matches(".headerlink, script, style")) return;
        if (node.matches(".math")) found.push({ kind: "math", text: formula(node) });
        else if (node.matches("pre, code")) {
          found.push({ kind: "code", text: node.textContent.replace(/\s+/g, " ") });
        } else node.childNodes.forEach(visit);
      }
    };
    visit(root);
    return found;
  };

  // The pieces that fall in [start, end) of the page's text: text and code cut to the
  // window, a formula kept only if it lies wholly inside it.
  const excerpt = (all, start, end) => {
    const kept = [];
    let offset = 0;
    for (const piece of all) {
      const [from, to] = [offset, offset + piece.text.length];
      offset = to;
      if (to <= start || from >= end) continue;
      if (piece.kind === "math") {
        if (from >= start && to <= end) kept.push(piece);
      } else {
        const text = piece.text.slice(Math.max(start - from, 0), end - from);
        kept.push({ kind: piece.kind, text });
      }
    }
    return kept;
  };

  const typeset = (elements) => {
    const mathjax = window.MathJax;
    // Before MathJax has loaded, its first pass over the page will find these formulas.
    if (elements.length && mathjax && mathjax.startup && mathjax.startup.promise) {
      mathjax.startup.promise = mathjax.startup.promise.then(() =>
        mathjax.typesetPromise(elements),
      );
    }
  };

  const makeSearchSummary = (htmlText, keywords, anchor) => {
    const page = new DOMParser().parseFromString(htmlText, "text/html");
    // The article itself: the rest of the theme's main element is buttons and the page's
    // table of contents, which would fill the excerpt with words the reader did not search.
    const root =
      (anchor && page.querySelector(`[role="main"] ${anchor}`)) ||
      page.querySelector('[role="main"] article') ||
      page.querySelector('[role="main"]');
    const summary = document.createElement("p");
    summary.classList.add("context");
    if (!root) return summary;

    const all = pieces(root);
    const text = all.map((piece) => piece.text).join("");
    const lower = text.toLowerCase();
    const match = [...keywords]
      .map((keyword) => lower.indexOf(keyword.toLowerCase()))
      .filter((index) => index > -1)
      .slice(-1)[0];
    const start = Math.max((match ?? 0) - BEFORE, 0);
    const end = start + LENGTH;

    const formulas = [];
    summary.append(start > 0 ? "..." : "");
    for (const piece of excerpt(all, start, end)) {
      if (piece.kind === "text") summary.append(piece.text);
      else {
        const element = document.createElement(piece.kind === "code" ? "code" : "span");
        element.textContent = piece.text;
        if (piece.kind === "math") {
          // Sphinx's own classes: MathJax typesets .math, and search highlighting skips
          // .nohighlight, so that a match is never wrapped inside a formula's TeX.
          element.className = "math notranslate nohighlight";
          formulas.push(element);
        }
        summary.append(element);
      }
    }
    summary.append(end < text.length ? "..." : "");
    summary.normalize();
    typeset(formulas);
    return summary;
  };

  // searchtools.js declares Search with const: a global binding, not a property of window.
  if (typeof Search !== "undefined") Search.makeSearchSummary = makeSearchSummary;
})();
