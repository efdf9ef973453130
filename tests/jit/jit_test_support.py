"""IR generators, ctypes and thread helpers shared by the jit tests."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import textwrap
import threading

I64_TO_I64 = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_int64)
# The vectorcall signature, called with the GIL held.
VECTORCALL = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.py_object, ctypes.c_void_p,
                               ctypes.c_size_t, ctypes.c_void_p)


def affine_ir(name: str, a: int, b: int) -> str:
    """A module exporting `name(x) = a*x + b` over i64."""
    return (f"define i64 @{name}(i64 %x) {{\n"
            f"  %m = mul i64 %x, {a}\n"
            f"  %r = add i64 %m, {b}\n"
            f"  ret i64 %r\n"
            f"}}\n")


def affine(a: int, b: int, x: int) -> int:
    """What affine_ir computes, with i64 wrap-around."""
    r = (a * x + b) & (2**64 - 1)
    return r - 2**64 if r >= 2**63 else r


def switch_ir(name: str, ways: int = 50) -> str:
    """A dispatcher-sized module: a `ways`-way switch from a key to its case number (-1: miss)."""
    lines = [f"define i64 @{name}(i64 %key) {{", "entry:", "  switch i64 %key, label %miss ["]
    lines += [f"    i64 {k * 7 + 3}, label %case{k}" for k in range(ways)]
    lines.append("  ]")
    for k in range(ways):
        lines += [f"case{k}:", f"  ret i64 {k}"]
    lines += ["miss:", "  ret i64 -1", "}"]
    return "\n".join(lines) + "\n"


def vectorcall_dispatcher_ir(name: str, target_address: int) -> str:
    """A dispatcher with the vectorcall signature that tail-calls PyObject_Vectorcall on a fixed
    Python callable, passing its arguments through."""
    return (
        "declare ptr @PyObject_Vectorcall(ptr, ptr, i64, ptr)\n"
        f"define ptr @{name}(ptr %callable, ptr %args, i64 %nargsf, ptr %kwnames) {{\n"
        "entry:\n"
        f"  %target = inttoptr i64 {target_address} to ptr\n"
        "  %r = musttail call ptr @PyObject_Vectorcall(ptr %target, ptr %args, i64 %nargsf, "
        "ptr %kwnames)\n"
        "  ret ptr %r\n"
        "}\n")


def call_vectorcall(address: int, callable_: object, *args: object) -> object:
    """Call native vectorcall function `address` with `args`, holding the GIL, and return its
    result as a Python object (its new reference is handed to Python)."""
    argv = (ctypes.py_object * max(len(args), 1))(*args)
    result = VECTORCALL(address)(callable_, ctypes.addressof(argv), len(args), None)
    obj = ctypes.cast(result, ctypes.py_object).value
    ctypes.pythonapi.Py_DecRef(ctypes.c_void_p(result))  # the reference the call returned
    return obj


def run_in_threads(target, args_per_thread) -> list[BaseException]:
    """Run `target(*args)` on one thread per args tuple; return what the threads raised."""
    errors: list[BaseException] = []

    def body(*args):
        try:
            target(*args)
        except BaseException as exc:  # reported to the test
            errors.append(exc)

    threads = [threading.Thread(target=body, args=args) for args in args_per_thread]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def run_python(program: str, *, env: dict[str, str | None] | None = None, timeout: float = 120
               ) -> subprocess.CompletedProcess:
    """Run `program` in a new interpreter that can import the jit test helpers, with the
    environment changed by `env` (None: unset); a run that outlives `timeout` seconds is killed
    and comes back with returncode None (a hang)."""
    prelude = f"import sys\nsys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})\n"
    environment = dict(os.environ)
    for name, value in (env or {}).items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    try:
        return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(program)],
                              capture_output=True, text=True, timeout=timeout, env=environment)
    except subprocess.TimeoutExpired as expired:  # its output may come back as bytes
        out, err = (o.decode(errors="replace") if isinstance(o, bytes) else o or ""
                    for o in (expired.stdout, expired.stderr))
        return subprocess.CompletedProcess(expired.cmd, None, out, err)
