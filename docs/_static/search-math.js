/* Search results with excerpts, without fetching every page found.

Sphinx builds each result's excerpt by downloading the whole page it found (a chapter is a few
hundred kB) and cutting its text at a fixed number of characters, often inside a formula's TeX.
The book is built with the excerpts instead (docs/_ext/search_excerpts.py): for every word of
the search index, a small file (shared with a few other words) maps each page containing it to the text around its first
occurrence, formulas whole and rendered (MathML), code as code. Here, for each result listed,
the excerpt of the query's first word found on that page is added below it, and the query's
words are highlighted as Sphinx does. A result that is an index entry (a glossary's term) gets
the text that starts at its place instead (filed under "<docname>#<place>"), as Sphinx's own
excerpt does: otherwise every term of the glossary would show the same one. Two results a reader
could not tell apart (a page found by its title and by its text, both showing its start) are
shown once. The book sets html_show_search_summary = False, so Sphinx
itself fetches no page.
*/
"use strict";

(() => {
  if (typeof Search === "undefined") return;
  const root = new URL(document.documentElement.dataset.content_root || "./", location.href);
  const BUCKETS = 512; // as in docs/_ext/search_excerpts.py
  const files = new Map();

  // The file holding a word's excerpts (search_excerpts.bucket).
  const bucket = (term) => {
    let value = 0;
    for (const character of term) value = (value * 31 + character.codePointAt(0)) % 2 ** 32;
    return value % BUCKETS;
  };

  // The excerpts of one stemmed word: {docname: html}; {} when the book has none for it.
  const excerptsOf = async (term) => {
    const number = bucket(term);
    if (!files.has(number)) {
      const url = new URL(`_static/excerpts/${number}.json`, root);
      files.set(
        number,
        fetch(url)
          .then((response) => (response.ok ? response.json() : {}))
          .catch(() => ({})),
      );
    }
    return (await files.get(number))[term] || {};
  };

  const query = new URLSearchParams(location.search).get("q") || "";
  if (!query.trim()) return;
  const [, searchTerms, , highlightTerms] = Search._parseQuery(query);

  const docnameOf = (link) => {
    const path = new URL(link.href, location.href).pathname;
    const suffix = DOCUMENTATION_OPTIONS.FILE_SUFFIX || ".html";
    return path.slice(root.pathname.length).replace(new RegExp(`${suffix.replace(".", "\\.")}$`), "");
  };

  // What each result shown so far looks like: its page, its title and its excerpt.
  const shown = new Set();

  const addExcerpt = async (item) => {
    if (item.dataset.excerpt) return;
    item.dataset.excerpt = "pending";
    const link = item.querySelector("a");
    const summary = document.createElement("p");
    summary.classList.add("context");
    if (link && !item.querySelector("span")) {
      const docname = docnameOf(link);
      const place = decodeURIComponent(new URL(link.href, location.href).hash.slice(1));
      const keys = [docname];
      if (item.classList.contains("kind-index") && place) keys.unshift(`${docname}#${place}`);
      let html;
      for (const key of keys) {
        for (const term of searchTerms) html ||= (await excerptsOf(term))[key];
      }
      if (html) summary.innerHTML = html;
      item.appendChild(summary);
      if (typeof SPHINX_HIGHLIGHT_ENABLED !== "undefined" && SPHINX_HIGHLIGHT_ENABLED) {
        highlightTerms.forEach((term) => _highlightText(summary, term, "highlighted"));
      }
      const looks = `${new URL(link.href, location.href).pathname} ${item.textContent}`;
      if (shown.has(looks)) item.remove();
      shown.add(looks);
    }
    item.dataset.excerpt = "done";
  };

  const watch = () => {
    const results = document.getElementById("search-results");
    if (!results) return;
    const each = () => results.querySelectorAll("ul.search > li").forEach(addExcerpt);
    new MutationObserver(each).observe(results, { childList: true, subtree: true });
    each();
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
})();
