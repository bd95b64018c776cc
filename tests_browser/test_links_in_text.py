"""The link-in-text-block ledger of check_book.py judges every style of link in running text.

Run by ``nox -s browser`` before it reads the book (conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from check_book import StyleLedger, axe_findings, link_findings
from conftest import Findings, Reader
from playwright.async_api import Page

# A link set apart from the text around it by colour alone, and too little of it (contrast
# 2.1:1, where 3:1 is needed): a violation wherever it sits in running text. On a line of its
# own it is not in running text for axe, though its paragraph has plenty of text (so the
# check's own quick test hands it to axe); in a menu, or as most of its paragraph, it fails
# that quick test.
STYLE = "<style>body { color: #222; } a { color: #555; text-decoration: none; }</style>"
ALONE = (
    f"{STYLE}<main><p>A long line of running text before a line break<br>"
    "<a href='#a'>a link on a line of its own</a></p></main>"
)
MENU = f"{STYLE}<nav><ul><li><a href='#m'>a menu entry</a></li></ul></nav>"
MOSTLY = f"{STYLE}<main><p><a href='#a'>a link that is most of the paragraph</a>, and</p></main>"
# In running text for axe by a few characters: more text outside the link than in it.
BARELY = f"{STYLE}<main><p>Text around a <a href='#c'>short link</a>.</p></main>"
IN_TEXT = f"{STYLE}<main><p>Running text, <a href='#b'>a link</a>, and more of it.</p></main>"
UNDERLINED = IN_TEXT.replace("text-decoration: none", "text-decoration: underline")


@pytest.fixture
def findings(read_in_order: Reader, axe: Path) -> Findings:
    """The link-in-text-block findings of each page, judged in order with one ledger."""

    async def judge(page: Page, ledger: StyleLedger, name: str) -> list[str]:
        found = await link_findings(page, ledger, name)
        # The full run leaves the rule to link_findings: no finding twice.
        rest = await axe_findings(page, axe, "light")
        assert not any("link-in-text-block" in line for line in rest)
        return found

    return lambda pages: read_in_order(pages, judge)


@pytest.mark.parametrize("html", [IN_TEXT, BARELY], ids=["in-text", "barely-in-text"])
def test_a_link_that_only_its_colour_could_set_apart_is_a_serious_violation(
    findings: Findings, html: str
) -> None:
    found = findings([("text", html)])
    assert len(found["text"]) == 1
    assert found["text"][0].startswith("serious: link-in-text-block (light)")


def test_a_style_seen_outside_running_text_is_still_judged_inside_it(findings: Findings) -> None:
    # Same key (same styles of link and paragraph), but the first link is not in running
    # text: axe had nothing to judge there, so the second page must be judged.
    found = findings([("alone", ALONE), ("text", IN_TEXT)])
    assert found["alone"] == []
    assert len(found["text"]) == 1


@pytest.mark.parametrize("html", [MENU, MOSTLY], ids=["menu", "mostly-link"])
def test_a_link_out_of_running_text_decides_nothing_for_running_text(
    findings: Findings, html: str
) -> None:
    found = findings([("out", html), ("text", IN_TEXT)])
    assert found["out"] == []
    assert len(found["text"]) == 1


def test_a_style_judged_in_running_text_is_not_judged_again(findings: Findings) -> None:
    found = findings([("first", IN_TEXT), ("second", IN_TEXT)])
    assert len(found["first"]) == 1
    assert found["second"] == []


def test_an_underlined_link_passes_and_a_different_style_is_judged_afresh(
    findings: Findings,
) -> None:
    found = findings([("underlined", UNDERLINED), ("plain", IN_TEXT)])
    assert found["underlined"] == []
    assert len(found["plain"]) == 1
