"""Strings (CLHS 16): designators, characters of a string, comparison with :start/:end, case
conversion and trimming.

A string is a literal Python ``str`` (which cannot be modified) or a ``LispString`` (see
:mod:`lisp.runtime.arrays`): every string these functions make is a new ``LispString``, which
``(setf char)`` and the ``nstring-`` functions change in place.
"""

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
from lisp.library.sequences import items
from lisp.library.types import upgraded_element_type
from lisp.runtime.arrays import LispString, is_string, literal_string_error, make_string
from lisp.runtime.data import NIL, SYSTEM, Char, cl_symbol, make_list
from lisp.runtime.element_types import CHARACTER
from lisp.runtime.fill_pointer_stream import FillPointerOutputStream
from lisp.runtime.namespace import GLOBALS, builtin, setf_function_key
from lisp.runtime.signals import type_error

_STRING = expected("STRING")


def _check_string(s: Any) -> Any:
    check(is_string(s), s, _STRING)
    return s


@builtin("STRING")
def string(x: Any) -> Any:
    """``string``: a string is itself; a symbol gives its name, a character a new string of it."""
    if isinstance(x, Char):
        return make_string(x.char)
    return x if is_string(x) else string_designator(x)


@builtin("CHAR")
def char(s: Any, index: Any) -> Char:
    """``char``: the character at ``index``, which may be beyond a fill pointer (CLHS)."""
    if type(s) is str:
        return Char(s[element_index(index, len(s), "CHAR")])
    return _check_string(s).ref(element_index(index, s.dims[0], "CHAR"))


@builtin("SCHAR")
def schar(s: Any, index: Any) -> Char:
    check(type(s) is str or (isinstance(s, LispString) and s.simple), s, "SIMPLE-STRING")
    return char(s, index)


def set_char(value: Any, s: Any, index: Any) -> Any:
    """``(setf char)`` and ``(setf schar)``."""
    if type(s) is str:
        return literal_string_error(s)
    return _check_string(s).set(element_index(index, s.dims[0], "(SETF CHAR)"), value)


GLOBALS[setf_function_key(cl_symbol("CHAR"))] = set_char
GLOBALS[setf_function_key(cl_symbol("SCHAR"))] = set_char


@builtin("MAKE-STRING")
def make_string_(size: Any, *args: Any) -> LispString:
    check(type(size) is int and size >= 0, size, "UNSIGNED-BYTE")
    kw = keywords(args, ("INITIAL-ELEMENT", "ELEMENT-TYPE"), "MAKE-STRING")
    if "ELEMENT-TYPE" in kw and upgraded_element_type(kw["ELEMENT-TYPE"]) is not CHARACTER:
        type_error(kw["ELEMENT-TYPE"], cl_symbol("CHARACTER"), "MAKE-STRING: the element type must be a character type")
    fill = kw.get("INITIAL-ELEMENT", CHARACTER.default)
    check(isinstance(fill, Char), fill, "CHARACTER")
    return make_string(fill.char * size)


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
    """``string-upcase`` & co. (a new string) and ``nstring-upcase`` & co. (the string changed in place)."""
    in_place = name.startswith("N")

    def converted(x: Any, *args: Any) -> Any:
        kw = keywords(args, ("START", "END"), name)
        if in_place:
            _check_string(x)
        s = string_designator(x)
        start = bounding_index(kw.get("START", 0), len(s), name)
        end = kw.get("END", NIL)
        end = len(s) if end is NIL else bounding_index(end, len(s), name)
        part = convert(s[start:end])
        if not in_place:
            return make_string(s[:start] + part + s[end:])
        if type(x) is str:
            # A literal cannot change; one whose characters would stay the same need not.
            return x if part == s[start:end] else literal_string_error(x)
        x.put_values(start, [Char(c) for c in part])
        return x

    converted.__name__ = name.lower().replace("-", "_")
    converted.__doc__ = f"``{name.lower()}``."
    builtin(name)(converted)


for _prefix in ("", "N"):
    _case_converter(f"{_prefix}STRING-UPCASE", lambda s: "".join(map(upcase, s)))
    _case_converter(f"{_prefix}STRING-DOWNCASE", lambda s: "".join(map(downcase, s)))
    _case_converter(f"{_prefix}STRING-CAPITALIZE", _capitalize)


def _trimmer(name: str, left: bool, right: bool) -> None:
    def trim(bag: Any, x: Any) -> LispString:
        chars = "".join(c.char for c in items(bag) if isinstance(c, Char))
        s = string_designator(x)
        if left:
            s = s.lstrip(chars)
        if right:
            s = s.rstrip(chars)
        return make_string(s)

    trim.__name__ = name.lower().replace("-", "_")
    trim.__doc__ = f"``{name.lower()}``: a new string, without the characters of the bag at the ends."
    builtin(name)(trim)


_trimmer("STRING-TRIM", True, True)
_trimmer("STRING-LEFT-TRIM", True, False)
_trimmer("STRING-RIGHT-TRIM", False, True)


# -- output into a string --------------------------------------------------------------------------


@builtin("%FILL-POINTER-OUTPUT-STREAM", SYSTEM)
def fill_pointer_output_stream(string: Any) -> FillPointerOutputStream:
    """The stream of ``(with-output-to-string (var string) ...)``: it appends to ``string``."""
    check(isinstance(string, LispString) and string.fill_pointer is not None, string,
          make_list([cl_symbol("AND"), cl_symbol("STRING"),
                     make_list([cl_symbol("SATISFIES"), cl_symbol("ARRAY-HAS-FILL-POINTER-P")])]))
    return FillPointerOutputStream(string)
