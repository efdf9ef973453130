"""gfjit's JIT layer: per-thread LLVM compilers, a sharded LLJIT pool, safe code removal.

Knows nothing of dispatch or Lisp.

    import jit
    pool = jit.JitPool()                      # thread-safe; jit.default_pool() is process-wide
    h = pool.add(ir_text, exports=["disp_17"],
                 imports={"PyObject_Vectorcall": jit.capi.address("PyObject_Vectorcall")})
    h.address("disp_17")                      # -> int
    h.release()                               # or `with pool.add(...) as h:`, or drop it
    pool.lookup("disp_17")                    # a new handle on the live module, or SymbolNotFound
    jit.compile(ir, name) -> ObjectCode       # compile only, on this thread (pool.add takes it)
    jit.assembly(ir, name) -> str             # host assembly, for people

How the pieces fit: `compiler` turns IR into an object file on the calling thread's own LLVM
context and target machine; `shard` links objects into one of K LLJITs, each behind its own lock;
`resolve` checks an object's exports and external references before it is linked; `pool` keeps
one symbol table across the shards and decides when code may be freed, `handle` is the lease a
caller holds on linked code;
`llvm_unlocked` lists the llvmlite entry points called without llvmlite's process-wide lock, which
is what lets threads compile and link in parallel.

Reclamation rule: code is freed only once the handle `add` returned and every handle `lookup`
returned for it are released. Releasing the `add` handle withdraws the exports from the symbol
table at once, and `lookup` takes its lease under the same lock, so `lookup` returns a live handle
or raises SymbolNotFound: never code that is freed or being freed. A caller that has itself made
sure nobody runs the code any more (dispatch's invariant I1) may release and have it freed at once.

Releasing never blocks and is safe in garbage-collection finalizers; `add`, `lookup`, `stats` and
`close` may wait for locks and must not be called from finalizers.

Environment: GFJIT_CACHE_DIR (on-disk object cache), GFJIT_DUMP=ir,opt,asm and GFJIT_DUMP_DIR
(per-module dumps), GFJIT_PERF_MAP=1 (/tmp/perf-<pid>.map for `perf report`).
"""

__version__ = "0.1.0"

from . import capi
from .compiler import ObjectCode, assembly, compile
from .dumps import DumpConfig
from .errors import (DuplicateSymbolError, HandleReleasedError, IRSyntaxError, IRVerifyError,
                     JitError, LinkError, MissingExportError, PoolClosedError, SymbolNotFound,
                     UndefinedSymbolError)
from .pool import CodeHandle, JitPool, default_pool

__all__ = [
    "CodeHandle", "DumpConfig", "DuplicateSymbolError", "HandleReleasedError", "IRSyntaxError",
    "IRVerifyError", "JitError", "JitPool", "LinkError", "MissingExportError", "ObjectCode",
    "PoolClosedError", "SymbolNotFound", "UndefinedSymbolError", "assembly", "capi", "compile",
    "default_pool",
]
