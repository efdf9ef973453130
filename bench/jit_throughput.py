"""JIT layer benchmark: JitPool against one llvmlite LLJIT used as shipped, in one run.

The workload is a dispatcher-sized module: a vectorcall-signature function that loads the type of
its first argument, switches over 50 type addresses and leaves each way (and the miss) with a
`musttail call @PyObject_Vectorcall`. Every module is new IR (distinct constants and name), so
nothing is reused between modules.

Measured:

1. Modules per second compiling and linking, with 1, 2 and 4 threads: (a) one llvmlite LLJIT
   used as shipped (`JITLibraryBuilder.add_ir(...).link(...)`, every call behind llvmlite's
   process-wide lock; same CPU, features and optimization level as the pool), (b) `jit.JitPool`
   compiling on the threads, (c) `jit.JitPool(compile_in="process")` with as many worker
   processes as threads (started before the clock runs); each as a ratio to (a) with 1 thread,
   (b) against its own 1-thread rate and (c) against (b) with as many threads. Median of
   `--repeat` runs.
2. Median and p99 latency of compiling (`jit.compile`; `pool.compile` on the calling thread and
   through one warm worker process) and of linking (`pool.add` of an ObjectCode), separately; the
   cost of creating (and disposing) an LLJIT.
3. Resident memory of this process after `--cycles` add/release cycles (compile + link + free, 2
   threads) against after the first 1,000, compiling on the threads and in 2 worker processes
   (with the workers' own resident memory at the end).
4. `pool.add` latency with a warm object cache against without a cache.
5. Recovery from a killed worker: how long the request whose worker is killed (SIGKILL, injected)
   takes to fail, and how long the next compile takes (it starts a new worker), against a compile
   through a warm worker.

Run: `python bench/jit_throughput.py [--quick] [--repeat N] [--cycles N] [--parts 1234]`. The
machine should be otherwise idle: the rates are wall-clock rates (the CPU columns are not).
"""

from __future__ import annotations

import argparse
import ctypes
import itertools
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable

import llvmlite
from llvmlite import binding as llvm

import jit
from jit.llvm_unlocked import PARALLEL, fn, initialize, take_string
from jit.memory import resident_bytes

WAYS = 50
_serial = itertools.count()
_VECTORCALL = jit.capi.address("PyObject_Vectorcall")
_IMPORTS = {"PyObject_Vectorcall": _VECTORCALL}


def dispatcher_ir(name: str) -> str:
    """A new 50-way type-switch dispatcher module exporting `name`."""
    base = next(_serial) * 4096 + 0x10000
    tail = ("  %r{k} = musttail call ptr @PyObject_Vectorcall(ptr inttoptr (i64 {out} to ptr), "
            "ptr %args, i64 %nargsf, ptr %kwnames)\n  ret ptr %r{k}\n")
    lines = ["declare ptr @PyObject_Vectorcall(ptr, ptr, i64, ptr)",
             f"define ptr @{name}(ptr %callable, ptr %args, i64 %nargsf, ptr %kwnames) {{",
             "entry:",
             "  %arg0 = load ptr, ptr %args",
             "  %type_slot = getelementptr i8, ptr %arg0, i64 8",
             "  %type = load ptr, ptr %type_slot",
             "  %key = ptrtoint ptr %type to i64",
             "  switch i64 %key, label %miss ["]
    lines += [f"    i64 {base + 64 * k}, label %way{k}" for k in range(WAYS)]
    lines.append("  ]")
    for k in range(WAYS):
        lines.append(f"way{k}:")
        lines.append(tail.format(k=k, out=base + 8 * k).rstrip("\n"))
    lines.append("miss:")
    lines.append(tail.format(k="miss", out=id(_miss)).rstrip("\n"))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _miss(*args):
    return ("miss", args)


def check_dispatcher(address: int) -> None:
    """Call a compiled dispatcher once (it misses: no real type matches) and check the result."""
    proto = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.py_object, ctypes.c_void_p,
                              ctypes.c_size_t, ctypes.c_void_p)
    argv = (ctypes.py_object * 1)(42)
    result = proto(address)(None, ctypes.addressof(argv), 1, None)  # ctypes owns the reference
    assert result == ("miss", (42,)), result


# -- 1. throughput -------------------------------------------------------------------------------

def _run_threads(threads: int, per_thread: int, work: Callable[[], None]
                 ) -> tuple[float, float]:
    """`threads` threads each call `work` `per_thread` times: (modules per second of wall-clock
    time, process CPU milliseconds per module)."""
    errors: list[BaseException] = []

    def body():
        try:
            for _ in range(per_thread):
                work()
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=body) for _ in range(threads)]
    start, cpu = time.perf_counter(), time.process_time()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if errors:
        raise errors[0]
    modules = threads * per_thread
    return modules / elapsed, cpu / modules * 1e3


def shipped_rate(threads: int, per_thread: int) -> float:
    """(a): one LLJIT, IR linked with llvmlite's public API (compiles inside the link)."""
    host = jit.compiler.host_target()  # the same code generation options as JitPool's
    target_machine = llvm.Target.from_triple(host.triple).create_target_machine(
        cpu=host.cpu, features=host.features, opt=2, jit=True)
    lljit = llvm.create_lljit_compiler(target_machine)
    libraries = itertools.count()

    def work():
        name = f"shipped_{next(_serial)}"
        tracker = (llvm.JITLibraryBuilder().add_ir(dispatcher_ir(name))
                   .import_symbol("PyObject_Vectorcall", _VECTORCALL)
                   .export_symbol(name).link(lljit, f"lib{next(libraries)}"))
        assert tracker[name]
        tracker.close()

    try:
        return _run_threads(threads, per_thread, work)
    finally:
        lljit.close()


def _pool(compile_in: str, workers: int | None = None, **options) -> jit.JitPool:
    """A pool compiling `compile_in`, with no object cache whatever the environment says."""
    return jit.JitPool(cache_dir="", compile_in=compile_in, workers=workers, **options)


def _add_one(pool: jit.JitPool, prefix: str) -> None:
    name = f"{prefix}_{next(_serial)}"
    pool.add(dispatcher_ir(name), exports=[name], imports=_IMPORTS).release()


def pool_rate(threads: int, per_thread: int) -> tuple[float, float]:
    """(b): JitPool, compiling on each thread, linking into its shards."""
    with _pool("thread") as pool:
        return _run_threads(threads, per_thread, lambda: _add_one(pool, "pool"))


def workers_rate(threads: int, per_thread: int) -> tuple[float, float]:
    """(c): JitPool compiling in as many worker processes as threads (CPU: this process's only)."""
    with _pool("process", workers=threads) as pool:
        _run_threads(threads, 1, lambda: _add_one(pool, "warm"))  # start every worker first
        return _run_threads(threads, per_thread, lambda: _add_one(pool, "workers"))


def throughput(per_thread: int, repeat: int) -> None:
    # The kinds of run alternate, so that all see the same background load.
    samples: dict[tuple[str, int], list[tuple[float, float]]] = {}
    for _ in range(repeat):
        for threads in (1, 2, 4):
            for kind, measure in (("shipped", shipped_rate), ("pool", pool_rate),
                                  ("workers", workers_rate)):
                samples.setdefault((kind, threads), []).append(measure(threads, per_thread))
    rate = {key: statistics.median(r for r, _ in runs) for key, runs in samples.items()}
    cpu = {key: statistics.median(c for _, c in runs) for key, runs in samples.items()}
    base = rate["shipped", 1]
    print(f"\n1. Throughput, compile + link of a {WAYS}-way dispatcher module "
          f"(modules/s, median of {repeat} runs of {per_thread} modules per thread; "
          "CPU: process CPU ms per module; cores: CPU seconds per wall-clock second, which "
          "shows both how parallel the run was and whether other processes took the cores; "
          "workers: as many compile worker processes as threads, whose CPU is not this "
          "process's)")
    print("| threads | llvmlite as shipped | vs shipped 1T | CPU | cores | JitPool "
          "| vs shipped 1T | JitPool vs its 1T | CPU | cores | JitPool, workers "
          "| vs shipped 1T | vs JitPool threads | parent CPU |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for threads in (1, 2, 4):
        shipped, pooled = rate["shipped", threads], rate["pool", threads]
        cpu_shipped, cpu_pooled = cpu["shipped", threads], cpu["pool", threads]
        working = rate["workers", threads]
        print(f"| {threads} | {shipped:.0f} | {shipped / base:.2f}x | {cpu_shipped:.1f} "
              f"| {cpu_shipped * shipped / 1e3:.2f} | {pooled:.0f} | {pooled / base:.2f}x "
              f"| {pooled / rate['pool', 1]:.2f}x | {cpu_pooled:.1f} "
              f"| {cpu_pooled * pooled / 1e3:.2f} | {working:.0f} | {working / base:.2f}x "
              f"| {working / pooled:.2f}x | {cpu['workers', threads]:.1f} |")


# -- 2. latency ------------------------------------------------------------------------------------

def _p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def _compile_latency(pool: jit.JitPool, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        name = f"lat_{next(_serial)}"
        ir = dispatcher_ir(name)
        start = time.perf_counter()
        pool.compile(ir, name)
        samples.append(time.perf_counter() - start)
    return samples


def latency(count: int) -> None:
    compile_s, link_s = [], []
    with _pool("thread", shards=1) as pool:
        for _ in range(count):
            name = f"lat_{next(_serial)}"
            start = time.perf_counter()
            code = jit.compile(dispatcher_ir(name), name)
            compile_s.append(time.perf_counter() - start)
            start = time.perf_counter()
            handle = pool.add(code, exports=[name], imports=_IMPORTS)
            link_s.append(time.perf_counter() - start)
            check_dispatcher(handle.address(name))
            handle.release()
        in_thread = _compile_latency(pool, count)
    with _pool("process", workers=1, shards=1) as pool:
        _compile_latency(pool, 1)  # start the worker
        in_worker = _compile_latency(pool, count)
    create_s = []
    for _ in range(max(count // 10, 10)):
        err = ctypes.c_char_p()
        start = time.perf_counter()
        lljit = fn("LLVMPY_CreateLLJITCompiler")(None, False, False, ctypes.byref(err))
        create_s.append(time.perf_counter() - start)
        take_string(err)
        fn("LLVMPY_LLJITDispose")(lljit)
    print(f"\n2. Latency (ms; {count} modules; LLJIT creation: {len(create_s)} LLJITs; "
          "ratio: median against jit.compile's)")
    print("| step | median | p99 | ratio |")
    print("|---|---:|---:|---:|")
    base = statistics.median(compile_s)
    for step, samples in (("compile (jit.compile)", compile_s),
                          ("compile on this thread (pool.compile)", in_thread),
                          ("compile in a warm worker process (pool.compile)", in_worker),
                          ("link (pool.add of an ObjectCode)", link_s),
                          ("LLJIT creation", create_s)):
        print(f"| {step} | {statistics.median(samples) * 1e3:.3f} "
              f"| {_p99(samples) * 1e3:.3f} | {statistics.median(samples) / base:.2f}x |")


# -- 3. memory -------------------------------------------------------------------------------------

def _resident_of(pid: int) -> int:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def memory(cycles: int) -> None:
    threads, first = 2, 1000
    print(f"\n3. Resident memory of this process over add/release cycles (compile + link + free, "
          f"{threads} threads; process mode: {threads} workers, recycled every "
          f"{jit.WorkerLimits().recycle_after} compiles)")
    print("| compile in | after cycles | resident MB | growth MB | LLJITs created / disposed "
          "| workers' resident MB at the end (started) |")
    print("|---|---:|---:|---:|---|---|")
    for compile_in in ("thread", "process"):
        with _pool(compile_in, workers=threads, shards=2) as pool:
            _run_threads(threads, first // threads, lambda: _add_one(pool, "mem"))
            after_first = resident_bytes()
            _run_threads(threads, (cycles - first) // threads, lambda: _add_one(pool, "mem"))
            after_all = resident_bytes()
            stats = pool.stats()
            workers = " + ".join(f"{_resident_of(pid) / 2**20:.1f}"
                                 for pid in stats.get("worker_pids", ()))
        started = f" ({stats['workers_started']} started)" if workers else ""
        print(f"| {compile_in} | {first} | {after_first / 2**20:.1f} | - | | |")
        print(f"| {compile_in} | {cycles} | {after_all / 2**20:.1f} "
              f"| {(after_all - after_first) / 2**20:.1f} "
              f"| {stats['lljits_created']} / {stats['lljits_disposed']} "
              f"| {workers or '-'}{started} |")


# -- 4. object cache -------------------------------------------------------------------------------

def cache(count: int) -> None:
    sources = [(f"cache_{next(_serial)}", None) for _ in range(count)]
    sources = [(name, dispatcher_ir(name)) for name, _ in sources]

    def add_all(pool: jit.JitPool) -> list[float]:
        samples = []
        for name, ir in sources:
            start = time.perf_counter()
            handle = pool.add(ir, exports=[name], imports=_IMPORTS)
            samples.append(time.perf_counter() - start)
            handle.release()
        return samples

    with tempfile.TemporaryDirectory() as directory:
        with _pool("thread", shards=1) as pool:
            uncached = add_all(pool)
        with jit.JitPool(shards=1, cache_dir=directory, compile_in="thread") as pool:
            add_all(pool)  # fills the cache
        with jit.JitPool(shards=1, cache_dir=directory, compile_in="thread") as pool:
            warm = add_all(pool)
            hits = pool.stats()["cache_hits"]
    base = statistics.median(uncached)
    print(f"\n4. pool.add latency with a warm object cache ({count} modules, {hits} hits)")
    print("| cache | median ms | ratio to no cache |")
    print("|---|---:|---:|")
    print(f"| none | {base * 1e3:.3f} | 1.00x |")
    print(f"| warm | {statistics.median(warm) * 1e3:.3f} "
          f"| {statistics.median(warm) / base:.3f}x |")


# -- 5. recovery from a killed worker ----------------------------------------------------------

def recovery(rounds: int) -> None:
    failed_s, next_s, warm_s = [], [], []
    with _pool("process", workers=1, shards=1) as pool:
        _compile_latency(pool, 1)
        for _ in range(rounds):
            warm_s += _compile_latency(pool, 1)
            pool.inject_worker_fault("sigkill")
            start = time.perf_counter()
            try:
                pool.compile(dispatcher_ir("killed"), "killed")
            except jit.CompileWorkerError:
                failed_s.append(time.perf_counter() - start)
            next_s += _compile_latency(pool, 1)
        restarts = pool.stats()["worker_restarts"]
    base = statistics.median(warm_s)
    print(f"\n5. Recovery from a worker killed mid-compile (ms, median of {rounds}; {restarts} "
          "restarts)")
    print("| request | median | max | ratio to a warm compile |")
    print("|---|---:|---:|---:|")
    for what, samples in (("compile through a warm worker", warm_s),
                          ("the request whose worker is killed (until it fails)", failed_s),
                          ("the next compile (starts a new worker)", next_s)):
        print(f"| {what} | {statistics.median(samples) * 1e3:.1f} | {max(samples) * 1e3:.1f} "
              f"| {statistics.median(samples) / base:.1f}x |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small counts, for a smoke run")
    parser.add_argument("--repeat", type=int, default=None, help="runs per throughput figure")
    parser.add_argument("--cycles", type=int, default=None, help="add/release cycles (memory)")
    parser.add_argument("--parts", default="12345", help="which measurements to run, e.g. 13")
    args = parser.parse_args(argv)
    per_thread = 30 if args.quick else 150
    repeat = args.repeat or (1 if args.quick else 3)
    cycles = args.cycles or (3000 if args.quick else 20000)
    if cycles <= 1000:
        parser.error("--cycles must be more than 1000 (memory is compared with after 1,000)")
    initialize()
    print(f"gfjit {jit.__version__}, llvmlite {llvmlite.__version__}, unlocked entry points: "
          f"{PARALLEL}")
    parts = {"1": lambda: throughput(per_thread, repeat),
             "2": lambda: latency(100 if args.quick else 500),
             "3": lambda: memory(cycles),
             "4": lambda: cache(50 if args.quick else 200),
             "5": lambda: recovery(3 if args.quick else 10)}
    if not args.parts or set(args.parts) - parts.keys():
        parser.error(f"--parts takes digits 1-5, not {args.parts!r}")
    for part in sorted(set(args.parts)):
        parts[part]()


if __name__ == "__main__":
    main()
