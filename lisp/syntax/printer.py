"""The Lisp printer: Lisp data to text, as ``prin1``/``princ``/``write`` do (CLHS 22.1).

API:

- :func:`write` ``(obj, stream=NIL, **options) -> obj``: print to a stream designator; options
  (``escape``, ``readably``, ``base``, ``radix``, ``case``, ``circle``, ``pretty``, ``length``,
  ``level``, ``gensym``, ``array``) bind the ``*print-...*`` variable of that name while printing.
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
as ``'x`` and likewise ``#'``, backquote and commas. Lists wider than ``*print-right-margin*`` are
laid out over several lines as SBCL does (:mod:`lisp.syntax.pretty`) when that variable is set, and always
by ``pprint`` (80 columns when it is NIL). Deviations: ``*print-right-margin*`` NIL means no line
breaking (SBCL assumes 80), so ``prin1`` and ``format`` keep long lists on one line; no layout under
``*print-circle*``.

Deviations: there is one float type (Python's double), printed without exponent marker and read
back by every marker; NaN and infinities print as unreadable ``#<FLOAT ...>``; non-ASCII graphic
characters print as themselves (``#\\λ``), not by Unicode name as SBCL does; ``*print-lines*``,
``*print-miser-width*`` and ``*print-pprint-dispatch*`` exist but are not used.
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
from lisp.syntax.pretty import Layout
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
}
DEFAULT_RIGHT_MARGIN = 80
#: Standard printer variables this printer accepts but does not use (see the module docstring).
IGNORED_VARIABLES = {cl_symbol("*PRINT-LINES*"): NIL, cl_symbol("*PRINT-MISER-WIDTH*"): 40,
                     cl_symbol("*PRINT-PPRINT-DISPATCH*"): NIL}
for _sym, _value in (*OPTIONS.values(), *IGNORED_VARIABLES.items()):
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


class _Printer:
    """One top-level print: the settings read once, the text built in ``parts``."""

    def __init__(self, start_column: int, overrides: dict[str, Any]) -> None:
        # The options of one WRITE are passed here instead of bound: binding costs more than the
        # print of a small object. They are bound only around print-object (see :meth:`unknown`).
        self.overrides = overrides
        value = {name: overrides[name] if name in overrides else symbol_value(sym)
                 for name, (sym, _) in OPTIONS.items()}
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
        self.margin = _limit(value["right_margin"], "*PRINT-RIGHT-MARGIN*")
        self.flat_texts: dict[tuple[int, int], str] = {}
        self.labels: dict[int, int] = {}  # id of a shared object -> its label, 0 until printed
        self.next_label = 1
        self.start_column = start_column
        self.parts: list[str] = []

    # What only symbols need is looked up when the first symbol is printed.
    @functools.cached_property
    def package(self) -> Any:
        return symbol_value(PACKAGE_VAR)

    @functools.cached_property
    def readtable(self) -> Readtable:
        return current_readtable()

    def text(self, obj: Any) -> str:
        if self.circle:
            self.labels = {i: 0 for i in _shared_objects(obj)}
        elif self.pretty and self.margin is not None and (isinstance(obj, (Cons, list))
                                                           or self.structure_texts(obj) is not None):
            layout = Layout(self.flat, self.margin, self.length, self.level, self.abbreviation,
                            self.structure_texts)
            return layout.text(obj, 0, self.start_column)
        self.object(obj, 0)
        return "".join(self.parts)

    def flat(self, obj: Any, depth: int) -> str:
        """``obj`` on one line (remembered: the pretty layout asks again for the parts it breaks)."""
        key = (id(obj), depth)
        found = self.flat_texts.get(key)
        if found is None:
            saved, self.parts = self.parts, []
            self.object(obj, depth)
            found = self.flat_texts[key] = "".join(self.parts)
            self.parts = saved
        return found

    def abbreviation(self, obj: Cons) -> str | None:
        return _ABBREVIATIONS[obj.car] if self.abbreviated(obj) else None

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
            self.unknown(obj)
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
                self.unknown(obj)
            else:
                self.structure(obj, *parts, depth)

    def unreadable(self, obj: Any, description: str) -> str:
        if self.readably:
            raise PrintNotReadable(f"{description} cannot be printed readably", object=obj)
        return f"#<{description}>"

    def report(self, obj: Condition | Restart) -> str:
        with _bindings(self.overrides):  # a report function prints under this WRITE's options
            return obj.report()

    def unknown(self, obj: Any) -> None:
        stream = StringOutputStream(self.column())
        with _bindings(self.overrides):  # a print-object method prints its parts under them
            print_object_hook(obj, stream)
        self.parts.append(stream.get_output_stream_string())

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
                return _capitalize(name.upper())
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
        label = self.labels[key]
        if label:
            self.parts.append(f"#{label}#")
            return True
        self.labels[key] = self.next_label
        self.parts.append(f"#{self.next_label}=")
        self.next_label += 1
        return False

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
        """A slot's name in ``#S``: a keyword, even without escapes (as SBCL); NIL may name one."""
        name = "NIL" if slot is None else slot.name
        return ":" + (self.symbol_name(name) if self.escape else self.cased(name))

    def structure_texts(self, obj: Any) -> tuple[str, list[tuple[str, Any]]] | None:
        """For the pretty layout: the name and slot keys of a structure printed as ``#S``, as text."""
        parts = structure_print_parts(obj)
        if parts is None:
            return None
        return self.symbol_text(parts[0]), [(self.slot_key(slot), value) for slot, value in parts[1]]

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


def _char_text(c: str) -> str:
    name = _CHAR_NAME_OF.get(c)
    if name is not None:
        return "#\\" + name
    if c.isprintable():
        return "#\\" + c
    unicode_name = unicodedata.name(c, None)
    if unicode_name is not None:
        return "#\\" + unicode_name.replace(" ", "_")
    return f"#\\U+{ord(c):X}"


# -- the API -------------------------------------------------------------------------------------

def _bindings(options: dict[str, Any]) -> ExitStack:
    stack = ExitStack()
    for name, value in options.items():
        stack.enter_context(dynamic_binding(OPTIONS[name][0], value))
    return stack


def _render(obj: Any, start_column: int, options: dict[str, Any]) -> str:
    for name in options:
        if name not in OPTIONS:
            raise LispTypeError(f"write has no option {name!r}; it has {', '.join(OPTIONS)}")
    # The commonest prints (format's ~A of a string or a decimal integer) need two settings only.
    kind = type(obj)
    if kind is str or kind is int:
        escape, base, radix = (options[k] if k in options else symbol_value(OPTIONS[k][0])
                               for k in ("escape", "base", "radix"))
        readably = options["readably"] if "readably" in options else symbol_value(OPTIONS["readably"][0])
        if kind is str and escape is NIL and readably is NIL:
            return obj
        if kind is int and base == 10 and radix is NIL:
            return decimal_text(obj)
    return _Printer(start_column, options).text(obj)


def write(obj: Any, stream: Any = NIL, **options: Any) -> Any:
    """Print ``obj`` to the stream designator ``stream`` under ``options``; returns ``obj``."""
    out = output_stream(stream)
    out.write_string(_render(obj, out.column, options))
    return obj


def write_to_string(obj: Any, *, column: int = 0, **options: Any) -> str:
    """What :func:`write` would print, as a string (laid out as if starting at ``column``)."""
    return _render(obj, column, options)


def prin1_to_string(obj: Any) -> str:
    """``obj`` printed readably-ish (``*print-escape*`` T), as ``prin1`` prints it."""
    return write_to_string(obj, escape=T)


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
    margin = symbol_value(OPTIONS["right_margin"][0])
    write(obj, out, escape=T, pretty=T, right_margin=DEFAULT_RIGHT_MARGIN if margin is NIL else margin)


def _native_function(obj: Any) -> bool:
    """A Lisp function that is a native callable (lisp.runtime.native_cons): named by its ``lisp_name``."""
    return not isinstance(obj, type) and callable(obj) and isinstance(getattr(obj, "lisp_name", None), Symbol)


hooks.register("prin1_to_string", prin1_to_string)
