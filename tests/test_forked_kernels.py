"""A chapter's kernel forked from the build's zygote is the kernel a fresh process would be
(docs/_ext/forked_kernels.py): same state when the first cell runs, its own random seeds, and
the signals and exits jupyter_client relies on."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("ipykernel")
nbclient = pytest.importorskip("nbclient")
from jupyter_client.manager import KernelManager  # noqa: E402
from nbformat.v4 import new_code_cell, new_notebook  # noqa: E402

EXTENSIONS = Path(__file__).resolve().parent.parent / "docs" / "_ext"
sys.path.insert(0, str(EXTENSIONS))
import forked_kernels  # noqa: E402

pytestmark = pytest.mark.skipif(
    not forked_kernels.available(), reason="kernels are forked on Linux only"
)

# What a chapter's code could observe of the process it runs in, when its first cell runs. It
# imports pyplot, as every chapter does: a chapter that does not finds it in sys.modules all the
# same, imported (in the zygote) with the environment it would have been imported with.
PROBE = r"""
import json, locale, os, signal, sys, threading, warnings, random
import numpy as np, matplotlib, matplotlib.pyplot
ip = get_ipython()
print(json.dumps({
    "modules": sorted(set(sys.modules) - {"forked_kernels"}),  # the zygote's own code
    "path": sys.path,
    # Less the connection file, and the parent's pid that a fork is handed as an option.
    "argv": [os.path.basename(sys.argv[0])]
    + [a for a in sys.argv[1:] if not a.endswith(".json") and "parent_handle" not in a],
    "cwd": os.getcwd(),
    "env": {k: v for k, v in os.environ.items() if k != "JPY_PARENT_PID"},
    "threads": sorted(type(t).__name__ for t in threading.enumerate()),
    "signals": {s.name: str(signal.getsignal(s)) for s in signal.Signals},
    "warnings": sorted(map(str, warnings.filters)),
    "rc": {k: str(v) for k, v in matplotlib.rcParams.items()},
    "backend": matplotlib.get_backend(),
    "flags": str(sys.flags),
    "config": sorted(ip.config),
    "main": __name__,
    "history": str(ip.history_manager.hist_file),
    "own_session": os.getsid(0) == os.getpgid(0),
    "umask": os.umask(0o22),
    "locale": locale.setlocale(locale.LC_ALL),
    "seeds": [random.random(), np.random.random()],
}))
"""


@pytest.fixture(scope="module")
def forks() -> Iterator[forked_kernels.KernelForks]:
    zygote = forked_kernels.KernelForks()
    yield zygote
    zygote.close()


def probe(tmp_path: Path, **client: Any) -> dict[str, Any]:
    notebook = new_notebook(cells=[new_code_cell(PROBE)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbclient.NotebookClient(
        notebook, timeout=60, resources={"metadata": {"path": str(tmp_path)}}, **client
    ).execute()
    return dict(json.loads(notebook.cells[0].outputs[0]["text"]))


@pytest.mark.parametrize("backend", [None, "Agg"])
def test_a_forked_kernel_starts_as_a_fresh_one_does_with_seeds_of_its_own(
    backend: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With no backend named, as a build runs, ipykernel's own; the tests name Agg.
    if backend is None:
        monkeypatch.delenv("MPLBACKEND", raising=False)
    else:
        monkeypatch.setenv("MPLBACKEND", backend)
    forks = forked_kernels.KernelForks()
    forked = {"kernel_manager_class": forked_kernels.kernel_manager(forks.kernel_dirs)}
    try:
        fresh = probe(tmp_path)
        first, second = probe(tmp_path, **forked), probe(tmp_path, **forked)
    finally:
        forks.close()
    seeds = [state.pop("seeds") for state in (fresh, first, second)]
    # (Warnings filters compare as a set: those numpy adds on import come after ipykernel's,
    # and none of them matches what another does.)
    for key in fresh:
        assert first[key] == fresh[key], key
    assert first["backend"] == (backend or forked_kernels.INLINE_BACKEND)
    assert "ParentPollerUnix" in first["threads"]  # it watches for its parent to go
    assert seeds[1][0] != seeds[2][0]  # the random module's
    assert seeds[1][1] != seeds[2][1]  # numpy's


@pytest.fixture
def kernel(forks: forked_kernels.KernelForks) -> Iterator[tuple[KernelManager, Any, int]]:
    """A forked kernel, its client, and its process id."""
    manager = forked_kernels.kernel_manager(forks.kernel_dirs)(kernel_name="python3")
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=30)
    pid = int(run(client, "import os; print(os.getpid())"))
    yield manager, client, pid
    client.stop_channels()
    if manager.is_alive():
        manager.shutdown_kernel(now=True)
    manager.cleanup_resources()
    manager.context.destroy()


def run(client: Any, code: str, timeout: float = 30) -> str:
    """What ``code`` printed, or the name of the error it raised."""
    out: list[str] = []

    def keep(message: dict[str, Any]) -> None:
        content = message["content"]
        out.append(content.get("text", "") or content.get("ename", ""))

    client.execute_interactive(code, timeout=timeout, output_hook=keep)
    return "".join(out)


def first_line_of(script: str) -> str:
    """The first line that a Python ``script`` prints, once it has exited.

    Not its whole output: what it leaves running holds its standard streams open.
    """
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as process:
        assert process.stdout is not None
        line = process.stdout.readline()
        process.wait(timeout=60)
    return line


def gone(pid: int, within: float = 10) -> bool:
    """Whether process ``pid`` ends within ``within`` seconds (a zombie has ended)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


def test_an_interrupt_reaches_the_kernel_and_its_exit_code_the_manager(
    kernel: tuple[KernelManager, Any, int],
) -> None:
    manager, client, pid = kernel
    sleeping = client.execute("import time; print('asleep', flush=True); time.sleep(60)")
    while True:  # interrupted in the cell's own code, not while ipykernel still sets it up
        message = client.get_iopub_msg(timeout=20)
        ours = message["parent_header"].get("msg_id") == sleeping
        if ours and message["content"].get("text") == "asleep\n":
            break
    started = time.monotonic()
    manager.interrupt_kernel()
    reply = client.get_shell_msg(timeout=20)
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    assert time.monotonic() - started < 10
    assert run(client, "print(6 * 7)") == "42\n"  # it lives on
    client.execute("import os; os._exit(3)")
    relay = manager.provisioner.process  # type: ignore[union-attr]
    assert relay.wait(timeout=20) == 3
    assert gone(pid)


def test_a_kernel_killed_by_a_signal_is_reported_so(kernel: tuple[KernelManager, Any, int]) -> None:
    manager, client, pid = kernel
    client.execute("import os, signal; os.kill(os.getpid(), signal.SIGKILL)")
    relay = manager.provisioner.process  # type: ignore[union-attr]
    assert relay.wait(timeout=20) == -signal.SIGKILL
    assert gone(pid)


def test_a_killed_relay_takes_its_kernel_with_it(kernel: tuple[KernelManager, Any, int]) -> None:
    manager, _client, pid = kernel
    relay = manager.provisioner.process  # type: ignore[union-attr]
    relay.kill()  # SIGKILL: nothing the relay could forward
    assert relay.wait(timeout=20) == -signal.SIGKILL
    assert gone(pid)


def test_a_kernel_ends_with_the_process_that_started_it(
    forks: forked_kernels.KernelForks,
) -> None:
    # As a fresh kernel does (ipykernel watches its parent): a build killed mid-way leaves no
    # kernel behind, nor its relay.
    script = textwrap.dedent(
        f"""
        import os, sys
        sys.path.insert(0, {str(EXTENSIONS)!r})
        import forked_kernels
        manager = forked_kernels.kernel_manager({forks.kernel_dirs!r})(kernel_name="python3")
        manager.start_kernel()
        client = manager.client()
        client.start_channels()
        client.wait_for_ready(timeout=30)
        out = []
        client.execute_interactive(
            "import os; print(os.getpid())",
            output_hook=lambda message: out.append(message["content"].get("text", "")),
        )
        print("".join(out).strip(), manager.provisioner.process.pid, flush=True)
        os._exit(0)  # no shutdown
        """
    )
    kernel, relay = map(int, first_line_of(script).split())
    assert gone(kernel)
    assert gone(relay)


def test_a_notebook_whose_zygote_died_fails_as_a_failing_cell_does(tmp_path: Path) -> None:
    # Not a crash of the build: parallel_execution leaves the notebook to myst-nb, which runs
    # it in a kernel of its own, and the build warns that the zygote ended.
    pytest.importorskip("jupyter_cache")
    import nbformat
    import parallel_execution

    forks = forked_kernels.KernelForks()
    forks.zygote.kill()
    forks.zygote.wait()
    notebook = new_notebook(cells=[new_code_cell("print(1)")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    _, _, error = parallel_execution._execute(
        nbformat.writes(notebook), str(tmp_path), 60, forks.kernel_dirs
    )
    assert error is not None
    assert "Kernel died" in error
    assert forks.failed() == -signal.SIGKILL
    forks.close()


def test_the_zygote_ends_and_removes_its_folder_with_the_build_or_when_closed() -> None:
    script = textwrap.dedent(
        f"""
        import os, sys
        sys.path.insert(0, {str(EXTENSIONS)!r})
        import forked_kernels
        forks = forked_kernels.KernelForks()
        print(forks.zygote.pid, forks.folder, flush=True)
        os._exit(0)  # no close(): as a build killed mid-way
        """
    )
    pid, folder = first_line_of(script).split()
    assert gone(int(pid))
    assert not Path(folder).exists()
    forks = forked_kernels.KernelForks()
    forks.close()
    assert forks.zygote.returncode == 0
    assert not forks.folder.exists()
