"""The colour-contrast ledger of check_book.py judges every style of text, on the text that
shows it, once per colour mode.

Run by ``nox -s browser`` before it reads the book (conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from check_book import StyleLedger, axe_findings, contrast_findings
from conftest import Findings, Reader
from playwright.async_api import Page

# #999 on white is 2.8:1 (4.5:1 needed); #888 is 3.5:1, enough for large text only (3:1).
GOOD = "<main><p style='color: #222'>Text anyone can read, and more of it.</p></main>"
FAINT = "<main><p style='color: #999'>Text too faint to read.</p></main>"
# The faint text inside a paragraph whose style was judged already, next to another new style.
FAINT_INSIDE = (
    "<main><p style='color: #222'>Text anyone can read, "
    "<span style='color: #0a0a0a'>a darker part</span>, "
    "<span id='faint' style='color: #999'>and a faint one</span>.</p></main>"
)
LARGE_GREY = "<main><h1 style='color: #888; font-size: 32px'>A large heading</h1></main>"
SMALL_GREY = "<main><p style='color: #888'>Small text in the heading's grey.</p></main>"
PICTURE = (
    "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' width='8' height='8'>"
    "<rect width='8' height='8' fill='%23eee'/></svg>"
)
OVER_PICTURE = (
    f'<main><p style="color: #222">Plain text.</p><div style="background-image: url(&quot;'
    f'{PICTURE}&quot;)"><p style="color: #222">Text over a picture.</p></div></main>'
)


@pytest.fixture
def findings(read_in_order: Reader, axe: Path) -> Findings:
    """The color-contrast findings of each page, judged in order with one ledger; a page named
    "dark ..." is judged as in dark mode, any other as in light mode."""

    async def judge(page: Page, ledger: StyleLedger, name: str) -> list[str]:
        mode = "dark" if name.startswith("dark") else "light"
        found = await contrast_findings(page, axe, ledger, name, mode)
        # The full run leaves the rule to contrast_findings: no finding twice.
        rest = await axe_findings(page, axe, mode)
        assert not any("color-contrast" in line for line in rest)
        return found

    return lambda pages: read_in_order(pages, judge)


def test_text_too_faint_to_read_is_a_serious_violation(findings: Findings) -> None:
    found = findings([("faint", FAINT)])
    assert len(found["faint"]) == 1
    assert found["faint"][0].startswith("serious: color-contrast (light)")


def test_a_style_judged_is_not_judged_again_in_the_same_mode(findings: Findings) -> None:
    found = findings([("first", FAINT), ("second", FAINT), ("dark mode", FAINT)])
    assert len(found["first"]) == 1
    assert found["second"] == []
    assert len(found["dark mode"]) == 1


def test_a_new_style_inside_text_judged_before_is_judged(findings: Findings) -> None:
    found = findings([("good", GOOD), ("faint inside", FAINT_INSIDE)])
    assert found["good"] == []
    assert len(found["faint inside"]) == 1
    assert "#faint" in found["faint inside"][0]


def test_large_text_and_small_text_of_one_colour_are_two_styles(findings: Findings) -> None:
    found = findings([("large", LARGE_GREY), ("small", SMALL_GREY)])
    assert found["large"] == []
    assert len(found["small"]) == 1


def test_text_over_a_picture_is_never_counted_as_judged(read_in_order: Reader, axe: Path) -> None:
    async def judged_after(page: Page, ledger: StyleLedger, name: str) -> list[str]:
        await contrast_findings(page, axe, ledger, name, "light")
        return sorted(ledger.judged["text (light)"])

    judged = read_in_order([("picture", OVER_PICTURE)], judged_after)["picture"]
    assert len(judged) == 1
    assert "url(" not in judged[0]
