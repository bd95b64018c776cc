"""Every stylesheet and script a page links names its version, so that a reader's browser
never keeps an old copy (check_book.py's VERSIONED).

Run by ``nox -s browser`` before it reads the book (conftest.py).
"""

from __future__ import annotations

from check_book import StyleLedger, unversioned_files
from conftest import Reader
from playwright.async_api import Page

# A port nothing listens on: the files need not load, only be linked.
SITE = "http://127.0.0.1:9/_static"
STYLESHEETS = [
    "sphinx.css?v=8f2a1f02",
    "theme.css?digest=90905a2f556bf617f1a9",
    "mystnb.11b39860a7a0cbfd473a3ad8a317855267ff0bd372690045ca344a6b62be495e.css",
    "exercise.css",
    "custom.css?version=2",
]
SCRIPTS = ["searchtools.js?v=2cd5ea0d", "searchindex.js"]
HEAD = "".join(f"<link rel='stylesheet' href='{SITE}/{name}'>" for name in STYLESHEETS) + "".join(
    f"<script src='{SITE}/{name}'></script>" for name in SCRIPTS
)


def test_a_file_linked_without_checksum_digest_or_hash_is_a_problem(read_in_order: Reader) -> None:
    async def judge(page: Page, ledger: StyleLedger, name: str) -> list[str]:
        return await unversioned_files(page)

    found = read_in_order([("page", f"<head>{HEAD}</head><main><p>Text.</p></main>")], judge)
    assert found["page"] == [
        f"linked without a version: {SITE}/{name}"
        for name in ["exercise.css", "custom.css?version=2", "searchindex.js"]
    ]
