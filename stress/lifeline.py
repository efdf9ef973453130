"""A child process that dies with its parent, whatever ends the parent (SIGKILL included).

A stress run's child can have a thousand threads and a forked child of its own that hangs; left
behind by a supervisor that died, it would run (or hang) for good. Two ways to notice:

- Linux: `prctl(PR_SET_PDEATHSIG, SIGKILL)` has the kernel kill this process when the thread that
  started it ends. The parent may have died before the call; the parent pid is compared right
  after, since a process reparented before the call is never signalled.
- Anywhere: the parent holds the write end of a pipe and never writes to it. End of file on the
  read end means every holder of the write end is gone; a daemon thread waits for it.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

# Looked up now, not in a forked child: dlopen takes the loader's lock, which another thread of
# the parent may hold at the moment of the fork.
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def die_with_parent(parent_pid: int) -> bool:
    """Have the kernel SIGKILL this process when the thread of `parent_pid` that started it ends;
    if that parent is gone already, die now. Returns False where the kernel offers no such signal
    (then only `die_at_eof` can help)."""
    armed = False
    if _prctl is not None:
        if _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"prctl(PR_SET_PDEATHSIG): {os.strerror(errno)}")
        armed = True
    if os.getppid() != parent_pid:
        _die()
    return armed


def die_at_eof(fd: int) -> threading.Thread:
    """Start a daemon thread that kills this process once `fd`, the read end of a pipe whose
    write end only the parent holds, reaches end of file. Returns the thread."""

    def watch() -> None:
        while os.read(fd, 4096):
            pass  # the parent never writes; whatever comes is ignored
        _die()

    thread = threading.Thread(target=watch, name="stress-lifeline", daemon=True)
    thread.start()
    return thread


def _die() -> None:
    # SIGKILL, not an exit: nobody reads what this process would still report, and nothing of it
    # (a hung thread, an exit handler) may hold the end up.
    os.kill(os.getpid(), signal.SIGKILL)
