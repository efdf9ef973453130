"""The perf map: `/tmp/perf-<pid>.map`, one `START SIZE NAME` line (hex) per JIT function, so
that `perf report` names JIT code. Opt-in: `GFJIT_PERF_MAP=1` or `JitPool(perf_map=True)`.

The name is predictable and /tmp is everybody's, so the map is created with
O_CREAT|O_EXCL|O_NOFOLLOW. If the file exists already, it is appended to only if it is this
process's: a regular file, not a link, with one name, owned by this user, writable by nobody else,
and last modified since this process started (another writer of this process made it, such as
CPython's own perf trampoline, which appends the same way). Anything else, or any error, turns the
perf map off for this process with one warning; it is never an error of the `add` that linked the
code.
"""

from __future__ import annotations

import os
import stat
import threading

from . import forksafe
from .errors import UnsafeFileError
from .notice import warn_once
from .safefiles import check_private, write_all

_CREATE = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_APPEND = os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC

_lock = threading.Lock()
_open: dict[int, int | None] = {}  # pid -> descriptor of its map (None: off); under _lock
forksafe.register_lock(forksafe.RANK_PERF_MAP, _lock)


def path() -> str:
    return f"/tmp/perf-{os.getpid()}.map"


def enabled_by_env() -> bool:
    return os.environ.get("GFJIT_PERF_MAP", "") not in ("", "0")


def record(functions: dict[str, tuple[int, int]]) -> None:
    """Append `name -> (address, size)` entries to this process's perf map (if it is on)."""
    lines = "".join(f"{address:x} {size:x} {name}\n"
                    for name, (address, size) in functions.items()).encode()
    with _lock:
        pid = os.getpid()
        if pid not in _open:  # first record of this process (a forked child opens its own map)
            _open[pid] = _open_map()
        fd = _open[pid]
        if fd is None:
            return
        try:
            write_all(fd, lines)
        except OSError as error:
            _open[pid] = None
            os.close(fd)
            warn_once(f"perf map {path()} turned off: {error}")


def _open_map() -> int | None:
    where = path()
    try:
        return os.open(where, _CREATE, 0o600)
    except FileExistsError:
        pass
    except OSError as error:
        warn_once(f"perf map {where} turned off: {error}")
        return None
    try:
        fd = os.open(where, _APPEND)
    except OSError as error:  # ELOOP: a link
        warn_once(f"perf map {where} turned off: it exists and cannot be opened as ours ({error})")
        return None
    try:
        _check_ours(where, os.fstat(fd))
    except (UnsafeFileError, OSError, ValueError) as error:  # ValueError: an odd /proc/self/stat
        os.close(fd)
        warn_once(f"perf map turned off: {error}")
        return None
    return fd


def _check_ours(where: str, st: os.stat_result) -> None:
    check_private(where, st, stat.S_ISREG, "regular file")
    if st.st_nlink != 1:
        raise UnsafeFileError(where, f"has {st.st_nlink} names (a hard link to another file)")
    if st.st_mtime < _process_start_time():
        raise UnsafeFileError(where, "left by an earlier process with this pid (remove it)")


def _process_start_time() -> float:
    """When this process started, in seconds since the epoch (to the second: /proc's boot time
    is whole seconds)."""
    with open("/proc/self/stat", "rb") as f:
        ticks = int(f.read().rsplit(b")", 1)[1].split()[19])  # field 22, after the command
    with open("/proc/stat", "rb") as f:
        boot = next(int(line.split()[1]) for line in f if line.startswith(b"btime "))
    return boot + ticks / os.sysconf("SC_CLK_TCK") - 1.0
