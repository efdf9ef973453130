"""JitPool: compile on the calling thread, link into one of K lock-protected LLJIT shards, publish
the exports in one symbol table, and free code safely when its handles are released.

Reclamation rule (relied on by `lookup`): a module's code is freed only when its owning handle
(the one `add` returned) has been released AND every handle `lookup` returned for it has been
released too. Releasing the owner removes its exports from the symbol table at once, under the
table lock; `lookup` looks a name up and takes a lease on the code under that same lock. So a
lookup either finds the name before the release, and its handle keeps the code alive until it is
released, or after, and raises SymbolNotFound: it never returns code that is freed or being
freed, whatever other threads do.

Releases never block (they may come from garbage-collection finalizers, see `shard.py`): a
release is queued and applied by whoever holds, or next takes, the table lock; every table
operation applies the queue first, so a release is visible to every operation that follows it.

Where IR is compiled (`compile_in`): on the calling thread ("thread"), or in compile worker
processes ("process", see `workers`), whose object code is linked here the same way. Either way
through the object cache, which only this process does I/O on.
"""

from __future__ import annotations

import collections
import itertools
import os
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any

from . import compiler, dumps, forksafe, objcache, perfmap
from .compiler import ObjectCode
from .elf import ObjectFormatError
from .errors import DuplicateSymbolError, JitError, PoolClosedError, SymbolNotFound
from .handle import CodeHandle
from .llvm_unlocked import initialize
from .notice import warn_once
from .resolve import export_list, import_dict, resolve
from .shard import LinkedCode, Shard
from .workers import WorkerLimits, WorkerPool

# Links per LLJIT before a shard renews it (bounds the JITDylibs llvmlite never frees).
RETIRE_AFTER = 500
_RESERVED = object()  # a name being linked: not yet visible, but taken
COMPILE_IN = ("thread", "process")


class JitPool:
    """K LLJIT shards behind their own locks, and one symbol table across them. Thread-safe.

    `add`, `lookup`, `stats` and `close` may wait for locks: do not call them from finalizers.
    `CodeHandle.release` never waits.
    """

    def __init__(self, shards: int | None = None, *, opt_level: int = 2,
                 cache_dir: str | os.PathLike[str] | None = None,
                 dump: dumps.DumpConfig | None = None, perf_map: bool | None = None,
                 retire_after: int = RETIRE_AFTER, compile_in: str | None = None,
                 workers: int | None = None, worker_limits: WorkerLimits | None = None) -> None:
        """`cache_dir`: None for GFJIT_CACHE_DIR (no cache if unset), "" for none,
        `objcache.USER_DEFAULT` for the per-user cache, or a directory (CacheDirectoryError if it
        cannot be used). `compile_in`: "thread" or "process" (None: GFJIT_COMPILE_IN, default
        "thread"); in process mode, `workers` worker processes (None: GFJIT_COMPILE_WORKERS, else
        up to 4, one per CPU) within `worker_limits`."""
        count = (os.cpu_count() or 1) if shards is None else shards
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError(f"shards must be a positive int or None, not {shards!r}")
        self.opt_level = compiler.check_opt_level(opt_level)
        self.compile_in = _compile_in(compile_in)
        initialize()  # shards make LLJITs for the host, even when every object comes from a cache
        self._cache = objcache.for_pool(cache_dir)
        self._dump = dumps.from_env() if dump is None else dump
        self._perf_map = perfmap.enabled_by_env() if perf_map is None else perf_map
        self._workers = WorkerPool(_worker_count(workers), worker_limits or WorkerLimits()) \
            if self.compile_in == "process" else None
        self._shards = [Shard(i, retire_after) for i in range(count)]
        self._next_affinity = itertools.count()
        self._local = threading.local()
        self._symbols: dict[str, Any] = {}
        self._table_lock = threading.Lock()
        self._table_holder: int | None = None
        self._drops: collections.deque[tuple[LinkedCode, bool]] = collections.deque()
        self._closed = False
        self._counts = collections.Counter()   # under the table lock, or _stats_lock for the
        self._seconds = collections.Counter()  # compile-side counters (cache, compile time)
        self._stats_lock = threading.Lock()
        self._fork_took_table = False
        forksafe.register(forksafe.RANK_TABLES, self)

    @property
    def closed(self) -> bool:
        return self._closed

    # -- the table lock and the queue of releases ---------------------------------------------

    def _lock_table(self) -> None:
        if not self._table_lock.acquire(blocking=False):
            if self._table_holder == threading.get_ident():
                raise JitError("JitPool used re-entrantly (add/lookup/stats/close from a "
                               "finalizer or callback that ran inside the pool)")
            self._table_lock.acquire()
        self._table_holder = threading.get_ident()
        self._apply_drops()

    def _unlock_table(self) -> None:
        while True:
            try:
                self._apply_drops()
            finally:
                self._table_holder = None
                self._table_lock.release()
            if not self._drops or not self._table_lock.acquire(blocking=False):
                return
            self._table_holder = threading.get_ident()

    def _apply_drops(self) -> None:
        while self._drops:
            code, owner = self._drops.popleft()
            if owner:
                for name in code.exports:
                    if self._symbols.get(name) is code:
                        del self._symbols[name]
            code.leases -= 1
            if code.leases == 0:
                code.shard.free_soon(code)

    def _drop(self, code: LinkedCode, owner: bool) -> None:
        """Queue a release and apply it now if the table lock is free. Never blocks."""
        self._drops.append((code, owner))
        if self._table_lock.acquire(blocking=False):
            self._table_holder = threading.get_ident()
            self._unlock_table()

    # -- public API ---------------------------------------------------------------------------

    def add(self, code: str | ObjectCode, *, exports: Iterable[str],
            imports: Mapping[str, int] | None = None, name: str | None = None,
            opt_level: int | None = None, cache: bool = True) -> CodeHandle:
        """Compile `code` (LLVM IR text) unless it is an ObjectCode already, link it into a
        shard and publish `exports`; returns the owning handle.

        IR is compiled as `compile` does: at `opt_level` (default: the pool's), through the object
        cache if the pool has one and `cache` is true (pass False for IR that embeds this
        process's addresses: it would never be found again, and the cache would only grow).

        `imports` maps external symbol names to addresses; symbols it does not name are looked
        up in the running process. Raises IRSyntaxError, IRVerifyError, MissingExportError,
        UndefinedSymbolError, DuplicateSymbolError, PoolClosedError, CompileWorkerError.
        """
        self._check_open()
        exports = export_list(exports)
        imports = import_dict(imports)
        name = name or (code.name if isinstance(code, ObjectCode) else None) or \
            (exports[0] if exports else "module")
        level = self.opt_level if opt_level is None else compiler.check_opt_level(opt_level)
        obj = self._object_code(code, name, level, cache)
        resolved = resolve(obj, exports, imports)
        self._reserve(exports)
        try:
            shard = self._lock_a_shard()
            try:
                start = time.perf_counter()
                lookups = _perf_map_functions(obj, exports) if self._perf_map else exports
                linked = shard.link(name, obj.data, resolved, lookups)
                linked.exports = tuple(exports)
                try:
                    self._publish(linked, time.perf_counter() - start)
                except BaseException:
                    shard.free_now(linked)
                    raise
            finally:
                shard.unlock()
        except BaseException:
            self._unreserve(exports)
            raise
        handle = CodeHandle(self, linked, owner=True)
        if self._perf_map:  # never raises: a map that cannot be written turns itself off
            perfmap.record({s: (a, obj.symbols.defined.get(s, 0))
                            for s, a in linked.addresses.items()
                            if s in obj.symbols.functions})
        return handle

    def compile(self, ir: str, name: str, *, opt_level: int | None = None,
                cache: bool = True) -> ObjectCode:
        """Compile `ir` as `add` would, without linking it: on this thread or in a worker process
        (`compile_in`), at `opt_level` (default: the pool's), through the object cache if `cache`.
        Raises IRSyntaxError, IRVerifyError, CompileWorkerError, PoolClosedError."""
        self._check_open()
        level = self.opt_level if opt_level is None else compiler.check_opt_level(opt_level)
        return self._object_code(ir, name, level, cache)

    def inject_worker_fault(self, kind: str, module: str | None = None) -> None:
        """Make the next compile of `module` (None: of any module) in a worker process die by
        `kind` ("sigkill", "sigsegv", "hang", "memory" or "exit"): for tests and stress runs.
        Only for a pool that compiles in processes."""
        if self._workers is None:
            raise ValueError("worker faults need a JitPool(compile_in='process')")
        self._workers.inject_fault(kind, module)

    def lookup(self, name: str) -> CodeHandle:
        """A new handle on the live module that exports `name`; raises SymbolNotFound."""
        self._check_open()
        self._lock_table()
        try:
            code = self._symbols.get(name)
            if code is None or code is _RESERVED:
                raise SymbolNotFound(f"no live JIT code exports {name!r}")
            code.leases += 1
        finally:
            self._unlock_table()
        return CodeHandle(self, code, owner=False)

    def stats(self) -> dict[str, Any]:
        """Modules added, live and freed; compile and link time totals; per-shard lock waits."""
        self._lock_table()
        try:
            shards = [shard.stats() for shard in self._shards]
            freed = sum(s["freed"] for s in shards)
            return {
                "modules_added": self._counts["added"],
                "modules_live": self._counts["added"] - freed,
                "modules_freed": freed,
                "exports_published": sum(1 for v in self._symbols.values() if v is not _RESERVED),
                "modules_compiled": self._counts["compiled"],
                "compile_seconds": self._seconds["compiled"],
                "link_seconds": self._seconds["link"],
                "cache_hits": self._counts["cache_hits"],
                "cache_misses": self._counts["cache_misses"],
                "cache_write_failures": self._counts["cache_write_failures"],
                "cache_rejected": self._counts["cache_rejected"],
                "compile_in": self.compile_in,
                "lljits_created": sum(s["lljits_created"] for s in shards),
                "lljits_disposed": sum(s["lljits_disposed"] for s in shards),
                "lock_waits": [s["lock_waits"] for s in shards],
                "lock_wait_seconds": [s["wait_seconds"] for s in shards],
                "free_errors": sum(s["free_errors"] for s in shards),
                "shards": shards,
            } | (self._workers.stats() if self._workers is not None else {})
        finally:
            self._unlock_table()

    def close(self) -> None:
        """Free all code and every LLJIT. Idempotent; any later add, lookup or address raises
        PoolClosedError (`stats()` stays readable, for final reports).

        Addresses taken from this pool must not be called after this.
        """
        self._lock_table()
        try:
            if self._closed:
                return
            self._closed = True
            self._symbols.clear()
        finally:
            self._unlock_table()
        if self._workers is not None:
            self._workers.close()
        for shard in self._shards:
            shard.lock()
            try:
                shard.close()
            finally:
                shard.unlock()

    def __enter__(self) -> "JitPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self, _finalizing=sys.is_finalizing) -> None:
        # Unreachable: no handle refers to it and no thread is inside it, so no lock is held.
        if not getattr(self, "_closed", True) and not _finalizing():
            self.close()

    # -- the steps of add ----------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise PoolClosedError("the JitPool is closed")

    def _object_code(self, code: str | ObjectCode, name: str, opt_level: int, cache: bool) -> ObjectCode:
        if isinstance(code, ObjectCode):
            return code
        if not isinstance(code, str):
            raise TypeError(f"JitPool.add takes LLVM IR text or an ObjectCode (compile: IR "
                            f"text), not {type(code).__name__}")
        source = compiler.encode_source(code, name)  # before the cache key: it encodes the IR
        key = None
        if self._cache is not None and cache:
            key = self._cache.key(code, compiler.cache_key_parts(opt_level, False))
            try:
                data = self._cache.get(key)
            except objcache.RejectedEntry:
                data = None
                self._count("cache_rejected")
            if data is not None:
                try:
                    obj = ObjectCode.from_bytes(name, data)
                    self._count("cache_hits")
                    return obj
                except ObjectFormatError:
                    pass  # signed by us but not an object we can use: recompile over it
            self._count("cache_misses")
        start = time.perf_counter()
        obj = self._compile(code, source, name, opt_level)
        self._count("compiled", time.perf_counter() - start)
        if key is not None and not self._cache.put(key, obj.data):
            self._count("cache_write_failures")
        return obj

    def _compile(self, ir: str, source: bytes, name: str, opt_level: int) -> ObjectCode:
        if self._workers is None:
            return compiler.compile(ir, name, opt_level=opt_level, dump=self._dump)
        return ObjectCode.from_bytes(name, self._workers.compile(source, name, opt_level, False,
                                                                 self._dump))

    def _count(self, what: str, seconds: float = 0.0) -> None:
        with self._stats_lock:
            self._counts[what] += 1
            self._seconds[what] += seconds

    def _reserve(self, exports: list[str]) -> None:
        self._lock_table()
        try:
            self._check_open()
            taken = [n for n in exports if n in self._symbols]
            if taken:
                raise DuplicateSymbolError(
                    f"exported name(s) {', '.join(taken)} already live in this JitPool (release "
                    "the module that exports them first, or choose new names)")
            for n in exports:
                self._symbols[n] = _RESERVED
        finally:
            self._unlock_table()

    def _unreserve(self, exports: list[str]) -> None:
        self._lock_table()
        try:
            for n in exports:
                if self._symbols.get(n) is _RESERVED:
                    del self._symbols[n]
        finally:
            self._unlock_table()

    def _publish(self, linked: LinkedCode, link_seconds: float) -> None:
        self._lock_table()
        try:
            self._check_open()
            for n in linked.exports:
                self._symbols[n] = linked
            self._counts["added"] += 1
            self._seconds["link"] += link_seconds
        finally:
            self._unlock_table()

    def _lock_a_shard(self) -> Shard:
        """This thread's shard if free, else any free one, else wait for this thread's."""
        mine = getattr(self._local, "shard", None)
        if mine is None:
            mine = self._local.shard = next(self._next_affinity) % len(self._shards)
        order = self._shards[mine:] + self._shards[:mine]
        for shard in order:
            if shard.try_lock():
                return shard
        order[0].lock()
        return order[0]


    # -- fork (see forksafe): the table and statistics locks -------------------------------------

    def fork_acquire(self) -> None:
        self._fork_took_table = self._table_holder != threading.get_ident()
        if self._fork_took_table:
            self._table_lock.acquire()
            self._table_holder = threading.get_ident()
        self._stats_lock.acquire()

    def fork_release(self, child: bool) -> None:
        self._stats_lock.release()
        if self._fork_took_table:
            self._unlock_table()


def _compile_in(choice: str | None) -> str:
    if choice is None:
        choice = os.environ.get("GFJIT_COMPILE_IN", "").strip() or "thread"
        if choice not in COMPILE_IN:
            warn_once(f"GFJIT_COMPILE_IN={choice!r} ignored (use one of {', '.join(COMPILE_IN)});"
                      " compiling on threads")
            return "thread"
    if choice not in COMPILE_IN:
        raise ValueError(f"compile_in must be one of {', '.join(COMPILE_IN)}, not {choice!r}")
    return choice


def _worker_count(workers: int | None) -> int:
    if workers is not None:
        return workers  # WorkerPool checks it
    text = os.environ.get("GFJIT_COMPILE_WORKERS", "").strip()
    if text:
        if text.isdigit() and int(text) > 0:
            return int(text)
        warn_once(f"GFJIT_COMPILE_WORKERS={text!r} ignored (not a positive integer)")
    return max(1, min(4, os.cpu_count() or 1))


def _perf_map_functions(obj: ObjectCode, exports: list[str]) -> list[str]:
    # Every global function is looked up at link time, so the perf map can name all of them.
    return exports + sorted(obj.symbols.functions - set(exports))


_default_pool: JitPool | None = None
_default_pool_lock = threading.Lock()
forksafe.register_lock(forksafe.RANK_DEFAULT_POOL, _default_pool_lock)


def default_pool() -> JitPool:
    """The process-wide JitPool, created on first use (thread-safe). It keeps object code in the
    per-user cache (`objcache.default_cache_dir()`) and compiles where GFJIT_COMPILE_IN says."""
    global _default_pool
    with _default_pool_lock:
        if _default_pool is None or _default_pool.closed:
            _default_pool = JitPool(cache_dir=objcache.USER_DEFAULT)
        return _default_pool
