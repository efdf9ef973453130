"""The Lisp reader: text to Lisp data, following the standard syntax of CLHS chapter 2.

API:

- :func:`read_from_string` ``(text, *, file="<string>") -> obj``: the first form of ``text``;
  :func:`read_all` ``(text, *, file) -> list``: every form.
- :class:`Reader` ``(text, file, *, line=1, column=1)``: incremental; ``.read()`` returns the next
  form, or :data:`EOF` when only whitespace and comments remain. ``.offset`` is the index just after
  the last form read, ``.form_start`` the index where it began, ``.pos_at(index)`` its position.
- An incomplete form (unbalanced ``(``, an open string or ``#|``) raises
  :class:`lisp.runtime.condition_classes.EndOfFile` -- the REPL reads more lines when it sees one. Every other bad
  input (a stray ``)``, a misplaced dot, an unknown ``#`` dispatch, a missing package...) raises
  :class:`lisp.runtime.condition_classes.ReaderError`. Both carry ``pos``, the file:line:column where it happened.

Every cons the reader makes is a :class:`~lisp.runtime.data.SourceCons`: the first cons of a list holds the
position of its ``(`` (or of the ``'``/`````/``,``/``#'`` that made the form); each later cons holds
the position of its element.

Syntax: integers (``*read-base*``, ``10.``, ``#x #b #o #nR``), ratios, floats (every exponent marker
reads a Python float), ``#c(re im)``, strings with ``\\`` escapes, characters (``#\\a``,
``#\\Space``, names of CLHS 13.1.7, ``#\\U+41``, Unicode names such as ``#\\GREEK_SMALL_LETTER_ALPHA``),
symbols upcased as by the standard readtable with ``\\`` and ``|...|`` escapes, ``pkg:sym``,
``pkg::sym``, ``:keyword``, ``#:uninterned``; ``' ` , ,@ ,.``, ``#'``, ``#(...)`` (a Python list),
``#*bits`` (a simple bit vector), ``#nA`` (an array of rank n), ``; #|...|#`` comments, ``#+``/``#-`` feature expressions over ``*features*``,
``#.`` (when ``*read-eval*``), ``#n=``/``#n#`` for shared and circular structure, ``#p"..."``
(a pathname), ``#S(name slot value ...)`` (a structure, made by
:data:`make_structure`, which ``lisp.library.structures`` provides).

Readtables: the reader follows ``*readtable*`` (a :class:`Readtable`), read afresh for each
top-level form; ``STANDARD_READTABLE`` is the standard syntax and cannot be modified. Reader macros
written in Lisp (``set-macro-character``) are called with a :class:`ReaderStream` over the text being
read, so a ``read`` inside them continues this reader. ``readtable-case`` :upcase, :downcase,
:preserve and :invert are honoured.

Backquote reads as ``(sys::quasiquote x)``, ``,x`` as ``(sys::unquote x)``, ``,@x`` as
``(sys::unquote-splicing x)`` and ``,.x`` as ``(sys::unquote-nsplicing x)`` (symbols of the
GFJIT-SYSTEM package, exported here as :data:`QUASIQUOTE` etc.); the compiler expands them.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from lisp.runtime import hooks
from lisp.runtime.arrays import LispArray, is_string, make_array, string_text
from lisp.runtime.condition_classes import EndOfFile, LispTypeError, ReaderError
from lisp.runtime.data import (
    COMMON_LISP_USER,
    KEYWORD,
    NIL,
    SYSTEM,
    Char,
    Cons,
    Package,
    SourceCons,
    SourcePos,
    Symbol,
    cl_symbol,
    keyword,
)
from lisp.runtime.element_types import BIT, GENERAL
from lisp.runtime.namespace import (
    dynamic_binding,
    global_value_is_set,
    proclaim_special,
    set_symbol_value,
    symbol_value,
)
from lisp.runtime.pathnames import parse_namestring
from lisp.runtime.ratio import Ratio
from lisp.runtime.streams import InputStream, shown

QUOTE = cl_symbol("QUOTE")
FUNCTION = cl_symbol("FUNCTION")
QUASIQUOTE = SYSTEM.intern("QUASIQUOTE")
UNQUOTE = SYSTEM.intern("UNQUOTE")
UNQUOTE_SPLICING = SYSTEM.intern("UNQUOTE-SPLICING")
UNQUOTE_NSPLICING = SYSTEM.intern("UNQUOTE-NSPLICING")

PACKAGE_VAR = cl_symbol("*PACKAGE*")
READ_BASE = cl_symbol("*READ-BASE*")
READ_EVAL = cl_symbol("*READ-EVAL*")
READ_SUPPRESS = cl_symbol("*READ-SUPPRESS*")
FEATURES = cl_symbol("*FEATURES*")
READTABLE_VAR = cl_symbol("*READTABLE*")

_FEATURE_AND, _FEATURE_OR, _FEATURE_NOT = keyword("AND"), keyword("OR"), keyword("NOT")


def _define_special(sym: Symbol, value: Any) -> None:
    proclaim_special(sym)
    if not global_value_is_set(sym):
        set_symbol_value(sym, value)


_define_special(PACKAGE_VAR, COMMON_LISP_USER)
_define_special(READ_BASE, 10)
_define_special(READ_EVAL, cl_symbol("T"))
_define_special(READ_SUPPRESS, NIL)
# Every float is a Python float (a double), printed without exponent marker: as if this were so.
_define_special(cl_symbol("*READ-DEFAULT-FLOAT-FORMAT*"), cl_symbol("DOUBLE-FLOAT"))
_define_special(FEATURES, Cons(keyword("GFJIT"), Cons(keyword("COMMON-LISP"), Cons(keyword("PYTHON")))))

class _Eof:
    """The value :meth:`Reader.read` returns when no form is left."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<EOF>"


EOF = _Eof()

MacroHandler = Callable[["Reader", int], tuple[bool, Any]]
DispatchHandler = Callable[["Reader", int, "int | None"], tuple[bool, Any]]
_CASES = {name: keyword(name) for name in ("UPCASE", "DOWNCASE", "PRESERVE", "INVERT")}


class Readtable:
    """A readtable (CLHS 2.1.1.1): macro characters, dispatch tables, and the case mode.

    A macro handler is ``handler(reader, start) -> (found, object)`` (``found`` False when the
    macro read nothing, as a comment does); a dispatch handler also takes the numeric argument.
    Lisp functions installed by ``set-macro-character`` are wrapped into handlers
    (:func:`lisp_macro_handler`); ``lisp_functions`` remembers them for ``get-macro-character``.
    """

    def __init__(self, macros: dict[str, tuple[MacroHandler, bool]],
                 dispatch: dict[str, dict[str, DispatchHandler]], case: Symbol, *, standard: bool = False) -> None:
        self.macros = macros  # char -> (handler, terminating?)
        self.dispatch = dispatch  # dispatching char -> upcased sub-char -> handler
        self.case = case
        self.standard = standard
        self.lisp_functions: dict[Any, Any] = {}  # handler -> the Lisp function it wraps
        self.token_end = self._token_end()

    def _token_end(self) -> frozenset[str]:
        ends = WHITESPACE | {c for c, (_, terminating) in self.macros.items() if terminating}
        # A run of constituents without escapes, which most tokens are.
        self.plain_run = re.compile("[^" + re.escape("".join(sorted(ends)) + "\\|") + "]*")
        # What a symbol name must not contain to print without escapes: terminators, escapes,
        # package markers and macro characters (even non-terminating ones, as SBCL escapes #).
        self.not_constituent = re.compile("[" + re.escape("".join(sorted(ends | set(self.macros))) + "\\|:") + "]")
        return ends

    def copy(self) -> Readtable:
        table = Readtable(dict(self.macros), {c: dict(d) for c, d in self.dispatch.items()}, self.case)
        table.lisp_functions = dict(self.lisp_functions)
        return table

    def check_modifiable(self) -> None:
        if self.standard:
            raise LispTypeError("the standard readtable cannot be modified; use (copy-readtable nil)",
                                datum=self, expected_type=cl_symbol("READTABLE"))

    def set_macro(self, char: str, handler: MacroHandler, terminating: bool) -> None:
        self.check_modifiable()
        self.macros[char] = (handler, terminating)
        self.dispatch.pop(char, None)
        self.token_end = self._token_end()

    def make_dispatching(self, char: str, terminating: bool) -> None:
        self.set_macro(char, _dispatching, terminating)
        self.dispatch[char] = {}

    def set_case(self, case: Symbol) -> None:
        self.check_modifiable()
        if case not in _CASES.values():
            raise LispTypeError(f"{shown(case)} is not a readtable case (:UPCASE :DOWNCASE :PRESERVE :INVERT)",
                                datum=case, expected_type=cl_symbol("KEYWORD"))
        self.case = case

    def __repr__(self) -> str:
        return "#<READTABLE>"


def _convert_case(chars: list[str], escaped: list[bool], case: Symbol) -> None:
    """Apply the readtable case (CLHS 23.1.2) to a token's unescaped characters, in place."""
    plain = [k for k, e in enumerate(escaped) if not e]
    if case is _CASES["UPCASE"]:
        convert = str.upper
    elif case is _CASES["DOWNCASE"]:
        convert = str.lower
    elif case is _CASES["INVERT"]:
        letters = [chars[k] for k in plain if chars[k].isalpha()]
        if letters and all(c.isupper() for c in letters):
            convert = str.lower
        elif letters and all(c.islower() for c in letters):
            convert = str.upper
        else:
            return
    else:
        return
    for k in plain:
        chars[k] = convert(chars[k])


def current_readtable() -> Readtable:
    """The value of ``*readtable*`` (a TYPE-ERROR if it is not a readtable)."""
    table = symbol_value(READTABLE_VAR)
    if not isinstance(table, Readtable):
        raise LispTypeError(f"*READTABLE* is {shown(table)}, not a readtable", datum=table,
                            expected_type=cl_symbol("READTABLE"))
    return table

WHITESPACE = frozenset(" \t\n\r\f\v")

#: Character names of CLHS 13.1.7 and SBCL's names for ASCII control characters; the first name of
#: a code is the one the printer uses.
CHAR_NAMES: dict[str, str] = {
    "Nul": "\0", "Null": "\0", "Soh": "\x01", "Stx": "\x02", "Etx": "\x03", "Eot": "\x04",
    "Enq": "\x05", "Ack": "\x06", "Bel": "\x07", "Bell": "\x07", "Backspace": "\b", "Tab": "\t",
    "Newline": "\n", "Linefeed": "\n", "Vt": "\v", "Page": "\f", "Return": "\r", "So": "\x0e",
    "Si": "\x0f", "Dle": "\x10", "Dc1": "\x11", "Dc2": "\x12", "Dc3": "\x13", "Dc4": "\x14",
    "Nak": "\x15", "Syn": "\x16", "Etb": "\x17", "Can": "\x18", "Em": "\x19", "Sub": "\x1a",
    "Esc": "\x1b", "Escape": "\x1b", "Fs": "\x1c", "Gs": "\x1d", "Rs": "\x1e", "Us": "\x1f",
    "Space": " ", "Rubout": "\x7f", "Delete": "\x7f",
}
_CHAR_BY_NAME = {name.upper(): char for name, char in CHAR_NAMES.items()}

_DECIMAL_INTEGER = re.compile(r"[+-]?[0-9]+\.")
_FLOAT = re.compile(r"[+-]?(?:[0-9]*\.[0-9]+(?:[ESFDL][+-]?[0-9]+)?|[0-9]+(?:\.[0-9]*)?[ESFDL][+-]?[0-9]+)")
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_NUMBER_STARTS = frozenset("+-.0123456789")


def parse_number(token: str, base: int) -> int | Ratio | float | None:
    """The number an (upcased, unescaped) token denotes in ``base``, or None if it is no number.

    A ratio with a zero denominator is a ZeroDivisionError. Letters count in either case.
    """
    if not token or (base <= 10 and token[0] not in _NUMBER_STARTS):
        return None
    token = token.upper()
    if _DECIMAL_INTEGER.fullmatch(token):
        return parse_integer_digits(token[:-1], 10)
    digits = _DIGITS[:base]
    sign, body = (token[0], token[1:]) if token[:1] in "+-" else ("", token)
    numerator, slash, denominator = body.partition("/")
    if numerator and all(c in digits for c in numerator):
        if not slash:
            return parse_integer_digits(sign + numerator, base)
        if denominator and all(c in digits for c in denominator):
            if parse_integer_digits(denominator, base) == 0:
                raise ZeroDivisionError(f"the ratio {token} has a zero denominator")
            return Ratio(parse_integer_digits(sign + numerator, base), parse_integer_digits(denominator, base))
    if _FLOAT.fullmatch(token):
        return float(re.sub("[ESFDL]", "e", token))
    return None


_CHUNK_DIGITS = 4000  # below CPython's limit on int <-> str conversion (sys.get_int_max_str_digits)


def parse_integer_digits(digits: str, base: int) -> int:
    """``int(digits, base)`` for any number of digits: CPython refuses more than 4300 decimal
    digits in one conversion, so long numerals are converted in halves."""
    body = digits.lstrip("+-")
    if len(body) <= _CHUNK_DIGITS:
        return int(digits, base)
    half = len(body) // 2
    value = parse_integer_digits(body[:-half], base) * base ** half + parse_integer_digits(body[-half:], base)
    return -value if digits.startswith("-") else value


class _Placeholder:
    """Stands for the object of ``#n=`` while that object is still being read."""

    __slots__ = ("label",)

    def __init__(self, label: int) -> None:
        self.label = label

    def __repr__(self) -> str:
        return f"#<placeholder of #{self.label}=>"


class Reader:
    """Reads the forms of one text, one at a time; see the module docstring."""

    def __init__(self, text: str, file: str = "<string>", *, line: int = 1, column: int = 1) -> None:
        """``line`` and ``column`` are where ``text`` starts in ``file`` (the REPL reads in pieces)."""
        self.text = text
        self.file = file
        self.offset = 0
        self._first_line = line
        self._first_column = column
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self._backquote_depth = 0
        self._labels: dict[int, Any] = {}
        self.table = current_readtable()
        self.form_start = 0  # where the last form read began (atoms carry no position)

    # -- positions and errors ----------------------------------------------------------------

    def pos_at(self, index: int) -> SourcePos:
        """The file:line:column of ``index`` in the text."""
        line = bisect.bisect_right(self._line_starts, index)
        column = index - self._line_starts[line - 1] + 1
        if line == 1:
            column += self._first_column - 1
        return SourcePos(self.file, line + self._first_line - 1, column)

    def _error(self, message: str, index: int) -> ReaderError:
        return ReaderError(message, pos=self.pos_at(index))

    def _eof(self, what: str, index: int) -> EndOfFile:
        return EndOfFile(f"end of file inside {what} started at {self.pos_at(index)}", pos=self.pos_at(index))

    # -- entry point -------------------------------------------------------------------------

    def read(self) -> Any:
        """The next form, or :data:`EOF` if only whitespace and comments are left."""
        self._labels = {}
        self._backquote_depth = 0
        self.table = current_readtable()  # a form read before may have changed *readtable*
        while True:
            start = self.form_start = self._skip_whitespace()
            if start >= len(self.text):
                return EOF
            if self.text[start] == ")":
                self.offset = start + 1
                raise self._error("unmatched close parenthesis", start)
            try:
                found, obj = self._read_object()
            except RecursionError:
                raise self._error("the form is nested too deeply to read", start) from None
            if found:
                # CLHS *read-suppress*: a read that completes returns NIL.
                return NIL if symbol_value(READ_SUPPRESS) is not NIL else obj

    def read_form(self, what: str, start: int) -> Any:
        """The next form inside a construct that needs one; EOF there is an :class:`EndOfFile`."""
        while True:
            index = self._skip_whitespace()
            if index >= len(self.text):
                raise self._eof(what, start)
            if self.text[index] == ")":
                raise self._error(f"missing form after {what}", index)
            found, obj = self._read_object()
            if found:
                return obj

    def _skip_whitespace(self) -> int:
        text, i, n = self.text, self.offset, len(self.text)
        inline_comments = self.table.macros.get(";", (None,))[0] is _line_comment
        while i < n:
            c = text[i]
            if c in WHITESPACE:
                i += 1
            elif c == ";" and inline_comments:
                end = text.find("\n", i)
                i = n if end < 0 else end + 1
            else:
                break
        self.offset = i
        return i

    def _read_object(self) -> tuple[bool, Any]:
        """Read from ``offset`` (not whitespace); ``(False, None)`` when that was only a comment."""
        start = self.offset
        c = self.text[start]
        entry = self.table.macros.get(c)
        if entry is not None:
            self.offset = start + 1
            return entry[0](self, start)
        return True, self._read_token_object(start)

    # -- tokens ------------------------------------------------------------------------------

    def _read_token(self, start: int, *, preserve_case: bool = False) -> tuple[str, list[bool] | None]:
        """Read one token from ``start``: its characters (case converted by the readtable unless
        escaped) and, if it had any escape (even an empty ``||``), which were escaped; else None."""
        text, n = self.text, len(self.text)
        table = self.table
        plain = table.plain_run.match(text, start)
        i = plain.end()
        if i >= n or text[i] in table.token_end:  # the common case: no escape in the token
            self.offset = i
            token = plain.group()
            if not preserve_case and table.case is _CASES["UPCASE"]:
                return token.upper(), None
            chars = list(token)
            if not preserve_case:
                _convert_case(chars, [False] * len(chars), table.case)
            return "".join(chars), None
        token_end = table.token_end
        chars = list(plain.group())
        escaped = [False] * len(chars)
        had_escape = False
        while i < n:
            c = text[i]
            if c == "\\":
                if i + 1 >= n:
                    self.offset = n
                    raise self._eof("a token (after \\)", start)
                chars.append(text[i + 1])
                escaped.append(True)
                i += 2
            elif c == "|":
                had_escape = True
                i += 1
                while True:
                    if i >= n:
                        self.offset = n
                        raise self._eof("a |...| escape in a symbol", start)
                    c = text[i]
                    if c == "|":
                        i += 1
                        break
                    if c == "\\":
                        if i + 1 >= n:
                            self.offset = n
                            raise self._eof("a |...| escape in a symbol", start)
                        c = text[i + 1]
                        i += 1
                    chars.append(c)
                    escaped.append(True)
                    i += 1
            elif c in token_end:
                break
            else:
                chars.append(c)
                escaped.append(False)
                i += 1
        self.offset = i
        if not preserve_case:
            _convert_case(chars, escaped, self.table.case)
        return "".join(chars), (escaped if had_escape or any(escaped) else None)

    def _read_token_object(self, start: int) -> Any:
        token, escaped = self._read_token(start)
        if symbol_value(READ_SUPPRESS) is not NIL:
            return NIL
        if escaped is None:
            try:
                number = parse_number(token, self._read_base(start))
            except ZeroDivisionError as e:
                raise self._error(str(e), start) from None
            if number is not None:
                if isinstance(number, float) and number in (float("inf"), float("-inf")):
                    raise self._error(f"the float {token} is too large", start)
                return number
            if token and set(token) == {"."}:
                what = "a dot outside a list" if token == "." else f"the token {token!r} (only dots)"
                raise self._error(f"{what} is not allowed", start)
        return self._symbol(token, escaped, start)

    def _read_base(self, index: int) -> int:
        base = symbol_value(READ_BASE)
        if not (isinstance(base, int) and 2 <= base <= 36):
            raise self._error(f"*READ-BASE* is {shown(base)}, not an integer from 2 to 36", index)
        return base

    def _symbol(self, token: str, escaped: list[bool] | None, start: int) -> Any:
        colons = [i for i, c in enumerate(token) if c == ":" and not (escaped and escaped[i])]
        if not colons:
            return self._current_package(start).intern(token)
        if colons == [0]:
            return KEYWORD.intern(token[1:])
        first = colons[0]
        internal = colons == [first, first + 1]
        if not (colons == [first] or internal) or first == 0 or colons[-1] == len(token) - 1:
            raise self._error(f"bad use of package markers in the token {token!r}", start)
        package_name, name = token[:first], token[colons[-1] + 1:]
        package = self._current_package(start).package_named(package_name)
        if package is None:
            raise self._error(f"no package named {package_name} (reading {token})", start)
        if internal or package is KEYWORD:
            return package.intern(name)
        sym, status = package.find_symbol(name)
        if status is not keyword("EXTERNAL"):
            state = "not external" if status is not NIL else "not present"
            raise self._error(f"the symbol {name} is {state} in the package {package.name}", start)
        return sym

    def _current_package(self, index: int) -> Package:
        package = symbol_value(PACKAGE_VAR)
        if not isinstance(package, Package):
            raise self._error(f"*PACKAGE* is {shown(package)}, not a package", index)
        return package

    # -- lists -------------------------------------------------------------------------------

    def read_list(self, start: int, close: str = ")") -> Any:
        """The elements up to ``close``, as a list of SourceCons (``start`` is the open paren)."""
        text, n = self.text, len(self.text)
        head: Any = NIL
        last: SourceCons | None = None
        while True:
            i = self._skip_whitespace()
            if i >= n:
                raise self._eof("a list", start)
            c = text[i]
            if c == close:
                self.offset = i + 1
                return head
            if c == "." and self._is_lone_dot(i):
                if _suppressed():  # the list is read only to be skipped: no dot is misplaced
                    self.offset = i + 1
                    continue
                if last is None:
                    raise self._error("nothing before the dot in a dotted list", i)
                self.offset = i + 1
                last.cdr = self.read_form("a dotted list", start)
                j = self._skip_whitespace()
                if j >= n:
                    raise self._eof("a list", start)
                if text[j] != close:
                    raise self._error("more than one object after the dot in a dotted list", j)
                self.offset = j + 1
                return head
            found, obj = self._read_object()
            if found:
                cell = SourceCons(obj, NIL, self.pos_at(start if last is None else i))
                if last is None:
                    head = cell
                else:
                    last.cdr = cell
                last = cell

    def _is_lone_dot(self, i: int) -> bool:
        return i + 1 >= len(self.text) or self.text[i + 1] in self.table.token_end

    def _wrap(self, operator: Symbol, start: int, what: str) -> tuple[bool, Any]:
        form = self.read_form(what, start)
        pos = self.pos_at(start)
        return True, SourceCons(operator, SourceCons(form, NIL, pos), pos)


# -- macro characters ---------------------------------------------------------------------------

def _open_paren(reader: Reader, start: int) -> tuple[bool, Any]:
    return True, reader.read_list(start)


def _close_paren(reader: Reader, start: int) -> tuple[bool, Any]:
    raise reader._error("unmatched close parenthesis", start)


def _line_comment(reader: Reader, start: int) -> tuple[bool, Any]:
    end = reader.text.find("\n", start)
    reader.offset = len(reader.text) if end < 0 else end + 1
    return False, None


def _quote(reader: Reader, start: int) -> tuple[bool, Any]:
    return reader._wrap(QUOTE, start, "a quote (')")


def _backquote(reader: Reader, start: int) -> tuple[bool, Any]:
    reader._backquote_depth += 1
    try:
        return reader._wrap(QUASIQUOTE, start, "a backquote (`)")
    finally:
        reader._backquote_depth -= 1


def _comma(reader: Reader, start: int) -> tuple[bool, Any]:
    if reader._backquote_depth == 0 and symbol_value(READ_SUPPRESS) is NIL:
        raise reader._error("comma not inside a backquote", start)
    text = reader.text
    operator, what = UNQUOTE, "a comma (,)"
    if reader.offset < len(text) and text[reader.offset] in "@.":
        operator = UNQUOTE_SPLICING if text[reader.offset] == "@" else UNQUOTE_NSPLICING
        what = f"a comma (,{text[reader.offset]})"
        reader.offset += 1
    reader._backquote_depth -= 1
    try:
        return reader._wrap(operator, start, what)
    finally:
        reader._backquote_depth += 1


def _string(reader: Reader, start: int) -> tuple[bool, Any]:
    text, n = reader.text, len(reader.text)
    chars: list[str] = []
    i = start + 1
    while True:
        end = _next_of(text, i, '"\\')
        if end >= n:
            reader.offset = n
            raise reader._eof("a string", start)
        chars.append(text[i:end])
        if text[end] == '"':
            reader.offset = end + 1
            return True, "".join(chars)
        if end + 1 >= n:
            reader.offset = n
            raise reader._eof("a string", start)
        chars.append(text[end + 1])
        i = end + 2


def _next_of(text: str, i: int, stops: str) -> int:
    found = [k for k in (text.find(c, i) for c in stops) if k >= 0]
    return min(found) if found else len(text)


def _dispatching(reader: Reader, start: int) -> tuple[bool, Any]:
    """A dispatching macro character (``#``): optional decimal argument, then the sub-character."""
    text, n = reader.text, len(reader.text)
    i = start + 1
    while i < n and text[i].isdigit() and text[i].isascii():
        i += 1
    if i >= n:
        reader.offset = n
        raise reader._eof(f"a {text[start]} dispatch", start)
    arg = int(text[start + 1:i]) if i > start + 1 else None
    sub = text[i]
    reader.offset = i + 1
    handler = reader.table.dispatch.get(text[start], {}).get(sub.upper())
    if handler is None:
        if _suppressed():
            return False, None  # as SBCL: the rest is read on as if the dispatch were not there
        raise reader._error(f"no {text[start]} dispatch macro for {text[start]}{sub!s}", start)
    return handler(reader, start, arg)


def _suppressed() -> bool:
    """``*read-suppress*``: objects are read only to be skipped; no dispatch checks its argument or
    what it reads (CLHS 2.4.8, *READ-SUPPRESS*)."""
    return symbol_value(READ_SUPPRESS) is not NIL


# -- # dispatch macros ---------------------------------------------------------------------------

def _no_arg(reader: Reader, start: int, arg: int | None, what: str) -> None:
    if arg is not None and not _suppressed():
        raise reader._error(f"{what} takes no numeric argument", start)


def _sharp_quote(reader: Reader, start: int, arg: int | None) -> tuple[bool, Any]:
    _no_arg(reader, start, arg, "#'")
    return reader._wrap(FUNCTION, start, "#'")


def _sharp_paren(reader: Reader, start: int, arg: int | None) -> tuple[bool, Any]:
    items = list(_cons_items(reader.read_list(reader.offset - 1), reader, start))
    if _suppressed():
        return True, NIL
    if arg is not None:
        if len(items) > arg:
            raise reader._error(f"#{arg}( has {len(items)} elements, more than {arg}", start)
        if arg and not items:
            raise reader._error(f"#{arg}() has no element to fill the vector with", start)
        items += [items[-1]] * (arg - len(items)) if items else []
    return True, items


def _cons_items(lst: Any, reader: Reader, start: int) -> list[Any]:
    items = []
    while isinstance(lst, Cons):
        items.append(lst.car)
        lst = lst.cdr
    if lst is not NIL:
        raise reader._error("a dotted list is not allowed in #(...) or #C(...)", start)
    return items


def _sharp_backslash(reader: Reader, start: int, arg: int | None) -> tuple[bool, Any]:
    _no_arg(reader, start, arg, "#\\")
    text = reader.text
    first = reader.offset
    if first >= len(text):
        raise reader._eof("a character (#\\)", start)
    # The first character belongs to the token even when it is a macro character: #\( #\; #\ .
    name, _ = reader._read_token(first + 1, preserve_case=True)
    name = text[first] + name
    if _suppressed():
        return True, NIL
    if len(name) == 1:
        return True, Char(name)
    char = char_from_name(name)
    if char is None:
        raise reader._error(f"unknown character name #\\{name}", start)
    return True, Char(char)


def char_from_name(name: str) -> str | None:
    """The character a ``#\\`` name denotes (case-insensitive), or None."""
    upper = name.upper()
    if upper in _CHAR_BY_NAME:
        return _CHAR_BY_NAME[upper]
    hex_digits = upper[2:] if upper.startswith("U+") else upper[1:] if upper.startswith("U") else ""
    if hex_digits and all(c in "0123456789ABCDEF" for c in hex_digits):
        code = int(hex_digits, 16)
        return chr(code) if code < 0x110000 else None
    try:
        return unicodedata.lookup(name.replace("_", " "))
    except KeyError:
        return None


def _sharp_colon(reader: Reader, start: int, arg: int | None) -> tuple[bool, Any]:
    _no_arg(reader, start, arg, "#:")
    token, escaped = reader._read_token(reader.offset)
    if _suppressed():
        return True, NIL
    if ":" in token and (escaped is None or any(c == ":" and not e for c, e in zip(token, escaped))):
        raise reader._error(f"an uninterned symbol #:{token} has a package marker", start)
    if escaped is None and parse_number(token, reader._read_base(start)) is not None:
        raise reader._error(f"#:{token} names a number, not a symbol", start)
    return True, Symbol(token)


def _sharp_bar(reader: Reader, start: int, arg: int | None) -> tuple[bool, Any]:
    text, n = reader.text, len(reader.text)
    depth, i = 1, reader.offset
    while depth:
        if i >= n - 1:
            reader.offset = n
            raise reader._eof("a #|...|# comment", start)
        pair = text[i:i + 2]
        if pair == "|#":
            depth, i = depth - 1, i + 2
        elif pair == "#|":
            depth, i = depth + 1, i + 2
        else:
            i += 1
    reader.offset = i
    return False, None


def _sharp_radix(base: int | None) -> Callable[[Reader, int, int | None], tuple[bool, Any]]:
    def read_rational(reader: Reader, start: int, arg: int | None) -> tuple[bool, Any]:
        sub_char = reader.text[reader.offset - 1]
        token, escaped = reader._read_token(reader.offset)
        if _suppressed():
            return True, NIL
        radix = base
        if radix is None:
            if arg is None or not 2 <= arg <= 36:
                raise reader._error(f"#R needs a radix from 2 to 36, not {arg}", start)
            radix = arg
        else:
            _no_arg(reader, start, arg, f"#{sub_char}")
        value = None if escaped is not None or _DECIMAL_INTEGER.fullmatch(token) else parse_number(token, radix)
        if not isinstance(value, (int, Fraction)):
            raise reader._error(f"{token!r} is not a rational in base {radix}", start)
        return True, value

    return read_rational


def _sharp_complex(reader: Reader, start: int, arg: int | None) -> tuple[bool, Any]:
    _no_arg(reader, start, arg, "#C")
    form = reader.read_form("#C", start)
    if _suppressed():
        return True, NIL
    parts = _cons_items(form, reader, start) if isinstance(form, Cons) else None
    if parts is None or len(parts) != 2 or not all(_is_real(p) for p in parts):
        raise reader._error("#C must be followed by a list of two real numbers", start)
    real, imag = parts
    if imag == 0 and not any(isinstance(p, float) for p in parts):
        return True, real  # CLHS 12.1.5.3: a complex rational with zero imaginary part is rational
    return True, complex(real, imag)


def _is_real(x: Any) -> bool:
    return isinstance(x, (int, Fraction, float)) and not isinstance(x, bool)


def _sharp_bits(reader: Reader, start: int, arg: int | None) -> tuple[bool, Any]:
    token, escaped = reader._read_token(reader.offset)
    if symbol_value(READ_SUPPRESS) is not NIL:
        return True, NIL
    if escaped is not None or any(c not in "01" for c in token):
        raise reader._error(f"#* needs binary digits, not {token!r}", start)
    bits = [int(c) for c in token]
    if arg is not None:
        if len(bits) > arg or (arg and not bits):
            raise reader._error(f"#{arg}* cannot hold the bits {token!r}", start)
        bits += [bits[-1]] * (arg - len(bits)) if bits else []
    return True, make_array((len(bits),), BIT, BIT.storage_of(bits))


def _sharp_array(reader: Reader, start: int, arg: int | None) -> tuple[bool, Any]:
    """``#nA contents``: an array of rank n whose dimensions are the lengths of the nested
    sequences of ``contents`` (CLHS 2.4.8.12)."""
    contents = reader.read_form("#A", start)
    if symbol_value(READ_SUPPRESS) is not NIL:
        return True, NIL
    if arg is None:
        raise reader._error("#A needs a rank, as in #2A((1 2) (3 4))", start)
    dims: list[int] = []
    level = contents
    for _ in range(arg):
        elements = _sequence_elements(level)
        if elements is None:
            raise reader._error(f"#{arg}A needs {arg} levels of nested sequences, not {shown(contents)}", start)
        dims.append(len(elements))
        level = elements[0] if elements else NIL
    values = _row_major(contents, tuple(dims), reader, start)
    return True, make_array(tuple(dims), GENERAL, values)


def _sequence_elements(seq: Any) -> list[Any] | None:
    """The elements of a list or vector read as array contents, or None for another object."""
    if seq is NIL or isinstance(seq, Cons):
        items = []
        while isinstance(seq, Cons):
            items.append(seq.car)
            seq = seq.cdr
        return items if seq is NIL else None
    if isinstance(seq, list):
        return seq
    if isinstance(seq, str):
        return [Char(c) for c in seq]
    return list(seq) if isinstance(seq, LispArray) and seq.rank == 1 else None


def _row_major(contents: Any, dims: tuple[int, ...], reader: Reader, start: int) -> list[Any]:
    if not dims:
        return [contents]
    elements = _sequence_elements(contents)
    if elements is None or len(elements) != dims[0]:
        raise reader._error(f"#{len(dims)}A: {shown(contents)} does not have {dims[0]} elements", start)
    return [x for element in elements for x in _row_major(element, dims[1:], reader, start)]


def _sharp_feature(wanted: bool) -> Callable[[Reader, int, int | None], tuple[bool, Any]]:
    def conditional(reader: Reader, start: int, arg: int | None) -> tuple[bool, Any]:
        _no_arg(reader, start, arg, "#+" if wanted else "#-")
        # Read as itself even inside skipped text (as SBCL): it decides whether an object is there.
        with dynamic_binding(PACKAGE_VAR, KEYWORD), dynamic_binding(READ_SUPPRESS, NIL):
            expression = reader.read_form("a feature expression", start)
        if feature_present(expression, start, reader) == wanted:
            return True, reader.read_form("a #+/#- form", start)
        with dynamic_binding(READ_SUPPRESS, cl_symbol("T")):
            reader.read_form("a #+/#- form", start)
        return False, None

    return conditional


def feature_present(expression: Any, start: int, reader: Reader) -> bool:
    """Evaluate a feature expression (CLHS 24.1.2.1) against ``*features*``."""
    if isinstance(expression, Symbol) or expression is NIL:
        features = symbol_value(FEATURES)
        while isinstance(features, Cons):
            if features.car is expression:
                return True
            features = features.cdr
        return False
    if isinstance(expression, Cons):
        operator, operands = expression.car, _cons_items(expression.cdr, reader, start)
        if operator is _FEATURE_AND:
            return all(feature_present(x, start, reader) for x in operands)
        if operator is _FEATURE_OR:
            return any(feature_present(x, start, reader) for x in operands)
        if operator is _FEATURE_NOT and len(operands) == 1:
            return not feature_present(operands[0], start, reader)
    raise reader._error(f"bad feature expression {shown(expression)}", start)


def _sharp_dot(reader: Reader, start: int, arg: int | None) -> tuple[bool, Any]:
    _no_arg(reader, start, arg, "#.")
    form = reader.read_form("#.", start)
    if _suppressed():
        return True, NIL
    if symbol_value(READ_EVAL) is NIL:
        raise reader._error("#. is not allowed: *READ-EVAL* is NIL", start)
    return True, hooks.evaluate(form)


def _sharp_equal(reader: Reader, start: int, arg: int | None) -> tuple[bool, Any]:
    if _suppressed():
        return True, reader.read_form(f"#{'' if arg is None else arg}=", start)
    if arg is None:
        raise reader._error("#= needs a label number, as in #1=", start)
    if arg in reader._labels:
        raise reader._error(f"the label #{arg}= is defined twice", start)
    placeholder = _Placeholder(arg)
    reader._labels[arg] = placeholder
    obj = reader.read_form(f"#{arg}=", start)
    if obj is placeholder:
        raise reader._error(f"#{arg}= refers only to itself", start)
    reader._labels[arg] = obj
    return True, _patch(obj, placeholder, obj, set())


def _patch(obj: Any, placeholder: _Placeholder, value: Any, seen: set[int]) -> Any:
    """Replace ``placeholder`` by ``value`` inside ``obj``'s conses and vectors, in place."""
    if obj is placeholder:
        return value
    stack = [obj]
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        if isinstance(x, Cons):
            seen.add(id(x))
            if x.car is placeholder:
                x.car = value
            else:
                stack.append(x.car)
            if x.cdr is placeholder:
                x.cdr = value
            else:
                stack.append(x.cdr)
        elif isinstance(x, list):
            seen.add(id(x))
            for k, item in enumerate(x):
                if item is placeholder:
                    x[k] = value
                else:
                    stack.append(item)
        elif isinstance(x, LispArray) and x.element_type is GENERAL:
            seen.add(id(x))
            elements = x.values()
            x.put_values(0, [value if item is placeholder else item for item in elements])
            stack.extend(item for item in elements if item is not placeholder)
        else:
            inside = patch_structure(x, placeholder, value)
            if inside is not None:
                seen.add(id(x))
                stack.extend(inside)
    return obj


def _sharp_sharp(reader: Reader, start: int, arg: int | None) -> tuple[bool, Any]:
    if _suppressed():
        return True, NIL
    if arg is None or arg not in reader._labels:
        raise reader._error(f"#{'' if arg is None else arg}# refers to no label defined before it", start)
    return True, reader._labels[arg]


def _sharp_pathname(reader: Reader, start: int, arg: int | None) -> tuple[bool, Any]:
    """``#p"namestring"``: the pathname (a Unix namestring, see lisp.runtime.pathnames)."""
    _no_arg(reader, start, arg, "#P")
    form = reader.read_form("#P", start)
    if _suppressed():
        return True, NIL
    if not is_string(form):
        raise reader._error("#P must be followed by a string", start)
    return True, parse_namestring(string_text(form))


def _no_structures(name: Any, initargs: list[Any]) -> Any:
    raise LookupError(f"{shown(name)} is not a defined structure type")


#: ``#S(name key value ...)``: ``make_structure(name, [key, value, ...])`` is the structure (by
#: its standard constructor), set by ``lisp.library.structures``; LookupError (a READER-ERROR
#: here) when ``name`` names no such structure.
make_structure: Callable[[Any, list[Any]], Any] = _no_structures


def _no_slots(obj: Any, placeholder: Any, value: Any) -> list[Any] | None:
    return None


#: For ``#n#`` inside ``#S``: ``patch_structure(obj, placeholder, value)`` replaces ``placeholder``
#: by ``value`` among the slots of the structure ``obj`` and returns the other slot values (to
#: patch inside); None if ``obj`` is no structure. Set by ``lisp.library.structures``.
patch_structure: Callable[[Any, Any, Any], list[Any] | None] = _no_slots


def _sharp_s(reader: Reader, start: int, arg: int | None) -> tuple[bool, Any]:
    """``#S(name key value ...)``: a structure, made by its standard constructor (CLHS 2.4.8.13)."""
    form = reader.read_form("#S", start)
    if _suppressed():
        return True, NIL
    _no_arg(reader, start, arg, "#S")
    if not isinstance(form, Cons):
        raise reader._error("#S must be followed by a list: #S(name slot value ...)", start)
    items = _cons_items(form, reader, start)
    if len(items) % 2 == 0:
        raise reader._error(f"#S{shown(form)} has a slot name without a value", start)
    try:
        return True, make_structure(items[0], items[1:])
    except LookupError as exc:
        raise reader._error(str(exc.args[0]), start) from None


def _sharp_invalid(reader: Reader, start: int, arg: int | None) -> tuple[bool, Any]:
    sub = reader.text[reader.offset - 1]
    if sub == "<":
        raise reader._error("#< starts an unreadable object", start)
    raise reader._error(f"#{sub!r} is not valid syntax", start)


_SHARP_DISPATCH: dict[str, DispatchHandler] = {
    "'": _sharp_quote, "(": _sharp_paren, "\\": _sharp_backslash, ":": _sharp_colon,
    "|": _sharp_bar, "X": _sharp_radix(16), "B": _sharp_radix(2), "O": _sharp_radix(8),
    "R": _sharp_radix(None), "C": _sharp_complex, "*": _sharp_bits, "A": _sharp_array, "+": _sharp_feature(True),
    "-": _sharp_feature(False), ".": _sharp_dot, "P": _sharp_pathname, "=": _sharp_equal, "#": _sharp_sharp,
    "S": _sharp_s,
    "<": _sharp_invalid, ")": _sharp_invalid, " ": _sharp_invalid, "\n": _sharp_invalid,
    "\t": _sharp_invalid,
}


# -- readtables and reader macros written in Lisp -------------------------------------------------

STANDARD_READTABLE = Readtable(
    {"(": (_open_paren, True), ")": (_close_paren, True), ";": (_line_comment, True), "'": (_quote, True),
     "`": (_backquote, True), ",": (_comma, True), '"': (_string, True), "#": (_dispatching, False)},
    {"#": _SHARP_DISPATCH}, _CASES["UPCASE"], standard=True)
_define_special(READTABLE_VAR, STANDARD_READTABLE.copy())


class ReaderStream(InputStream):
    """The stream a reader macro written in Lisp reads from: the reader's own text, so a ``read``
    inside the macro keeps the reader's positions, ``#n=`` labels and backquote depth."""

    def __init__(self, reader: Reader) -> None:
        super().__init__(reader.text)
        self.index = reader.offset
        self.reader = reader

    def __repr__(self) -> str:
        return f"#<READER-STREAM {self.reader.file}>"


def _call_lisp_macro(fn: Callable[..., Any], reader: Reader, *args: Any) -> tuple[bool, Any]:
    """Call a Lisp reader macro function on a :class:`ReaderStream`; zero values means nothing read."""
    import lisp.runtime.values as multiple_values  # the compiler sits above the reader

    stream = ReaderStream(reader)
    multiple_values.clear()
    result = fn(stream, *args)
    found = multiple_values.take(result)
    reader.offset = stream.index
    return (True, found[0]) if found else (False, None)


def lisp_macro_handler(fn: Callable[..., Any]) -> MacroHandler:
    """A macro handler running the Lisp function ``fn`` of ``(stream char)``."""
    def handler(reader: Reader, start: int) -> tuple[bool, Any]:
        return _call_lisp_macro(fn, reader, Char(reader.text[start]))

    return handler


def lisp_dispatch_handler(fn: Callable[..., Any]) -> DispatchHandler:
    """A dispatch handler running the Lisp function ``fn`` of ``(stream sub-char arg)``."""
    def handler(reader: Reader, start: int, arg: int | None) -> tuple[bool, Any]:
        return _call_lisp_macro(fn, reader, Char(reader.text[reader.offset - 1]), arg)

    return handler


def handler_as_function(handler: Callable[..., tuple[bool, Any]], dispatch: bool) -> Callable[..., Any]:
    """A built-in handler as a Lisp function of ``(stream char)`` (or ``(stream sub-char arg)``),
    for ``get-macro-character``; it must be called on a stream a reader macro was given."""
    def reader_macro(stream: Any, char: Any, *arg: Any) -> Any:
        if not isinstance(stream, ReaderStream):
            raise LispTypeError(f"a standard reader macro reads only from a reader macro's stream, "
                                f"not {shown(stream)}",
                                datum=stream, expected_type=cl_symbol("STREAM"))
        reader = stream.reader
        reader.offset = stream.index
        start = stream.index - (2 if dispatch else 1)
        found, obj = handler(reader, start, *arg) if dispatch else handler(reader, start)
        stream.index = reader.offset
        import lisp.runtime.values as multiple_values  # the compiler sits above the reader

        return obj if found else multiple_values.values()

    reader_macro.handler = handler  # type: ignore[attr-defined]
    return reader_macro


# -- convenience ---------------------------------------------------------------------------------

def read_from_string(text: str, *, file: str = "<string>") -> Any:
    """The first form of ``text``; an empty text is an :class:`EndOfFile`."""
    obj = Reader(text, file).read()
    if obj is EOF:
        raise EndOfFile(f"no form to read in {file}", pos=SourcePos(file, 1, 1))
    return obj


def read_all(text: str, *, file: str = "<string>") -> list[Any]:
    """Every form of ``text``, in order."""
    reader = Reader(text, file)
    forms = []
    while (obj := reader.read()) is not EOF:
        forms.append(obj)
    return forms
