"""The Lisp printer: Lisp data to text, as ``prin1``/``princ``/``write`` do (CLHS 22.1).

API:

- :func:`write` ``(obj, stream=NIL, **options) -> obj``: print to a stream designator; options
  (``escape``, ``readably``, ``base``, ``radix``, ``case``, ``circle``, ``pretty``, ``length``,
  ``level``, ``gensym``, ``array``, ``right_margin``, ``lines``, ``miser_width``,
  ``pprint_dispatch``) bind the ``*print-...*`` variable of that name while printing.
- :func:`output_pretty` ``(obj, stream)``: print ``obj`` with the pretty printer (what ``write``
  does when ``*print-pretty*`` is true and a layout may be needed); :func:`with_pretty_stream`
  ``(stream, body, root)`` runs ``body`` on a pretty-printing stream writing to ``stream``.
- :func:`write_to_string`, :func:`prin1_to_string`, :func:`princ_to_string` return the text;
  :func:`prin1`, :func:`princ`, :func:`print_`, :func:`pprint` print to a stream.
- :data:`print_object_hook` ``(obj, stream) -> None``: called for objects the printer does not know
  (CLOS installs ``print-object`` here); the default, :func:`print_python_object`, prints
  ``#<PY type repr>``. Hook output goes to ``stream`` (an :class:`~lisp.runtime.streams.OutputStream`).

What ``prin1`` prints reads back as an ``equal`` object: symbols are escaped (``|foo|``, ``|1|``)
and package-qualified as ``*package*`` requires, strings and characters use reader syntax, floats
print with the shortest digits that read back exactly, circular and shared structure uses
``#n=``/``#n#`` under ``*print-circle*``, structures print as ``#S(name :slot value ...)``
(:data:`structure_print_parts`). ``*print-pretty*`` (default T) abbreviates ``(quote x)``
as ``'x`` and likewise ``#'``, backquote and commas.

The pretty printer (CLHS 22.2): when ``*print-pretty*`` is true, an object is printed by the
function ``*print-pprint-dispatch*`` has for it (:mod:`lisp.syntax.pprint_dispatch`; the standard
entries lay out code, lists and arrays as SBCL does, :mod:`lisp.syntax.standard_pprint`) on a
pretty-printing stream (:mod:`lisp.syntax.pretty`), within ``*print-right-margin*``, ``*print-lines*``
and ``*print-miser-width*``. Structures print as ``#S`` in a logical block
(:data:`print_structure_pretty`); other objects print on the pretty stream itself, so that a
``print-object`` method may use logical blocks. Printing to a stream that is not a pretty one with
``*print-right-margin*`` NIL lays nothing out (a deviation: SBCL assumes 80 columns): the object is
printed on one line, as without ``*print-pretty*``, unless the dispatch table has entries a
program added, whose functions are then called (with unbounded lines, the standard code layouts,
which always break lines, are not used). ``pprint`` and the pretty-printing operations themselves
(``pprint-logical-block``, ``~<...~:>``) use 80 columns when ``*print-right-margin*`` is NIL.

Deviations: there is one float type (Python's double), printed without exponent marker and read
back by every marker; NaN and infinities print as unreadable ``#<FLOAT ...>``; non-ASCII graphic
characters print as themselves (``#\\λ``), not by Unicode name as SBCL does.
"""

from __future__ import annotations

import functools
import math
import sys
import unicodedata
from collections.abc import Callable
from contextlib import ExitStack
from decimal import Decimal
from fractions import Fraction
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Any

from lisp.runtime import hooks
from lisp.runtime.arrays import BitVector, LispArray, LispString, LispVector, array_type_specifier
from lisp.runtime.condition_classes import Condition, LispTypeError, PrintNotReadable
from lisp.runtime.data import (
    COMMON_LISP,
    KEYWORD,
    NIL,
    Char,
    Cons,
    Package,
    SourceCons,
    Symbol,
    T,
    cl_symbol,
    keyword,
    make_list,
)
from lisp.runtime.namespace import (
    dynamic_binding,
    global_value_is_set,
    proclaim_special,
    set_symbol_value,
    symbol_value,
)
from lisp.runtime.pathnames import Pathname, namestring_or_none
from lisp.runtime.signals import Restart
from lisp.runtime.streams import OutputStream, Stream, StringOutputStream, output_stream
from lisp.syntax import print_session
from lisp.syntax.pprint_dispatch import INITIAL, PRINT_PPRINT_DISPATCH, PprintDispatchTable, current_table
from lisp.syntax.pretty import DEFAULT_LINE_LENGTH, LinesExhausted, PrettyStream
from lisp.syntax.reader import (
    CHAR_NAMES,
    FUNCTION,
    PACKAGE_VAR,
    QUASIQUOTE,
    QUOTE,
    UNQUOTE,
    UNQUOTE_NSPLICING,
    UNQUOTE_SPLICING,
    Readtable,
    current_readtable,
)

_UPCASE, _DOWNCASE, _CAPITALIZE = keyword("UPCASE"), keyword("DOWNCASE"), keyword("CAPITALIZE")

#: Python keyword of :func:`write` -> (special variable, global value).
OPTIONS: dict[str, tuple[Symbol, Any]] = {
    "escape": (cl_symbol("*PRINT-ESCAPE*"), T),
    "readably": (cl_symbol("*PRINT-READABLY*"), NIL),
    "base": (cl_symbol("*PRINT-BASE*"), 10),
    "radix": (cl_symbol("*PRINT-RADIX*"), NIL),
    "case": (cl_symbol("*PRINT-CASE*"), _UPCASE),
    "circle": (cl_symbol("*PRINT-CIRCLE*"), NIL),
    "pretty": (cl_symbol("*PRINT-PRETTY*"), T),
    "length": (cl_symbol("*PRINT-LENGTH*"), NIL),
    "level": (cl_symbol("*PRINT-LEVEL*"), NIL),
    "gensym": (cl_symbol("*PRINT-GENSYM*"), T),
    "array": (cl_symbol("*PRINT-ARRAY*"), T),
    "right_margin": (cl_symbol("*PRINT-RIGHT-MARGIN*"), NIL),
    "lines": (cl_symbol("*PRINT-LINES*"), NIL),
    "miser_width": (cl_symbol("*PRINT-MISER-WIDTH*"), NIL),  # as SBCL
    "pprint_dispatch": (PRINT_PPRINT_DISPATCH, INITIAL),
}
#: The options the one-line printer reads (the others are the pretty printer's).
_FLAT_OPTIONS = ("escape", "readably", "base", "radix", "case", "circle", "pretty", "length", "level",
                 "gensym", "array")
_PRETTY = OPTIONS["pretty"][0]
_RIGHT_MARGIN = OPTIONS["right_margin"][0]
for _sym, _value in OPTIONS.values():
    proclaim_special(_sym)
    if not global_value_is_set(_sym):
        set_symbol_value(_sym, _value)

_ABBREVIATIONS = {QUOTE: "'", FUNCTION: "#'", QUASIQUOTE: "`", UNQUOTE: ",", UNQUOTE_SPLICING: ",@",
                  UNQUOTE_NSPLICING: ",."}
_CHAR_NAME_OF: dict[str, str] = {}
for _name, _char in CHAR_NAMES.items():
    _CHAR_NAME_OF.setdefault(_char, _name)
_CHAR_NAME_OF["\n"] = "Newline"
_RADIX_PREFIX = {2: "#b", 8: "#o", 16: "#x"}
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def print_python_object(obj: Any, stream: OutputStream) -> None:
    """The default :data:`print_object_hook`: ``#<PY type repr>``."""
    stream.write_string(f"#<PY {type(obj).__name__} {obj!r}>")


#: Prints objects the printer does not know; CLOS replaces it with ``print-object``.
print_object_hook: Callable[[Any, OutputStream], None] = print_python_object


def _no_structure(obj: Any) -> None:
    return None


#: ``(name, [(slot name, value)...])`` of a structure that prints as ``#S(name :slot value ...)``
#: (one whose ``print-object`` is the default), else None; set by ``lisp.library.structures``.
#: Such structures are printed here, so ``*print-level*``, ``*print-length*`` and
#: ``*print-circle*`` apply inside them.
structure_print_parts: Callable[[Any], tuple[Symbol, list[tuple[Symbol, Any]]] | None] = _no_structure


def _structure_on_one_line(obj: Any, stream: PrettyStream, name: Symbol, slots: list[tuple[Symbol, Any]]) -> None:
    stream.write_string(_Printer(stream.column, {}, stream).text(obj))


#: ``(obj, stream, name, slots)``: prints a structure as ``#S(...)`` on a pretty stream (in a
#: logical block: :mod:`lisp.syntax.standard_pprint` sets it).
print_structure_pretty: Callable[[Any, PrettyStream, Symbol, list[tuple[Symbol, Any]]], None] = _structure_on_one_line


class _Printer:
    """One print on one line: the settings read once, the text built in ``parts``. On a pretty
    stream (``stream``), objects printed by ``print-object`` are printed on that stream itself."""

    def __init__(self, start_column: int, overrides: dict[str, Any], stream: PrettyStream | None = None) -> None:
        # The options of one WRITE are passed here instead of bound: binding costs more than the
        # print of a small object. They are bound only around print-object (see :meth:`unknown`).
        self.overrides = overrides
        value = {name: overrides[name] if name in overrides else symbol_value(OPTIONS[name][0])
                 for name in _FLAT_OPTIONS}
        self.readably = value["readably"] is not NIL
        self.escape = self.readably or value["escape"] is not NIL
        self.base = _check_base(value["base"])
        self.radix = value["radix"] is not NIL
        self.case = value["case"]
        self.pretty = value["pretty"] is not NIL
        self.length = None if self.readably else _limit(value["length"], "*PRINT-LENGTH*")
        self.level = None if self.readably else _limit(value["level"], "*PRINT-LEVEL*")
        self.gensym = self.readably or value["gensym"] is not NIL
        self.array = self.readably or value["array"] is not NIL
        self.circle = value["circle"] is not NIL
        self.flat_texts: dict[tuple[int, int], str] = {}
        self.stream = stream
        self.start_column = start_column
        self.parts: list[str] = []
        # A print made inside another (by print-object...) continues its levels and labels.
        self.session = print_session.current()
        self.labels: dict[int, int] = {}  # id of a shared object -> its label, 0 until printed

    def start(self, obj: Any) -> int:
        """Get ready to print ``obj``; the level it is printed at."""
        session = self.session
        if session is None or (self.circle and session.labels is None):
            session = self.session = print_session.PrintSession(
                session.depth if session is not None else 0,
                {i: 0 for i in _shared_objects(obj)} if self.circle else None)
        if self.circle and session.labels is not None:
            self.labels = session.labels
        return session.depth

    # What only symbols need is looked up when the first symbol is printed.
    @functools.cached_property
    def package(self) -> Any:
        return symbol_value(PACKAGE_VAR)

    @functools.cached_property
    def readtable(self) -> Readtable:
        return current_readtable()

    def text(self, obj: Any) -> str:
        self.object(obj, self.start(obj))
        return "".join(self.parts)

    def flat(self, obj: Any, depth: int) -> str:
        """``obj`` on one line (remembered: it may be asked for again)."""
        key = (id(obj), depth)
        found = self.flat_texts.get(key)
        if found is None:
            saved, self.parts = self.parts, []
            self.object(obj, depth)
            found = self.flat_texts[key] = "".join(self.parts)
            self.parts = saved
        return found

    # -- dispatch on type -----------------------------------------------------------------------

    def object(self, obj: Any, depth: int) -> None:
        out = self.parts.append
        kind = type(obj)
        # The common types first, by exact type; subclasses and the rest by the chain below.
        if kind is Cons or kind is SourceCons:
            self.list(obj, depth)
        elif kind is Symbol:
            if not (self.circle and obj.package is None and self.labelled(obj)):
                out(self.symbol_text(obj))
        elif kind is int:
            out(decimal_text(obj) if self.base == 10 and not self.radix else self.number_text(obj))
        elif kind is str:
            out(_string_text(obj) if self.escape else obj)
        elif obj is None:
            out(self.symbol_text(None))
        elif isinstance(obj, Cons):
            self.list(obj, depth)
        elif isinstance(obj, Symbol):
            if not (self.circle and obj.package is None and self.labelled(obj)):
                out(self.symbol_text(obj))
        elif isinstance(obj, str):
            out(_string_text(obj) if self.escape else obj)
        elif isinstance(obj, bool):
            self.unknown(obj, depth)
        elif isinstance(obj, (int, Fraction, float, complex)):
            out(self.number_text(obj))
        elif isinstance(obj, Char):
            out(_char_text(obj.char) if self.escape else obj.char)
        elif isinstance(obj, list):
            self.vector(obj, depth)
        elif isinstance(obj, LispArray):
            self.lisp_array(obj, depth)
        elif isinstance(obj, Condition):
            out(self.unreadable(obj, f"{obj.lisp_name.name} {_string_text(self.report(obj))}")
                if self.escape else self.report(obj))
        elif isinstance(obj, Restart):
            out(self.unreadable(obj, f"RESTART {self.symbol_text(obj.name)}") if self.escape else self.report(obj))
        elif isinstance(obj, Package):
            out(self.unreadable(obj, f"PACKAGE {_string_text(obj.name)}"))
        elif isinstance(obj, Pathname):  # #P"namestring" (lisp.runtime.pathnames), princ: the namestring
            text = namestring_or_none(obj)
            out(self.unreadable(obj, "PATHNAME (with no namestring)") if text is None
                else "#P" + _string_text(text) if self.escape else text)
        elif isinstance(obj, Stream):
            out(self.unreadable(obj, repr(obj)[2:-1]))
        elif type(obj) is _hash_table_class():
            out(self.unreadable(obj, f"HASH-TABLE :TEST {obj.test} :COUNT {len(obj)}"))
        elif isinstance(obj, (FunctionType, BuiltinFunctionType, MethodType)) or _native_function(obj):
            name = getattr(obj, "lisp_name", None)
            shown = self.symbol_text(name) if isinstance(name, Symbol) else getattr(obj, "__name__", "(LAMBDA)")
            out(self.unreadable(obj, f"FUNCTION {shown}"))
        else:
            parts = structure_print_parts(obj)
            if parts is None:
                self.unknown(obj, depth)
            else:
                self.structure(obj, *parts, depth)

    def unreadable(self, obj: Any, description: str) -> str:
        if self.readably:
            raise PrintNotReadable(f"{description} cannot be printed readably", object=obj)
        return f"#<{description}>"

    def report(self, obj: Condition | Restart) -> str:
        with _bindings(self.overrides):  # a report function prints under this WRITE's options
            return obj.report()

    def unknown(self, obj: Any, depth: int) -> None:
        session = self.session
        assert session is not None  # start() made one
        saved_depth, session.depth = session.depth, depth
        try:
            # A print-object method prints its parts under this WRITE's options, one level down.
            with _bindings(self.overrides), print_session.active(session):
                if self.stream is not None:
                    self.stream.write_string("".join(self.parts))
                    self.parts.clear()
                    print_object_hook(obj, self.stream)
                    return
                stream = StringOutputStream(self.column())
                print_object_hook(obj, stream)
                self.parts.append(stream.get_output_stream_string())
        finally:
            session.depth = saved_depth

    def column(self) -> int:
        text = "".join(self.parts)
        self.parts[:] = [text]
        newline = text.rfind("\n")
        return len(text) - newline - 1 if newline >= 0 else self.start_column + len(text)

    # -- symbols --------------------------------------------------------------------------------

    def symbol_text(self, sym: Symbol | None) -> str:
        name = "NIL" if sym is None else sym.name
        if not self.escape:
            return self.cased(name)
        package = COMMON_LISP if sym is None else sym.package
        if package is None:
            prefix = "#:" if self.gensym else ""
        elif package is KEYWORD:
            prefix = ":"
        elif self.accessible(sym, name):
            prefix = ""
        else:
            external = package.find_symbol(name)[1] is keyword("EXTERNAL")
            prefix = self.symbol_name(package.name) + (":" if external else "::")
        return prefix + self.symbol_name(name)

    def accessible(self, sym: Symbol | None, name: str) -> bool:
        if not isinstance(self.package, Package):
            return False
        found, status = self.package.find_symbol(name)
        return found is sym and status is not NIL

    def symbol_name(self, name: str) -> str:
        if self.needs_bars(name):
            return "|" + name.replace("\\", "\\\\").replace("|", "\\|") + "|"
        return self.cased(name)

    def needs_bars(self, name: str) -> bool:
        if not name or set(name) == {"."}:
            return True
        if self.readtable.not_constituent.search(name) or not name.isprintable():
            return True
        case = self.readtable.case.name
        if (case == "UPCASE" and name != name.upper()) or (case == "DOWNCASE" and name != name.lower()):
            return True
        # Escaped so that READ with *read-base* bound to the output base gives it back (CLHS 22.1.3.3).
        return potential_number(name, self.base)

    def cased(self, name: str) -> str:
        """``name`` as it is printed unescaped: by ``*print-case*`` under an :UPCASE or :DOWNCASE
        readtable, else as the readtable case requires to read it back (CLHS 22.1.3.3.2)."""
        readtable_case = self.readtable.case.name
        if readtable_case == "UPCASE":
            if self.case is _DOWNCASE:
                return name.lower()
            if self.case is _CAPITALIZE:
                return _capitalize(name)
        elif readtable_case == "DOWNCASE":
            # Lowercase letters take *print-case*; uppercase ones (escaped anyway) keep theirs.
            if self.case is _UPCASE:
                return name.upper()
            if self.case is _CAPITALIZE:
                return "".join(c if c.isupper() else w for c, w in zip(name, _capitalize(name.upper())))
        elif readtable_case == "INVERT":
            letters = [c for c in name if c.isalpha()]
            if letters and all(c.isupper() for c in letters):
                return name.lower()
            if letters and all(c.islower() for c in letters):
                return name.upper()
        return name

    # -- numbers --------------------------------------------------------------------------------

    def number_text(self, x: int | Fraction | float | complex) -> str:
        if isinstance(x, int):
            digits = integer_text(x, self.base)
            if not self.radix:
                return digits
            return digits + "." if self.base == 10 else self.radix_prefix() + digits
        if isinstance(x, Fraction):
            digits = integer_text(x.numerator, self.base) + "/" + integer_text(x.denominator, self.base)
            return self.radix_prefix() + digits if self.radix else digits
        if isinstance(x, float):
            if math.isfinite(x):
                return float_text(x)
            return self.unreadable(x, "FLOAT NaN" if math.isnan(x) else f"FLOAT {'+' if x > 0 else '-'}INFINITY")
        return f"#C({self.number_text(x.real)} {self.number_text(x.imag)})"

    def radix_prefix(self) -> str:
        return _RADIX_PREFIX.get(self.base, f"#{self.base}r")

    # -- lists and vectors ----------------------------------------------------------------------

    def labelled(self, obj: Any) -> bool:
        """Print ``#n#`` and return True if ``obj`` was printed already; print ``#n=`` the first time."""
        key = id(obj)
        if key not in self.labels:
            return False
        assert self.session is not None  # labels come from the session
        mark = self.session.mark(obj)
        self.parts.append(mark)
        return mark[-1] == "#"

    def elided(self, obj: Any, depth: int) -> bool:
        """Print ``#n#`` for an object printed already, ``#`` for one below ``*print-level*``:
        True if that was all there is to print of it (``#n=`` is printed the first time)."""
        if self.circle and self.labelled(obj):
            return True
        if self.level is not None and depth >= self.level:
            self.parts.append("#")
            return True
        return False

    def list(self, obj: Cons, depth: int) -> None:
        if self.elided(obj, depth):
            return
        out = self.parts.append
        if self.pretty and self.abbreviated(obj):
            out(_ABBREVIATIONS[obj.car])
            self.object(obj.cdr.car, depth)
            return
        out("(")
        cell: Any = obj
        count = 0
        while True:
            if self.length is not None and count >= self.length:
                out("...")
                break
            self.object(cell.car, depth + 1)
            count += 1
            cell = cell.cdr
            if cell is NIL:
                break
            if not isinstance(cell, Cons) or (self.circle and id(cell) in self.labels):
                out(" . ")
                self.object(cell, depth + 1)
                break
            out(" ")
        out(")")

    def structure(self, obj: Any, name: Symbol, slots: list[tuple[Symbol, Any]], depth: int) -> None:
        """``#S(name :slot value ...)``: a level deeper like a list, ``*print-length*`` counting
        slots."""
        if self.elided(obj, depth):
            return
        out = self.parts.append
        out("#S(")
        out(self.symbol_text(name))
        for i, (slot, value) in enumerate(slots):
            if self.length is not None and i >= self.length:
                out(" ...")
                break
            out(" ")
            out(self.slot_key(slot))
            out(" ")
            self.object(value, depth + 1)
        out(")")

    def slot_key(self, slot: Symbol | None) -> str:
        """A slot's name in ``#S``: a keyword, even without escapes (as SBCL); NIL may name one
        (:func:`slot_key_text`)."""
        name = "NIL" if slot is None else slot.name
        return ":" + (self.symbol_name(name) if self.escape else self.cased(name))

    def abbreviated(self, obj: Cons) -> bool:
        """Whether ``obj`` prints as ``'x`` (and ``#'x`` ...): a two-element list, unshared tail."""
        tail = obj.cdr
        return (isinstance(obj.car, Symbol) and obj.car in _ABBREVIATIONS and isinstance(tail, Cons)
                and tail.cdr is NIL and not (self.circle and id(tail) in self.labels))

    def vector(self, obj: Any, depth: int, elements: list[Any] | None = None) -> None:
        """A vector as ``#(...)``: ``obj`` a Python list, or a vector whose active ``elements`` are given."""
        if self.circle and self.labelled(obj):
            return
        if not self.array:
            self.parts.append(self.unreadable(obj, self.array_description(obj)))
            return
        if self.level is not None and depth >= self.level:
            self.parts.append("#")
            return
        self.parts.append("#(")
        self.elements(obj if elements is None else elements, depth)
        self.parts.append(")")

    def elements(self, elements: list[Any], depth: int) -> None:
        """Elements separated by spaces, as far as ``*print-length*`` allows."""
        for i, item in enumerate(elements):
            if i:
                self.parts.append(" ")
            if self.length is not None and i >= self.length:
                self.parts.append("...")
                break
            self.object(item, depth + 1)

    # -- arrays other than simple vectors (lisp.runtime.arrays) ---------------------------------

    def lisp_array(self, obj: LispArray, depth: int) -> None:
        """A string as a string; a bit vector as ``#*101``; another vector as ``#(...)``; an array
        of another rank as ``#nA(...)`` (CLHS 22.1.3.8); only strings print whole when
        ``*print-array*`` is NIL. Under ``*print-readably*`` an array whose element type is not T
        or BIT, or whose ``#nA`` would hide a dimension, prints as ``#.(make-array ...)``, so that
        reading it back gives a similar array."""
        if isinstance(obj, LispString):
            text = obj.text()
            self.parts.append(_string_text(text) if self.escape else text)
            return
        if self.readably and (obj.element_type.spec not in (T, cl_symbol("BIT")) or _hides_dimensions(obj.dims)):
            self.parts.append("#." + self.flat(_readable_form(obj), 0))
            return
        if isinstance(obj, BitVector):
            if self.circle and self.labelled(obj):
                return
            bits = "".join(map(str, obj.items()))
            self.parts.append("#*" + bits if self.array else self.unreadable(obj, self.array_description(obj)))
            return
        if isinstance(obj, LispVector):
            self.vector(obj, depth, obj.items())
            return
        if self.circle and self.labelled(obj):
            return
        if not self.array:
            self.parts.append(self.unreadable(obj, self.array_description(obj)))
            return
        self.parts.append(f"#{obj.rank}A")
        values = obj.values()
        self.axis(values, obj.dims, 0, len(values), depth)

    def axis(self, values: list[Any], dims: tuple[int, ...], start: int, end: int, depth: int) -> None:
        """The elements ``values[start:end]`` of an array of ``dims`` as nested lists."""
        if not dims:
            self.object(values[start], depth)
            return
        if self.level is not None and depth >= self.level:
            self.parts.append("#")
            return
        self.parts.append("(")
        step = (end - start) // dims[0] if dims[0] else 0
        for i in range(dims[0]):
            if i:
                self.parts.append(" ")
            if self.length is not None and i >= self.length:
                self.parts.append("...")
                break
            self.axis(values, dims[1:], start + i * step, start + (i + 1) * step, depth + 1)
        self.parts.append(")")

    def array_description(self, obj: Any) -> str:
        """What ``#<...>`` says of an array printed without its elements: its type, as SBCL."""
        return f"{self.flat(array_type_specifier(obj), 0)} {{{id(obj):X}}}"


def _hides_dimensions(dims: tuple[int, ...]) -> bool:
    """Whether ``#nA`` would not show all of ``dims``: the axes after an empty one (``#2A()`` is
    read with dimensions (0 0), whatever the second was)."""
    return 0 in dims[:-1] and any(dims[dims.index(0) + 1:])


def _readable_form(obj: LispArray) -> Any:
    """A form that evaluates to an array like ``obj``, of the same element type."""
    quote = cl_symbol("QUOTE")
    return make_list([cl_symbol("MAKE-ARRAY"), make_list([quote, make_list(obj.dims)]),
                      keyword("ELEMENT-TYPE"), make_list([quote, obj.element_type.spec]),
                      keyword("INITIAL-CONTENTS"), make_list([quote, _nested(obj.values(), obj.dims)])])


def _nested(values: list[Any], dims: tuple[int, ...]) -> Any:
    """Row-major ``values`` of an array of ``dims`` as nested lists (the element itself for rank 0)."""
    if not dims:
        return values[0]
    step = len(values) // dims[0] if dims[0] else 0
    return make_list([_nested(values[i * step:(i + 1) * step], dims[1:]) for i in range(dims[0])])


def slot_key_text(slot: Symbol | None) -> str:
    """A slot's name as ``#S`` prints it under the current settings."""
    return _Printer(0, {}).slot_key(slot)


def potential_number(token: str, base: int) -> bool:
    """Whether ``token`` is a potential number (CLHS 2.3.1.1), which a symbol name must not be
    printed as: digits, signs, ``/ . ^ _`` and isolated letters (number markers), with a digit,
    starting with a digit, sign, point or extension character, not ending with a sign."""
    token = token.upper()
    if not token or token[-1] in "+-":
        return False
    digits = _DIGITS[:base] if "." not in token else _DIGITS[:10]
    if not any(c in digits for c in token):
        return False
    if not (token[0] in digits or token[0] in "+-.^_"):
        return False
    for i, c in enumerate(token):
        if c in digits or c in "+-/.^_":
            continue
        if not ("A" <= c <= "Z"):
            return False
        neighbours = token[i - 1:i] + token[i + 1:i + 2]
        if any("A" <= n <= "Z" and n not in digits for n in neighbours):
            return False
    return True


def _hash_table_class() -> type | None:
    # The library sits above the printer: if it is not loaded, no object is one of its hash tables.
    module = sys.modules.get("lisp.library.hashtables")
    return module.HashTable if module is not None else None


def _check_base(base: Any) -> int:
    if not (isinstance(base, int) and not isinstance(base, bool) and 2 <= base <= 36):
        raise LispTypeError(f"*PRINT-BASE* is {_bad_setting_text(base)}, not an integer from 2 to 36", datum=base)
    return base


def _bad_setting_text(value: Any) -> str:
    # Printed under sane settings: the bad one is what is being reported.
    return write_to_string(value, base=10, length=NIL, level=NIL, right_margin=NIL)


def _limit(value: Any, name: str) -> int | None:
    if value is NIL:
        return None
    if not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        raise LispTypeError(f"{name} is {_bad_setting_text(value)}, not NIL or a non-negative integer", datum=value)
    return value


def _shared_objects(root: Any) -> list[int]:
    """Ids of the conses, vectors, structures and uninterned symbols reachable from ``root`` more
    than once."""
    seen: set[int] = set()
    shared: list[int] = []
    stack = [root]
    while stack:
        obj = stack.pop()
        structure = None
        if not isinstance(obj, (Cons, list, LispArray)) and not (isinstance(obj, Symbol) and obj.package is None):
            structure = structure_print_parts(obj)
            if structure is None:
                continue
        key = id(obj)
        if key in seen:
            if key not in shared:
                shared.append(key)
            continue
        seen.add(key)
        if isinstance(obj, Cons):
            stack.append(obj.cdr)
            stack.append(obj.car)
        elif isinstance(obj, list):
            stack.extend(reversed(obj))
        elif isinstance(obj, LispArray) and obj.element_type.spec is T:
            stack.extend(reversed(obj.values()))
        elif structure is not None:
            stack.extend(value for _, value in reversed(structure[1]))
    return shared


def _capitalize(name: str) -> str:
    out = []
    in_word = False
    for c in name:
        out.append(c.lower() if in_word else c)
        in_word = c.isalnum()
    return "".join(out)


def decimal_text(n: int) -> str:
    """``str(n)`` for any size: CPython refuses more than 4300 digits in one conversion, so large
    integers are converted in halves."""
    try:
        return str(n)
    except ValueError:
        pass
    half = int(n.bit_length() * 0.30103) // 2  # about half the decimal digits
    high, low = divmod(abs(n), 10 ** half)
    return ("-" if n < 0 else "") + decimal_text(high) + decimal_text(low).rjust(half, "0")


def integer_text(n: int, base: int) -> str:
    """``n`` in ``base`` (2-36), upper-case digits, as CL prints integers."""
    if base == 10:
        return decimal_text(n)
    digits = []
    m = abs(n)
    while True:
        m, d = divmod(m, base)
        digits.append(_DIGITS[d])
        if not m:
            break
    return ("-" if n < 0 else "") + "".join(reversed(digits))


def float_text(x: float) -> str:
    """A finite float as CL prints it: shortest digits that read back exactly; fixed notation for
    1e-3 <= |x| < 1e7, else ``d.ddde<n>`` (as SBCL prints its default float format)."""
    if x == 0:
        return "-0.0" if math.copysign(1, x) < 0 else "0.0"
    sign, digit_tuple, exponent = Decimal(repr(x)).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    # The value is 0.<digits> * 10**point.
    point = len(digit_tuple) + exponent
    minus = "-" if sign else ""
    if 1e-3 <= abs(x) < 1e7:
        if point <= 0:
            return f"{minus}0.{'0' * -point}{digits}"
        whole = digits[:point].ljust(point, "0")
        return f"{minus}{whole}.{digits[point:] or '0'}"
    return f"{minus}{digits[0]}.{digits[1:] or '0'}e{point - 1}"


def _string_text(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def char_name(c: str) -> str | None:
    """CL ``char-name``: the name ``#\\`` reads a character by (``Space``, ``Newline``, a Unicode
    name, ``U+80``), None for a graphic character that has no standard name."""
    name = _CHAR_NAME_OF.get(c)
    if name is not None or c.isprintable():
        return name
    unicode_name = unicodedata.name(c, None)
    return f"U+{ord(c):X}" if unicode_name is None else unicode_name.replace(" ", "_")


def _char_text(c: str) -> str:
    # Space is graphic: #\  (CLHS 22.1.3.2), as SBCL prints it; other named characters by name.
    name = None if c == " " else char_name(c)
    return "#\\" + (c if name is None else name)


# -- the API -------------------------------------------------------------------------------------

def _bindings(options: dict[str, Any]) -> ExitStack:
    stack = ExitStack()
    for name, value in options.items():
        stack.enter_context(dynamic_binding(OPTIONS[name][0], value))
    return stack


def _check_options(options: dict[str, Any]) -> None:
    for name in options:
        if name not in OPTIONS:
            raise LispTypeError(f"write has no option {name!r}; it has {', '.join(OPTIONS)}")


def _option(name: str, options: dict[str, Any]) -> Any:
    return options[name] if name in options else symbol_value(OPTIONS[name][0])


def _render(obj: Any, start_column: int, options: dict[str, Any]) -> str:
    """``obj`` on one line (no pretty printer)."""
    # The commonest prints (format's ~A of a string or a decimal integer) need two settings only.
    kind = type(obj)
    if kind is str or kind is int:
        escape, base, radix, readably = (_option(k, options) for k in ("escape", "base", "radix", "readably"))
        if kind is str and escape is NIL and readably is NIL:
            return obj
        if kind is int and base == 10 and radix is NIL:
            return decimal_text(obj)
    return _Printer(start_column, options).text(obj)


def _pretty_printed(obj: Any, stream: OutputStream | None, options: dict[str, Any]) -> bool:
    """Whether ``obj`` goes to the pretty printer: ``*print-pretty*`` is true, and ``stream`` is a
    pretty stream, or the dispatch table has entries a program added, or there is a right margin and
    the table has a function for ``obj`` (or it is a structure)."""
    if _option("pretty", options) is NIL:
        return False
    if isinstance(stream, PrettyStream):
        return True
    table = _option("pprint_dispatch", options)
    if not (isinstance(table, PprintDispatchTable) and table.initial_only):
        return True  # a bad table is reported there
    if _option("right_margin", options) is NIL:
        return False
    kind = type(obj)
    if kind is str or kind is int or kind is Symbol or kind is float or kind is Char or obj is None:
        return False
    return table.lookup(obj) is not None or structure_print_parts(obj) is not None


def write(obj: Any, stream: Any = NIL, **options: Any) -> Any:
    """Print ``obj`` to the stream designator ``stream`` under ``options``; returns ``obj``."""
    out = output_stream(stream)
    _check_options(options)
    if _pretty_printed(obj, out, options):
        with _bindings(options):
            output_pretty(obj, out)
    else:
        out.write_string(_render(obj, out.column, options))
    return obj


def write_to_string(obj: Any, *, column: int = 0, **options: Any) -> str:
    """What :func:`write` would print, as a string (laid out as if starting at ``column``)."""
    _check_options(options)
    if _pretty_printed(obj, None, options):
        out = StringOutputStream(column)
        with _bindings(options):
            output_pretty(obj, out)
        return out.get_output_stream_string()
    return _render(obj, column, options)


# -- the pretty printer ----------------------------------------------------------------------------

def output_pretty(obj: Any, stream: OutputStream) -> None:
    """Print ``obj`` with the pretty printer (``*print-pretty*`` is taken to be true). On a stream
    that is not a pretty one and with no right margin, lines are unbounded."""
    if isinstance(stream, PrettyStream):
        with_pretty_stream(stream, functools.partial(_pretty_object, obj), obj)
    else:
        with_pretty_stream(stream, functools.partial(_pretty_object, obj), obj, default_width=None)


def with_pretty_stream(target: OutputStream, body: Callable[[PrettyStream], None], root: Any, *,
                       default_width: int | None = DEFAULT_LINE_LENGTH) -> None:
    """Run ``body`` on a pretty stream writing to ``target`` (``target`` itself if it is one), in
    the current print session or a new one (``root`` is what ``*print-circle*`` looks at). The
    lines are ``*print-right-margin*`` wide, or ``default_width`` (None: unbounded)."""
    session = print_session.current()
    circle = symbol_value(OPTIONS["circle"][0]) is not NIL
    if session is None or (circle and session.labels is None):
        session = print_session.PrintSession(session.depth if session is not None else 0,
                                             {i: 0 for i in _shared_objects(root)} if circle else None)
    if isinstance(target, PrettyStream):
        with print_session.active(session):
            body(target)
        return
    margin = _limit(symbol_value(_RIGHT_MARGIN), "*PRINT-RIGHT-MARGIN*")
    stream = PrettyStream(target, default_width if margin is None else margin,
                          lines=_limit(symbol_value(OPTIONS["lines"][0]), "*PRINT-LINES*"),
                          miser_width=_limit(symbol_value(OPTIONS["miser_width"][0]), "*PRINT-MISER-WIDTH*"),
                          readably=symbol_value(OPTIONS["readably"][0]) is not NIL)
    with print_session.active(session):
        try:
            body(stream)
            stream.finish()
        except LinesExhausted as done:
            if done.stream is not stream:
                raise


def _pretty_object(obj: Any, stream: PrettyStream) -> None:
    """CLHS 22.2.1.4: ``obj`` printed by its pprint dispatch function, else as a structure, else as
    without the pretty printer (a ``print-object`` method prints on ``stream``)."""
    session = print_session.current()
    assert session is not None  # with_pretty_stream made one
    session.fresh_label = None
    function = current_table().lookup(obj, code=stream.line_length is not None)
    parts = None
    if function is None:
        kind = type(obj)
        if not (kind is str or kind is int or kind is Symbol or obj is None):
            parts = structure_print_parts(obj)
        if parts is None:
            stream.write_string(_Printer(stream.column, {}, stream).text(obj))
            return
    if session.labels is not None and id(obj) in session.labels and not isinstance(obj, Symbol):
        mark = session.mark(obj)
        assert mark is not None
        stream.write_string(mark)
        if mark[-1] == "#":
            return
        session.fresh_label = id(obj)
    if function is None:
        assert parts is not None
        print_structure_pretty(obj, stream, *parts)
    else:
        (hooks.global_function(function) if isinstance(function, Symbol) else function)(stream, obj)


def prin1_to_string(obj: Any) -> str:
    """``obj`` printed readably-ish (``*print-escape*`` T), as ``prin1`` prints it."""
    return write_to_string(obj, escape=T)


def printed_repr(obj: Any) -> str:
    """Python's ``repr`` of Lisp data (a cons, a ratio, a character, an array): what ``prin1``
    prints, on one line (``*print-pretty*`` NIL), with ``*print-circle*`` T so that circular
    structure prints as ``#1=(a . #1#)``."""
    return write_to_string(obj, escape=T, circle=T, pretty=NIL)


def princ_to_string(obj: Any) -> str:
    """``obj`` printed for people (no escapes, no package prefixes), as ``princ`` prints it."""
    return write_to_string(obj, escape=NIL, readably=NIL)


def prin1(obj: Any, stream: Any = NIL) -> Any:
    return write(obj, stream, escape=T)


def princ(obj: Any, stream: Any = NIL) -> Any:
    return write(obj, stream, escape=NIL, readably=NIL)


def print_(obj: Any, stream: Any = NIL) -> Any:
    """CL ``print``: a newline, ``obj`` as ``prin1`` prints it, then a space."""
    out = output_stream(stream)
    out.terpri()
    prin1(obj, out)
    out.write_string(" ")
    return obj


def pprint(obj: Any, stream: Any = NIL) -> None:
    """CL ``pprint``: a newline, then ``obj`` with ``*print-pretty*`` and escapes, laid out within
    ``*print-right-margin*`` (80 columns when it is NIL); no values."""
    out = output_stream(stream)
    out.terpri()
    margin = symbol_value(_RIGHT_MARGIN)
    write(obj, out, escape=T, pretty=T, right_margin=DEFAULT_LINE_LENGTH if margin is NIL else margin)


def _native_function(obj: Any) -> bool:
    """A Lisp function that is a native callable (lisp.runtime.native_cons): named by its ``lisp_name``."""
    return not isinstance(obj, type) and callable(obj) and isinstance(getattr(obj, "lisp_name", None), Symbol)


hooks.register("prin1_to_string", prin1_to_string)
hooks.register("printed_repr", printed_repr)
