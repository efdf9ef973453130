"""``os.fork()`` and dispatch's locks.

The child of a fork has only the thread that forked: a lock another thread held at that moment
would stay held in the child for good, and the child would hang at its first use of it. So the
thread that forks takes each of dispatch's locks just before the fork and releases it after, in
the parent and in the child (where the thread that took it is the same thread, so an RLock can be
released too). No code of dispatch holds one of these locks while taking another, so the order
in which they are taken cannot deadlock. The modules whose locks guard more than one object
(:mod:`dispatch.generic`, :mod:`dispatch.background`) register their own handlers on this rule.
"""

from __future__ import annotations

import os
import threading


def hold_across_fork(lock: threading.Lock | threading.RLock) -> None:
    """Make ``lock`` free in the child of every later ``os.fork()``."""
    os.register_at_fork(before=lock.acquire, after_in_parent=lock.release,
                        after_in_child=lock.release)
