"""Compiling in worker processes: the same objects as in-process compiles, faults that cost one
request (a worker killed, crashed, hung or out of memory is replaced), no orphan processes."""

import os
import select
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import jit
from jit_test_support import I64_TO_I64, affine, affine_ir, run_in_threads, switch_ir

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def workers_pool():
    p = jit.JitPool(shards=2, compile_in="process", workers=1, cache_dir="",
                    worker_limits=jit.WorkerLimits(timeout=30))
    yield p
    p.close()


def _gone(pid, within=30.0):
    """True once process `pid` has ended (or never was), False if it still runs after `within`
    seconds."""
    try:
        watch = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([watch], [], [], within)[0])
    finally:
        os.close(watch)


def test_ir_goes_to_a_worker_and_its_code_runs_here(workers_pool):
    with workers_pool.add(affine_ir("f", 3, 4), exports=["f"]) as handle:
        assert I64_TO_I64(handle.address("f"))(5) == 19
    stats = workers_pool.stats()
    assert (stats["compile_in"], stats["workers_started"], stats["worker_compiles"]) == \
        ("process", 1, 1)
    assert stats["worker_pids"] != [] and os.getpid() not in stats["worker_pids"]


@pytest.mark.parametrize("level", [0, 2])
@pytest.mark.parametrize("make_ir", [lambda: affine_ir("f", 3, 4), lambda: switch_ir("sw", 50)])
def test_a_worker_makes_the_same_object_bytes_as_an_in_process_compile(workers_pool, level,
                                                                       make_ir):
    ir = make_ir()
    assert workers_pool.compile(ir, "m", opt_level=level).data == \
        jit.compile(ir, "m", opt_level=level).data


def test_an_ir_syntax_error_in_a_worker_is_the_same_error_and_keeps_the_worker(workers_pool):
    bad = "define i64 @f(i64 %x) {\n  %y = add i64 %x, %z\n  ret i64 %y\n}\n"
    with pytest.raises(jit.IRSyntaxError) as caught:
        workers_pool.compile(bad, "bad")
    assert (caught.value.line, caught.value.column, caught.value.module) == (2, 20, "bad")
    assert "undefined value '%z'" in caught.value.message
    workers_pool.compile(affine_ir("f", 1, 1), "good")
    assert workers_pool.stats()["workers_started"] == 1


def test_an_ir_verify_error_in_a_worker_is_the_same_error(workers_pool):
    bad = "define i64 @f() {\nentry:\n  br label %b\nb:\n  %y = add i64 %y, 1\n  ret i64 %y\n}\n"
    with pytest.raises(jit.IRVerifyError, match="Only PHI nodes may reference their own value"):
        workers_pool.compile(bad, "bad")


@pytest.mark.parametrize("fault, cause, says", [
    ("sigkill", "signal", "killed by SIGKILL"),
    ("sigsegv", "signal", "killed by SIGSEGV"),
    ("memory", "memory", "out of memory"),
    ("exit", "exit", "exited with status 3"),
])
def test_a_worker_that_dies_mid_compile_fails_that_request_and_is_replaced(workers_pool, fault,
                                                                           cause, says):
    workers_pool.inject_worker_fault(fault, module="doomed")
    with pytest.raises(jit.CompileWorkerError, match=f"'doomed'.*{says}") as caught:
        workers_pool.add(affine_ir("f", 2, 2), exports=["f"], name="doomed")
    assert caught.value.cause == cause and caught.value.module == "doomed"
    with workers_pool.add(affine_ir("f", 2, 2), exports=["f"]) as handle:
        assert I64_TO_I64(handle.address("f"))(1) == 4
    stats = workers_pool.stats()
    assert (stats["worker_faults"], stats["workers_started"], stats["worker_restarts"]) == \
        ({cause: 1}, 2, 1)


def test_a_worker_that_hangs_past_its_deadline_is_killed_and_replaced():
    with jit.JitPool(shards=1, compile_in="process", workers=1, cache_dir="",
                     worker_limits=jit.WorkerLimits(timeout=1.0)) as pool:
        pool.compile(affine_ir("f", 1, 1), "warm")
        [hung] = pool.stats()["worker_pids"]
        pool.inject_worker_fault("hang")
        with pytest.raises(jit.CompileWorkerError, match="'stuck'.*no answer within 1 s") as caught:
            pool.compile(affine_ir("f", 1, 1), "stuck")
        assert caught.value.cause == "timeout"
        assert _gone(hung, within=0)  # killed and reaped before the error was raised
        assert pool.compile(affine_ir("f", 1, 1), "after").data == \
            jit.compile(affine_ir("f", 1, 1), "after").data


def test_a_worker_that_cannot_start_fails_the_request_with_what_it_printed(monkeypatch):
    monkeypatch.setattr(jit.workers, "_BOOT", "import sys; sys.stderr.write('no LLVM here {path}');"
                                              " sys.exit(5)")
    with jit.JitPool(shards=1, compile_in="process", workers=1, cache_dir="") as pool:
        with pytest.raises(jit.CompileWorkerError,
                           match="'m'.*exit status 5.*no LLVM here") as caught:
            pool.compile(affine_ir("f", 1, 1), "m")
    assert caught.value.cause == "start"


@pytest.mark.parametrize("status, output, cause", [
    (-signal.SIGABRT, "LLVM ERROR: out of memory\nAllocation failed", "memory"),
    (-signal.SIGABRT, "terminate called after throwing an instance of 'std::bad_alloc'", "memory"),
    (-signal.SIGABRT, "Assertion `x' failed.", "signal"),
    (1, "Traceback ...\nMemoryError", "memory"),
    (3, "", "exit"),
])
def test_how_a_worker_died_is_read_from_its_status_and_last_output(status, output, cause):
    assert jit.workers._how_it_died(status, output)[0] == cause


def test_a_worker_killed_from_outside_mid_request_fails_that_request_only(workers_pool):
    workers_pool.compile(affine_ir("f", 1, 1), "warm")
    [pid] = workers_pool.stats()["worker_pids"]
    workers_pool.inject_worker_fault("hang", module="victim")  # so the kill lands mid-request
    failures = []

    def compile_victim():
        try:
            workers_pool.compile(affine_ir("f", 1, 1), "victim")
        except jit.CompileWorkerError as error:
            failures.append(error)

    thread = threading.Thread(target=compile_victim)
    thread.start()
    os.kill(pid, signal.SIGKILL)
    thread.join()
    assert [(e.module, e.pid, e.cause) for e in failures] == [("victim", pid, "signal")]
    assert "SIGKILL" in str(failures[0])
    workers_pool.compile(affine_ir("f", 1, 1), "after")


def test_eight_threads_compile_through_two_workers():
    with jit.JitPool(shards=2, compile_in="process", workers=2, cache_dir="") as pool:
        wrong = []

        def work(t):
            for i in range(6):
                name = f"f_{t}_{i}"
                with pool.add(affine_ir(name, t + 2, i), exports=[name]) as handle:
                    if I64_TO_I64(handle.address(name))(9) != affine(t + 2, i, 9):
                        wrong.append(name)

        assert run_in_threads(work, [(t,) for t in range(8)]) == []
        stats = pool.stats()
    assert wrong == []
    assert (stats["modules_added"], stats["worker_compiles"], stats["workers_started"]) == \
        (48, 48, 2)


def test_a_worker_is_recycled_after_its_quota_of_compiles():
    with jit.JitPool(shards=1, compile_in="process", workers=1, cache_dir="",
                     worker_limits=jit.WorkerLimits(recycle_after=3)) as pool:
        pids = set()
        for i in range(7):
            pool.compile(affine_ir("f", i, i), f"m{i}")
            pids.update(pool.stats()["worker_pids"])
        stats = pool.stats()
    assert (stats["workers_started"], stats["worker_recycles"], len(pids)) == (3, 2, 3)
    assert all(_gone(pid, within=0) for pid in pids)  # every one was reaped


def test_closing_the_pool_with_compiles_in_flight_kills_every_worker():
    pool = jit.JitPool(shards=1, compile_in="process", workers=2, cache_dir="")
    outcomes = []
    started = threading.Barrier(3)

    def compile_forever(name):
        pool.inject_worker_fault("hang", module=name)
        started.wait()
        try:
            pool.compile(affine_ir("f", 1, 1), name)
        except jit.JitError as error:
            outcomes.append(type(error))

    threads = [threading.Thread(target=compile_forever, args=(f"m{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    started.wait()
    deadline = time.monotonic() + 60
    while len(pool.stats()["worker_pids"]) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)  # waiting for both workers to start, not for a race to settle
    pids = pool.stats()["worker_pids"]
    pool.close()
    for thread in threads:
        thread.join()
    assert len(pids) == 2 and outcomes == [jit.PoolClosedError] * 2
    assert all(_gone(pid, within=0) for pid in pids)


_PARENT_WITH_COMPILES_IN_FLIGHT = """
    import sys, threading, time
    import jit
    from jit_test_support import affine_ir
    pool = jit.JitPool(shards=1, compile_in="process", workers=2, cache_dir="")
    for i in range(2):
        pool.inject_worker_fault("hang", module=f"m{i}")
        threading.Thread(target=pool.compile, args=(affine_ir("f", 1, 1), f"m{i}"),
                         daemon=True).start()
    while len(pool.stats()["worker_pids"]) < 2:
        time.sleep(0.01)
    print(*pool.stats()["worker_pids"], flush=True)
    sys.stdin.readline()  # wait to be killed
"""


def test_workers_die_with_their_parent_even_when_it_is_killed():
    here = os.path.dirname(os.path.abspath(__file__))
    parent = subprocess.Popen(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {here!r})\n" +
         textwrap.dedent(_PARENT_WITH_COMPILES_IN_FLIGHT)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(p) for p in parent.stdout.readline().split()]
    finally:
        parent.kill()
        parent.wait()
    assert len(pids) == 2
    assert all(_gone(pid) for pid in pids)


def test_workers_and_the_parent_share_the_object_cache(tmp_path):
    ir = affine_ir("f", 3, 1)
    with jit.JitPool(shards=1, compile_in="process", workers=1, cache_dir=tmp_path) as pool:
        made = pool.compile(ir, "m")
    with jit.JitPool(shards=1, compile_in="thread", cache_dir=tmp_path) as pool:
        assert pool.compile(ir, "m").data == made.data
        assert (pool.stats()["cache_hits"], pool.stats()["modules_compiled"]) == (1, 0)


def test_a_worker_writes_the_dumps_the_pool_asks_for(tmp_path):
    dump = jit.DumpConfig(frozenset({"ir", "asm"}), tmp_path)
    with jit.JitPool(shards=1, compile_in="process", workers=1, cache_dir="", dump=dump) as pool:
        pool.compile(affine_ir("dumped", 3, 1), "mod")
        [worker] = pool.stats()["worker_pids"]
    assert sorted(p.name for p in tmp_path.iterdir()) == \
        [f"{worker}-000000-mod.ll", f"{worker}-000001-mod.s"]


def test_gfjit_compile_in_chooses_where_a_pool_compiles(monkeypatch):
    monkeypatch.setenv("GFJIT_COMPILE_IN", "process")
    monkeypatch.setenv("GFJIT_COMPILE_WORKERS", "3")
    with jit.JitPool(shards=1, cache_dir="") as pool:
        assert (pool.compile_in, pool.stats()["workers"]) == ("process", 3)


def test_a_bad_gfjit_compile_in_warns_and_compiles_on_threads(monkeypatch):
    monkeypatch.setenv("GFJIT_COMPILE_IN", "gpu")
    with pytest.warns(RuntimeWarning, match="GFJIT_COMPILE_IN='gpu' ignored"):
        pool = jit.JitPool(shards=1, cache_dir="")
    with pool:
        assert pool.compile_in == "thread"


@pytest.mark.parametrize("make", [
    lambda: jit.JitPool(compile_in="gpu"),
    lambda: jit.JitPool(compile_in="process", workers=0),
    lambda: jit.WorkerLimits(timeout=0),
    lambda: jit.WorkerLimits(timeout=float("nan")),
    lambda: jit.WorkerLimits(memory=-1),
    lambda: jit.WorkerLimits(recycle_after=0),
])
def test_bad_worker_settings_raise_value_error(make):
    with pytest.raises(ValueError):
        make()


def test_worker_faults_need_a_process_pool_and_a_known_kind(pool, workers_pool):
    with pytest.raises(ValueError, match="compile_in='process'"):
        pool.inject_worker_fault("sigkill")
    with pytest.raises(ValueError, match="unknown worker fault 'explode'"):
        workers_pool.inject_worker_fault("explode")


@pytest.mark.timeout(300)
def test_the_gfjit_command_compiles_in_workers_when_the_environment_says_so(tmp_path):
    env = {**os.environ, "GFJIT_COMPILE_IN": "process", "GFJIT_CACHE_DIR": "",
           "GFJIT_DUMP": "ir", "GFJIT_DUMP_DIR": str(tmp_path)}
    command = subprocess.Popen([sys.executable, "-m", "lisp", "eval", "(length (list 1 2 3))"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    out, err = command.communicate(timeout=240)
    assert (command.returncode, out) == (0, "3\n"), err
    assert "disabled" not in err
    dumped_by = {int(p.name.split("-")[0]) for p in tmp_path.iterdir()}
    assert dumped_by and command.pid not in dumped_by  # compiled, and not in the command itself
