"""Chromium for the book's checks: which one to start, and the flags it starts with.

Shared by the noxfile (the ``pdf`` and ``browser`` sessions), ``tools/pdf_book.py`` and
``tests_browser/check_book.py``, so that all three start the same browser the same way.
"""

from __future__ import annotations

import shutil

#: Looked for on the PATH in this order. Debian's ``chromium-headless-shell`` comes first: it is
#: Chromium without the browser's own windows and UI, and it read the book a third faster than
#: the full browser in headless mode (ten pages in 38-44 s against 60 s; the same pixels in the
#: PDF).
SYSTEM_CHROMIUMS = ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome")

#: Playwright adds --headless and a fresh user-data dir; these keep Chromium from phoning home.
QUIET_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def system_chromium() -> str | None:
    """The first of ``SYSTEM_CHROMIUMS`` on the PATH, or None when there is none."""
    for name in SYSTEM_CHROMIUMS:
        if found := shutil.which(name):
            return found
    return None
