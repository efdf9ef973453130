"""Evaluating Lisp text and files: what ``load`` and the Python API's ``eval_string`` do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lisp.compiler.compilation_unit import compilation_unit
from lisp.compiler.toplevel import eval_form
from lisp.runtime import namespace
from lisp.runtime.condition_classes import FileError
from lisp.runtime.data import SourcePos, T, cl_symbol
from lisp.runtime.host_errors import as_condition
from lisp.runtime.pathnames import from_native
from lisp.syntax import reader

LOAD_PATHNAME = cl_symbol("*LOAD-PATHNAME*")
LOAD_TRUENAME = cl_symbol("*LOAD-TRUENAME*")
for _variable in (LOAD_PATHNAME, LOAD_TRUENAME):
    namespace.proclaim_special(_variable)
    namespace.set_symbol_value(_variable, None)


def eval_string(text: str, *, file: str = "<string>") -> Any:
    """Evaluate every form of ``text`` in order; the primary value of the last (NIL if none).

    Every error arrives as a Lisp condition (a Python exception raised by the host, such as a
    wrong argument count, is translated), with the traceback of where it happened.
    """
    result = None
    lisp_reader = reader.Reader(text, file)
    try:
        with compilation_unit():
            while (form := lisp_reader.read()) is not reader.EOF:
                result = eval_form(form)
    except Exception as exc:
        condition = as_condition(exc)
        if condition is exc:
            raise
        raise condition.with_traceback(exc.__traceback__) from exc
    return result


def source_text(file: str) -> str:
    """The text of the UTF-8 source file ``file``; a FILE-ERROR at ``file:line:column`` naming the
    first byte that is not UTF-8 and its offset in the file."""
    data = Path(file).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as bad:
        before = data[:bad.start]
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8", "replace")) + 1
        raise FileError(f"{file} is not UTF-8: byte 0x{data[bad.start]:02x} at offset {bad.start} "
                        f"cannot be decoded ({bad.reason})",
                        pos=SourcePos(file, before.count(b"\n") + 1, column),
                        pathname=from_native(file)) from None


def load(path: str | Path) -> Any:
    """Evaluate the forms of the Lisp file ``path``, reading each after the previous one ran
    (so a form may use a package or read macro defined before it); returns T.

    As CL ``load`` does, it binds ``*package*`` to its current value (an ``in-package`` in the file
    lasts until the end of the file) and ``*load-pathname*``/``*load-truename*`` to the pathnames
    of the file's name and absolute name.
    """
    file = str(path)
    text = source_text(file)
    if text.startswith("#!"):  # a script's interpreter line, skipped as SBCL's load does
        newline = text.find("\n")
        text = "" if newline < 0 else text[newline:]  # the newline stays: line numbers hold
    saved = namespace.DYNAMIC.bindings
    try:
        namespace.bind_specials([(reader.PACKAGE_VAR, namespace.symbol_value(reader.PACKAGE_VAR)),
                                 (LOAD_PATHNAME, from_native(file)),
                                 (LOAD_TRUENAME, from_native(str(Path(path).resolve())))])
        eval_string(text, file=file)
    finally:
        namespace.DYNAMIC.bindings = saved
    return T
