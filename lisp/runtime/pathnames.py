"""Pathnames (CLHS 19.2) as data: the :class:`Pathname` type, and Unix namestrings parsed into
pathnames and made from them (what ``#p"..."``, the printer and ``load`` need below the library;
the functions Lisp calls are in ``lisp.library.pathnames``).

Only Unix namestrings, as SBCL parses them: ``/`` separates directories (a leading one makes the
directory absolute, a leading ``~/`` is the home directory, ``..`` is ``:up``, empty ones are
dropped); the last dot of the file name not at its start separates the type; ``*`` alone is
``:wild``, ``**`` as a directory ``:wild-inferiors``, other components with ``*``, ``?`` or
``[...]`` are wildcard :class:`Pattern`\\ s; a backslash makes the next character literal. The host is
NIL and the device NIL; the version of a parsed pathname with a name or type is ``:newest`` and
a namestring never shows it. There are no logical pathnames.

Pathnames are interned: two pathnames with equal components are one object, as in SBCL, so
``eq``, ``eql``, ``equal``, ``equalp`` and ``sxhash`` need nothing of their own.
"""

from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass
from typing import Any

from lisp.runtime.data import keyword

WILD = keyword("WILD")
WILD_INFERIORS = keyword("WILD-INFERIORS")
UP = keyword("UP")
BACK = keyword("BACK")
HOME = keyword("HOME")
NEWEST = keyword("NEWEST")
UNSPECIFIC = keyword("UNSPECIFIC")
ABSOLUTE = keyword("ABSOLUTE")
RELATIVE = keyword("RELATIVE")

_WILD_CHARS = "*?["
_ESCAPED = re.compile(r"([*?\[\\])")


@dataclass(frozen=True)
class Pattern:
    """A name, type or directory component with wildcards in it (``foo*``, ``l?sp``): its text, as
    a namestring shows it (``\\`` escapes kept)."""

    text: str

    def regex(self) -> re.Pattern[str]:
        """The component names it matches."""
        out, i = [], 0
        while i < len(self.text):
            c = self.text[i]
            if c == "\\" and i + 1 < len(self.text):
                out.append(re.escape(self.text[i + 1]))
                i += 1
            elif c == "*":
                out.append(".*")
            elif c == "?":
                out.append(".")
            elif c == "[" and "]" in self.text[i + 1:]:
                end = self.text.index("]", i + 1)
                out.append("[" + self.text[i + 1:end].replace("\\", "\\\\") + "]")
                i = end
            else:
                out.append(re.escape(c))
            i += 1
        return re.compile("".join(out), re.DOTALL)

    def __repr__(self) -> str:
        return f"#<PATTERN {self.text!r}>"


Component = Any  # str, Pattern, a keyword (:wild, :unspecific...), an int (a version) or None


class Pathname:
    """A physical pathname: host, device, directory (None or a tuple beginning with :absolute or
    :relative), name, type and version. Immutable and interned: make them with :func:`make`."""

    __slots__ = ("host", "device", "directory", "name", "type", "version", "__weakref__")

    host: Component
    device: Component
    directory: tuple[Any, ...] | None
    name: Component
    type: Component
    version: Component

    def components(self) -> tuple[Any, ...]:
        return (self.host, self.device, self.directory, self.name, self.type, self.version)

    def is_wild(self) -> bool:
        return any(is_wild_component(c) for c in (self.host, self.device, self.name, self.type, self.version,
                                                    *(self.directory or ())))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("pathnames are immutable")

    def __repr__(self) -> str:
        text = namestring_or_none(self)
        return f"#P{text!r}" if text is not None else "#<PATHNAME (with no namestring)>"


_interned: weakref.WeakValueDictionary[tuple[Any, ...], Pathname] = weakref.WeakValueDictionary()
_interned_lock = threading.Lock()


def make(host: Component = None, device: Component = None, directory: tuple[Any, ...] | None = None,
         name: Component = None, type_: Component = None, version: Component = None) -> Pathname:
    """The pathname of these components (the same object for the same components)."""
    key = (host, device, directory, name, type_, version)
    with _interned_lock:
        found = _interned.get(key)
        if found is None:
            found = object.__new__(Pathname)
            for slot, value in zip(Pathname.__slots__, key):
                object.__setattr__(found, slot, value)
            _interned[key] = found
        return found


def is_wild_component(c: Any) -> bool:
    return c is WILD or c is WILD_INFERIORS or isinstance(c, Pattern)


# -- parsing ---------------------------------------------------------------------------------------


def _split(text: str, separator: str) -> list[str]:
    """``text`` split at each ``separator`` that no backslash escapes (escapes kept)."""
    parts, current, i = [], [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            current.append(text[i:i + 2])
            i += 2
            continue
        if c == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(c)
        i += 1
    parts.append("".join(current))
    return parts


def _unescaped(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL)


def _word(text: str) -> Component:
    """One component of a namestring: :wild, a pattern or a plain string."""
    if text == "*":
        return WILD
    if any(c in _WILD_CHARS for c in re.sub(r"\\.", "", text)):
        return Pattern(text)
    return _unescaped(text)


def parse_namestring(text: str) -> Pathname:
    """The pathname a Unix namestring names (see the module docstring)."""
    if text == "":
        return make()
    parts = _split(text, "/")
    *directories, file = parts
    directory: tuple[Any, ...] | None = None
    if directories:
        head: list[Any]
        if directories[0] == "":
            head, rest = [ABSOLUTE], directories[1:]
        elif directories[0] == "~":
            head, rest = [ABSOLUTE, HOME], directories[1:]
        else:
            head, rest = [RELATIVE], directories
        for d in rest:
            if d == "":
                continue
            head.append(UP if d == ".." else WILD_INFERIORS if d == "**" else _word(d))
        directory = tuple(head)
    pieces = _split(file, ".")
    if file == "":
        name = type_ = None
    elif len(pieces) == 1 or (len(pieces) == 2 and pieces[0] == ""):  # no dot, or a dot file: ".lisp"
        name, type_ = _word(file), None
    else:
        name, type_ = _word(".".join(pieces[:-1])), _word(pieces[-1])
    version = NEWEST if name is not None or type_ is not None else None
    return make(None, None, directory, name, type_, version)


def from_native(text: str) -> Pathname:
    """The pathname of a file name the operating system gave (its wildcard characters are literal)."""
    return parse_namestring(_ESCAPED.sub(r"\\\1", text))


# -- namestrings -----------------------------------------------------------------------------------


def _text(c: Component, where: str) -> str:
    if c is WILD:
        return "*"
    if isinstance(c, Pattern):
        return c.text
    if isinstance(c, str):
        return _ESCAPED.sub(r"\\\1", c)
    raise ValueError(f"{where} {c!r} has no namestring")


def directory_namestring_or_none(p: Pathname) -> str | None:
    if p.directory is None:
        return ""
    kind, *items = p.directory
    out = ["/" if kind is ABSOLUTE else ""]
    for item in items:
        if item is HOME and kind is ABSOLUTE and not out[1:]:
            out = ["~/"]
            continue
        try:
            out.append(("**" if item is WILD_INFERIORS else ".." if item in (UP, BACK) else
                        _text(item, "the directory")) + "/")
        except ValueError:
            return None
    return "".join(out)


def file_namestring_or_none(p: Pathname) -> str | None:
    if p.name is None and p.type is None:
        return ""
    if p.name is None or p.name is UNSPECIFIC:
        return None  # a type and no name: no namestring (SBCL)
    try:
        text = _text(p.name, "the name")
        if p.type is not None and p.type is not UNSPECIFIC:
            text += "." + _text(p.type, "the type")
    except ValueError:
        return None
    return text


def namestring_or_none(p: Pathname) -> str | None:
    """The Unix namestring of ``p``, or None when it has none (a type but no name...)."""
    directory, file = directory_namestring_or_none(p), file_namestring_or_none(p)
    return None if directory is None or file is None else directory + file

