"""Running Python code that attacks the native types in a child process, under the debug memory
allocator (``PYTHONMALLOC=debug``: a block freed twice, freed with the wrong layout or written
after it was freed aborts the process instead of corrupting it quietly)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def run_child(code: str, *args: str, stdin: str | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    """Run ``code`` (a Python program) with ``args`` in a child of this interpreter, with the
    debug allocator and a traceback on a fatal signal."""
    env = {**os.environ, "PYTHONMALLOC": "debug", "PYTHONFAULTHANDLER": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-c", code, *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=ROOT)


def survived(done: subprocess.CompletedProcess) -> bool:
    """Whether the child ended normally (no signal, no abort, no fatal error)."""
    return done.returncode == 0 and "Fatal Python error" not in done.stderr
