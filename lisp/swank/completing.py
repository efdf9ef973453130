"""Completion of symbol names for Emacs, on the REPL's completion (:mod:`lisp.repl.completion`:
which names a prefix may complete to, in which package, written how).

- ``simple-completions``: the names that start with the prefix (``mapc`` -> ``mapc mapcan
  mapcar mapcon``) and their longest common prefix.
- ``completions`` (SLIME's default with ``slime-fancy``, the c-p-c contrib): each word of a
  compound prefix starts the matching word of a name (``m-v-b`` -> ``multiple-value-bind``).
- ``fuzzy-completions``: the letters of the prefix appear in the name in order (``mvb`` ->
  ``multiple-value-bind``), best matches first, with the matched pieces and what each name is.
"""

from __future__ import annotations

import os
import time
from typing import Any

from lisp.clos.classes import find_class
from lisp.clos.generic import info_of
from lisp.compiler.core import SPECIAL_FORMS
from lisp.compiler.macros import MACROS
from lisp.repl.completion import symbol_completions
from lisp.runtime.data import find_package
from lisp.runtime.namespace import GLOBALS, function_key, global_value_is_set
from lisp.swank.names import guess_package, lookup_symbol
from lisp.swank.rpc import Request, rpc


def _candidates(prefix: str, package_name: Any) -> tuple[str, list[str]]:
    """``(qualifier, names)``: the names the prefix's package part allows (``cl:`` and the
    external names of CL, or the names accessible in the buffer's package), and that part."""
    package = guess_package(package_name)
    cut = prefix.rfind(":") + 1
    qualifier = prefix[:cut]
    return qualifier, symbol_completions(qualifier, package)


@rpc("swank:simple-completions")
def simple_completions(_request: Request, prefix: str, package_name: Any) -> list[Any]:
    names = symbol_completions(prefix, guess_package(package_name))
    return [names, os.path.commonprefix(names) if names else prefix]


@rpc("swank:completions")
def compound_completions(_request: Request, prefix: str, package_name: Any) -> list[Any]:
    qualifier, names = _candidates(prefix, package_name)
    words = prefix[len(qualifier):].lower().split("-")
    found = sorted(name for name in names if _compound_match(words, name[len(qualifier):]))
    return [found, longest_compound_prefix(found) if found else prefix]


def _compound_match(words: list[str], name: str) -> bool:
    parts = name.lower().split("-")
    return len(parts) >= len(words) and all(part.startswith(word) for word, part in zip(words, parts))


def longest_compound_prefix(names: list[str]) -> str:
    """The words all ``names`` share, the first that differs cut to their common start
    (``multiple-value-bind``, ``multiple-value-call`` -> ``multiple-value-``)."""
    split = [name.split("-") for name in names]
    out = []
    for column in zip(*split):
        if all(word == column[0] for word in column):
            out.append(column[0])
            continue
        out.append(os.path.commonprefix(list(column)))
        break
    else:
        if any(len(words) > len(out) for words in split):
            out.append("")
    return "-".join(out)


@rpc("swank:fuzzy-completions")
def fuzzy_completions(_request: Request, prefix: str, package_name: Any, *, limit: Any = None,
                      time_limit_in_msec: Any = None) -> list[Any]:
    deadline = time.monotonic() + time_limit_in_msec / 1000 if time_limit_in_msec else None
    qualifier, names = _candidates(prefix, package_name)
    wanted = prefix[len(qualifier):].lower()
    scored = []
    timed_out = False
    for name in names:
        if deadline is not None and time.monotonic() > deadline:
            timed_out = True
            break
        match = fuzzy_match(wanted, name[len(qualifier):].lower())
        if match is not None:
            score, chunks = match
            scored.append((-score, name, [[len(qualifier) + at, name[len(qualifier) + at:][:len(text)]]
                                          for at, text in chunks]))
    scored.sort()
    if limit:
        scored = scored[:limit]
    package = guess_package(package_name)
    return [[[name, f"{-score:.2f}", chunks, classification(name, package)] for score, name, chunks in scored],
            timed_out]


def fuzzy_match(wanted: str, name: str) -> tuple[float, list[tuple[int, str]]] | None:
    """Where the letters of ``wanted`` appear in ``name`` in order, preferring the starts of its
    words: ``(score, [(offset, matched text), ...])``, or None if they do not all appear."""
    if not wanted:
        return 0.0, []
    chunks: list[tuple[int, str]] = []
    score = 0.0
    at = 0
    for char in wanted:
        found = _next_word_start(name, char, at)
        if found < 0:
            found = name.find(char, at)
        if found < 0:
            return None
        if chunks and chunks[-1][0] + len(chunks[-1][1]) == found:
            chunks[-1] = (chunks[-1][0], chunks[-1][1] + char)
            score += 5
        else:
            chunks.append((found, char))
            score += 10 if found == 0 else 8 if name[found - 1] in "-*%:" else 1
        at = found + 1
    return score - len(name) / 10, chunks


def _next_word_start(name: str, char: str, start: int) -> int:
    at = name.find(char, start)
    while at > 0 and name[at - 1] not in "-*%:":
        at = name.find(char, at + 1)
    return at


def classification(name: str, package: Any) -> str:
    """What a completed name names, as swank writes it: ``bfgctmsp`` (bound, fbound, generic
    function, class, type, macro, special operator, package), ``-`` where it is not."""
    flags = ["-"] * 8
    if name.endswith(":"):
        flags[7] = "p" if find_package(name.rstrip(":").upper()) is not None else "-"
        return "".join(flags)
    found, symbol = lookup_symbol(name, package)
    if not found or symbol is None:
        return "".join(flags)
    fn = GLOBALS.get(function_key(symbol))
    for index, (letter, present) in enumerate((
            ("b", global_value_is_set(symbol)), ("f", fn is not None or symbol in MACROS),
            ("g", fn is not None and info_of(fn) is not None), ("c", find_class(symbol, errorp=False) is not None),
            ("t", find_class(symbol, errorp=False) is not None), ("m", symbol in MACROS),
            ("s", symbol in SPECIAL_FORMS), ("p", find_package(symbol.name) is not None))):
        if present:
            flags[index] = letter
    return "".join(flags)
