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
  complexes ``complex``. String literals are Python ``str`` and simple vectors Python ``list``;
  every other array, and every string a program makes, is a ``LispArray``
  (:mod:`lisp.runtime.arrays` says which is which).
"""

from __future__ import annotations

import itertools
import threading
import weakref
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

    __slots__ = ("name", "package", "plist", "_unique_name", "__weakref__")

    def __init__(self, name: str, package: Package | None = None) -> None:
        self.name = name
        self.package = package
        self.plist: Any = NIL
        self._unique_name: str | None = None

    def unique_name(self) -> str:
        """A name of this symbol alone, fixed when first asked for (the namespace keys global
        functions by it, and compiled code holds those keys): ``PACKAGE::NAME`` for a symbol
        interned then, ``#:NAME#n`` for an uninterned one. Fixed, so that a symbol keeps its
        function when it is uninterned or its package renamed or deleted; alone, so that another
        symbol interned later under a name a former one had (uninterned since) gets a serial
        number added and not the former one's function."""
        unique = self._unique_name
        if unique is None:
            with _unique_names_lock:
                unique = self._unique_name
                if unique is None:
                    if self.package is None:
                        unique = f"#:{self.name}#{next(_serials)}"
                    else:
                        unique = f"{self.package.name}::{self.name}"
                        if _unique_names.get(unique) is not None:
                            unique = f"{unique}#{next(_serials)}"
                    _unique_names[unique] = self
                    self._unique_name = unique
        return unique

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


_unique_names: weakref.WeakValueDictionary[str, Symbol] = weakref.WeakValueDictionary()
_unique_names_lock = threading.Lock()
_serials = itertools.count(1)


def symbol_of_unique_name(unique: str) -> Symbol | None:
    """The living symbol whose :meth:`Symbol.unique_name` is ``unique``, or None."""
    return _unique_names.get(unique)


def is_function(x: Any) -> bool:
    """Whether ``x`` is a Lisp function: a Python callable that is not a class or a symbol."""
    return callable(x) and not isinstance(x, (type, Symbol))


class PackageError(Exception):
    """A package operation failed (unknown package, name conflict); lisp/ turns it into a condition."""


_MISSING = object()  # a lookup's default: NIL (None) may itself be a present symbol


def symbol_name_of(sym: Symbol | None) -> str:
    """The name of a symbol, NIL (Python None) included."""
    return NIL_SYMBOL_NAME if sym is None else sym.name


class Package:
    """A Common Lisp package (CLHS 11.1.1): a name and nicknames, present symbols (internal or
    external), the packages it uses, its shadowing symbols, package-local nicknames (as SBCL has
    them) and a lock (``locked``: SBCL's package locks, which the library and the compiler's
    definitions consult).

    NIL is Python's None (see the module docstring) and an external symbol of COMMON-LISP like any
    other, so lookups tell a missing name from NIL with ``_MISSING``.

    The operations here change the package as told, checking no name conflicts: the library finds
    conflicts first (the ``*_conflicts`` methods) and signals them with their restarts
    (``lisp.library.packages``). Each package has a lock, so that two threads interning one name
    never make two symbols.
    """

    __slots__ = ("name", "nicknames", "_internal", "_external", "use_list", "shadowing",
                 "local_nicknames", "locked", "deleted", "documentation", "_lock")

    def __init__(self, name: str, nicknames: Iterable[str] = (), use: Iterable[Package] = ()) -> None:
        self.name = name
        self.nicknames = tuple(nicknames)
        self._internal: dict[str, Symbol | None] = {}
        self._external: dict[str, Symbol | None] = {}
        self.use_list: list[Package] = list(use)
        self.shadowing: dict[str, Symbol | None] = {}  # name -> the shadowing symbol of that name
        self.local_nicknames: dict[str, Package] = {}
        self.locked = False
        self.deleted = False
        self.documentation: str | None = None
        self._lock = threading.RLock()

    # -- lookup ----------------------------------------------------------------------------------

    def present(self, name: str) -> Any:
        """The symbol of that name present in this package, or ``_MISSING``."""
        sym = self._external.get(name, _MISSING)
        return self._internal.get(name, _MISSING) if sym is _MISSING else sym

    def find_symbol(self, name: str) -> tuple[Symbol | None, Symbol | None]:
        """Return ``(symbol, status)`` as CL ``find-symbol`` does; status is a keyword or NIL."""
        sym = self._external.get(name, _MISSING)
        if sym is not _MISSING:
            return sym, _STATUS["EXTERNAL"]
        sym = self._internal.get(name, _MISSING)
        if sym is not _MISSING:
            return sym, _STATUS["INTERNAL"]
        for used in self.use_list:
            sym = used._external.get(name, _MISSING)
            if sym is not _MISSING:
                return sym, _STATUS["INHERITED"]
        return NIL, NIL

    def is_external(self, sym: Symbol | None) -> bool:
        return self._external.get(symbol_name_of(sym), _MISSING) is sym

    def package_named(self, name: str) -> Package | None:
        """The package ``name`` designates here: a local nickname of this package first (SBCL's
        package-local nicknames), else a global name or nickname."""
        return self.local_nicknames.get(name) or find_package(name)

    def external_symbols(self) -> list[Symbol | None]:
        return list(self._external.values())

    def present_symbols(self) -> list[Symbol | None]:
        return list(self._internal.values()) + list(self._external.values())

    def accessible_symbols(self) -> Iterator[Symbol | None]:
        """Every symbol this package can name without a prefix: the present ones, then the
        inherited ones that no present symbol shadows."""
        present = self.present_symbols()
        yield from present
        names = {symbol_name_of(s) for s in present}
        for used in list(self.use_list):
            for name, sym in list(used._external.items()):
                if name not in names:
                    names.add(name)
                    yield sym

    # -- interning and the external/internal status ----------------------------------------------

    def intern(self, name: str) -> Symbol | None:
        """The symbol named ``name`` accessible in this package, made if there is none.

        ``NIL`` in a package that sees COMMON-LISP is Python's None.
        """
        sym, status = self.find_symbol(name)
        if status is not NIL:
            return sym
        with self._lock:
            sym, status = self.find_symbol(name)
            if status is NIL:
                sym = Symbol(name, self)
                (self._external if self is KEYWORD else self._internal)[name] = sym
            return sym

    def export(self, sym: Symbol | None) -> None:
        """Make ``sym`` an external symbol (present from now on, if it was not)."""
        name = symbol_name_of(sym)
        with self._lock:
            self._internal.pop(name, None)
            self._external[name] = sym
            self._adopt(sym)

    def unexport(self, sym: Symbol | None) -> None:
        """Make the external ``sym`` internal."""
        name = symbol_name_of(sym)
        with self._lock:
            if self._external.get(name, _MISSING) is sym:
                del self._external[name]
                self._internal[name] = sym

    def import_symbol(self, sym: Symbol | None) -> None:
        """Make ``sym`` present (internal unless it is already present); a different symbol of
        its name present here is a :class:`PackageError`."""
        name = symbol_name_of(sym)
        with self._lock:
            existing = self.present(name)
            if existing is not _MISSING and existing is not sym:
                raise PackageError(f"importing {sym!r} into {self.name} conflicts with {existing!r}")
            if existing is _MISSING:
                self._internal[name] = sym
            self._adopt(sym)

    def shadowing_import(self, sym: Symbol | None) -> None:
        """Make ``sym`` present and a shadowing symbol, uninterning a different symbol of its name."""
        name = symbol_name_of(sym)
        with self._lock:
            existing = self.present(name)
            if existing is not sym:
                if existing is not _MISSING:
                    self.unintern(existing)
                self._internal[name] = sym
            self.shadowing[name] = sym
            self._adopt(sym)

    def shadow(self, name: str) -> None:
        """Give this package a present symbol named ``name`` (made if none) and make it shadowing."""
        with self._lock:
            sym = self.present(name)
            if sym is _MISSING:
                sym = self._internal[name] = Symbol(name, self)
            self.shadowing[name] = sym

    def unintern(self, sym: Symbol | None) -> bool:
        """Remove ``sym`` if present (from the shadowing symbols too); a symbol whose home package
        this is loses its home. Whether it was present."""
        name = symbol_name_of(sym)
        with self._lock:
            if self.present(name) is not sym:
                return False
            self._internal.pop(name, None)
            self._external.pop(name, None)
            if self.shadowing.get(name, _MISSING) is sym:
                del self.shadowing[name]
            if sym is not None and sym.package is self:
                sym.package = None
            return True

    def _adopt(self, sym: Symbol | None) -> None:
        # CLHS import: a symbol with no home package gets this one.
        if sym is not None and sym.package is None:
            sym.package = self

    # -- name conflicts (CLHS 11.1.1.2.5): each a list of (package, the symbols in conflict) -----

    def use_conflicts(self, used: Package) -> list[tuple[Package, list[Symbol | None]]]:
        """Using ``used`` here would make two symbols of a name accessible."""
        return [(self, [sym, other]) for name, sym in list(used._external.items())
                if (other := self._clash(name, sym)) is not _MISSING]

    def import_conflicts(self, sym: Symbol | None) -> list[tuple[Package, list[Symbol | None]]]:
        """Importing ``sym`` here would hide another accessible symbol of its name."""
        other, status = self.find_symbol(symbol_name_of(sym))
        return [(self, [sym, other])] if status is not NIL and other is not sym else []

    def export_conflicts(self, sym: Symbol | None) -> list[tuple[Package, list[Symbol | None]]]:
        """Exporting ``sym`` would make it clash in a package using this one."""
        name = symbol_name_of(sym)
        return [(user, [sym, other]) for user in used_by(self)
                if (other := user._clash(name, sym)) is not _MISSING]

    def _clash(self, name: str, sym: Symbol | None) -> Any:
        """The other symbol named ``name`` accessible here that ``sym`` would clash with if it
        were inherited too (a shadowing symbol of that name settles it), or ``_MISSING``."""
        if name in self.shadowing:
            return _MISSING
        other, status = self.find_symbol(name)
        return other if status is not NIL and other is not sym else _MISSING

    def unintern_conflicts(self, sym: Symbol | None) -> list[tuple[Package, list[Symbol | None]]]:
        """Uninterning the shadowing symbol ``sym`` would uncover several inherited symbols of its name."""
        name = symbol_name_of(sym)
        if self.shadowing.get(name, _MISSING) is not sym:
            return []
        inherited: list[Symbol | None] = []
        for used in self.use_list:
            other = used._external.get(name, _MISSING)
            if other is not _MISSING and not any(other is s for s in inherited):
                inherited.append(other)
        return [(self, inherited)] if len(inherited) > 1 else []

    def __repr__(self) -> str:
        return f"#<PACKAGE {self.name}>"


_packages: dict[str, Package] = {}
_packages_lock = threading.Lock()


def _check_free(names: Iterable[str], owner: Package | None = None) -> None:
    for n in names:
        if _packages.get(n, owner) is not owner:
            raise PackageError(f"a package named {n} already exists")


def make_package(name: str, nicknames: Iterable[str] = (), use: Iterable[Package] = ()) -> Package:
    """Create and register a package; its name and nicknames must be new."""
    with _packages_lock:
        names = (name, *nicknames)
        _check_free(names)
        pkg = Package(name, nicknames, use)
        for n in names:
            _packages[n] = pkg
        return pkg


def rename_package(pkg: Package, name: str, nicknames: Iterable[str] = ()) -> Package:
    """Give ``pkg`` a new name and nicknames (the old ones are forgotten); a name of another
    package is a :class:`PackageError`."""
    with _packages_lock:
        nicknames = tuple(n for n in dict.fromkeys(nicknames) if n != name)
        _check_free((name, *nicknames), pkg)
        for n in (pkg.name, *pkg.nicknames):
            if _packages.get(n) is pkg:
                del _packages[n]
        pkg.name, pkg.nicknames = name, nicknames
        for n in (name, *nicknames):
            _packages[n] = pkg
        return pkg


def delete_package(pkg: Package) -> None:
    """Remove ``pkg`` from the package system: its names, its uses and users, its symbols (those
    whose home it was have none from now on); the object stays a package with ``deleted`` set."""
    with _packages_lock:
        for n in (pkg.name, *pkg.nicknames):
            if _packages.get(n) is pkg:
                del _packages[n]
    for user in used_by(pkg):
        if pkg in user.use_list:
            user.use_list.remove(pkg)
    pkg.use_list.clear()
    for sym in pkg.present_symbols():
        pkg.unintern(sym)
    pkg.deleted = True


def find_package(name: str | Package) -> Package | None:
    """The package of that name or nickname, or None."""
    if isinstance(name, Package):
        return name
    return _packages.get(name)


def list_all_packages() -> list[Package]:
    return list(dict.fromkeys(_packages.values()))


def used_by(pkg: Package) -> list[Package]:
    """The packages that use ``pkg``."""
    return [p for p in list_all_packages() if pkg in p.use_list]


def intern(name: str, package: str | Package = "COMMON-LISP-USER") -> Symbol:
    """Intern ``name`` (exact case) in ``package``."""
    pkg = find_package(package)
    if pkg is None:
        raise PackageError(f"no package named {package}")
    return pkg.intern(name)


COMMON_LISP = make_package("COMMON-LISP", ["CL"])
COMMON_LISP._external[NIL_SYMBOL_NAME] = NIL
COMMON_LISP.locked = True  # as in SBCL: see lisp.runtime.package_locks
KEYWORD = make_package("KEYWORD")
COMMON_LISP_USER = make_package("COMMON-LISP-USER", ["CL-USER"], use=[COMMON_LISP])
# The implementation's own symbols (the reader's backquote markers, ...), out of users' way.
SYSTEM = make_package("GFJIT-SYSTEM", ["SYS"], use=[COMMON_LISP])


# find-symbol's status keywords are made directly: interning them would ask find_symbol for a status.
_STATUS = {name: Symbol(name, KEYWORD) for name in ("INTERNAL", "EXTERNAL", "INHERITED")}
KEYWORD._external.update(_STATUS)


def keyword(name: str) -> Symbol:
    """The keyword ``:name`` (``name`` in exact case, normally upper case)."""
    return KEYWORD.intern(name)


def cl_symbol(name: str) -> Symbol:
    """The external COMMON-LISP symbol ``name``, made and exported if new."""
    sym, status = COMMON_LISP.find_symbol(name)
    if status is not _STATUS["EXTERNAL"]:
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
        return hooks.lisp_repr(self, lambda: f"<{type(self).__name__} at {id(self):#x}>")


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
        self.problem = problem


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
        return hooks.lisp_repr(self, lambda: f"Char({self.char!r})")
