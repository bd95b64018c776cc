"""Fail when a chapter's formula uses a symbol the notation page reserves for something else.

    python tools/check_notation.py docs

``docs/notation.md`` is the law of the book: one symbol, one meaning, one orientation of every
matrix. Most of it needs a reader to enforce, but a few conventions break in ways a pattern
recognises without false alarms, and those are checked here, in the formulas of every chapter
(``$...$``, ``$$...$$`` and ``{math}`` blocks) and, for the weight matrix, in its code cells:

- a layer is ``z = W x + b`` with ``W`` (outputs x inputs): no ``W^T x`` or ``W^T h`` in a
  forward pass, no ``X W`` without the transpose, and no ``X @ W`` without ``.T`` in code;
- the residual is prediction minus target: no ``y - \\hat y`` and no ``y - X theta``;
- the design matrix is ``X``: no ``A`` in a formula that also holds the targets ``y``;
- ``m`` counts the outputs of a function, never the examples of a mini-batch ``B``;
- ``delta`` is the gradient with respect to a pre-activation ``z``, never an activation ``h``.

A match that must stay goes in ``ALLOWED`` with the reason; an entry that no longer matches
anything is printed as stale, so the list is pruned when its reason goes. What the patterns cannot
see (a symbol's meaning in prose, the layout of a Jacobian) is kept by review against the
notation page.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

FENCE = "```"
TRANSPOSE = r"\^\{?\s*\\(?:mathsf\s*\{?\s*T\s*\}?|top|intercal)\s*\}?|\^\{?\s*T\s*\}?"
BOLD = r"\\(?:mathbf|boldsymbol)"
SUBSCRIPT = r"(?:_\{?[\w\\]+\}?)?"


@dataclass(frozen=True)
class Rule:
    """A reserved symbol used against its meaning, recognised by a pattern."""

    name: str
    where: str  # "math": inside a formula; "code": a line of a code cell
    pattern: re.Pattern[str]
    message: str


RULES = [
    Rule(
        "weight-orientation",
        "math",
        re.compile(rf"{BOLD}\{{W\}}{SUBSCRIPT}\s*(?:{TRANSPOSE})\s*{BOLD}\{{[xh]\}}"),
        "a forward pass is W x + b with W (outputs x inputs); W^T x is the transposed layout",
    ),
    Rule(
        "weight-orientation",
        "math",
        re.compile(
            rf"{BOLD}\{{[XH]\}}{SUBSCRIPT}\s*{BOLD}\{{W\}}{SUBSCRIPT}(?!_)(?!\s*(?:{TRANSPOSE}))"
        ),
        "a batch is Z = X W^T + 1 b^T (examples as rows); X W is the transposed layout",
    ),
    Rule(
        "weight-orientation",
        "code",
        re.compile(r"\b[XH]\w* @ W\w*\b(?!\.T\b)"),
        "a batch is X @ W.T + b with W of shape (n_out, n_in)",
    ),
    Rule(
        "residual",
        "math",
        re.compile(r"(?<![\\\w{])y(?:_\{?\w+\}?)?\s*-\s*\\hat\{?\s*y"),
        "the residual is prediction minus target, hat y - y",
    ),
    Rule(
        "residual",
        "math",
        re.compile(rf"{BOLD}\{{y\}}\s*-\s*(?:\\hat\{{{BOLD}\{{y\}}\}}|{BOLD}\{{X\}})"),
        "the residual is prediction minus target, hat y - y (or X theta - y)",
    ),
    Rule(
        "design-matrix",
        "math",
        re.compile(
            rf"{BOLD}\{{A\}}(?=.*{BOLD}\{{y\}})|{BOLD}\{{y\}}(?=.*{BOLD}\{{A\}})", re.DOTALL
        ),
        "the design matrix (one example per row, beside the targets y) is X, never A",
    ),
    Rule(
        "m-is-outputs",
        "math",
        re.compile(
            r"\\frac\{?1\}?\{?m\}?(?=.*\\in\s*B\b)|\|B\|\s*=\s*m\b|\bm\s*=\s*\|B\|", re.DOTALL
        ),
        "m counts the outputs of a function; a mini-batch B has the size |B|",
    ),
    Rule(
        "delta-is-pre-activation",
        "math",
        re.compile(
            r"\\delta\}?(?:_\{?[\w\\-]+\}?)?\s*=\s*(?:\\nabla_\{?\s*"
            rf"{BOLD}\{{[ha]\}}|\\frac\{{\\partial L\}}\{{\\partial\s*{BOLD}\{{[ha]\}})"
        ),
        "delta is dL/dz, the gradient with respect to the pre-activation z, not the activation",
    ),
]

# (chapter, rule name, text inside the match, why it stays). An entry that no longer matches
# anything is reported, without failing: the fix may land from another branch first.
ALLOWED: list[tuple[str, str, str, str]] = []


@dataclass(frozen=True)
class Finding:
    chapter: str
    line: int
    rule: Rule
    text: str

    def __str__(self) -> str:
        return f"{self.chapter}:{self.line}: [{self.rule.name}] {self.rule.message}: {self.text!r}"


def _blank(text: str, start: int, end: int) -> str:
    """``text`` with ``[start, end)`` replaced by spaces, newlines kept for line numbers."""
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def segments(chapter: Path) -> Iterator[tuple[str, int, str]]:
    """The chapter cut into ("math" | "code", first line number, text) pieces."""
    lines = chapter.read_text(encoding="utf-8").splitlines(keepends=True)
    prose: list[str] = []  # every line, with the lines of fenced blocks blanked
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if stripped.startswith((FENCE + "{math}", FENCE + "{code-cell}")) or re.match(
            r"^`{3,}[\w-]+\s*$", stripped
        ):
            kind = "math" if "{math}" in stripped else "code"
            prose.append("\n")
            body_start = index + 1
            if lines[body_start].strip() == "---":  # a cell's YAML header: captions, alt text
                header_end = lines.index("---\n", body_start + 1)
                prose.extend(["\n", *lines[body_start + 1 : header_end], "\n"])
                body_start = header_end + 1
            end = body_start
            while end < len(lines) and not lines[end].strip().startswith(FENCE):
                end += 1
            # A directive's options (":label: ...", ":tags: ...") are not formulas or code.
            body = [text if not text.startswith(":") else "\n" for text in lines[body_start:end]]
            yield kind, body_start + 1, "".join(body)
            prose.extend("\n" for _ in lines[body_start : end + 1])
            index = end + 1
            continue
        prose.append(line)
        index += 1
    text = "".join(prose)
    # Inline code and roles such as {eq}`label` hold no formulas.
    for match in re.finditer(r"`[^`\n]*`", text):
        text = _blank(text, match.start(), match.end())
    for pattern in (r"\$\$(.+?)\$\$", r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$"):
        for match in re.finditer(pattern, text, re.DOTALL):
            yield "math", text.count("\n", 0, match.start(1)) + 1, match.group(1)
            text = _blank(text, match.start(), match.end())


def check(chapter: Path) -> list[Finding]:
    """Every use of a reserved symbol against its meaning in one chapter."""
    findings = []
    for kind, first_line, text in segments(chapter):
        for rule in RULES:
            if rule.where != kind:
                continue
            for match in rule.pattern.finditer(text):
                line = first_line + text.count("\n", 0, match.start())
                findings.append(Finding(chapter.name, line, rule, match.group(0)))
    return findings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docs", type=Path, help="the folder of the book's chapters")
    args = parser.parse_args()
    findings = sorted(
        (
            finding
            for chapter in sorted(args.docs.glob("*.md"))
            if chapter.name != "notation.md"  # the page that states the rules quotes them
            for finding in check(chapter)
        ),
        key=lambda finding: (finding.chapter, finding.line),
    )
    used = set()
    problems = []
    for finding in findings:
        allowed = [
            entry
            for entry in ALLOWED
            if entry[:2] == (finding.chapter, finding.rule.name) and entry[2] in finding.text
        ]
        used.update(allowed)
        if not allowed:
            problems.append(str(finding))
    problems += [f"ALLOWED entry {entry} gives no reason" for entry in ALLOWED if not entry[3]]
    for chapter, rule, text, _ in ALLOWED:
        if (chapter, rule) not in {(entry[0], entry[1]) for entry in used}:
            print(f"note: {chapter}: [{rule}] {text!r} no longer occurs; delete its ALLOWED entry")
    print("\n".join(problems) or "Every formula follows the notation page's reserved symbols.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
