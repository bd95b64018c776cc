"""Write a benchmark's table with the facts that make it interpretable.

Every results file states the machine, the date and the command that produced it, so
that a page including it never passes off an old or foreign measurement as current.
"""

from __future__ import annotations

import datetime
import os
import platform
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def _versions(packages: Sequence[str]) -> str:
    found = []
    for name in packages:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Render ``rows`` under ``header`` as a GitHub-flavoured markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_report(
    name: str,
    title: str,
    table: str,
    *,
    command: str,
    packages: Sequence[str] = ("numpy",),
    notes: str = "",
) -> Path:
    """Write ``bench/results/<name>.md`` and print it.

    The file is MyST/markdown so the book can ``{include}`` it as it is.
    """
    RESULTS.mkdir(exist_ok=True)
    today = datetime.date.today().isoformat()
    machine = (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}"
    )
    body = (
        f"{table}\n\n"
        f"*Measured on {today} on {machine} with {_versions(packages)}, by "
        f"`{command}`.*\n"
    )
    if notes:
        body += f"\n{notes}\n"
    path = RESULTS / f"{name}.md"
    path.write_text(body)
    print(f"# {title}\n\n{body}")
    print(f"written to {path}")
    return path
