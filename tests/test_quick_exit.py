"""A build leaves its objects to the process's end, not to one last garbage collection, and a
second build in the same process starts with them unfrozen (docs/_ext/quick_exit.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXTENSIONS = Path(__file__).resolve().parent.parent / "docs" / "_ext"

# What a handler that runs when each build starts, after quick_exit's, finds frozen.
CONF = f"""
import gc, sys
sys.path.insert(0, {str(EXTENSIONS)!r})
extensions = ["quick_exit"]
def setup(app):
    app.connect("builder-inited", lambda app: print("frozen at start:", gc.get_freeze_count()))
"""
TWO_BUILDS = """
import gc, sys
from sphinx.cmd.build import build_main
for _ in range(2):
    assert build_main(["-q", "-E", "-b", "html", sys.argv[1], sys.argv[2]]) == 0
    print("frozen at end:", gc.get_freeze_count())
"""


def test_objects_are_frozen_when_a_build_ends_and_unfrozen_when_the_next_starts(
    tmp_path: Path,
) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text(CONF)
    (source / "index.rst").write_text("Book\n====\n\nA page.\n")
    done = subprocess.run(
        [sys.executable, "-c", TWO_BUILDS, str(source), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=True,
    )
    counts = [(line.split(":")[0], int(line.split(":")[1])) for line in done.stdout.splitlines()]
    assert [what for what, _ in counts] == ["frozen at start", "frozen at end"] * 2
    assert counts[0][1] == counts[2][1] == 0
    # A build leaves thousands of objects alive (the environment alone).
    assert min(counts[1][1], counts[3][1]) > 10_000
