"""The perf map: `/tmp/perf-<pid>.map`, one `START SIZE NAME` line (hex) per JIT function, so
that `perf report` names JIT code. Opt-in: `GFJIT_PERF_MAP=1` or `JitPool(perf_map=True)`.
"""

from __future__ import annotations

import os
import threading

_lock = threading.Lock()


def path() -> str:
    return f"/tmp/perf-{os.getpid()}.map"


def enabled_by_env() -> bool:
    return os.environ.get("GFJIT_PERF_MAP", "") not in ("", "0")


def record(functions: dict[str, tuple[int, int]]) -> None:
    """Append `name -> (address, size)` entries to this process's perf map."""
    lines = "".join(f"{address:x} {size:x} {name}\n"
                    for name, (address, size) in functions.items())
    with _lock, open(path(), "a") as f:
        f.write(lines)
