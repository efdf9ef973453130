"""Compiling files and compilation units: ``compile-file``, ``compile-file-pathname``,
``with-compilation-unit``.

gfjit has no compiled-file format: a form is compiled to Python code when it is evaluated. So
``compile-file`` compiles the file's forms as ``load`` does, in one compilation unit (its warnings
as SBCL's compile-file gives them), which also evaluates them -- a deviation: the definitions
exist in the compiling image afterwards -- and writes as its output file the source text itself,
which ``load`` compiles again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lisp.compiler.compilation_unit import compilation_unit, with_warnings
from lisp.compiler.forms import arguments, items, program_error
from lisp.compiler.loading import load
from lisp.compiler.macros import macro
from lisp.library.arguments import keywords, show
from lisp.library.pathnames import defaults, merge, native_namestring, pathname
from lisp.runtime import namespace
from lisp.runtime import values as mv
from lisp.runtime.condition_classes import FileError
from lisp.runtime.data import NIL, SYSTEM, T, cl_symbol, keyword, make_list
from lisp.runtime.namespace import builtin
from lisp.runtime.pathnames import from_native, make
from lisp.runtime.signals import raise_error

COMPILE_FILE_PATHNAME = cl_symbol("*COMPILE-FILE-PATHNAME*")
COMPILE_FILE_TRUENAME = cl_symbol("*COMPILE-FILE-TRUENAME*")
for _variable in (COMPILE_FILE_PATHNAME, COMPILE_FILE_TRUENAME):
    namespace.proclaim_special(_variable)
    namespace.set_symbol_value(_variable, NIL)

_OUTPUT_TYPE = "fasl"
_COMPILE_FILE_KEYS = ("OUTPUT-FILE", "VERBOSE", "PRINT", "EXTERNAL-FORMAT")


def _source(input_file: Any) -> Any:
    """The pathname of the file ``compile-file`` reads: ``name.lisp`` for a name without a type
    that names no file, as ``load`` finds it."""
    wanted = merge(pathname(input_file), defaults(), None)
    if wanted.type is None and not Path(native_namestring(wanted, "COMPILE-FILE")).is_file():
        wanted = make(wanted.host, wanted.device, wanted.directory, wanted.name, "lisp", wanted.version)
    return wanted


def _output(source: Any, output_file: Any) -> Any:
    default = make(source.host, source.device, source.directory, source.name, _OUTPUT_TYPE, None)
    return default if output_file is NIL else merge(pathname(output_file), default, None)


@builtin("COMPILE-FILE-PATHNAME")
def compile_file_pathname(input_file: Any, *args: Any) -> Any:
    """``compile-file-pathname``: the pathname ``compile-file`` would write."""
    kw = keywords(args, _COMPILE_FILE_KEYS, "COMPILE-FILE-PATHNAME")
    return _output(_source(input_file), kw.get("OUTPUT-FILE", NIL))


@builtin("COMPILE-FILE")
def compile_file(input_file: Any, *args: Any) -> Any:
    """``compile-file``: three values, the output file's truename, warnings-p, failure-p."""
    kw = keywords(args, _COMPILE_FILE_KEYS, "COMPILE-FILE")
    source = _source(input_file)
    file = native_namestring(source, "COMPILE-FILE")
    if not Path(file).is_file():
        raise_error(FileError(f"COMPILE-FILE: no such file {show(file)}", pathname=pathname(input_file)))
    output = native_namestring(_output(source, kw.get("OUTPUT-FILE", NIL)), "COMPILE-FILE")
    truename = str(Path(file).resolve())
    with namespace.dynamic_binding(COMPILE_FILE_PATHNAME, from_native(file)), \
            namespace.dynamic_binding(COMPILE_FILE_TRUENAME, from_native(truename)):
        _, warnings_p, failure_p = with_warnings(lambda: load(file))
    Path(output).write_text(Path(file).read_text(encoding="utf-8"), encoding="utf-8")
    return mv.values(from_native(str(Path(output).resolve())), _bool(warnings_p), _bool(failure_p))


def _bool(flag: bool) -> Any:
    return T if flag else NIL


@builtin("%WITH-COMPILATION-UNIT", SYSTEM)
def with_compilation_unit_(thunk: Any, override: Any) -> Any:
    """``with-compilation-unit``'s body (``thunk``) in a unit; the values of the body."""
    with compilation_unit(override=override is not NIL):
        mv.clear()
        found = mv.take(thunk())
    return mv.values(*found)


@macro("WITH-COMPILATION-UNIT")
def with_compilation_unit(form: Any, env: Any) -> Any:
    """``(with-compilation-unit (&key override) &body body)``; ``override`` is evaluated."""
    parts = arguments(form)
    if not parts:
        raise program_error(f"{show(form)} has no option list", form)
    options = items(parts[0], form)
    if len(options) % 2:
        raise program_error(f"the options of {show(form)} are not keyword-value pairs", form)
    override = dict(zip(options[::2], options[1::2])).get(keyword("OVERRIDE"), NIL)
    thunk = make_list([cl_symbol("FUNCTION"), make_list([cl_symbol("LAMBDA"), NIL, *parts[1:]])])
    return make_list([SYSTEM.intern("%WITH-COMPILATION-UNIT"), thunk, override])
