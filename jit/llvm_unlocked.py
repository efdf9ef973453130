"""llvmlite C entry points that gfjit calls without llvmlite's process-wide lock.

llvmlite wraps every function of its C library in `_lib_fn_wrapper`, which holds one process-wide
RLock for the duration of the call, so N threads compiling through llvmlite run one at a time.
The functions below touch only objects that are confined to the calling thread (its LLVM context,
its target machine, modules and buffers it created) or objects of one pool shard that gfjit's own
shard lock guards. For those we call the underlying ctypes function (`_lib_fn_wrapper._cfn`)
directly: ctypes releases the GIL around a foreign call, so threads really run LLVM in parallel.

Checked against llvmlite 0.50 (pyproject pins `llvmlite>=0.50,<0.51`). At import we check that the
internals relied on exist (`ffi.lib`, `_lib_fn_wrapper._cfn`, the argument types llvmlite sets);
if not, we warn once and every call goes through llvmlite's locked wrapper: correct, only serial.

llvmlite's process-wide lock (`ffi.lib._lock._lock`, an RLock) is also held across `os.fork()`
(see `forksafe`): a child forked while another thread held it could never call llvmlite again.
"""

from __future__ import annotations

import ctypes
import warnings
from typing import Any, Callable

import llvmlite
import llvmlite.binding as llvm
from llvmlite.binding import ffi

from . import forksafe

# name -> why calling it without llvmlite's lock is safe
UNLOCKED: dict[str, str] = {
    "LLVMPY_ContextCreate": "makes a new context that only the calling thread will use",
    "LLVMPY_ContextDispose": "disposes the calling thread's own context, after its last module",
    "LLVMPY_ParseAssembly": "parses into the calling thread's own context",
    "LLVMPY_VerifyModule": "reads one module of the calling thread's own context",
    "LLVMPY_PrintModuleToString": "prints one module of the calling thread's own context",
    "LLVMPY_DisposeModule": "disposes a module the calling thread created",
    "LLVMPY_TargetMachineEmitToMemory":
        "runs code generation with the calling thread's own target machine on its own module "
        "(target machines are not thread-safe, so each thread has one)",
    "LLVMPY_GetBufferStart": "reads a memory buffer the calling thread owns",
    "LLVMPY_GetBufferSize": "reads a memory buffer the calling thread owns",
    "LLVMPY_DisposeMemoryBuffer": "frees a memory buffer the calling thread owns",
    "LLVMPY_DisposeString": "frees a message string LLVM allocated for this call only",
    "LLVMPY_CreateLLJITCompiler":
        "builds a new LLJIT that no other thread can reach yet; the GDB registration listener it "
        "attaches is a process-wide singleton with its own mutex",
    "LLVMPY_LLJIT_Link": "links into one shard's LLJIT while the caller holds that shard's lock",
    "LLVMPY_LLJIT_Dylib_Tracker_Dispose":
        "clears one library of a shard's LLJIT while the caller holds that shard's lock",
    "LLVMPY_LLJITDispose": "drops a shard's LLJIT while the caller holds that shard's lock",
}

# Entry points whose argument types llvmlite leaves unset (ctypes' defaults are right for them).
_NO_ARGTYPES = {"LLVMPY_DisposeString", "LLVMPY_ContextCreate"}


def _raw_functions() -> dict[str, Callable[..., Any]] | None:
    """The unlocked ctypes functions, or None if llvmlite's internals are not what we rely on."""
    try:
        table = {}
        for name in UNLOCKED:
            wrapper = getattr(ffi.lib, name)
            raw = wrapper._cfn
            if not isinstance(raw, ctypes._CFuncPtr):
                return None
            if name not in _NO_ARGTYPES and not raw.argtypes:
                return None
            table[name] = raw
        return table
    except AttributeError:
        return None


_RAW = _raw_functions()
PARALLEL: bool = _RAW is not None
"""True when the entry points above really run without llvmlite's lock."""

if not PARALLEL:
    warnings.warn(
        f"gfjit: llvmlite {llvmlite.__version__} lacks the internals gfjit's parallel compilation "
        "relies on (checked against 0.50); compiling through llvmlite's process-wide lock, "
        "correct but serial", RuntimeWarning, stacklevel=2)


def _llvmlite_lock() -> Any:
    """llvmlite's process-wide RLock, or None if its internals are not what we rely on."""
    lock = getattr(getattr(getattr(ffi, "lib", None), "_lock", None), "_lock", None)
    return lock if hasattr(lock, "acquire") and hasattr(lock, "release") else None


if _llvmlite_lock() is not None:
    forksafe.register_lock(forksafe.RANK_LLVMLITE, _llvmlite_lock())


def fn(name: str) -> Callable[..., Any]:
    """The callable for entry point `name`: unlocked if allowed and available, else locked."""
    if name not in UNLOCKED:
        raise KeyError(f"{name} is not an entry point gfjit may call unlocked")
    if _RAW is not None:
        return _RAW[name]
    return getattr(ffi.lib, name)


def take_string(ptr: ctypes.c_char_p) -> str:
    """Decode and free a message string that an entry point returned through an out-pointer."""
    if not ctypes.cast(ptr, ctypes.c_void_p).value:  # NULL: nothing to free (b"" is not NULL)
        return ""
    try:
        return (ptr.value or b"").decode("utf-8", errors="replace")
    finally:
        fn("LLVMPY_DisposeString")(ptr)


def initialize() -> None:
    """Initialize LLVM's native target and assembly printer (idempotent, locked: done rarely)."""
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
