"""Files published beside the pages are the same on every build
(docs/_ext/reproducible_downloads.py)."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "docs" / "_ext"))

from reproducible_downloads import _sorted_sitemap

PAGES = ["index.html", "api/autodiff.html", "gradient.html", "chain-rule.html"]


def _sitemap_as_written(pages: tuple[str, ...]) -> bytes:
    """A sitemap the way sphinx-sitemap writes it: one line, pages in the order given."""
    urls = "".join(f"<url><loc>https://example.org/{page}</loc></url>" for page in pages)
    return (
        "<?xml version='1.0' encoding='utf-8'?>\n"
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()


def _sort(tmp_path: Path, written: bytes) -> bytes:
    (tmp_path / "sitemap.xml").write_bytes(written)
    app = SimpleNamespace(
        outdir=str(tmp_path),
        config=SimpleNamespace(sitemap_filename="sitemap.xml"),
        builder=SimpleNamespace(format="html"),
    )
    _sorted_sitemap(app, None)  # type: ignore[arg-type]
    return (tmp_path / "sitemap.xml").read_bytes()


def test_the_sitemap_is_the_same_whatever_order_the_pages_were_written_in(
    tmp_path: Path,
) -> None:
    results = {
        _sort(tmp_path, _sitemap_as_written(order)) for order in itertools.permutations(PAGES)
    }
    assert results == {_sitemap_as_written(tuple(sorted(PAGES)))}


def test_a_build_that_wrote_no_sitemap_is_left_alone(tmp_path: Path) -> None:
    app = SimpleNamespace(
        outdir=str(tmp_path),
        config=SimpleNamespace(sitemap_filename="sitemap.xml"),
        builder=SimpleNamespace(format="html"),
    )
    _sorted_sitemap(app, None)  # type: ignore[arg-type]
    assert not (tmp_path / "sitemap.xml").exists()
