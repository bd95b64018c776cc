"""Every stylesheet a page links names its version, so that a reader's browser never keeps an
old copy (check_book.py's VERSIONED).

Run by ``nox -s browser`` before it reads the book (conftest.py).
"""

from __future__ import annotations

from check_book import StyleLedger, unversioned_stylesheets
from conftest import Reader
from playwright.async_api import Page

SITE = "http://127.0.0.1:9/_static"
LINKS = "".join(
    f"<link rel='stylesheet' href='{SITE}/{name}'>"
    for name in [
        "sphinx.css?v=8f2a1f02",
        "theme.css?digest=90905a2f556bf617f1a9",
        "mystnb.11b39860a7a0cbfd473a3ad8a317855267ff0bd372690045ca344a6b62be495e.css",
        "exercise.css",
        "custom.css?version=2",
    ]
)


def test_a_stylesheet_without_checksum_digest_or_hash_is_a_problem(
    read_in_order: Reader,
) -> None:
    async def judge(page: Page, ledger: StyleLedger, name: str) -> list[str]:
        return await unversioned_stylesheets(page)

    found = read_in_order([("page", f"<head>{LINKS}</head><main><p>Text.</p></main>")], judge)
    assert found["page"] == [
        f"stylesheet without a version: {SITE}/exercise.css",
        f"stylesheet without a version: {SITE}/custom.css?version=2",
    ]
