"""Completion of symbol names at the REPL.

:func:`symbol_completions` is the whole policy (what a prefix completes to); :class:`SymbolCompleter`
adapts it to prompt_toolkit. Names are offered in lower case, as people type them (the reader
upcases); a name the reader would not give back from lower case is offered with ``|...|``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from lisp.runtime.data import KEYWORD, Package, Symbol, find_package, list_all_packages
from lisp.runtime.namespace import symbol_value
from lisp.syntax.reader import PACKAGE_VAR

# Characters that end a symbol token, so the token being typed starts after the last of them.
_DELIMITERS = frozenset(" \t\n()'`,\";")


def symbol_completions(prefix: str, package: Package) -> list[str]:
    """The completions of ``prefix`` (as typed, e.g. ``mak``, ``:te``, ``cl:ca``) in ``package``."""
    if ":" in prefix:
        return _qualified_completions(prefix)
    wanted = prefix.upper()
    names = {_printed(sym.name) for sym in _accessible(package) if sym.name.startswith(wanted)}
    names.update(
        _printed(name) + ":" for pkg in list_all_packages() for name in (pkg.name, *pkg.nicknames)
        if name and name.startswith(wanted)
    )
    return sorted(names)


def _qualified_completions(prefix: str) -> list[str]:
    package_name, colons, partial = _split_qualified(prefix)
    package = KEYWORD if package_name == "" else find_package(package_name.upper())
    if package is None:
        return []
    if package is KEYWORD or colons == "::":
        symbols: Iterable[Symbol] = package.present_symbols()
    else:
        symbols = package.external_symbols()
    wanted = partial.upper()
    shown_package = package_name if package is not KEYWORD else ""
    return sorted({
        f"{shown_package}{colons}{_printed(sym.name)}" for sym in symbols
        if isinstance(sym, Symbol) and sym.name.startswith(wanted)  # NIL is None (lisp.runtime.data)
    })


def _split_qualified(prefix: str) -> tuple[str, str, str]:
    head, _, tail = prefix.partition(":")
    if tail.startswith(":"):
        return head, "::", tail[1:]
    return head, ":", tail


def _accessible(package: Package) -> Iterator[Symbol]:
    for sym in package.accessible_symbols():
        if isinstance(sym, Symbol):
            yield sym


def _printed(name: str) -> str:
    if name == name.upper() and not any(c in _DELIMITERS or c in "|\\:" for c in name):
        return name.lower()
    return "|" + name.replace("\\", "\\\\").replace("|", "\\|") + "|"


def token_before_cursor(text: str) -> str:
    """The symbol token that ends at the end of ``text`` (the text before the cursor)."""
    start = len(text)
    while start > 0 and text[start - 1] not in _DELIMITERS:
        start -= 1
    return text[start:]


class SymbolCompleter(Completer):
    """prompt_toolkit completer over the symbols accessible in the current ``*package*``."""

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterator[Completion]:
        token = token_before_cursor(document.text_before_cursor)
        if not token and not complete_event.completion_requested:
            return
        for name in symbol_completions(token, symbol_value(PACKAGE_VAR)):
            yield Completion(name, start_position=-len(token))
