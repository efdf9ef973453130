"""Strings (CLHS 16): designators, characters of a string, comparison with :start/:end, case
conversion and trimming. Strings are immutable Python strings (see lisp.runtime.data): ``(setf char)`` and
the ``nstring-`` functions cannot change a string in place, so the ``nstring-`` functions return
the converted copy and ``(setf char)`` signals an error that says so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lisp.library.arguments import (
    bounding_index,
    check,
    element_index,
    expected,
    keywords,
    string_designator,
    truth,
)
from lisp.library.characters import downcase, upcase
from lisp.library.sequences import immutable_string, items
from lisp.runtime.data import NIL, Char, cl_symbol
from lisp.runtime.namespace import GLOBALS, builtin, setf_function_key

_STRING = expected("STRING")


def _check_string(s: Any) -> str:
    check(isinstance(s, str), s, _STRING)
    return s


@builtin("STRING")
def string(x: Any) -> str:
    return string_designator(x)


@builtin("CHAR")
def char(s: Any, index: Any) -> Char:
    s = _check_string(s)
    return Char(s[element_index(index, len(s), "CHAR")])


builtin("SCHAR")(char)


def set_char(value: Any, s: Any, index: Any) -> Any:
    """``(setf char)``: strings cannot be changed in place here."""
    return immutable_string(_check_string(s), "SETF CHAR")


GLOBALS[setf_function_key(cl_symbol("CHAR"))] = set_char
GLOBALS[setf_function_key(cl_symbol("SCHAR"))] = set_char


@builtin("MAKE-STRING")
def make_string(size: Any, *args: Any) -> str:
    check(type(size) is int and size >= 0, size, "UNSIGNED-BYTE")
    kw = keywords(args, ("INITIAL-ELEMENT", "ELEMENT-TYPE"), "MAKE-STRING")
    fill = kw.get("INITIAL-ELEMENT", Char(" "))
    check(isinstance(fill, Char), fill, "CHARACTER")
    return fill.char * size


# -- comparison ------------------------------------------------------------------------------------


def _ranges(a: Any, b: Any, args: tuple[Any, ...], who: str) -> tuple[str, str, int]:
    """Both designated strings cut to their :start/:end ranges, and the first range's start."""
    kw = keywords(args, ("START1", "END1", "START2", "END2"), who)
    s1, s2 = string_designator(a), string_designator(b)

    def cut(s: str, start: Any, end: Any) -> tuple[str, int]:
        start = bounding_index(start, len(s), who)
        end = len(s) if end is NIL else bounding_index(end, len(s), who)
        return s[start:end], start

    text1, start1 = cut(s1, kw.get("START1", 0), kw.get("END1", NIL))
    text2, _ = cut(s2, kw.get("START2", 0), kw.get("END2", NIL))
    return text1, text2, start1


def _mismatch_index(x: str, y: str) -> int:
    n = min(len(x), len(y))
    return next((i for i in range(n) if x[i] != y[i]), n)


def _string_comparison(name: str, fold: bool, decide: Callable[[str, str], bool], equality: bool) -> None:
    def compare(a: Any, b: Any, *args: Any) -> Any:
        x, y, start1 = _ranges(a, b, args, name)
        if fold:
            x, y = "".join(map(downcase, x)), "".join(map(downcase, y))
        if equality:
            return truth(decide(x, y))
        # Ordering comparisons return the index of the first difference when true (CLHS 16.2).
        return start1 + _mismatch_index(x, y) if decide(x, y) else NIL

    compare.__name__ = name.lower().replace("-", "_")
    compare.__doc__ = f"``{name.lower()}``."
    builtin(name)(compare)


for _cased, _folded, _decide, _equality in (
        ("STRING=", "STRING-EQUAL", lambda x, y: x == y, True),
        ("STRING/=", "STRING-NOT-EQUAL", lambda x, y: x != y, False),
        ("STRING<", "STRING-LESSP", lambda x, y: x < y, False),
        ("STRING>", "STRING-GREATERP", lambda x, y: x > y, False),
        ("STRING<=", "STRING-NOT-GREATERP", lambda x, y: x <= y, False),
        ("STRING>=", "STRING-NOT-LESSP", lambda x, y: x >= y, False)):
    _string_comparison(_cased, False, _decide, _equality)
    _string_comparison(_folded, True, _decide, _equality)


# -- case and trimming -----------------------------------------------------------------------------


def _capitalize(text: str) -> str:
    # CL: a word is a run of alphanumeric characters; its first becomes upper case, the rest lower.
    out, in_word = [], False
    for ch in text:
        alnum = ch.isalnum()
        out.append((downcase(ch) if in_word else upcase(ch)) if alnum else ch)
        in_word = alnum
    return "".join(out)


def _case_converter(name: str, convert: Callable[[str], str]) -> None:
    def converted(x: Any, *args: Any) -> str:
        kw = keywords(args, ("START", "END"), name)
        s = string_designator(x)
        start = bounding_index(kw.get("START", 0), len(s), name)
        end = kw.get("END", NIL)
        end = len(s) if end is NIL else bounding_index(end, len(s), name)
        return s[:start] + convert(s[start:end]) + s[end:]

    converted.__name__ = name.lower().replace("-", "_")
    converted.__doc__ = f"``{name.lower()}``."
    builtin(name)(converted)


for _prefix in ("", "N"):
    _case_converter(f"{_prefix}STRING-UPCASE", lambda s: "".join(map(upcase, s)))
    _case_converter(f"{_prefix}STRING-DOWNCASE", lambda s: "".join(map(downcase, s)))
    _case_converter(f"{_prefix}STRING-CAPITALIZE", _capitalize)


def _trimmer(name: str, left: bool, right: bool) -> None:
    def trim(bag: Any, x: Any) -> str:
        chars = "".join(c.char for c in items(bag) if isinstance(c, Char))
        s = string_designator(x)
        if left:
            s = s.lstrip(chars)
        if right:
            s = s.rstrip(chars)
        return s

    trim.__name__ = name.lower().replace("-", "_")
    trim.__doc__ = f"``{name.lower()}``: remove the characters of the bag from the ends."
    builtin(name)(trim)


_trimmer("STRING-TRIM", True, True)
_trimmer("STRING-LEFT-TRIM", True, False)
_trimmer("STRING-RIGHT-TRIM", False, True)
