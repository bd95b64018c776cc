"""Run the chapters' code on every core before Sphinx reads them.

myst-nb executes a notebook when Sphinx reads its page, one page after another on one core.
Here, as soon as the builder starts, every chapter whose outputs are not yet in the
jupyter-cache is executed in a pool of processes, one per core, while sphinx-gallery runs the
examples (also in parallel, its ``parallel`` option). Before Sphinx reads the first page the
results are stored in the cache, exactly as myst-nb would have stored them (same reader, same
execution function, same cache record); myst-nb then finds every page in the cache.

On Linux each kernel is a fork of one process that has already imported ipykernel, numpy and
pyplot (``forked_kernels.py``), instead of a new Python that imports them again: about 1.3 s of
CPU less per chapter. A notebook that fails here is not stored: myst-nb runs it again itself,
in a kernel of its own, while reading the page, and reports the failing cell with its
traceback as it always has. Nothing else changes:
the cache stays the single source of outputs, keyed on the cells (and, through its folder, on
calcml's sources, see conf.py).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import nbformat
from forked_kernels import KernelForks, available, kernel_manager
from sphinx.application import Sphinx
from sphinx.environment import CONFIG_OK, BuildEnvironment, _has_doc_changed
from sphinx.project import EXCLUDE_PATHS
from sphinx.util import logging
from sphinx.util.matching import get_matching_files

logger = logging.getLogger(__name__)

NOTEBOOK_SUFFIXES = (".md", ".ipynb")

# A kernel that has run a chapter still holds all the chapter made, and when it exits Python
# collects garbage once more, walking all of it: 0.7 s of gradient-descent's 0.8 s shutdown,
# spent while its worker waits. Frozen at exit instead (as the build's own process is, see
# quick_exit.py), the kernel ends at once. An expression, so that it adds no name to the
# chapter's namespace, and one that is None, so that it displays nothing.
KERNEL_ARGUMENTS = [
    "--IPKernelApp.exec_lines=__import__('atexit').register(__import__('gc').freeze) and None"
]


def _execute(
    notebook_json: str, cwd: str, timeout: int, kernel_dirs: list[str] | None
) -> tuple[str, float, str | None]:
    """Execute one notebook (in a worker process); return it, its run time and any error.

    With ``kernel_dirs`` (``KernelForks.kernel_dirs``), its kernel is forked by the zygote.
    """
    from jupyter_cache.executors.utils import single_nb_execution

    notebook = nbformat.reads(notebook_json, as_version=4)
    forked = {} if kernel_dirs is None else {"kernel_manager_class": kernel_manager(kernel_dirs)}
    try:
        result = single_nb_execution(
            notebook,
            cwd=cwd,
            allow_errors=False,
            timeout=timeout,
            meta_override=True,
            extra_arguments=KERNEL_ARGUMENTS,
            **forked,
        )
    except Exception as failure:
        # A kernel that never started (nbclient raises): reported like a failing cell, so that
        # myst-nb runs the notebook again, in a kernel of its own, instead of the build crashing.
        return notebook_json, 0.0, f"{type(failure).__name__}: {failure}"
    error = None if result.err is None else f"{type(result.err).__name__}: {result.err}"
    return nbformat.writes(notebook), result.time, error


class _Pending:
    """The notebooks being executed for this build, with what is needed to cache them."""

    def __init__(self) -> None:
        self.pool: ProcessPoolExecutor | None = None
        self.forks: KernelForks | None = None
        self.jobs: list[tuple[Path, Any, Any, Future[tuple[str, float, str | None]]]] = []
        self.started = 0.0

    def close(self, *, cancel: bool) -> None:
        """Shut the pool down (cancelling the notebooks not started, if ``cancel``), then the
        zygote: a running notebook's kernel is forked from it."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=cancel)
        if self.forks is not None:
            self.forks.close()
        self.pool, self.forks, self.jobs = None, None, []


_PENDING = _Pending()


def _notebooks(app: Sphinx) -> list[Path]:
    """The book's pages that myst-nb reads as notebooks (by suffix; the reader decides)."""
    config = app.config
    excluded = [*config.exclude_patterns, *config.templates_path, *EXCLUDE_PATHS]
    srcdir = Path(app.srcdir)
    return [
        srcdir / name
        for name in sorted(get_matching_files(srcdir, config.include_patterns, excluded))
        if name.endswith(NOTEBOOK_SUFFIXES)
    ]


def _will_be_read(env: BuildEnvironment, path: Path) -> bool:
    """Whether Sphinx reads this page in this build, by its own test on its own records.

    A page that is not read needs no outputs: an incremental build with nothing changed
    opens no notebook at all.
    """
    docname = env.path2doc(str(path))
    if env.config_status != CONFIG_OK or docname is None or docname not in env.all_docs:
        return True
    return _has_doc_changed(
        docname,
        filename=path,
        reread_always=env.reread_always,
        doctreedir=Path(env.doctreedir),
        all_docs=env.all_docs,
        dependencies=env.dependencies,
    )


def start(app: Sphinx) -> None:
    """Find the notebooks missing from the cache and start executing them."""
    from jupyter_cache import get_cache
    from myst_nb.core.read import create_nb_reader

    env: BuildEnvironment = app.env
    nb_config = env.mystnb_config
    if nb_config.execution_mode != "cache" or not nb_config.execution_cache_path:
        return
    # Created here, once, so that no two processes race to create its database.
    cache = get_cache(nb_config.execution_cache_path)
    todo = []
    for path in _notebooks(app):
        if not _will_be_read(env, path):
            continue
        text = path.read_text(encoding="utf-8")
        reader = create_nb_reader(str(path), env.myst_config, nb_config, text)
        if reader is None:
            continue
        notebook = reader.read(text)
        if nb_config.metadata_key in notebook.metadata:
            continue  # a page with its own execution settings: myst-nb runs it itself
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            todo.append((path, reader, notebook))
    if not todo:
        return
    workers = min(len(todo), os.cpu_count() or 1)
    logger.info(f"executing {len(todo)} notebooks in {workers} processes")
    _PENDING.started = time.perf_counter()
    # One kernel gains nothing: the zygote imports what that kernel would have.
    _PENDING.forks = KernelForks() if available() and len(todo) > 1 else None
    kernel_dirs = None if _PENDING.forks is None else _PENDING.forks.kernel_dirs
    _PENDING.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    # Longest first (by size of the source, a fair proxy), so no core idles at the end.
    todo.sort(key=lambda job: -job[0].stat().st_size)
    for path, reader, notebook in todo:
        future = _PENDING.pool.submit(
            _execute,
            nbformat.writes(notebook),
            str(path.parent),
            nb_config.execution_timeout,
            kernel_dirs,
        )
        _PENDING.jobs.append((path, reader, notebook, future))


def collect(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Wait for the executions and store each result in the cache, as myst-nb would."""
    if _PENDING.pool is None:
        return
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(env.mystnb_config.execution_cache_path)
    failed = []
    for path, reader, _notebook, future in _PENDING.jobs:
        executed_json, seconds, error = future.result()
        if error is not None:
            failed.append(path.name)
            continue
        record = cache.add_nb_to_project(str(path), read_data=reader.read_fmt)
        cache.cache_notebook_bundle(
            CacheBundleIn(
                nbformat.reads(executed_json, as_version=4),
                record.uri,
                data={"execution_seconds": seconds},
            ),
            check_validity=False,
            overwrite=True,
        )
    elapsed = time.perf_counter() - _PENDING.started
    logger.info(f"executed {len(_PENDING.jobs)} notebooks in parallel in {elapsed:.1f} s")
    if _PENDING.forks is not None and (code := _PENDING.forks.failed()) is not None:
        # Its notebooks failed, and myst-nb runs them again, correctly but slowly: a build
        # that says so fails.
        logger.warning(
            f"the process that forks the chapters' kernels ended with code {code} (its error "
            "is printed above); myst-nb runs the chapters it could not in kernels of their own"
        )
    if failed:
        # myst-nb runs these again while reading and fails the build with the traceback.
        logger.info(f"failed in parallel, to be run again by myst-nb: {', '.join(failed)}")
    _PENDING.close(cancel=False)


def stop(app: Sphinx, exception: Exception | None) -> None:
    """When the build fails before ``collect`` (an example raising, say), stop the pool.

    Notebooks not yet started are cancelled; the running ones (one per core at most) are left
    to finish, so that their kernels shut down with them instead of outliving the build.
    """
    _PENDING.close(cancel=True)


def setup(app: Sphinx) -> dict[str, Any]:
    # After myst-nb's own builder-inited handlers (same priority, registered earlier: list
    # this extension after myst_nb) and before sphinx-gallery's, so that the chapters run
    # while the gallery's examples do.
    app.connect("builder-inited", start)
    app.connect("env-before-read-docs", collect, priority=100)
    app.connect("build-finished", stop)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
