"""Checks of an add's arguments and of the object against them, all before anything is linked:
the exports exist, and every symbol the object refers to has an address."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .capi import process_symbol
from .compiler import ObjectCode
from .errors import DuplicateSymbolError, MissingExportError, UndefinedSymbolError


def export_list(exports: Iterable[str]) -> list[str]:
    """The export names as a list; raises TypeError or DuplicateSymbolError if malformed."""
    if isinstance(exports, str):
        raise TypeError(f"exports must be an iterable of names, not the string {exports!r}")
    names = list(exports)
    for n in names:
        if not isinstance(n, str) or not n:
            raise TypeError(f"export names must be non-empty strings, not {n!r}")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise DuplicateSymbolError(f"export name(s) {', '.join(twice)} listed more than once")
    return names


def import_dict(imports: Mapping[str, int] | None) -> dict[str, int]:
    """The imports as a dict; raises TypeError unless each maps a name to an address."""
    result = dict(imports or {})
    for n, address in result.items():
        if not isinstance(n, str) or not n:
            raise TypeError(f"import names must be non-empty strings, not {n!r}")
        if not isinstance(address, int) or isinstance(address, bool) or not 0 < address < 2**64:
            raise TypeError(f"import {n!r} needs an address (a positive int), not {address!r}")
    return result


def resolve(obj: ObjectCode, exports: list[str], imports: dict[str, int]) -> dict[str, int]:
    """Check the exports exist and give every undefined symbol an address (imports first, then
    the process), before anything is linked."""
    missing = [n for n in exports if n not in obj.symbols.defined]
    if missing:
        raise MissingExportError(obj.name, missing, list(obj.symbols.defined))
    resolved = dict(imports)
    unresolved = []
    for n in obj.symbols.undefined - imports.keys():
        address = process_symbol(n)
        if address is None:
            unresolved.append(n)
        else:
            resolved[n] = address
    if unresolved:
        raise UndefinedSymbolError(obj.name, unresolved)
    return resolved
