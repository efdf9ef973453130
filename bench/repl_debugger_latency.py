"""How long the REPL takes from an error to the debugger's prompt, on a pseudo-terminal, as a person
sees it: from Enter on ``(f 3)`` (a call two Lisp frames deep that divides by zero) to the ``1]``
prompt drawn, against the time from Enter on ``(f 0)`` (the same call without the error) to the
next ``CL-USER>`` prompt, measured in the same session. Each is measured ``--repeat`` times,
alternately; the table shows the medians and the ratio. SBCL's REPL on a pty is timed the same way
(to its ``0]`` debugger prompt) when ``sbcl`` is on PATH.

Run: ``python bench/repl_debugger_latency.py [--repeat N]`` (pexpect, in the ``test`` extra).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time

import pexpect

_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][0-9A-Za-z]|\x1b[=>]|\r")


class Terminal:
    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.child = pexpect.spawn(command[0], command[1:], env=env, encoding="utf-8", dimensions=(40, 200),
                                   timeout=120)
        self.seen = ""

    def until(self, text: str) -> None:
        while text not in self.seen:
            self.seen += _ESCAPES.sub("", self.child.read_nonblocking(65536, timeout=120))
        self.seen = self.seen.partition(text)[2]

    def timed(self, line: str, prompt: str) -> float:
        """Seconds from sending ``line`` (with Enter) to ``prompt`` drawn after a newline."""
        start = time.perf_counter()
        self.child.send(line + "\r")
        self.until(prompt)
        return time.perf_counter() - start


def measure(command: list[str], env: dict[str, str], top: str, error_prompt: str, leave: str,
            setup: str, repeat: int) -> tuple[float, float]:
    term = Terminal(command, env)
    try:
        term.until(top.lstrip("\n"))  # the first prompt has no newline before it
        term.timed(setup, top)
        errors, values = [], []
        for _ in range(repeat):
            values.append(term.timed("(f 0)", top))
            errors.append(term.timed("(f 3)", error_prompt))
            term.timed(leave, top)
        return statistics.median(errors), statistics.median(values)
    finally:
        term.child.close(force=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    setup = "(defun f (x) (let ((y (* x 2))) (if (= x 0) y (/ y 0))))"
    rows = []
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "TERM": "xterm", "HOME": home, "PROMPT_TOOLKIT_NO_CPR": "1"}
        rows.append(("gfjit", *measure([sys.executable, "-m", "lisp", "--quiet"], env, "\nCL-USER>", "\n1]",
                                       ":top", setup, args.repeat)))
        if shutil.which("sbcl"):
            rows.append(("sbcl", *measure(["sbcl", "--noinform"], env, "\n* ", "\n0] ", "0",
                                          setup, args.repeat)))
    print(f"Error to debugger prompt, median of {args.repeat} (pty, wall clock)")
    print(f"{'REPL':<8} {'error -> debugger':>18} {'value -> prompt':>16} {'ratio':>7}")
    for name, error, value in rows:
        print(f"{name:<8} {error * 1000:>15.1f} ms {value * 1000:>13.1f} ms {error / value:>6.1f}x")


if __name__ == "__main__":
    main()
