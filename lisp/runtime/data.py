"""Lisp data: how Lisp objects are represented as Python objects.

The representation, which every other module of lisp/ relies on:

- ``NIL`` is Python's ``None``: the empty list, false, and the symbol NIL all at once. Only NIL is
  false in Lisp; Python's ``False`` is an ordinary (true) object.
- ``T`` is the symbol ``COMMON-LISP:T``.
- Symbols are :class:`Symbol`, interned in :class:`Package` objects; keywords live in KEYWORD.
- Conses are :class:`Cons`; the reader makes :class:`SourceCons`, which also carry a
  :class:`SourcePos`. Always test with ``isinstance(x, Cons)``, never ``type(x) is Cons``.
- Characters are :class:`Char`, interned per code point, so equal characters are ``is``-identical.
- Integers are ``int``, ratios :class:`lisp.runtime.ratio.Ratio` (a ``Fraction``, never with denominator 1), floats ``float``,
  complexes ``complex``. Strings are Python ``str`` (immutable: a deviation from Common Lisp).
  Vectors are Python ``list``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from lisp.runtime import hooks
from lisp.runtime.cl_symbols import NAMES

NIL = None
NIL_SYMBOL_NAME = "NIL"


@dataclass(frozen=True, slots=True)
class SourcePos:
    """Where a form was read: file name (or a label such as ``<repl>``), 1-based line and column."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class Symbol:
    """A Lisp symbol. Identity is the symbol: two symbols are eq only if they are the same object."""

    __slots__ = ("name", "package", "plist", "__weakref__")

    def __init__(self, name: str, package: Package | None = None) -> None:
        self.name = name
        self.package = package
        self.plist: Any = NIL

    @property
    def is_keyword(self) -> bool:
        return self.package is KEYWORD

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the symbol's global function: a symbol is a function designator, so compiled
        FUNCALL calls whatever it is given directly (UNDEFINED-FUNCTION when it has none)."""
        return hooks.global_function(self)(*args, **kwargs)

    def __repr__(self) -> str:
        if self.package is None:
            return f"#:{self.name}"
        if self.package is KEYWORD:
            return f":{self.name}"
        return f"{self.package.name}::{self.name}"

    def __reduce__(self):
        # Pickling and copying keep identity: an interned symbol comes back as itself.
        if self.package is None:
            return (Symbol, (self.name,))
        return (intern, (self.name, self.package.name))


def is_function(x: Any) -> bool:
    """Whether ``x`` is a Lisp function: a Python callable that is not a class or a symbol."""
    return callable(x) and not isinstance(x, (type, Symbol))


class PackageError(Exception):
    """A package operation failed (unknown package, name conflict); lisp/ turns it into a condition."""


class Package:
    """A Common Lisp package: a namespace of symbols, with exports and used packages."""

    __slots__ = ("name", "nicknames", "_internal", "_external", "use_list", "_lock")

    def __init__(self, name: str, nicknames: Iterable[str] = (), use: Iterable[Package] = ()) -> None:
        self.name = name
        self.nicknames = tuple(nicknames)
        self._internal: dict[str, Symbol] = {}
        self._external: dict[str, Symbol] = {}
        self.use_list: list[Package] = list(use)
        # Interning from several threads must never make two symbols of one name.
        self._lock = threading.Lock()

    def find_symbol(self, name: str) -> tuple[Symbol | None, Symbol | None]:
        """Return ``(symbol, status)`` as CL ``find-symbol`` does; status is a keyword or NIL."""
        if self._sees_cl_nil(name):
            return NIL, _status("INHERITED" if self is not COMMON_LISP else "EXTERNAL")
        sym = self._external.get(name)
        if sym is not None:
            return sym, _status("EXTERNAL")
        sym = self._internal.get(name)
        if sym is not None:
            return sym, _status("INTERNAL")
        for used in self.use_list:
            sym = used._external.get(name)
            if sym is not None:
                return sym, _status("INHERITED")
        return NIL, NIL

    def _sees_cl_nil(self, name: str) -> bool:
        # The symbol NIL is Python's None, never a Symbol object (see the module docstring).
        return name == NIL_SYMBOL_NAME and (self is COMMON_LISP or COMMON_LISP in self.use_list)

    def intern(self, name: str) -> Symbol | None:
        """The symbol named ``name`` accessible in this package, made if there is none.

        ``NIL`` in a package that sees COMMON-LISP is Python's None.
        """
        if self._sees_cl_nil(name):
            return NIL
        sym, _ = self.find_symbol(name)
        if sym is not None:
            return sym
        with self._lock:
            sym, _ = self.find_symbol(name)
            if sym is None:
                sym = Symbol(name, self)
                if self is KEYWORD:
                    self._external[name] = sym
                else:
                    self._internal[name] = sym
            return sym

    def export(self, sym: Symbol) -> None:
        with self._lock:
            self._internal.pop(sym.name, None)
            self._external[sym.name] = sym

    def import_symbol(self, sym: Symbol) -> None:
        with self._lock:
            existing = self._internal.get(sym.name) or self._external.get(sym.name)
            if existing is not None and existing is not sym:
                raise PackageError(f"importing {sym!r} into {self.name} conflicts with {existing!r}")
            self._internal.setdefault(sym.name, sym)

    def external_symbols(self) -> list[Symbol]:
        return list(self._external.values())

    def present_symbols(self) -> list[Symbol]:
        return list(self._internal.values()) + list(self._external.values())

    def accessible_symbols(self) -> Iterator[Symbol]:
        """Every symbol this package can name without a prefix (for completion)."""
        yield from self.present_symbols()
        for used in self.use_list:
            yield from used.external_symbols()

    def __repr__(self) -> str:
        return f"#<PACKAGE {self.name}>"


_packages: dict[str, Package] = {}
_packages_lock = threading.Lock()


def make_package(name: str, nicknames: Iterable[str] = (), use: Iterable[Package] = ()) -> Package:
    """Create and register a package; its name and nicknames must be new."""
    with _packages_lock:
        names = (name, *nicknames)
        for n in names:
            if n in _packages:
                raise PackageError(f"a package named {n} already exists")
        pkg = Package(name, nicknames, use)
        for n in names:
            _packages[n] = pkg
        return pkg


def find_package(name: str | Package) -> Package | None:
    """The package of that name or nickname, or None."""
    if isinstance(name, Package):
        return name
    return _packages.get(name)


def list_all_packages() -> list[Package]:
    return list(dict.fromkeys(_packages.values()))


def intern(name: str, package: str | Package = "COMMON-LISP-USER") -> Symbol:
    """Intern ``name`` (exact case) in ``package``."""
    pkg = find_package(package)
    if pkg is None:
        raise PackageError(f"no package named {package}")
    return pkg.intern(name)


COMMON_LISP = make_package("COMMON-LISP", ["CL"])
KEYWORD = make_package("KEYWORD", [""])
COMMON_LISP_USER = make_package("COMMON-LISP-USER", ["CL-USER"], use=[COMMON_LISP])
# The implementation's own symbols (the reader's backquote markers, ...), out of users' way.
SYSTEM = make_package("GFJIT-SYSTEM", ["SYS"], use=[COMMON_LISP])


# find-symbol's status keywords are made directly: interning them would ask find_symbol for a status.
_STATUS = {name: Symbol(name, KEYWORD) for name in ("INTERNAL", "EXTERNAL", "INHERITED")}
KEYWORD._external.update(_STATUS)


def _status(name: str) -> Symbol:
    return _STATUS[name]


def keyword(name: str) -> Symbol:
    """The keyword ``:name`` (``name`` in exact case, normally upper case)."""
    return KEYWORD.intern(name)


def cl_symbol(name: str) -> Symbol:
    """The external COMMON-LISP symbol ``name``, made and exported if new."""
    sym, status = COMMON_LISP.find_symbol(name)
    if sym is None or status is not _status("EXTERNAL"):
        sym = COMMON_LISP.intern(name)
        COMMON_LISP.export(sym)
    return sym


T = cl_symbol("T")


def _export_standard_symbols() -> None:
    for name in NAMES:
        if name != NIL_SYMBOL_NAME:
            cl_symbol(name)


_export_standard_symbols()


class Cons:
    """A cons cell. Lists end in NIL (``None``).

    ``lisp.runtime.native_cons`` makes conses in machine code without calling ``__init__`` (invariant N1
    there): ``__init__`` must do nothing but store ``car`` and ``cdr``, and the class must keep
    exactly these two slots.
    """

    __slots__ = ("car", "cdr")

    def __init__(self, car: Any, cdr: Any = NIL) -> None:
        self.car = car
        self.cdr = cdr

    def __iter__(self) -> Iterator[Any]:
        """The elements of a proper list; a dotted tail or a circular list is an
        :class:`ImproperListError`, raised when the walk reaches the tail or closes the circle."""
        cell: Any = self
        # Brent's cycle detection: the saved cell moves to the current one at each power of two,
        # so a circle is found within twice its length plus its tail, at one identity test a step.
        saved, steps, limit = self, 0, 2
        while isinstance(cell, Cons):
            yield cell.car
            cell = cell.cdr
            if cell is saved:
                raise ImproperListError(self, "is circular")
            steps += 1
            if steps == limit:
                saved, steps, limit = cell, 0, limit * 2
        if cell is not NIL:
            raise ImproperListError(self, f"ends in a dotted tail {cell!r}, not NIL")

    def __repr__(self) -> str:
        items = []
        cell: Any = self
        while isinstance(cell, Cons) and len(items) < 20:
            items.append(repr(cell.car))
            cell = cell.cdr
        tail = "" if cell is NIL else (" ..." if isinstance(cell, Cons) else f" . {cell!r}")
        return f"<Cons ({' '.join(items)}{tail})>"


class SourceCons(Cons):
    """A cons made by the reader, remembering where its form started."""

    __slots__ = ("pos",)

    def __init__(self, car: Any, cdr: Any, pos: SourcePos) -> None:
        self.car = car
        self.cdr = cdr
        self.pos = pos


def source_pos(form: Any) -> SourcePos | None:
    """Where ``form`` was read, if the reader recorded it."""
    return getattr(form, "pos", None)


def make_list(items: Iterable[Any], tail: Any = NIL) -> Any:
    """A Lisp list of ``items`` ending in ``tail``."""
    result = tail
    for item in reversed(list(items)):
        result = Cons(item, result)
    return result


def lisp_list(*items: Any) -> Any:
    return make_list(items)


class ImproperListError(TypeError):
    """A list that must be proper is dotted or circular (the condition layer makes it a TYPE-ERROR
    whose datum is the list)."""

    def __init__(self, datum: Any, problem: str) -> None:
        super().__init__(f"the list {problem}")
        self.datum = datum


def iter_list(lst: Any) -> Iterator[Any]:
    """The elements of a proper list (NIL included); a dotted tail, a circular list or a non-list
    is a TypeError (:class:`ImproperListError` for the first two)."""
    if lst is NIL:
        return iter(())
    if not isinstance(lst, Cons):
        raise TypeError(f"{lst!r} is not a list")
    return iter(lst)


class Char:
    """A Lisp character. Interned: ``Char('a') is Char('a')``."""

    __slots__ = ("char",)
    _table: dict[str, Char] = {}
    _table_lock = threading.Lock()

    def __new__(cls, char: str) -> Char:
        found = cls._table.get(char)
        if found is not None:
            return found
        if len(char) != 1:
            raise ValueError(f"a character is one code point, not {char!r}")
        with cls._table_lock:
            found = cls._table.get(char)
            if found is None:
                found = object.__new__(cls)
                found.char = char
                cls._table[char] = found
            return found

    @property
    def code(self) -> int:
        return ord(self.char)

    def __reduce__(self):
        return (Char, (self.char,))

    def __repr__(self) -> str:
        return f"Char({self.char!r})"
