"""Start each chapter's kernel as a fork of a process that has already imported what kernels do.

A fresh IPython kernel spends about 1.8 s of CPU before a chapter's first cell does any work:
starting Python, importing ipykernel, then numpy and matplotlib's pyplot, which every chapter
imports. That is paid once per chapter, and the gate builds the book twice. Here a *zygote*,
started once per build with the build's environment, imports those modules and then waits;
each kernel is a fork of it, so the imports are paid once per build.

Nothing else about a kernel changes. jupyter_client starts it as it starts any kernel, from a
kernel spec named ``python3`` (ipykernel's own, but for its command), found in a folder that
only the build's execution workers search. That command runs this file as a small *relay*,
which hands the zygote its arguments, folder, environment and standard streams, then stands in
for the kernel: it forwards the signals jupyter_client sends (an interrupt, a terminate) and
exits as the kernel did. A relay that is killed takes its kernel with it, and so does the end
of the process that started the kernel (which ipykernel watches in a fresh kernel). The kernel
runs ipykernel's launcher as ``python -m`` would, in the relay's folder and environment. What a
chapter could tell apart (tests/test_forked_kernels.py compares the rest, from ``sys.path``
and threads to signal handlers and matplotlib's settings): PRELOAD's modules, and this one,
are in ``sys.modules`` before it imports them; ``sys.argv`` names the parent's pid; numpy's
warnings filters come before ipykernel's (none overlaps another). Random generators are seeded
afresh: the random module reseeds itself after a fork, and numpy seeds its own when a kernel
first imports ``numpy.random``.

    python -I -S forked_kernels.py SOCKET -f CONNECTION_FILE [ARGUMENTS]   (the relay)

Linux only: fork without exec is unsafe where system frameworks forbid it (macOS), and the
supervisor waits on a pidfd. Elsewhere :func:`available` is False and kernels start as usual.
Standard library only, so that the relay starts in milliseconds under ``python -I -S``.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

# Imported by the zygote, before any kernel is forked from it: what every kernel imports before
# or in a chapter's first cell (0.5 s ipykernel, 0.8 s numpy and pyplot, of about 1.8 s).
PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "numpy", "matplotlib.pyplot")
# ipykernel's default backend, which its kernel application sets in the environment before any
# cell runs; matplotlib reads it when it is imported, so the zygote sets it first, as a kernel
# would have before a chapter imported matplotlib. An environment that names another keeps it.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
# The signals jupyter_client sends a kernel (interrupt, terminate) and a user might. (By name:
# Windows has not all of them, and imports this module to learn that it cannot fork.)
FORWARDED = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1")
_INT = struct.Struct("!i")


def available() -> bool:
    """Whether kernels can be forked here: Linux with pidfd (Linux 5.3 and later)."""
    if not sys.platform.startswith("linux") or not hasattr(os, "pidfd_open"):
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:
        return False
    return True


class KernelForks:
    """A zygote for one build, and the folder holding the kernel spec that forks from it.

    ``kernel_manager(kernel_dirs)``, in any process, is the kernel manager class that starts
    ``python3`` kernels as forks. :meth:`close` ends the zygote (it also ends by itself when the
    process that started it does) and removes the folder.
    """

    def __init__(self) -> None:
        from ipykernel.kernelspec import get_kernel_dict

        spec = get_kernel_dict()
        # [python, *flags, "-m", launcher, *arguments]: the zygote starts Python as the kernel
        # would have been started, and runs the launcher in place of "-m".
        command = spec["argv"]
        dash_m = command.index("-m")
        self.folder = Path(tempfile.mkdtemp(prefix="calcml-kernels-"))
        address = str(self.folder / "zygote")
        spec["argv"] = [command[0], "-I", "-S", __file__, address, *command[dash_m + 2 :]]
        spec["display_name"] += ", forked"
        spec_folder = self.folder / "kernels" / "python3"
        spec_folder.mkdir(parents=True)
        (spec_folder / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
        here = str(Path(__file__).parent)
        program = (
            f"import sys; sys.path.insert(0, {here!r}); import forked_kernels as k; "
            f"k.become_kernel(k.serve({address!r}, {command[dash_m + 1]!r}))"
        )
        # Its own session, as jupyter_client gives every kernel: a Ctrl-C at the terminal
        # reaches the build, which shuts its kernels down, and not the kernels themselves.
        # Its standard input is a pipe only this process writes to: it reads there when to end
        # (close), and ends when that pipe does, with the build.
        self.zygote = subprocess.Popen(
            [command[0], *command[1:dash_m], "-c", program],
            stdin=subprocess.PIPE,
            start_new_session=True,
        )
        # It listens as soon as Python has started, before its imports: no relay may come
        # earlier.
        while not os.path.exists(address) and self.zygote.poll() is None:
            time.sleep(0.005)
        self.kernel_dirs = [str(self.folder / "kernels")]

    def failed(self) -> int | None:
        """The zygote's exit code if it has ended with an error (it printed why), else None."""
        code = self.zygote.poll()
        return code if code else None

    def close(self) -> None:
        """End the zygote and remove the folder (which it removes itself unless it failed)."""
        # A word rather than the pipe's end: a process that Sphinx or an extension forked
        # (without exec) since the zygote started holds the pipe open too.
        if self.zygote.stdin is not None:
            with suppress(BrokenPipeError):
                self.zygote.stdin.write(b"end\n")
                self.zygote.stdin.close()
        try:
            self.zygote.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.zygote.kill()
            self.zygote.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def kernel_manager(kernel_dirs: list[str]) -> type:
    """nbclient's kernel manager, finding kernel specs in ``kernel_dirs`` only (the folder of
    :attr:`KernelForks.kernel_dirs`): its ``python3`` kernels are forks of that zygote."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from traitlets import default

    class ForkedKernelManager(KernelManager):
        @default("kernel_spec_manager")
        def _kernel_spec_manager_default(self) -> KernelSpecManager:
            return KernelSpecManager(kernel_dirs=kernel_dirs)

    return ForkedKernelManager


# --- The zygote ------------------------------------------------------------------------------


def serve(address: str, launcher: str) -> dict[str, Any]:
    """Import ``PRELOAD``, then fork a supervisor for each relay that connects to ``address``.

    Returns only in a kernel process, with its relay's request; the zygote itself exits when
    told to on its standard input, or when that pipe closes.
    """
    # Bound before the imports: a relay that connects meanwhile waits in the backlog.
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen()
    # A kernel's sys.path is the interpreter's own (its launcher drops the folder "-m" puts
    # first): not this file's folder, nor the "" of "-c".
    sys.path[:] = [entry for entry in sys.path if entry not in ("", str(Path(__file__).parent))]
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    for module in PRELOAD:
        __import__(module)
    if threading.active_count() != 1:
        # A fork keeps only the thread that forks: a thread's locks could stay held forever.
        sys.exit(f"forked_kernels: importing {PRELOAD} started a thread; cannot fork safely")
    # Supervisors are reaped as they exit.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    while True:
        ready, _, _ = select.select([listener, sys.stdin], [], [])
        if sys.stdin in ready:
            # Told to end, or the build was killed (the pipe's end): the folder goes too.
            # Nothing else here needs an orderly exit, and the zygote's imports a last sweep.
            os.read(sys.stdin.fileno(), 1)
            shutil.rmtree(Path(address).parent, ignore_errors=True)
            os._exit(0)
        if listener in ready:
            connection, _ = listener.accept()
            if os.fork() == 0:
                listener.close()
                return _supervise(connection, launcher)
            connection.close()


def _supervise(connection: socket.socket, launcher: str) -> dict[str, Any]:
    """Fork the kernel for one relay, forward the relay's signals to it, report its exit.

    Returns only in the kernel; the supervisor itself ends with its kernel.
    """
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    kernel = 0
    try:
        request = _receive_request(connection)
        request["launcher"] = launcher
        kernel = os.fork()
        if kernel == 0:
            connection.close()
            return request
        for fd in request["fds"]:
            os.close(fd)
        connection.sendall(_INT.pack(kernel))
        exited = os.pidfd_open(kernel)
        watched = [connection, exited]
        # A fresh kernel's parent is the process that started it (JPY_PARENT_PID), and
        # ipykernel ends the kernel when that process does. A fork's parent is this supervisor,
        # so the supervisor watches that process instead.
        if owner := _pidfd(request["env"].get("JPY_PARENT_PID")):
            watched.append(owner)
        while True:
            ready, _, _ = select.select(watched, [], [])
            if exited in ready:
                _, status = os.waitpid(kernel, 0)
                with suppress(OSError):  # the relay may be gone meanwhile
                    connection.sendall(_INT.pack(os.waitstatus_to_exitcode(status)))
                break
            if owner in ready:
                watched.remove(owner)
                os.kill(kernel, signal.SIGKILL)
            elif connection in ready:
                received = _receive_int(connection)
                if received is None:
                    # The relay was killed (jupyter_client's last resort): so is its kernel.
                    watched.remove(connection)
                    os.kill(kernel, signal.SIGKILL)
                else:
                    os.kill(kernel, received)
    except BaseException:
        import traceback

        traceback.print_exc()
        if kernel:
            os.kill(kernel, signal.SIGKILL)  # no kernel outlives its supervisor
        os._exit(1)
    os._exit(0)


def become_kernel(request: dict[str, Any]) -> None:
    """Turn this fork of the zygote into the kernel the relay asked for, and run it.

    As ``python -m LAUNCHER ARGUMENTS`` in the relay's folder: the relay's standard streams and
    environment, the launcher as ``__main__``. Its exit is the interpreter's own, atexit
    handlers and all.
    """
    import runpy

    for target, fd in enumerate(request["fds"]):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = ["-m", *request["argv"]]
    # ipykernel reads the parent's pid from the environment when its module is imported, which
    # was in the zygote: it is handed over as the option that this reading is the default of.
    if parent := request["env"].get("JPY_PARENT_PID"):
        sys.argv.append(f"--IPKernelApp.parent_handle={parent}")
    runpy.run_module(request["launcher"], run_name="__main__", alter_sys=True)


def _pidfd(pid: str | None) -> int | None:
    """A pidfd of the process ``pid`` (a number, as in the environment), if it is still there."""
    try:
        return os.pidfd_open(int(pid)) if pid else None
    except (OSError, ValueError):
        return None


# --- The wire: a relay's request with its standard streams, then 4-byte integers -------------


def _receive_request(connection: socket.socket) -> dict[str, Any]:
    data, fds, _, _ = socket.recv_fds(connection, 1 << 16, 3)
    if len(fds) != 3 or len(data) < _INT.size:
        raise ConnectionError("a relay sent no request")
    (length,) = _INT.unpack_from(data)
    data = data[_INT.size :]
    while len(data) < length:
        more = connection.recv(length - len(data))
        if not more:
            raise ConnectionError("a relay's request was cut short")
        data += more
    return {**json.loads(data), "fds": fds}


def _receive_int(connection: socket.socket) -> int | None:
    data = b""
    while len(data) < _INT.size:
        more = connection.recv(_INT.size - len(data))
        if not more:
            return None
        data += more
    return int(_INT.unpack(data)[0])


# --- The relay -------------------------------------------------------------------------------


def relay(address: str, arguments: list[str]) -> int:
    """Start a kernel forked by the zygote at ``address``; stand in for it until it exits."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(address)
    except OSError as error:
        sys.exit(f"forked_kernels: no zygote listens at {address} ({error}); see its error above")
    request = json.dumps({"argv": arguments, "cwd": os.getcwd(), "env": dict(os.environ)})
    payload = request.encode("utf-8")
    socket.send_fds(connection, [_INT.pack(len(payload)) + payload], [0, 1, 2])
    if _receive_int(connection) is None:
        sys.exit("forked_kernels: the zygote did not start the kernel (see its error above)")

    def forward(signum: int, _frame: object) -> None:
        with suppress(OSError):  # the kernel has just exited: nothing to forward to
            connection.sendall(_INT.pack(signum))

    for name in FORWARDED:
        signal.signal(getattr(signal, name), forward)
    code = _receive_int(connection)
    if code is None:
        sys.exit("forked_kernels: the kernel's supervisor ended before the kernel")
    if code < 0:
        # Killed by a signal: so is the relay, so that jupyter_client sees what happened. (Not
        # through the handler that would forward it; SIGKILL has none.)
        if signal.Signals(-code).name in FORWARDED:
            signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    return code


if __name__ == "__main__":
    sys.exit(relay(sys.argv[1], sys.argv[2:]))
