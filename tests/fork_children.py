"""For tests of os.fork() with threads running: fork children one after another while worker
threads run, and count the children that did not finish (tests/dispatch/test_fork.py,
tests/lisp/test_clos_fork.py run it in an interpreter of their own, with no pytest threads)."""

from __future__ import annotations

import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable

warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+ warns of fork with threads running


def fork_while(workers: list[Callable[[threading.Event], None]], forks: int,
               child: Callable[[], None]) -> None:
    """Run each worker in a thread (it returns once the event it gets is set) while forking
    ``forks`` children one after another, each running ``child()``; exit 0 if every child
    finished it, else 1, printing which did not (an exception: exit status 1; a hang: killed by
    SIGALRM after 30 seconds)."""
    stop = threading.Event()
    threads = [threading.Thread(target=worker, args=(stop,)) for worker in workers]
    for t in threads:
        t.start()
    failed = []
    try:
        for n in range(forks):
            pid = os.fork()
            if pid == 0:
                signal.alarm(30)
                try:
                    child()
                except BaseException:
                    os._exit(1)
                os._exit(0)
            _, status = os.waitpid(pid, 0)
            if status != 0:
                failed.append((n, status))
    finally:
        stop.set()
        for t in threads:
            t.join()
    print(f"{len(failed)} of {forks} children failed (fork number, wait status): {failed}")
    sys.exit(1 if failed else 0)
