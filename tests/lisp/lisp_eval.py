"""Helpers for the compiler's tests: evaluate Lisp text, look at values the way Lisp prints them."""

from __future__ import annotations

from typing import Any

import lisp
import lisp.evaluator  # noqa: F401 - boots the Lisp now, not inside the first test that runs
from lisp.compiler import eval_values
from lisp.syntax.printer import prin1_to_string
from lisp.syntax.reader import read_all


def run(text: str) -> Any:
    """The primary value of the last form of ``text``."""
    return lisp.eval_string(text, file="<test>")


def show(text: str) -> str:
    """The last form's primary value, as ``prin1`` prints it."""
    return prin1_to_string(run(text))


def show_values(text: str) -> list[str]:
    """All values of the last form of ``text``, each as ``prin1`` prints it."""
    found: tuple[Any, ...] = ()
    for form in read_all(text, file="<test>"):
        found = eval_values(form)
    return [prin1_to_string(v) for v in found]
