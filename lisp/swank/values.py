"""Reading what Emacs sends and printing values the way SLIME shows them (the echo area, a
frame's variables, pretty-printed expansions)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from lisp.runtime.data import NIL, T
from lisp.syntax.printer import prin1_to_string, write_to_string
from lisp.syntax.reader import read_from_string

#: The longest a value is shown on one line (a frame's variable).
LINE_WIDTH = 200


def read_form(text: str) -> Any:
    """The first form of ``text``, read in ``*package*`` (swank's ``from-string``)."""
    return read_from_string(text, file="<emacs>")


def echo_area_text(values: tuple[Any, ...]) -> str:
    """``=> 3 (2 bits, #x3, #o3, #b11)``, ``=> 1/2 (0.5)``, ``=> A, B``, or ``; No value``."""
    if not values:
        return "; No value"
    if len(values) == 1:
        value = values[0]
        if isinstance(value, int) and not isinstance(value, bool):
            bits = value.bit_length() if value >= 0 else (~value).bit_length()
            return (f"=> {prin1_to_string(value)} ({bits} bit{'' if bits == 1 else 's'}, "
                    f"#x{value:X}, #o{value:o}, #b{value:b})")
        if isinstance(value, Fraction) and value.denominator != 1:
            return f"=> {prin1_to_string(value)} ({float(value)})"
    return "=> " + ", ".join(prin1_to_string(value) for value in values)


def pretty_values(values: tuple[Any, ...]) -> str:
    """Each value pretty-printed on lines of its own, or ``; No value``."""
    if not values:
        return "; No value"
    return "".join(write_to_string(value, pretty=T, escape=T) + "\n" for value in values)


def pretty(form: Any) -> str:
    """A form as ``pprint`` lays it out (a macro's expansion)."""
    return write_to_string(form, pretty=T, escape=T, circle=NIL)


def one_line(value: Any, width: int = LINE_WIDTH) -> str:
    """``value`` printed on one line of at most ``width`` characters; never fails."""
    try:
        text = write_to_string(value, pretty=NIL, escape=T)
    except Exception as failure:  # noqa: BLE001 - a print-object that fails must not hide the rest
        return f"#<error printing a {type(value).__name__}: {type(failure).__name__}>"
    text = " ".join(text.split("\n"))
    return text if len(text) <= width else text[:width - 3] + "..."
