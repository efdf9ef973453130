"""Lisp data printed into error messages."""

from __future__ import annotations

from typing import Any

from lisp.runtime.data import T
from lisp.syntax.printer import write_to_string


def show(obj: Any) -> str:
    """``obj`` as ``prin1`` prints it, for a message. Printed with ``*print-circle*`` so that a
    circular datum (a form, an argument list) ends as ``#1=(... . #1#)`` instead of hanging the
    signaller; data without shared parts print exactly as ``prin1`` prints them."""
    return write_to_string(obj, escape=T, circle=T)
