"""Editors and notebooks: how long an evaluation takes over swank and over the Jupyter kernel, and
how long from ``M-x slime-connect`` to a usable REPL.

- **swank round trip**: ``(:emacs-rex (swank-repl:listener-eval "(+ 1 2)") ...)`` on the REPL
  thread (what pressing Enter at the REPL sends) and ``swank:interactive-eval`` (``C-x C-e``),
  from sending the request to its ``(:return ...)`` read, median of ``--repeat``.
- **kernel round trip**: jupyter_client's ``execute_interactive("(+ 1 2)")``, from the request to
  the reply (the result message came before it), median of ``--repeat``.
- **slime-connect**: SLIME 2.27 in ``emacs --batch`` against a running server, from the call of
  ``slime-connect`` to the REPL's prompt and to the value of ``(+ 1 2)`` typed at it, median of
  ``--connects``.

Baselines measured in the same run: SBCL's own swank (SLIME's sources, loaded into ``sbcl``) for
the swank figures, ipykernel's Python kernel evaluating ``1 + 2`` for the kernel figure; the
tables give each figure's ratio to its baseline. A baseline that is not there (no ``sbcl``, no
SLIME, no ipykernel) is left out with a note.

Run: ``python bench/editor_latency.py [--repeat 100] [--connects 5]``.
"""

from __future__ import annotations

import argparse
import glob
import importlib.util
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lisp.swank.wire import encode_message, keyword, read_message

HERE = Path(__file__).resolve().parent
_SLIME_LISP = "/usr/share/common-lisp/source/slime"
_STARTED = re.compile(r"Swank started at port: (\d+)")


def slime_directory() -> str | None:
    candidates = [os.environ.get("GFJIT_SLIME_DIR", ""), *sorted(glob.glob("/usr/share/emacs/site-lisp/elpa/slime-*"))]
    return next((c for c in candidates if c and os.path.isfile(os.path.join(c, "slime.el"))), None)


@contextmanager
def swank_server(command: list[str]) -> Iterator[tuple[int, float]]:
    """A swank server started by ``command``: its port, and seconds until it announced it."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    try:
        assert process.stdout is not None
        for line in process.stdout:
            found = _STARTED.search(line)
            if found:
                break
        else:
            raise RuntimeError(f"{command[0]} did not start a swank server")
        # What it writes later is read and dropped: a full pipe would stop it.
        threading.Thread(target=process.stdout.read, daemon=True).start()
        yield int(found.group(1)), time.perf_counter() - start
    finally:
        process.kill()
        process.wait()


def gfjit_command() -> list[str]:
    return [sys.executable, "-m", "lisp", "swank", "--port", "0"]


def sbcl_command() -> list[str]:
    return ["sbcl", "--noinform", "--disable-debugger",
            "--load", f"{_SLIME_LISP}/swank-loader.lisp",
            "--eval", "(swank-loader:init)",
            "--eval", "(swank:create-server :port 0 :dont-close t)",
            "--eval", "(finish-output)"]  # (its announcement is buffered on a pipe)


class Client:
    """Just enough of SLIME: requests and their replies."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=120)
        self.next_id = 0

    def call(self, form: Any, thread: Any = True) -> Any:
        self.next_id += 1
        self.sock.sendall(encode_message([keyword("emacs-rex"), form, "COMMON-LISP-USER", thread, self.next_id]))
        while True:
            message = read_message(self.sock, 1 << 24)
            if message[0] == keyword("return") and message[2] == self.next_id:
                assert message[1][0] == keyword("ok"), message
                return message[1][1]
            if message[0] == keyword("ping"):  # (SBCL's swank, after many output messages, waits for it)
                self.sock.sendall(encode_message([keyword("emacs-pong"), *message[1:]]))

    def close(self) -> None:
        self.sock.close()


def _symbol(name: str) -> Any:
    from lisp.swank.wire import WireSymbol

    return WireSymbol(name)


def median_seconds(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # the first of each, which may load or compile what the others find ready
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def swank_round_trips(port: int, repeat: int) -> dict[str, float]:
    client = Client(port)
    try:
        client.call([_symbol("swank:swank-require"), [_symbol("quote"), [_symbol("swank-repl")]]])
        client.call([_symbol("swank-repl:create-repl"), None])
        repl = keyword("repl-thread")
        return {
            "listener-eval (+ 1 2)": median_seconds(
                lambda: client.call([_symbol("swank-repl:listener-eval"), "(+ 1 2)\n"], repl), repeat),
            "interactive-eval (+ 1 2)": median_seconds(
                lambda: client.call([_symbol("swank:interactive-eval"), "(+ 1 2)"]), repeat),
        }
    finally:
        client.close()


def slime_connects(port: int, connects: int) -> tuple[float, float] | None:
    slime = slime_directory()
    if slime is None or shutil.which("emacs") is None:
        return None
    with tempfile.TemporaryDirectory() as home:
        done = subprocess.run(["emacs", "--batch", "-Q", "-l", str(HERE / "editor_latency.el")], capture_output=True,
                              text=True, timeout=600,
                              env={**os.environ, "HOME": home, "GFJIT_SLIME_DIR": slime,
                                   "GFJIT_SWANK_PORT": str(port), "GFJIT_CONNECTS": str(connects)})
    rows = [line.split()[1:] for line in done.stdout.splitlines() if line.startswith("CONNECT ")]
    if len(rows) != connects:
        raise RuntimeError(f"emacs failed:\n{done.stdout}\n{done.stderr}")
    return statistics.median(float(r[0]) for r in rows), statistics.median(float(r[1]) for r in rows)


def kernel_round_trip(kernel_name: str, code: str, repeat: int, kernel_dirs: list[str] | None) -> float:
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    specs = KernelSpecManager(kernel_dirs=kernel_dirs) if kernel_dirs else KernelSpecManager()
    manager = KernelManager(kernel_name=kernel_name, kernel_spec_manager=specs)
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)

        def run() -> None:
            reply = client.execute_interactive(code, output_hook=lambda _msg: None, timeout=120)
            assert reply["content"]["status"] == "ok", reply["content"]

        return median_seconds(run, repeat)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:9.2f} ms"


def _ratio(value: float, base: float | None) -> str:
    return f"{value / base:7.2f}x" if base else "      -"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=100, help="round trips measured for each median")
    parser.add_argument("--connects", type=int, default=5, help="slime-connects measured for the median")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}; medians of {args.repeat} round trips, {args.connects} connects")

    servers = {"gfjit": gfjit_command()}
    if shutil.which("sbcl") and os.path.isfile(f"{_SLIME_LISP}/swank-loader.lisp"):
        servers["sbcl"] = sbcl_command()
    else:
        print("(no sbcl or no SLIME's swank sources: no SBCL baseline)")
    results: dict[str, dict[str, float]] = {}
    for name, command in servers.items():
        print(f"measuring {name}'s swank...", file=sys.stderr, flush=True)
        with swank_server(command) as (port, started):
            figures = {"server start to listening": started, **swank_round_trips(port, args.repeat)}
            connected = slime_connects(port, args.connects)
            if connected is not None:
                figures["slime-connect to REPL prompt"], figures["slime-connect to first value"] = connected
            results[name] = figures
    print(f"\n{'swank':34} {'gfjit':>12} {'sbcl':>12} {'gfjit/sbcl':>10}")
    for what, value in results["gfjit"].items():
        base = results.get("sbcl", {}).get(what)
        print(f"{what:34} {_ms(value)} {_ms(base) if base else '           -'} {_ratio(value, base):>10}")

    if importlib.util.find_spec("jupyter_client") is None or importlib.util.find_spec("ipykernel") is None:
        print("\n(no jupyter_client or ipykernel: no kernel figures; pip install 'gfjit[jupyter]')")
        return
    with tempfile.TemporaryDirectory() as data:
        subprocess.run([sys.executable, "-m", "lisp", "kernel", "install", "--user"], check=True,
                       stdout=subprocess.DEVNULL, env={**os.environ, "JUPYTER_DATA_DIR": data})
        gfjit = kernel_round_trip("gfjit", "(+ 1 2)", args.repeat, [os.path.join(data, "kernels")])
    python = kernel_round_trip("python3", "1 + 2", args.repeat, None)
    print(f"\n{'kernel execute round trip':34} {'gfjit':>12} {'python3':>12} {'gfjit/py':>10}")
    print(f"{'(+ 1 2) / 1 + 2':34} {_ms(gfjit)} {_ms(python)} {_ratio(gfjit, python):>10}")


if __name__ == "__main__":
    main()
