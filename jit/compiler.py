"""The per-thread compiler: LLVM IR text in, an object file for the host out.

Each thread lazily owns an LLVM context and one target machine per optimization level; neither is
ever touched by another thread, which is what lets `llvm_unlocked` call into LLVM without
llvmlite's process lock (target machines are not thread-safe; a context is not either).

A compile runs inside `forksafe.llvm_section()`: a fork waits until no thread is mid-compile, so
a forked child never inherits an LLVM caught half-way through a change.

Optimization is the code generator's (`opt_level` 0-3): llvmlite 0.50's PassBuilder leaks its
instrumentation callbacks (measured: about 4 KB per module for a three-pass pipeline, 58 KB for
the O2 pipeline), so the IR-level pipeline runs only when asked for (`ir_passes=True`) and is
meant for people looking at dumps, not for code compiled by the thousand.
"""

from __future__ import annotations

import ctypes
import re
import sys
import threading
from dataclasses import dataclass
from functools import cache

import llvmlite
import llvmlite.binding as llvm

from . import dumps, forksafe
from .elf import ObjectSymbols, read_symbols
from .errors import IRSyntaxError, IRVerifyError, JitError
from .llvm_unlocked import fn, initialize, take_string

# A context keeps every type and constant ever created in it: recycle it after this many modules.
CONTEXT_RECYCLE_AFTER = 300

_PARSE_POSITION = re.compile(r"^[^:\n]*:(\d+):(\d+): error: (.*)$", re.MULTILINE)


@dataclass(frozen=True)
class HostTarget:
    """What the code is compiled for: part of every object-cache key."""

    triple: str
    cpu: str
    features: str


@cache
def host_target() -> HostTarget:
    """The host's triple, CPU name and CPU features (computed once)."""
    initialize()
    return HostTarget(llvm.get_process_triple(), llvm.get_host_cpu_name(),
                      llvm.get_host_cpu_features().flatten())


def check_opt_level(opt_level: int) -> int:
    """Return `opt_level` if it is 0, 1, 2 or 3, else raise ValueError."""
    if opt_level not in (0, 1, 2, 3) or isinstance(opt_level, bool):
        raise ValueError(f"opt_level must be 0, 1, 2 or 3, not {opt_level!r}")
    return opt_level


@dataclass(frozen=True)
class ObjectCode:
    """A compiled module: the object file's bytes and its global symbols."""

    name: str
    data: bytes
    symbols: ObjectSymbols

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> "ObjectCode":
        return cls(name, data, read_symbols(data))


class _ThreadCompiler:
    """One thread's LLVM context and target machines. Used only by the thread that made it."""

    def __init__(self) -> None:
        self._context = None
        self._parsed_in_context = 0
        self._machines: dict[int, llvm.TargetMachine] = {}

    def machine(self, opt_level: int) -> llvm.TargetMachine:
        tm = self._machines.get(opt_level)
        if tm is None:
            host = host_target()
            tm = llvm.Target.from_triple(host.triple).create_target_machine(
                cpu=host.cpu, features=host.features, opt=opt_level, jit=True)
            self._machines[opt_level] = tm
        return tm

    def parse(self, ir: str, source: bytes, name: str):
        """Parse `source` (`ir`, encoded) into this thread's context; the caller disposes the
        module."""
        if self._context is None or self._parsed_in_context >= CONTEXT_RECYCLE_AFTER:
            self._drop_context()
            self._context = fn("LLVMPY_ContextCreate")()
        self._parsed_in_context += 1
        err = ctypes.c_char_p()
        module = fn("LLVMPY_ParseAssembly")(self._context, source, ctypes.byref(err))
        message = take_string(err)
        if not module:
            raise _syntax_error(message, ir, name)
        return module

    def _drop_context(self) -> None:
        # Every module parsed into the context was disposed before its parse() caller returned.
        if self._context is not None:
            fn("LLVMPY_ContextDispose")(self._context)
            self._context = None
            self._parsed_in_context = 0

    def __del__(self, _finalizing=sys.is_finalizing) -> None:
        # The thread ended (or, in a forked child, is gone): nobody else can be using the context.
        # Not inside llvm_section: in a child this runs before the fork handlers reopen the gate,
        # and disposing a context touches only that context.
        if not _finalizing():
            self._drop_context()


_local = threading.local()


def _thread_compiler() -> _ThreadCompiler:
    compiler = getattr(_local, "compiler", None)
    if compiler is None:
        compiler = _local.compiler = _ThreadCompiler()
    return compiler


def _syntax_error(message: str, ir: str, name: str) -> IRSyntaxError:
    match = _PARSE_POSITION.search(message)
    if match is None:
        return IRSyntaxError(message.strip() or "unparsable IR", None, None, None, name)
    line, column = int(match.group(1)), int(match.group(2))
    lines = ir.splitlines()
    source = lines[line - 1] if 0 < line <= len(lines) else None
    return IRSyntaxError(match.group(3), line, column, source, name)


def encode_source(ir: object, name: object) -> bytes:
    """The UTF-8 bytes of IR text `ir` for module `name`, after checking both. LLVM takes IR as a
    C string, so a NUL would silently end it early, and a lone surrogate has no UTF-8 form: either
    raises IRSyntaxError at its position."""
    if not isinstance(ir, str):
        raise TypeError(f"IR must be a str, not {type(ir).__name__}")
    if not isinstance(name, str) or not name:
        raise TypeError(f"module name must be a non-empty str, not {name!r}")
    nul = ir.find("\0")
    nul_found = (nul, "a NUL character (LLVM would ignore the IR after it)")
    try:
        source = ir.encode("utf-8")
    except UnicodeEncodeError as error:
        bad = (error.start, f"a lone surrogate U+{ord(ir[error.start]):04X}, which UTF-8 cannot "
                            "encode")
        raise _bad_character(ir, *(nul_found if 0 <= nul < error.start else bad), name) from None
    if nul >= 0:
        raise _bad_character(ir, *nul_found, name)
    return source


def _bad_character(ir: str, at: int, what: str, name: str) -> IRSyntaxError:
    start = ir.rfind("\n", 0, at) + 1
    end = ir.find("\n", at)
    line = ir[start:end if end >= 0 else len(ir)]
    shown = line.encode("utf-8", "backslashreplace").decode("utf-8").replace("\0", "\\x00")
    return IRSyntaxError(f"IR contains {what}", ir.count("\n", 0, at) + 1, at - start + 1, shown,
                         name)


def _emit(module, tm: llvm.TargetMachine, as_object: bool, name: str) -> bytes:
    err = ctypes.c_char_p()
    buffer = fn("LLVMPY_TargetMachineEmitToMemory")(tm._ptr, module, int(as_object),
                                                   ctypes.byref(err))
    message = take_string(err)
    if not buffer:
        raise JitError(f"LLVM code generation failed for module {name!r}: {message}")
    try:
        return ctypes.string_at(fn("LLVMPY_GetBufferStart")(buffer),
                                fn("LLVMPY_GetBufferSize")(buffer))
    finally:
        fn("LLVMPY_DisposeMemoryBuffer")(buffer)


def _print(module) -> str:
    out = ctypes.c_char_p()
    fn("LLVMPY_PrintModuleToString")(module, ctypes.byref(out))
    return take_string(out)


def _verify(module, name: str) -> None:
    err = ctypes.c_char_p()
    failed = fn("LLVMPY_VerifyModule")(module, ctypes.byref(err))
    message = take_string(err)
    if failed:
        raise IRVerifyError(f"module {name!r} failed LLVM verification: {message.strip()}")


def _run_ir_passes(module, tm: llvm.TargetMachine, opt_level: int) -> None:
    # Leaks a few KB per call inside llvmlite (see the module docstring): opt-in only. Locked:
    # the pipeline objects are llvmlite's own.
    pto = llvm.create_pipeline_tuning_options(opt_level)
    pb = llvm.create_pass_builder(tm, pto)
    mpm = pb.getModulePassManager()
    try:
        llvm.ffi.lib.LLVMPY_RunNewModulePassManager(mpm, module, pb)
    finally:
        mpm.close()
        pb.close()
        pto.close()


def _lowered(ir: str, source: bytes, name: str, opt_level: int, ir_passes: bool,
             dump: dumps.DumpConfig, emit_object: bool) -> bytes:
    with forksafe.llvm_section():
        compiler = _thread_compiler()
        tm = compiler.machine(opt_level)
        module = compiler.parse(ir, source, name)
        try:
            _verify(module, name)
            if ir_passes:
                _run_ir_passes(module, tm, opt_level)
            if dump.wants("opt"):
                dump.record(name, "opt", _print(module))
            return _emit(module, tm, emit_object, name)
        finally:
            fn("LLVMPY_DisposeModule")(module)


def compile(ir: str, name: str, *, opt_level: int = 2, ir_passes: bool = False,
            dump: dumps.DumpConfig | None = None) -> ObjectCode:
    """Parse, verify, optionally optimize and compile `ir` on this thread's own LLVM objects.

    `name` names the module in errors and dumps. Raises IRSyntaxError or IRVerifyError. A dump
    that cannot be written is a warning, never an error.
    """
    source = encode_source(ir, name)
    check_opt_level(opt_level)
    dump = dumps.from_env() if dump is None else dump
    dump.record(name, "ir", ir)
    code = ObjectCode.from_bytes(name, _lowered(ir, source, name, opt_level, ir_passes, dump, True))
    if dump.wants("asm"):
        dump.record(name, "asm", assembly(ir, name, opt_level=opt_level, ir_passes=ir_passes))
    return code


def assembly(ir: str, name: str, *, opt_level: int = 2, ir_passes: bool = False) -> str:
    """The host assembly that `ir` compiles to, for people to read."""
    source = encode_source(ir, name)
    check_opt_level(opt_level)
    return _lowered(ir, source, name, opt_level, ir_passes, dumps.NO_DUMP, False).decode("utf-8")


def cache_key_parts(opt_level: int, ir_passes: bool) -> tuple[str, ...]:
    """Everything besides the IR that decides the object code `compile` produces."""
    host = host_target()
    return (host.triple, host.cpu, host.features, f"O{opt_level}",
            f"ir_passes={ir_passes}", f"llvmlite={llvmlite.__version__}")
