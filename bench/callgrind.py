"""Instruction counts for the benchmarks' ``--instructions`` modes: a benchmark script re-runs
itself under valgrind's callgrind (:func:`run_under_callgrind`), and the child counts the
instructions of just the work it measures through callgrind's client requests (:class:`Callgrind`).
Counts are deterministic, so they settle comparisons that the timing noise of a shared machine
leaves open."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

CALLGRIND_OUT = "GFJIT_BENCH_CALLGRIND_OUT"  # set in the child run under callgrind: its dump file


class Callgrind:
    """Callgrind's client requests (``valgrind/callgrind.h``) made from this process: zero the
    counters, dump them, read the dump's event counts. The request is the magic amd64
    sequence that valgrind recognizes (a no-op on a real CPU), run from an executable page."""

    _CODE = bytes.fromhex(
        "4889f8"      # mov rax, rdi        ; the request's argument block
        "31d2"        # xor edx, edx        ; the result when not under valgrind
        "48c1c703" "48c1c70d" "48c1c73d" "48c1c733"  # rol rdi, 3/13/61/51 (128 bits: no change)
        "4887db"      # xchg rbx, rbx       ; the marker
        "4889d0"      # mov rax, rdx
        "c3")         # ret
    _BASE = (ord("C") << 24) | (ord("T") << 16)  # VG_USERREQ_TOOL_BASE('C', 'T')
    _ZERO_STATS, _DUMP_STATS = _BASE + 1, _BASE

    def __init__(self, out_file: str) -> None:
        import ctypes
        import mmap
        import platform
        if platform.machine() != "x86_64":
            raise SystemExit("--instructions: the callgrind requests are written for x86-64")
        self._ctypes = ctypes
        self._page = mmap.mmap(-1, mmap.PAGESIZE,
                               prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
        self._page.write(self._CODE)
        self._request = ctypes.CFUNCTYPE(ctypes.c_size_t, ctypes.c_void_p)(
            ctypes.addressof(ctypes.c_char.from_buffer(self._page)))
        self._out, self._dumps = out_file, 0
        self.events(lambda: None)  # the first dump also holds costs from before its zeroing

    def _call(self, request: int) -> None:
        block = (self._ctypes.c_size_t * 6)(request, 0, 0, 0, 0, 0)
        self._request(self._ctypes.addressof(block))

    def events(self, work: Callable[[], Any]) -> dict[str, int]:
        """Callgrind's counts, by event name (``Ir``: instructions; with ``--branch-sim=yes``
        ``Bcm``/``Bim``: mispredicted conditional/indirect branches), of all threads while
        ``work()`` ran."""
        self._call(self._ZERO_STATS)
        work()
        self._call(self._DUMP_STATS)
        self._dumps += 1
        fields = dict(line.split(":", 1) for line in
                      Path(f"{self._out}.{self._dumps}").read_text().splitlines()
                      if line.startswith(("events:", "summary:")))
        return dict(zip(fields["events"].split(), map(int, fields["summary"].split())))




def run_under_callgrind(script: str, argv: Sequence[str]) -> int:
    """Run ``script`` again under callgrind with ``argv`` (its instruction-count mode, which reads
    the dump file's name from ``CALLGRIND_OUT``); its exit status."""
    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind (callgrind) on PATH")
    with tempfile.TemporaryDirectory() as tmp:
        out = f"{tmp}/callgrind.out"
        command = ["valgrind", "--tool=callgrind", "--quiet", f"--callgrind-out-file={out}",
                   "--branch-sim=yes",
                   "--smc-check=all",  # JIT code: new code may reuse freed addresses
                   sys.executable, script, *argv]
        return subprocess.run(command, env={**os.environ, CALLGRIND_OUT: out}).returncode
