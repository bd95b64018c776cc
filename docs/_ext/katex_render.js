// Render TeX with KaTeX for the book's build (docs/_ext/katex_math.py starts this once per
// build and sends every formula it has not rendered before).
// Input: one JSON object per line, {"tex": "...", "display": true|false}.
// Output: one JSON object per line, in the same order, {"html": "..."} or {"error": "..."}.
"use strict";

const katex = require(process.argv[2]);
const readline = require("readline");

const options = (display) => ({
  displayMode: display,
  // MathML alone: browsers lay it out natively (no stylesheet, fonts or script to fetch) and
  // screen readers read it. KaTeX's HTML rendering would add ~1.5 kB per inline formula and
  // ~8 kB per displayed one, tripling a chapter's weight.
  output: "mathml",
  throwOnError: true,
  // Unknown or non-LaTeX input is an error, not a warning on the console nobody reads.
  strict: "error",
  trust: false,
});

const lines = readline.createInterface({ input: process.stdin, terminal: false });
lines.on("line", (line) => {
  const { tex, display } = JSON.parse(line);
  let answer;
  try {
    answer = { html: katex.renderToString(tex, options(display)) };
  } catch (error) {
    answer = { error: String(error.message || error) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
