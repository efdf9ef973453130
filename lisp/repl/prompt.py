"""The REPL prompt: the current package's shortest name, as SLIME shows it (``CL-USER> ``)."""

from __future__ import annotations

from lisp.runtime.namespace import symbol_value
from lisp.syntax.reader import PACKAGE_VAR


def prompt_text(*, continuation: bool = False) -> str:
    """The prompt for a new form, or the one for a further line of an unfinished form."""
    package = symbol_value(PACKAGE_VAR)
    name = min((n for n in (package.name, *package.nicknames) if n), key=len)
    text = f"{name}> "
    return "." * (len(text) - 1) + " " if continuation else text
