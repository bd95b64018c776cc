"""What the tests of check_book.py share: small pages read in order, with one ledger, in the
browser and with the axe-core that ``nox -s browser`` uses (CALCML_TEST_CHROMIUM,
CALCML_TEST_AXE). Without them the tests are skipped."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from check_book import CHROMIUM_ARGS, StyleLedger
from playwright.async_api import Browser, Page, async_playwright

AXE = Path(os.environ.get("CALCML_TEST_AXE", "/nonexistent"))
CHROMIUM = os.environ.get("CALCML_TEST_CHROMIUM")

#: Judges one page (the page, the ledger shared by all, the page's name); returns findings.
Judge = Callable[[Page, StyleLedger, str], Awaitable[list[str]]]
Reader = Callable[[list[tuple[str, str]], Judge], dict[str, list[str]]]
#: Each page's findings, pages (name, HTML) read in order.
Findings = Callable[[list[tuple[str, str]]], dict[str, list[str]]]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if not AXE.is_file() or CHROMIUM is None:
        skip = pytest.mark.skip(
            reason="needs CALCML_TEST_AXE and CALCML_TEST_CHROMIUM (nox -s browser sets them)"
        )
        for item in items:
            item.add_marker(skip)


@pytest.fixture
def axe() -> Path:
    """axe-core's script."""
    return AXE


@pytest.fixture(scope="session")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """One event loop for every test, so that they share one browser."""
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def browser(loop: asyncio.AbstractEventLoop) -> Iterator[Browser]:
    """The browser, launched once: every launch costs the machine a second or more."""
    playwright = loop.run_until_complete(async_playwright().start())
    browser = loop.run_until_complete(
        playwright.chromium.launch(executable_path=CHROMIUM or None, args=CHROMIUM_ARGS)
    )
    yield browser
    loop.run_until_complete(browser.close())
    loop.run_until_complete(playwright.stop())


@pytest.fixture
def read_in_order(loop: asyncio.AbstractEventLoop, browser: Browser) -> Reader:
    """A function that reads pages (name, HTML) in order, in a page of their own, with axe
    loaded and one ledger, and returns each page's findings by ``judge``."""

    def read(pages: list[tuple[str, str]], judge: Judge) -> dict[str, list[str]]:
        async def run() -> dict[str, list[str]]:
            ledger = StyleLedger()
            found = {}
            page = await browser.new_page()
            for name, html in pages:
                await page.set_content(html)
                await page.add_script_tag(path=str(AXE))
                found[name] = await judge(page, ledger, name)
            await page.close()
            return found

        return loop.run_until_complete(run())

    return read
