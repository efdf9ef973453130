"""Characters (CLHS 13): comparison, case, classification, codes, names and digit weights."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lisp.library.arguments import check, expected, string_designator, truth
from lisp.runtime.arrays import is_string, string_text
from lisp.runtime.data import NIL, Char, Symbol, cl_symbol
from lisp.runtime.namespace import builtin, proclaim_constant
from lisp.syntax import printer
from lisp.syntax.reader import char_from_name

_CHARACTER = expected("CHARACTER")
CHAR_CODE_LIMIT = 0x110000
proclaim_constant(cl_symbol("CHAR-CODE-LIMIT"), CHAR_CODE_LIMIT)



def check_char(c: Any) -> Char:
    check(isinstance(c, Char), c, _CHARACTER)
    return c


def upcase(ch: str) -> str:
    """The upper-case form of one character: only where the two forms map to each other, since
    CL case is a one-to-one correspondence (CLHS 13.1.4.3): ``ß`` (upper ``SS``) and ``µ`` (upper
    ``Μ``, whose lower case is ``μ``) have no upper case."""
    up = ch.upper()
    return up if len(up) == 1 and up.lower() == ch else ch


def downcase(ch: str) -> str:
    """The lower-case form of one character (see :func:`upcase`)."""
    down = ch.lower()
    return down if len(down) == 1 and down.upper() == ch else ch


def _comparison(name: str, op: Callable[[int, int], bool], fold: bool, all_pairs: bool = False) -> None:
    def compare(first: Any, *rest: Any) -> Any:
        codes = [ord(downcase(check_char(c).char)) if fold else check_char(c).code for c in (first, *rest)]
        if all_pairs:
            return truth(all(op(a, b) for i, a in enumerate(codes) for b in codes[i + 1:]))
        return truth(all(op(a, b) for a, b in zip(codes, codes[1:])))

    compare.__name__ = name.lower().replace("-", "_")
    compare.__doc__ = f"``{name.lower()}``."
    builtin(name)(compare)


for _sensitive, _insensitive, _op in (("CHAR=", "CHAR-EQUAL", lambda a, b: a == b),
                                      ("CHAR<", "CHAR-LESSP", lambda a, b: a < b),
                                      ("CHAR>", "CHAR-GREATERP", lambda a, b: a > b),
                                      ("CHAR<=", "CHAR-NOT-GREATERP", lambda a, b: a <= b),
                                      ("CHAR>=", "CHAR-NOT-LESSP", lambda a, b: a >= b)):
    _comparison(_sensitive, _op, False)
    _comparison(_insensitive, _op, True)
_comparison("CHAR/=", lambda a, b: a != b, False, all_pairs=True)
_comparison("CHAR-NOT-EQUAL", lambda a, b: a != b, True, all_pairs=True)


@builtin("CHAR-CODE")
def char_code(c: Any) -> int:
    return check_char(c).code


builtin("CHAR-INT")(char_code)


@builtin("CODE-CHAR")
def code_char(code: Any) -> Any:
    check(type(code) is int and 0 <= code < CHAR_CODE_LIMIT, code, "CHAR-CODE")
    if 0xD800 <= code <= 0xDFFF:
        return NIL  # surrogates are not characters
    return Char(chr(code))


@builtin("CHAR-UPCASE")
def char_upcase(c: Any) -> Char:
    return Char(upcase(check_char(c).char))


@builtin("CHAR-DOWNCASE")
def char_downcase(c: Any) -> Char:
    return Char(downcase(check_char(c).char))


def _classifier(name: str, test: Callable[[str], bool]) -> None:
    def classify(c: Any) -> Any:
        return truth(test(check_char(c).char))

    classify.__name__ = name.lower().replace("-", "_")
    classify.__doc__ = f"``{name.lower()}``."
    builtin(name)(classify)


_classifier("UPPER-CASE-P", lambda ch: ch != downcase(ch))
_classifier("LOWER-CASE-P", lambda ch: ch != upcase(ch))
_classifier("BOTH-CASE-P", lambda ch: ch != downcase(ch) or ch != upcase(ch))
_classifier("ALPHA-CHAR-P", str.isalpha)
_classifier("ALPHANUMERICP", lambda ch: ch.isalpha() or ch.isdigit())
_classifier("GRAPHIC-CHAR-P", lambda ch: ch == " " or ch.isprintable() and not ch.isspace())
_classifier("STANDARD-CHAR-P", lambda ch: ch == "\n" or (" " <= ch <= "~"))


@builtin("DIGIT-CHAR-P")
def digit_char_p(c: Any, radix: Any = 10) -> Any:
    """The weight of ``c`` as a digit in ``radix``, or NIL."""
    ch = check_char(c).char
    check(type(radix) is int and 2 <= radix <= 36, radix, "RADIX")
    if ch.isascii() and ch.isalnum():
        weight = int(ch, 36)
        return weight if weight < radix else NIL
    return NIL


@builtin("DIGIT-CHAR")
def digit_char(weight: Any, radix: Any = 10) -> Any:
    check(type(weight) is int and weight >= 0, weight, "UNSIGNED-BYTE")
    check(type(radix) is int and 2 <= radix <= 36, radix, "RADIX")
    if weight >= radix:
        return NIL
    return Char("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[weight])


@builtin("CHAR-NAME")
def char_name(c: Any) -> Any:
    name = printer.char_name(check_char(c).char)
    return NIL if name is None else name


@builtin("NAME-CHAR")
def name_char(name: Any) -> Any:
    """The character named ``name`` as ``#\\`` names it (``char-name`` gives such names), or NIL."""
    char = char_from_name(string_designator(name))
    return NIL if char is None else Char(char)


@builtin("CHARACTER")
def character(x: Any) -> Char:
    """A character designator: a character, or a string or symbol name of length 1."""
    if isinstance(x, Char):
        return x
    text = string_text(x) if is_string(x) else (x.name if isinstance(x, Symbol) else None)
    check(text is not None and len(text) == 1, x, "CHARACTER")
    return Char(text)

