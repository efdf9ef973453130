"""`os.fork()` while other threads add, look up and release modules leaves a child that can
compile, link, look up and call (run in a child process: a deadlocked grandchild is killed after
a bounded wait and counted as a hang)."""

import json

import pytest

from jit_test_support import run_python

_FORK_WHILE_CHURNING = """
    import faulthandler, json, os, select, signal, sys, threading, warnings
    warnings.simplefilter("ignore")  # 3.12+: "this process is multi-threaded, fork() may deadlock"
    import jit
    from jit_test_support import I64_TO_I64, affine_ir

    FORKS, CHILD_SECONDS = {forks}, {child_seconds}
    pool = jit.JitPool(shards=2, retire_after=10, cache_dir="", compile_in={compile_in!r},
                       workers=2)
    stop = threading.Event()
    errors = []

    def churn(t):
        i = 0
        try:
            while not stop.is_set():
                name = f"t{{t}}_{{i % 4}}"
                handle = pool.add(affine_ir(name, t + 2, i), exports=[name])
                try:
                    pool.lookup(f"t{{(t + 1) % 3}}_{{i % 4}}").release()
                except jit.SymbolNotFound:
                    pass
                handle.release()
                i += 1
        except BaseException as error:
            errors.append(repr(error))

    def child(n):
        name = f"child_{{n}}"
        with pool.add(affine_ir(name, 5, n), exports=[name]) as handle:
            called = I64_TO_I64(handle.address(name))(3) == 15 + n
            found = pool.lookup(name)
            same = found.address(name) == handle.address(name)
            found.release()
        return called and same

    threads = [threading.Thread(target=churn, args=(t,)) for t in range(3)]
    for thread in threads:
        thread.start()
    outcomes = {{"ok": 0, "failed": 0, "hung": 0}}
    for n in range(FORKS):
        pid = os.fork()
        if pid == 0:
            faulthandler.dump_traceback_later(CHILD_SECONDS - 1, file=sys.stderr)  # if it hangs
            try:
                os._exit(0 if child(n) else 1)
            except BaseException:
                os._exit(2)
        watch = os.pidfd_open(pid)
        if not select.select([watch], [], [], CHILD_SECONDS)[0]:
            os.kill(pid, signal.SIGKILL)
            outcomes["hung"] += 1
        _, status = os.waitpid(pid, 0)
        os.close(watch)
        if status == 0:
            outcomes["ok"] += 1
        elif not os.WIFSIGNALED(status) or os.WTERMSIG(status) != signal.SIGKILL:
            outcomes["failed"] += 1
    stop.set()
    for thread in threads:
        thread.join()
    pool.close()
    print(json.dumps({{"outcomes": outcomes, "errors": errors}}))
"""


def _fork_while_churning(forks, compile_in, child_seconds):
    done = run_python(_FORK_WHILE_CHURNING.format(forks=forks, compile_in=compile_in,
                                                  child_seconds=child_seconds),
                      env={"GFJIT_PERF_MAP": None, "GFJIT_DUMP": None}, timeout=280)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout) | {"stacks of hung children": done.stderr[-3000:]
                                      if "Thread 0x" in done.stderr else ""}


@pytest.mark.timeout(300)
def test_children_forked_while_threads_compile_link_and_release_can_compile_and_link():
    assert _fork_while_churning(60, "thread", child_seconds=20) == {
        "outcomes": {"ok": 60, "failed": 0, "hung": 0}, "errors": [],
        "stacks of hung children": ""}


@pytest.mark.timeout(300)
def test_children_forked_while_threads_compile_in_workers_start_their_own_workers():
    # A child starts a worker process (a new interpreter): slow on a loaded machine, not a hang.
    assert _fork_while_churning(10, "process", child_seconds=90) == {
        "outcomes": {"ok": 10, "failed": 0, "hung": 0}, "errors": [],
        "stacks of hung children": ""}
