"""Names as Emacs sends them: packages (a buffer's ``(in-package ...)``) and symbols (the text at
point), looked up without interning anything, and package names as a prompt shows them."""

from __future__ import annotations

from typing import Any

from lisp.runtime.data import KEYWORD, Package, find_package
from lisp.runtime.namespace import symbol_value
from lisp.syntax.reader import PACKAGE_VAR


def guess_package(name: str | None) -> Package:
    """The package a buffer names (``"FOO"``, ``":foo"``, ``"#:foo"``, ``"\\"foo\\""``), or the
    current ``*package*`` when it names none (as swank's ``guess-buffer-package``)."""
    found = find_named_package(name) if name else None
    return found if found is not None else symbol_value(PACKAGE_VAR)


def find_named_package(name: str) -> Package | None:
    """The package ``name`` designates as a buffer writes it, or None."""
    bare = name.strip().removeprefix("#").removeprefix(":").strip('"')
    return find_package(bare) or find_package(bare.upper())


def prompt_name(package: Package) -> str:
    """The shortest of a package's names, as the REPL prompt shows it (``CL-USER``)."""
    return min((n for n in (package.name, *package.nicknames) if n), key=len)


def lookup_symbol(text: str, package: Package) -> tuple[bool, Any]:
    """``(found, symbol)`` for a symbol name as typed (``mapcar``, ``cl:car``, ``sys::%foo``,
    ``:key``, ``|Mixed|``) read in ``package``; nothing is interned. (``symbol`` is None for NIL.)"""
    parsed = split_symbol_name(text)
    if parsed is None:
        return False, None
    package_name, name, _external = parsed
    home = package if package_name is None else (KEYWORD if package_name == "" else find_package(package_name))
    if home is None:
        return False, None
    symbol, status = home.find_symbol(name)
    return status is not None, symbol


def split_symbol_name(text: str) -> tuple[str | None, str, bool] | None:
    """``(package name or None, symbol name, external only)`` of a symbol token, case converted
    as the standard reader does (``|...|`` and ``\\`` keep case); None if it is not one."""
    parts: list[list[str]] = [[]]
    colons = 0
    i = 0
    text = text.strip()
    while i < len(text):
        char = text[i]
        if char == "|":
            end = text.find("|", i + 1)
            if end < 0:
                return None
            parts[-1].append(text[i + 1:end])
            i = end + 1
            continue
        if char == "\\" and i + 1 < len(text):
            parts[-1].append(text[i + 1])
            i += 2
            continue
        if char == ":":
            if len(parts) == 1:
                parts.append([])
            elif colons > 1 or parts[1]:
                return None
            colons += 1
            i += 1
            continue
        if char.isspace() or char in "()'\"`,;":
            return None
        parts[-1].append(char.upper())
        i += 1
    if len(parts) == 1:
        return (None, "".join(parts[0]), False) if parts[0] else None
    return "".join(parts[0]), "".join(parts[1]), colons == 1
