"""Chapters numbered 1, 2, 3, ... across the book's parts; figures, equations and exercises
numbered within their chapter (Fig. 4.2, Exercise 4.5, equation (4.3)).

Each part of the book is its own numbered toctree (so the sidebar shows the part's caption),
and Sphinx numbers every numbered toctree from 1: Part II would start again at chapter 1, and
two chapters would both have a Fig. 1.1. Once Sphinx has numbered the chapters, this moves each
part's numbers past those of the parts before it, then has Sphinx number the figures, equations
and exercises again from the moved chapter numbers.

This extension takes over that step from Sphinx's toctree collector (whose handler it
disconnects, failing loudly if it cannot find it): Sphinx numbers again after every build,
walking every page, and would compare its restarting numbers with the moved ones, finding every
chapter after Part I changed every time. Here numbering runs only when a page was read or
removed (otherwise the numbers of the last build stand), once, and a page counts as changed only
when its final numbers do.
"""

from __future__ import annotations

import copy
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors.toctree import TocTreeCollector


def _moved(number: Any, offset: int) -> Any:
    # Sphinx stores a section number as a tuple in the environment, as a list on the nodes.
    if not number:
        return number
    return type(number)([number[0] + offset, *number[1:]])


def _move_chapter(env: BuildEnvironment, docname: str, offset: int) -> None:
    secnumbers = env.toc_secnumbers[docname]
    for anchor, number in secnumbers.items():
        secnumbers[anchor] = _moved(number, offset)
    # The numbers the sidebar, the page title and the previous/next links print.
    for reference in env.tocs[docname].findall(nodes.reference):
        reference["secnumber"] = _moved(reference.get("secnumber"), offset)
    title = env.titles.get(docname)
    if title is not None:
        title["secnumber"] = _moved(title.get("secnumber"), offset)


_CHANGED: set[str] = set()


def _forget_last_build(app: Sphinx) -> None:
    # One process can run several builds (sphinx-autobuild): each starts with nothing read.
    _CHANGED.clear()


def _note_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    _CHANGED.update(docnames)


def _note_removed(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    _CHANGED.update(removed)
    return []


def _numbers(env: BuildEnvironment) -> tuple[Any, Any]:
    return copy.deepcopy((env.toc_secnumbers, env.toc_fignumbers))


def _number_the_book(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Number chapters through the parts, then figures; the pages whose numbers changed."""
    last = getattr(env, "calcml_book_numbers", None)
    if last is not None and not _CHANGED:
        return []
    collector = TocTreeCollector()
    collector.assign_section_numbers(env)
    root = env.get_doctree(env.config.root_doc)
    offset = 0
    for toctree in root.findall(addnodes.toctree):
        if not toctree.get("numbered"):
            continue
        chapters = [ref for _, ref in toctree["entries"] if ref in env.toc_secnumbers]
        if offset:
            for docname in chapters:
                _move_chapter(env, docname, offset)
        offset += len(chapters)
    collector.assign_figure_numbers(env)
    env.calcml_book_numbers = now = _numbers(env)
    return sorted(
        docname
        for docname in env.found_docs
        if last is None
        or any(new.get(docname) != old.get(docname) for new, old in zip(now, last, strict=True))
    )


def _take_over_from_sphinx(app: Sphinx) -> None:
    """Disconnect the toctree collector's numbering (this extension numbers instead)."""
    numbering = [
        listener
        for listener in app.events.listeners["env-get-updated"]
        if isinstance(getattr(listener.handler, "__self__", None), TocTreeCollector)
    ]
    if len(numbering) != 1:
        raise RuntimeError(
            "chapter_numbers: Sphinx's toctree collector no longer numbers the pages in an "
            "env-get-updated handler; update this extension"
        )
    app.disconnect(numbering[0].id)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", _forget_last_build)
    _take_over_from_sphinx(app)
    app.connect("env-before-read-docs", _note_read)
    app.connect("env-get-outdated", _note_removed)
    app.connect("env-get-updated", _number_the_book)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
