"""Syntax highlighting of gfjit Lisp: pygments' Common Lisp lexer, taught what this image knows.

On top of the standard lexer (comments, strings, characters, keywords, numbers, the standard
operators), symbols are matched without regard to case, as the reader upcases them, and a symbol
naming a global function defined in the running image (a user's ``defun``) is shown as a function.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pygments.lexers.lisp import CommonLispLexer
from pygments.token import Name, _TokenType

from lisp.runtime.data import Symbol
from lisp.runtime.namespace import fboundp, symbol_value
from lisp.syntax.reader import PACKAGE_VAR


class GfjitLispLexer(CommonLispLexer):
    """The pygments lexer for gfjit's Common Lisp dialect."""

    name = "gfjit Lisp"
    aliases = ["gfjit"]
    filenames: list[str] = []

    def get_tokens_unprocessed(self, text: str, stack: Any = ("root",)) -> Iterator[tuple[int, _TokenType, str]]:
        # The standard lexer knows the standard names in lower case only. (A few characters change
        # length in lower case; such a text is lexed as it is, so indices stay right.)
        lowered = text.lower()
        for index, token, value in super().get_tokens_unprocessed(lowered if len(lowered) == len(text) else text):
            original = text[index:index + len(value)]
            if token is Name.Variable and _names_function(original):
                token = Name.Function
            yield index, token, original


def _names_function(name: str) -> bool:
    package = symbol_value(PACKAGE_VAR)
    sym, _status = package.find_symbol(name.upper())
    return isinstance(sym, Symbol) and fboundp(sym)
