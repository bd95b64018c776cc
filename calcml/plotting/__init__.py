"""The book's figures: one visual language, readable in light and dark mode."""

from calcml.plotting.style import PALETTE, use_book_style

__all__ = ["PALETTE", "use_book_style"]
