"""The Lisp process: ``room`` (memory), ``ed`` (the editor), and leaving: ``exit`` and ``quit``.

``exit`` and ``quit`` are GFJIT-EXTENSIONS's (also named SB-EXT, used by CL-USER), with SBCL's
lambda lists: ``(exit &key code abort timeout)`` unwinds the stack, running ``unwind-protect``
cleanups, and ends the process with status ``code`` (0); with ``:abort t`` it ends it at once
(status 1 unless ``code`` says otherwise), after finishing the output of the standard streams.
``(quit &key unix-status recklessly-p code)`` is SBCL's older name: ``recklessly-p`` is
``abort``, ``unix-status`` (or ``code``) the status.
"""

from __future__ import annotations

import gc
import os
import resource
import shlex
import subprocess
from collections import Counter
from typing import Any

from lisp.clos.generic import info_of
from lisp.library.arguments import check, keywords
from lisp.runtime import docstrings
from lisp.runtime.condition_classes import FileError
from lisp.runtime.data import NIL, Symbol, T, keyword, list_all_packages, source_pos
from lisp.runtime.extensions import EXTENSIONS, extension_symbol
from lisp.runtime.namespace import GLOBALS, builtin, get_function, symbol_value
from lisp.runtime.signals import raise_error
from lisp.runtime.streams import ERROR_OUTPUT, STANDARD_OUTPUT, output_stream
from lisp.runtime.values import values
from lisp.syntax.printer import prin1_to_string

_DEFAULT = keyword("DEFAULT")
for _name in ("EXIT", "QUIT"):
    extension_symbol(_name)


def _exit(code: Any, abort: bool) -> Any:
    check(type(code) is int and 0 <= code <= 255, code, "(UNSIGNED-BYTE 8)")
    if abort:
        for stream in (STANDARD_OUTPUT, ERROR_OUTPUT):
            output_stream(symbol_value(stream)).finish_output()
        os._exit(code)
    raise SystemExit(code)


@builtin("EXIT", EXTENSIONS)
def exit_(*args: Any) -> Any:
    """``(exit &key code abort timeout)``: end the process with status ``code``; see the module
    docstring (``timeout``, for other threads in SBCL, is accepted and ignored)."""
    kw = keywords(args, ("CODE", "ABORT", "TIMEOUT"), "EXIT")
    abort = kw.get("ABORT", NIL) is not NIL
    return _exit(kw.get("CODE", 1 if abort else 0), abort)


@builtin("QUIT", EXTENSIONS)
def quit_(*args: Any) -> Any:
    """``(quit &key unix-status recklessly-p code)``: :func:`exit_` under SBCL's older name."""
    kw = keywords(args, ("UNIX-STATUS", "RECKLESSLY-P", "CODE"), "QUIT")
    return _exit(kw.get("CODE", kw.get("UNIX-STATUS", 0)), kw.get("RECKLESSLY-P", NIL) is not NIL)


@builtin("ROOM")
def room(detail: Any = _DEFAULT) -> Any:
    """Print how memory is used: the process, Python's collector, the Lisp, the JIT; with T also
    the commonest kinds of object; with NIL only the first line. No values."""
    lines = [_resident_line()]
    if detail is not NIL:
        counts = gc.get_count()
        collections = ", ".join(str(g["collections"]) for g in gc.get_stats())
        lines.append(f"Objects tracked by Python's collector: {len(gc.get_objects()):,} "
                     f"(young: {counts[0]:,}; collections by generation: {collections}; "
                     f"frozen: {gc.get_freeze_count():,})")
        lines += [_lisp_line(), _jit_line()]
    if detail is T:
        common = Counter(type(obj).__name__ for obj in gc.get_objects()).most_common(10)
        lines.append("Commonest objects tracked: " + ", ".join(f"{name} {count:,}" for name, count in common))
    out = output_stream(NIL)
    out.fresh_line()
    out.write_string("\n".join(lines) + "\n")
    return values()


def _resident_line() -> str:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    try:
        with open("/proc/self/statm") as statm:
            resident = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        return f"Resident memory: {resident:,.1f} MiB (peak {peak:,.1f} MiB)"
    except OSError:
        return f"Resident memory at the peak: {peak:,.1f} MiB"


def _lisp_line() -> str:
    packages = list_all_packages()
    symbols = {id(s) for p in packages for s in p.present_symbols()}
    functions = [fn for key, fn in list(GLOBALS.items()) if key.startswith("#'")]
    generic = sum(1 for fn in functions if info_of(fn) is not None)
    return (f"Lisp: {len(packages)} packages, {len(symbols):,} symbols, {len(functions):,} global functions "
            f"({generic} generic)")


def _jit_line() -> str:
    from jit.pool import default_pool

    stats = default_pool().stats()
    return (f"JIT: {stats['modules_live']} native modules live ({stats['modules_freed']} freed), "
            f"{stats['modules_compiled']} compiled in {stats['compile_seconds']:.3f} s, "
            f"{stats['cache_hits']} from the object cache")


@builtin("ED")
def ed(x: Any = NIL) -> Any:
    """Edit a file (a string), the file that defines a function (a name: at its line), or nothing,
    in ``$VISUAL`` or ``$EDITOR`` (``vi`` if neither is set); NIL once the editor is left."""
    editor = shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")
    if x is NIL:
        arguments: list[str] = []
    elif isinstance(x, str):
        arguments = [x]
    else:
        arguments = _definition_place(x)
    try:
        subprocess.run([*editor, *arguments], check=False)
    except OSError as failure:
        raise_error(FileError(f"ED: cannot run the editor {editor[0]!r}: {failure.strerror}", pathname=editor[0]))
    return NIL


def _definition_place(name: Any) -> list[str]:
    """``+LINE FILE`` of the definition of the function ``name``: its ``defun``, or its Python."""
    check(isinstance(name, Symbol), name, "(OR STRING SYMBOL)")
    fn = get_function(name)
    definition = docstrings.definition(fn)
    pos = source_pos(definition) if definition is not None else None
    if pos is not None:
        file, line = pos.file, pos.line
    else:
        code = getattr(fn, "__code__", None)
        file, line = (code.co_filename, code.co_firstlineno) if code is not None else ("", 0)
    if not os.path.isfile(file):
        where = f"at {file}" if file else "nowhere ED knows of"
        raise_error(FileError(f"ED: {prin1_to_string(name)} was defined {where}, not in a file", pathname=NIL))
    return [f"+{line}", file]

