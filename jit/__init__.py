"""gfjit's JIT layer: per-thread LLVM compilers, a sharded LLJIT pool, safe code removal.

Knows nothing of dispatch or Lisp.

    import jit
    pool = jit.JitPool()                      # thread-safe; jit.default_pool() is process-wide
    h = pool.add(ir_text, exports=["disp_17"],
                 imports={"PyObject_Vectorcall": jit.capi.address("PyObject_Vectorcall")})
    h.address("disp_17")                      # -> int
    h.release()                               # or `with pool.add(...) as h:`, or drop it
    pool.lookup("disp_17")                    # a new handle on the live module, or SymbolNotFound
    pool.compile(ir, name) -> ObjectCode      # compile as add would (thread or worker, cache)
    jit.compile(ir, name) -> ObjectCode       # compile only, on this thread (pool.add takes it)
    jit.assembly(ir, name) -> str             # host assembly, for people

    jit.JitPool(compile_in="process", workers=2,  # compile in worker processes: a crash, a
                worker_limits=jit.WorkerLimits(timeout=60))  # hang or a leak costs one request

How the pieces fit: `compiler` turns IR into an object file on the calling thread's own LLVM
context and target machine; `shard` links objects into one of K LLJITs, each behind its own lock;
`resolve` checks an object's exports and external references before it is linked; `pool` keeps
one symbol table across the shards and decides when code may be freed, `handle` is the lease a
caller holds on linked code;
`llvm_unlocked` lists the llvmlite entry points called without llvmlite's process-wide lock, which
is what lets threads compile and link in parallel. `workers` runs compiles in other processes
(`compile_worker` is their main, `wire` their frames); `objcache` keeps object code on disk, signed
with this user's key (`cachekey`) and trusted only in private files (`safefiles`); `forksafe`
keeps the layer usable in a child of `os.fork()`.

Reclamation rule: code is freed only once the handle `add` returned and every handle `lookup`
returned for it are released. Releasing the `add` handle withdraws the exports from the symbol
table at once, and `lookup` takes its lease under the same lock, so `lookup` returns a live handle
or raises SymbolNotFound: never code that is freed or being freed. A caller that has itself made
sure nobody runs the code any more (dispatch's invariant I1) may release and have it freed at once.

Releasing never blocks and is safe in garbage-collection finalizers; `add`, `lookup`, `stats` and
`close` may wait for locks and must not be called from finalizers.

Environment:
- GFJIT_CACHE_DIR: the on-disk object cache of every JitPool() (empty: none). The default pool
  uses `jit.objcache.default_cache_dir()`: GFJIT_CACHE_DIR if set, else $XDG_CACHE_HOME/gfjit or
  ~/.cache/gfjit. GFJIT_CACHE=0 turns both off (a cache_dir= passed to JitPool stays). Entries
  are signed with the key in $XDG_CONFIG_HOME/gfjit/cache.key (~/.config/gfjit/cache.key), made
  on first use.
- GFJIT_COMPILE_IN=thread|process and GFJIT_COMPILE_WORKERS=N: where a JitPool() given no
  compile_in compiles, with how many worker processes.
- GFJIT_DUMP=ir,opt,asm and GFJIT_DUMP_DIR: per-module dumps.
- GFJIT_PERF_MAP=1: /tmp/perf-<pid>.map for `perf report`.
A setting that cannot be honoured (an unusable cache, dump directory or perf map, a bad value)
turns off only that tool, with one warning; compiling carries on.
"""

__version__ = "0.1.0"

from . import capi
from .compiler import ObjectCode, assembly, compile
from .dumps import DumpConfig
from .errors import (CacheDirectoryError, CompileWorkerError, DuplicateSymbolError,
                     HandleReleasedError, IRSyntaxError, IRVerifyError, JitError, LinkError,
                     MissingExportError, PoolClosedError, SymbolNotFound, UndefinedSymbolError,
                     UnsafeFileError)
from .pool import CodeHandle, JitPool, default_pool
from .workers import WorkerLimits

__all__ = [
    "CacheDirectoryError", "CodeHandle", "CompileWorkerError", "DumpConfig",
    "DuplicateSymbolError", "HandleReleasedError", "IRSyntaxError", "IRVerifyError", "JitError",
    "JitPool", "LinkError", "MissingExportError", "ObjectCode", "PoolClosedError",
    "SymbolNotFound", "UndefinedSymbolError", "UnsafeFileError", "WorkerLimits", "assembly",
    "capi", "compile", "default_pool",
]
