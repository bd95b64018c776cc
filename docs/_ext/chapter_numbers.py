"""Chapters numbered 1, 2, 3, ... across the book's parts; figures, equations and exercises
numbered within their chapter (Fig. 4.2, Exercise 4.5, equation (4.3)).

Each part of the book is its own numbered toctree (so the sidebar shows the part's caption),
and Sphinx numbers every numbered toctree from 1: Part II would start again at chapter 1, and
two chapters would both have a Fig. 1.1. Once Sphinx has numbered the chapters, this moves each
part's numbers past those of the parts before it, then has Sphinx number the figures, equations
and exercises again from the moved chapter numbers.
"""

from __future__ import annotations

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


def _continue_numbering(app: Sphinx, env: BuildEnvironment) -> list[str]:
    root = env.get_doctree(env.config.root_doc)
    offset = 0
    moved: list[str] = []
    for toctree in root.findall(addnodes.toctree):
        if not toctree.get("numbered"):
            continue
        chapters = [ref for _, ref in toctree["entries"] if ref in env.toc_secnumbers]
        if offset:
            for docname in chapters:
                _move_chapter(env, docname, offset)
            moved += chapters
        offset += len(chapters)
    if not moved:
        return []
    return moved + TocTreeCollector().assign_figure_numbers(env)


def setup(app: Sphinx) -> dict[str, Any]:
    # After Sphinx's own toctree collector (priority 500) has numbered sections and figures.
    app.connect("env-get-updated", _continue_numbering, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
