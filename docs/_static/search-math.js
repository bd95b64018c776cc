/* Search results with excerpts, without fetching every page found.

Sphinx builds each result's excerpt by downloading the whole page it found (a chapter is a few
hundred kB) and cutting its text at a fixed number of characters, often inside a formula's TeX.
The book is built with the excerpts instead (docs/_ext/search_excerpts.py): for every word of
the search index, a small file (shared with a few other words) maps each page containing it to the text around its first
occurrence, formulas whole and rendered (MathML), code as code. Here, for each result listed,
the excerpt of the query's first word found on that page is added below it, and the query's
words are highlighted as Sphinx does. The book sets html_show_search_summary = False, so Sphinx
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

  const addExcerpt = async (item) => {
    if (item.dataset.excerpt) return;
    item.dataset.excerpt = "pending";
    const link = item.querySelector("a");
    const summary = document.createElement("p");
    summary.classList.add("context");
    if (link && !item.querySelector("span")) {
      const docname = docnameOf(link);
      for (const term of searchTerms) {
        const html = (await excerptsOf(term))[docname];
        if (html) {
          summary.innerHTML = html;
          break;
        }
      }
      item.appendChild(summary);
      if (typeof SPHINX_HIGHLIGHT_ENABLED !== "undefined" && SPHINX_HIGHLIGHT_ENABLED) {
        highlightTerms.forEach((term) => _highlightText(summary, term, "highlighted"));
      }
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
