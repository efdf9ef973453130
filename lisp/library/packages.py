"""Packages (CLHS 11): making and using packages, exporting and importing symbols, ``in-package``,
``defpackage`` and the symbol iteration macros.

Packages are :class:`lisp.runtime.data.Package`. Name conflicts between used packages are not detected
(the first package found wins), and ``unexport``, ``unintern``, ``rename-package`` and
``delete-package`` are not provided: documented deviations.
"""

from __future__ import annotations

from typing import Any

from lisp.compiler.macros import QUOTE, macro
from lisp.library.arguments import check, keywords, show, string_designator
from lisp.library.lists import list_items
from lisp.library.symbols import current_package, package_designator
from lisp.runtime.condition_classes import PackageError, ProgramError
from lisp.runtime.data import (
    NIL,
    SYSTEM,
    Cons,
    Package,
    Symbol,
    T,
    cl_symbol,
    find_package,
    keyword,
    list_all_packages,
    make_list,
    make_package,
    source_pos,
)
from lisp.runtime.data import PackageError as HostPackageError
from lisp.runtime.data import lisp_list as L
from lisp.runtime.namespace import builtin
from lisp.runtime.signals import raise_error


def _packages(designators: Any) -> list[Package]:
    items = list_items(designators) if isinstance(designators, Cons) or designators is NIL else [designators]
    return [package_designator(d) for d in items]


def _symbols(designators: Any) -> list[Symbol]:
    items = list_items(designators) if isinstance(designators, Cons) or designators is NIL else [designators]
    for sym in items:
        check(isinstance(sym, Symbol), sym, "SYMBOL")
    return items


def _optional_package(package: Any) -> Package:
    return current_package() if package is NIL else package_designator(package)


@builtin("MAKE-PACKAGE")
def make_package_(name: Any, *args: Any) -> Package:
    kw = keywords(args, ("NICKNAMES", "USE"), "MAKE-PACKAGE")
    nicknames = [string_designator(n) for n in list_items(kw.get("NICKNAMES", NIL))]
    uses = _packages(kw.get("USE", NIL))
    try:
        return make_package(string_designator(name), nicknames, uses)
    except HostPackageError as exc:
        return raise_error(PackageError(str(exc), package=name))


@builtin("EXPORT")
def export(symbols: Any, package: Any = NIL) -> Any:
    pkg = _optional_package(package)
    for sym in _symbols(symbols):
        pkg.export(sym)
    return T


@builtin("IMPORT")
def import_(symbols: Any, package: Any = NIL) -> Any:
    pkg = _optional_package(package)
    for sym in _symbols(symbols):
        try:
            pkg.import_symbol(sym)
        except HostPackageError as exc:
            raise_error(PackageError(str(exc), package=pkg))
    return T


@builtin("SHADOW")
def shadow(names: Any, package: Any = NIL) -> Any:
    """Give the package its own symbol of each name, hiding one it inherits."""
    pkg = _optional_package(package)
    items = list_items(names) if isinstance(names, Cons) or names is NIL else [names]
    for name in items:
        text = string_designator(name)
        found, status = pkg.find_symbol(text)
        if status is NIL or status is keyword("INHERITED"):
            pkg.import_symbol(Symbol(text, pkg))
    return T


@builtin("USE-PACKAGE")
def use_package(packages: Any, package: Any = NIL) -> Any:
    pkg = _optional_package(package)
    for used in _packages(packages):
        if used is not pkg and used not in pkg.use_list:
            pkg.use_list.append(used)
    return T


@builtin("UNUSE-PACKAGE")
def unuse_package(packages: Any, package: Any = NIL) -> Any:
    pkg = _optional_package(package)
    for used in _packages(packages):
        if used in pkg.use_list:
            pkg.use_list.remove(used)
    return T


@builtin("PACKAGE-NICKNAMES")
def package_nicknames(package: Any) -> Any:
    return make_list(package_designator(package).nicknames)


@builtin("PACKAGE-USE-LIST")
def package_use_list(package: Any) -> Any:
    return make_list(package_designator(package).use_list)


@builtin("PACKAGE-USED-BY-LIST")
def package_used_by_list(package: Any) -> Any:
    pkg = package_designator(package)
    return make_list([p for p in list_all_packages() if pkg in p.use_list])


@builtin("FIND-ALL-SYMBOLS")
def find_all_symbols(name: Any) -> Any:
    text = string_designator(name)
    found = []
    for pkg in list_all_packages():
        sym, status = pkg.find_symbol(text)
        if status is not NIL and status is not keyword("INHERITED") and sym not in found:
            found.append(sym)
    return make_list(found)


@builtin("APROPOS-LIST")
def apropos_list(name: Any, package: Any = NIL) -> Any:
    text = string_designator(name).upper()
    packages = list_all_packages() if package is NIL else [package_designator(package)]
    found: dict[int, Symbol] = {}
    for pkg in packages:
        for sym in pkg.accessible_symbols():
            if text in sym.name:
                found.setdefault(id(sym), sym)
    return make_list(sorted(found.values(), key=lambda s: s.name))


@builtin("%PACKAGE-SYMBOLS", SYSTEM)
def package_symbols(kind: Symbol, package: Any) -> Any:
    """The symbols ``do-symbols`` (:all), ``do-external-symbols`` (:external) and
    ``do-all-symbols`` (:every) visit."""
    if kind.name == "EVERY":
        return make_list(list({id(s): s for p in list_all_packages() for s in p.present_symbols()}.values()))
    pkg = _optional_package(package)
    if kind.name == "EXTERNAL":
        return make_list(pkg.external_symbols())
    return make_list(list({id(s): s for s in pkg.accessible_symbols()}.values()))


@builtin("%ENSURE-PACKAGE", SYSTEM)
def ensure_package(name: str, nicknames: Any, uses: Any, exports: Any, imports: Any, shadows: Any) -> Package:
    """``defpackage``: make the package, or update the existing one (its uses, shadows, imports
    and exports are added)."""
    pkg = find_package(name) or make_package_(name, keyword("NICKNAMES"), nicknames)
    shadow(shadows, pkg)
    use_package(uses, pkg)
    for entry in list_items(imports):
        source, *names = list_items(entry)
        source_pkg = package_designator(source)
        for n in names:
            sym, status = source_pkg.find_symbol(string_designator(n))
            if status is NIL:
                raise_error(PackageError(f"DEFPACKAGE {name}: no symbol {string_designator(n)} in "
                                         f"{source_pkg.name}", package=source_pkg))
            import_(L(sym) if sym is not NIL else NIL, pkg)
    for n in list_items(exports):
        export(L(pkg.intern(string_designator(n))), pkg)
    return pkg


# -- macros ----------------------------------------------------------------------------------------

_PACKAGE_VAR = cl_symbol("*PACKAGE*")


@macro("IN-PACKAGE")
def in_package(form: Any, env: Any) -> Any:
    args = list_items(form.cdr)
    if len(args) != 1:
        raise ProgramError(f"IN-PACKAGE takes one package name, in {show(form)}", source_pos(form))
    return L(cl_symbol("SETQ"), _PACKAGE_VAR, L(SYSTEM.intern("%FIND-PACKAGE-OR-ERROR"), string_designator(args[0])))


@builtin("%FIND-PACKAGE-OR-ERROR", SYSTEM)
def find_package_or_error(name: str) -> Package:
    return package_designator(name)


@macro("DEFPACKAGE")
def defpackage(form: Any, env: Any) -> Any:
    args = list_items(form.cdr)
    if not args:
        raise ProgramError(f"DEFPACKAGE needs a name, in {show(form)}", source_pos(form))
    options: dict[str, list[Any]] = {"NICKNAMES": [], "USE": [], "EXPORT": [], "IMPORT-FROM": [], "SHADOW": []}
    for option in args[1:]:
        parts = list_items(option) if isinstance(option, Cons) else []
        key = parts[0].name if parts and isinstance(parts[0], Symbol) else None
        if key in ("NICKNAMES", "USE", "EXPORT", "SHADOW"):
            options[key] += [string_designator(p) for p in parts[1:]]
        elif key == "IMPORT-FROM":
            options[key].append(make_list([string_designator(p) for p in parts[1:]]))
        elif key not in ("DOCUMENTATION", "SIZE", "INTERN"):
            raise ProgramError(f"DEFPACKAGE: unsupported option {show(option)}", source_pos(form))
    return make_list([SYSTEM.intern("%ENSURE-PACKAGE"), string_designator(args[0]),
                      *(L(QUOTE, make_list(options[k])) for k in ("NICKNAMES", "USE", "EXPORT", "IMPORT-FROM",
                                                                   "SHADOW"))])


def _symbol_iteration(name: str, kind: str, default_package: bool) -> None:
    def expand(form: Any, env: Any) -> Any:
        args = list_items(form.cdr)
        spec = list_items(args[0]) if args and isinstance(args[0], Cons) else []
        if not spec or not isinstance(spec[0], Symbol):
            raise ProgramError(f"{name} needs (variable [package] [result]), in {show(form)}", source_pos(form))
        var = spec[0]
        package = spec[1] if default_package and len(spec) > 1 else NIL
        result = spec[2] if default_package and len(spec) > 2 else (spec[1] if not default_package and len(spec) > 1
                                                                    else NIL)
        symbols = L(SYSTEM.intern("%PACKAGE-SYMBOLS"), L(QUOTE, keyword(kind)), package)
        return make_list([cl_symbol("DOLIST"), L(var, symbols, result), *args[1:]])

    expand.__name__ = name.lower().replace("-", "_")
    macro(name)(expand)


_symbol_iteration("DO-SYMBOLS", "ALL", True)
_symbol_iteration("DO-EXTERNAL-SYMBOLS", "EXTERNAL", True)
_symbol_iteration("DO-ALL-SYMBOLS", "EVERY", False)
