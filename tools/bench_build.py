"""Time the book's build: clean, no change, one chapter edited; parallel and serial side by side.

    python tools/bench_build.py [--out bench/results/build.md] [--modes parallel serial]

Run it through ``nox -s bench-build``. Each mode builds a fresh copy of the sources (``docs/``,
``examples/``, ``calcml/``) in a temporary folder, exactly as ``nox -s docs`` does (strict and
incremental, docs/_ext/strict_rebuilds.py):

1. clean: no execution cache, no gallery outputs, every chapter and example runs;
2. no change: the same command again;
3. one chapter edited: a code cell appended to ``EDITED``; only that chapter may run again
   (and every page is written again, see strict_rebuilds).

"serial" is the build before chapters and examples ran in parallel (``CALCML_SERIAL=1``).
The modes alternate within one run, so both see the same load on the machine; the table
records the load average too, since the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_reproducible import ROOT, copy_sources

EDITED = "derivatives.md"
EDIT = '\n```{code-cell} ipython3\nprint("an edit made by tools/bench_build.py")\n```\n'


# docs/_ext/parallel_execution.py's report: from the start of the build until every chapter
# and example has run (the examples run meanwhile, and are done before the chapters are read).
EXECUTED = re.compile(r"executed \d+ notebooks in parallel in ([\d.]+) s")


def build(workdir: Path, serial: bool) -> tuple[float, str]:
    """One build as ``nox -s docs`` makes it (its report not silenced by ``-q``, the only
    difference); its wall-clock time in seconds, and the seconds it spent executing ("" when
    nothing ran, or in serial mode, where executing and reading alternate)."""
    html = workdir / "docs" / "_build" / "html"
    env = {**os.environ, "PYTHONPATH": str(workdir), "CALCML_SERIAL": "1" if serial else "0"}
    command = ["sphinx-build", "-b", "html", "-W", "--keep-going"]
    # Serial: one process, as before (Sphinx's parallel reading would execute two chapters
    # at once by itself).
    command += [] if serial else ["--jobs=auto"]
    command += ["-d", str(workdir / "docs" / "_build" / "doctrees"), "docs", str(html)]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    with (workdir / "build.log").open("a") as log:
        log.write(done.stdout + done.stderr)
    done.check_returncode()
    executing = EXECUTED.search(done.stdout)
    return seconds, "" if executing is None else f"{float(executing[1]):.0f}"


def executed_since(workdir: Path, moment: datetime) -> int:
    """How many notebooks the build stored in the execution cache after ``moment``."""
    from jupyter_cache import get_cache

    count = 0
    for folder in (workdir / ".cache" / "jupyter-cache").iterdir():
        for record in get_cache(folder).list_cache_records():
            created = record.created
            if created.tzinfo is None:
                created = created.replace(tzinfo=UTC)
            count += created > moment
    return count


def run_mode(scratch: Path, mode: str) -> dict[str, str]:
    """The three builds of one mode; their times, and what the edit re-executed."""
    workdir = scratch / mode
    # Every mode builds the same snapshot of the sources, taken when the run started.
    copy_sources(workdir, scratch / "sources")
    serial = mode == "serial"
    row = {"mode": mode, "load": f"{os.getloadavg()[0]:.1f}"}
    seconds, executing = build(workdir, serial)
    row["clean"], row["clean: executing"] = f"{seconds:.0f}", executing
    row["no change"] = f"{build(workdir, serial)[0]:.1f}"
    chapter = workdir / "docs" / EDITED
    chapter.write_text(chapter.read_text() + EDIT)
    moment = datetime.now(UTC)
    row["one chapter edited"] = f"{build(workdir, serial)[0]:.1f}"
    row["notebooks re-run by the edit"] = str(executed_since(workdir, moment))
    print(row, flush=True)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "build.md")
    parser.add_argument("--modes", nargs="+", default=["parallel", "serial"])
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="calcml-bench-build-"))
    copy_sources(scratch / "sources")
    try:
        rows = [run_mode(scratch, mode) for mode in args.modes]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    columns = list(rows[0])
    table = "\n".join(
        "| " + " | ".join(row) + " |"
        for row in [columns, ["---"] * len(columns), *[[r[c] for c in columns] for r in rows]]
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        "# Building the book\n\n"
        "Seconds of wall-clock time for `nox -s docs`'s build command (strict, incremental), "
        "in a fresh copy of the sources: a clean build (every chapter and example "
        "runs), the same build again with no change, and a build after appending a code cell "
        f"to {EDITED}. *clean: executing* is the part of the clean build spent running the "
        "chapters and examples (until the last of them is done; not measured in serial mode, "
        "where running and reading alternate). *serial* runs chapters and examples one after "
        "another and reads and writes the pages in one process (as before), "
        "*parallel* one process per core. *load* is the machine's 1-minute load average when "
        "the mode started (the machine is shared: compare the modes within one table).\n\n"
        f"{table}\n\n"
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; command: "
        "`nox -s bench-build`.\n"
    )
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
