"""Packages (CLHS 11): making, renaming and deleting packages, exporting, importing, shadowing and
uninterning symbols, using packages, ``in-package``, ``defpackage`` and the symbol iteration
macros; SBCL's package-local nicknames and package locks (``lisp.runtime.package_locks``).

Packages are :class:`lisp.runtime.data.Package`, whose operations change a package as told; this
module first checks what the standard requires. A name conflict (CLHS 11.1.1.2.5: ``use-package``,
``import``, ``export`` and ``unintern`` making two symbols of one name accessible) is a correctable
``sb-ext:name-conflict`` (a ``package-error``) with SBCL's restarts: KEEP-OLD and TAKE-NEW (use,
export), SHADOWING-IMPORT-IT and DONT-IMPORT-IT (import), and ``sb-ext:resolve-conflict`` taking
the symbol to keep. Each conflict (one name, in one package) is signalled on its own, as in SBCL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lisp.compiler.macros import QUOTE, gensym, macro
from lisp.library.arguments import check, keywords, show, string_designator, truth
from lisp.library.condition_system import slot_value
from lisp.library.lists import list_items
from lisp.library.symbols import current_package, package_designator
from lisp.runtime.condition_classes import PackageError, ProgramError, SlotSpec, Warning_, finish_class
from lisp.runtime.data import (
    KEYWORD,
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
    rename_package,
    source_pos,
    symbol_name_of,
    used_by,
)
from lisp.runtime.data import PackageError as HostPackageError
from lisp.runtime.data import delete_package as forget_package
from lisp.runtime.data import lisp_list as L
from lisp.runtime.extensions import EXTENSIONS, extension_symbol
from lisp.runtime.namespace import builtin
from lisp.runtime.package_locks import IGNORE_LOCKS, check_package_change
from lisp.runtime.signals import RestartSpec, raise_error, restart_case, warn
from lisp.runtime.values import values

# -- conditions ------------------------------------------------------------------------------------


class NameConflict(PackageError):
    """SB-EXT:NAME-CONFLICT: an operation would make two symbols of one name accessible."""


class PackageAtVariance(Warning_):
    """A ``defpackage`` of an existing package leaves it with more than the form says (SBCL's
    warning: the package keeps its other uses, exports and shadows)."""


finish_class(NameConflict, extension_symbol("NAME-CONFLICT"),
             (SlotSpec("SYMBOLS", (keyword("SYMBOLS"),)), SlotSpec("FUNCTION", (keyword("FUNCTION"),)),
              SlotSpec("DATUM", (keyword("DATUM"),))))
finish_class(PackageAtVariance, SYSTEM.intern("PACKAGE-AT-VARIANCE"), ())

for _reader, _slot in (("NAME-CONFLICT-SYMBOLS", "SYMBOLS"), ("NAME-CONFLICT-FUNCTION", "FUNCTION"),
                       ("NAME-CONFLICT-DATUM", "DATUM")):
    builtin(_reader, EXTENSIONS)(lambda condition, _slot=_slot: slot_value(condition, _slot))
    extension_symbol(_reader)

RESOLVE_CONFLICT = extension_symbol("RESOLVE-CONFLICT")
KEEP_OLD = SYSTEM.intern("KEEP-OLD")
TAKE_NEW = SYSTEM.intern("TAKE-NEW")
SHADOWING_IMPORT_IT = SYSTEM.intern("SHADOWING-IMPORT-IT")
DONT_IMPORT_IT = SYSTEM.intern("DONT-IMPORT-IT")

Conflict = tuple[Package, list[Any]]  # the package where two symbols clash, and the symbols


def _signal_conflict(package: Package, symbols: list[Any], function: str, datum: Any,
                     restarts: list[tuple[RestartSpec, Callable[..., Any]]]) -> Any:
    """Signal one name conflict; the value of the restart invoked (none: the error is unhandled)."""
    what = show(datum)
    condition = NameConflict(f"{function} {what} causes name-conflicts in {show(package)} between the "
                             f"following symbols:\n  {', '.join(show(s) for s in symbols)}",
                             package=package, symbols=make_list(symbols),
                             function=cl_symbol(function), datum=datum)
    return restart_case(lambda: raise_error(condition), [spec for spec, _ in restarts],
                        [clause for _, clause in restarts])


def _resolve_conflict_spec() -> RestartSpec:
    return RestartSpec(RESOLVE_CONFLICT, "Resolve conflict.")


def _take_new(package: Package, new: Any, old: Any) -> None:
    """Make ``new`` the accessible symbol of its name in ``package``, in place of ``old``: uninterning
    ``old`` if it is present (``new`` is then inherited or about to be), else shadowing it."""
    if package.present(symbol_name_of(old)) is old and package.unintern(old):
        return
    package.shadowing_import(new)


def _keep_or_take(package: Package, new: Any, old: Any, function: str, datum: Any) -> None:
    """A conflict of ``use-package`` or ``export``: KEEP-OLD, TAKE-NEW or RESOLVE-CONFLICT."""
    report_old = f"Keep {show(old)} accessible in {package.name} (shadowing {show(new)})."
    report_new = f"Make {show(new)} accessible in {package.name} (uninterning {show(old)})."
    _signal_conflict(package, [new, old], function, datum, [
        (RestartSpec(KEEP_OLD, report_old), lambda: package.shadowing_import(old)),
        (RestartSpec(TAKE_NEW, report_new), lambda: _take_new(package, new, old)),
        (_resolve_conflict_spec(),
         lambda chosen: _take_new(package, new, old) if chosen is new else package.shadowing_import(old))])


# -- package and symbol designators ----------------------------------------------------------------


def _packages(designators: Any) -> list[Package]:
    items = list_items(designators) if isinstance(designators, Cons) or designators is NIL else [designators]
    return [package_designator(d) for d in items]


def _symbols(designators: Any) -> list[Any]:
    """A designator for a list of symbols: one symbol, or a list (NIL is the empty list)."""
    items = list_items(designators) if isinstance(designators, Cons) or designators is NIL else [designators]
    for sym in items:
        check(sym is NIL or isinstance(sym, Symbol), sym, "SYMBOL")
    return items


def _names(designators: Any) -> list[str]:
    items = list_items(designators) if isinstance(designators, Cons) or designators is NIL else [designators]
    return [string_designator(n) for n in items]


def _optional_package(package: Any) -> Package:
    return current_package() if package is NIL else package_designator(package)


# -- making, renaming, deleting --------------------------------------------------------------------


@builtin("MAKE-PACKAGE")
def make_package_(name: Any, *args: Any) -> Package:
    kw = keywords(args, ("NICKNAMES", "USE"), "MAKE-PACKAGE")
    nicknames = _names(kw.get("NICKNAMES", NIL))
    uses = _packages(kw.get("USE", NIL))
    try:
        return make_package(string_designator(name), nicknames, uses)
    except HostPackageError as exc:
        return raise_error(PackageError(str(exc), package=name))


@builtin("RENAME-PACKAGE")
def rename_package_(package: Any, new_name: Any, new_nicknames: Any = NIL) -> Package:
    """``rename-package``: the package's name and nicknames are replaced; a name of another
    package is a PACKAGE-ERROR."""
    pkg = package_designator(package)
    name = new_name.name if isinstance(new_name, Package) else string_designator(new_name)
    nicknames = _names(new_nicknames)
    check_package_change(pkg, f"renaming it to {name}")
    try:
        return rename_package(pkg, name, nicknames)
    except HostPackageError as exc:
        return raise_error(PackageError(str(exc), package=pkg))


@builtin("DELETE-PACKAGE")
def delete_package(package: Any) -> Any:
    """``delete-package``: T, or NIL for a package deleted already. An unknown name is a correctable
    PACKAGE-ERROR (CONTINUE returns NIL); so is a package others use (CONTINUE makes them stop)."""
    if isinstance(package, Package):
        pkg = package
    else:
        pkg = find_package(string_designator(package))
        if pkg is None:
            return _continuable(PackageError(f"there is no package named {show(package)} to delete",
                                             package=package), "Ignore the error and return NIL.", NIL)
    if pkg.deleted:
        return NIL
    check_package_change(pkg, "deleting it")
    users = used_by(pkg)
    if users:
        _continuable(PackageError(f"the package {pkg.name} is used by "
                                  f"{', '.join(p.name for p in users)}", package=pkg),
                     f"Remove dependency in other packages and delete {pkg.name}.", NIL)
    forget_package(pkg)
    return T


def _continuable(condition: PackageError, report: str, value: Any) -> Any:
    """Signal ``condition`` with a CONTINUE restart; ``value`` if it is invoked."""
    return restart_case(lambda: raise_error(condition), [RestartSpec(cl_symbol("CONTINUE"), report)],
                        [lambda: value])


# -- export, unexport, import, shadow, unintern ------------------------------------------------------


@builtin("EXPORT")
def export(symbols: Any, package: Any = NIL) -> Any:
    pkg = _optional_package(package)
    for sym in _symbols(symbols):
        if pkg.is_external(sym):
            continue
        check_package_change(pkg, f"exporting {show(sym)}")
        found, status = pkg.find_symbol(symbol_name_of(sym))
        if status is NIL or found is not sym:
            _continuable(PackageError(f"EXPORT: {show(sym)} is not accessible in {pkg.name}", package=pkg),
                         f"Import {show(sym)} into {pkg.name}.", NIL)
            import_(L(sym), pkg)
        for user, (new, old) in pkg.export_conflicts(sym):
            _keep_or_take(user, new, old, "EXPORT", sym)
        pkg.import_symbol(sym)  # an inherited symbol becomes present first
        pkg.export(sym)
    return T


@builtin("UNEXPORT")
def unexport(symbols: Any, package: Any = NIL) -> Any:
    """``unexport``: an external symbol becomes internal; one not accessible is a PACKAGE-ERROR."""
    pkg = _optional_package(package)
    for sym in _symbols(symbols):
        found, status = pkg.find_symbol(symbol_name_of(sym))
        if status is NIL or found is not sym:
            raise_error(PackageError(f"UNEXPORT: {show(sym)} is not accessible in {pkg.name}", package=pkg))
        if pkg.is_external(sym):
            check_package_change(pkg, f"unexporting {show(sym)}")
            pkg.unexport(sym)
    return T


@builtin("IMPORT")
def import_(symbols: Any, package: Any = NIL) -> Any:
    pkg = _optional_package(package)
    for sym in _symbols(symbols):
        if pkg.present(symbol_name_of(sym)) is sym:
            continue
        check_package_change(pkg, f"importing {show(sym)}")
        if any(_import_conflict(pkg, sym, other) for _, (_, other) in pkg.import_conflicts(sym)):
            continue
        pkg.import_symbol(sym)
    return T


def _import_conflict(pkg: Package, sym: Any, old: Any) -> bool:
    """Signal that importing ``sym`` clashes with ``old``; whether the import is to be skipped
    (else it was made, shadowing)."""
    def shadowing() -> bool:
        pkg.shadowing_import(sym)
        return True

    return _signal_conflict(pkg, [sym, old], "IMPORT", sym, [
        (RestartSpec(SHADOWING_IMPORT_IT, f"Shadowing-import {show(sym)}, uninterning {show(old)}."), shadowing),
        (RestartSpec(DONT_IMPORT_IT, f"Don't import {show(sym)}, keeping {show(old)}."), lambda: True),
        (_resolve_conflict_spec(), lambda chosen: shadowing() if chosen is sym else True)])


@builtin("SHADOWING-IMPORT")
def shadowing_import(symbols: Any, package: Any = NIL) -> Any:
    """``shadowing-import``: each symbol becomes present and shadowing, uninterning another of its name."""
    pkg = _optional_package(package)
    for sym in _symbols(symbols):
        if pkg.shadowing.get(symbol_name_of(sym), pkg) is not sym:
            check_package_change(pkg, f"shadowing-importing {show(sym)}")
            pkg.shadowing_import(sym)
    return T


@builtin("SHADOW")
def shadow(names: Any, package: Any = NIL) -> Any:
    """``shadow``: give the package its own symbol of each name (made if none is present),
    hiding any it inherits; the symbols join its shadowing symbols."""
    pkg = _optional_package(package)
    for name in _names(names):
        if name not in pkg.shadowing:
            check_package_change(pkg, f"shadowing {name}")
            pkg.shadow(name)
    return T


@builtin("UNINTERN")
def unintern(sym: Any, package: Any = NIL) -> Any:
    """``unintern``: remove a present symbol (T), or do nothing (NIL). Uninterning a shadowing
    symbol that hid several inherited ones is a name conflict (RESOLVE-CONFLICT picks one)."""
    check(sym is NIL or isinstance(sym, Symbol), sym, "SYMBOL")
    pkg = _optional_package(package)
    if pkg.present(symbol_name_of(sym)) is not sym:
        return NIL
    check_package_change(pkg, f"uninterning {show(sym)}")
    chosen = [_signal_conflict(pkg, inherited, "UNINTERN", sym, [(_resolve_conflict_spec(), lambda choice: choice)])
              for _, inherited in pkg.unintern_conflicts(sym)]
    pkg.unintern(sym)
    if chosen:
        pkg.shadowing_import(chosen[0])
    return T


# -- using packages -----------------------------------------------------------------------------------


@builtin("USE-PACKAGE")
def use_package(packages: Any, package: Any = NIL) -> Any:
    pkg = _optional_package(package)
    for used in _packages(packages):
        check(used is not KEYWORD, used, L(cl_symbol("NOT"), L(cl_symbol("EQL"), KEYWORD)))
        if used is pkg or used in pkg.use_list:
            continue
        check_package_change(pkg, f"using {used.name}")
        for user, (new, old) in pkg.use_conflicts(used):
            _keep_or_take(user, new, old, "USE-PACKAGE", used)
        pkg.use_list.append(used)
    return T


@builtin("UNUSE-PACKAGE")
def unuse_package(packages: Any, package: Any = NIL) -> Any:
    pkg = _optional_package(package)
    for used in _packages(packages):
        if used in pkg.use_list:
            check_package_change(pkg, f"unusing {used.name}")
            pkg.use_list.remove(used)
    return T


# -- queries --------------------------------------------------------------------------------------------


@builtin("PACKAGE-NICKNAMES")
def package_nicknames(package: Any) -> Any:
    pkg = package_designator(package, deleted_ok=True)
    return NIL if pkg.deleted else make_list(pkg.nicknames)


@builtin("PACKAGE-USE-LIST")
def package_use_list(package: Any) -> Any:
    return make_list(package_designator(package, deleted_ok=True).use_list)


@builtin("PACKAGE-USED-BY-LIST")
def package_used_by_list(package: Any) -> Any:
    return make_list(used_by(package_designator(package, deleted_ok=True)))


@builtin("PACKAGE-SHADOWING-SYMBOLS")
def package_shadowing_symbols(package: Any) -> Any:
    # Newest first, as SBCL lists them.
    return make_list(reversed(package_designator(package, deleted_ok=True).shadowing.values()))


@builtin("FIND-ALL-SYMBOLS")
def find_all_symbols(name: Any) -> Any:
    text = string_designator(name)
    found: list[Any] = []
    for pkg in list_all_packages():
        sym, status = pkg.find_symbol(text)
        if status is not NIL and status is not keyword("INHERITED") and not any(sym is s for s in found):
            found.append(sym)
    return make_list(found)


@builtin("APROPOS-LIST")
def apropos_list(name: Any, package: Any = NIL) -> Any:
    text = string_designator(name).upper()
    packages = list_all_packages() if package is NIL else [package_designator(package)]
    found: dict[int, Any] = {}
    for pkg in packages:
        for sym in pkg.accessible_symbols():
            if text in symbol_name_of(sym):
                found.setdefault(id(sym), sym)
    return make_list(sorted(found.values(), key=symbol_name_of))


@builtin("%PACKAGE-SYMBOLS", SYSTEM)
def package_symbols(kind: Symbol, package: Any) -> Any:
    """The symbols ``do-symbols`` (:all), ``do-external-symbols`` (:external) and
    ``do-all-symbols`` (:every) visit, and LOOP's ``being the present-symbols`` (:present)."""
    if kind.name == "EVERY":
        return make_list(list({id(s): s for p in list_all_packages() for s in p.present_symbols()}.values()))
    pkg = _optional_package(package)
    if kind.name == "EXTERNAL":
        return make_list(pkg.external_symbols())
    if kind.name == "PRESENT":
        return make_list(list(pkg.present_symbols()))
    return make_list(list(pkg.accessible_symbols()))


# -- package-local nicknames (SBCL's sb-ext) -------------------------------------------------------


@builtin("PACKAGE-LOCAL-NICKNAMES", EXTENSIONS)
def package_local_nicknames(package: Any) -> Any:
    """The local nicknames of a package, as (nickname . package) pairs."""
    pkg = package_designator(package)
    return make_list([Cons(nick, target) for nick, target in pkg.local_nicknames.items()])


@builtin("ADD-PACKAGE-LOCAL-NICKNAME", EXTENSIONS)
def add_package_local_nickname(nickname: Any, actual: Any, package: Any = NIL) -> Package:
    """Make ``nickname`` name ``actual`` when read or found from ``package``."""
    pkg = _optional_package(package)
    nick = string_designator(nickname)
    target = package_designator(actual)
    if nick in ("COMMON-LISP", "CL", "KEYWORD") or pkg.local_nicknames.get(nick, target) is not target:
        raise_error(PackageError(f"cannot make {nick} a local nickname of {target.name} in {pkg.name}",
                                 package=pkg))
    check_package_change(pkg, f"adding the local nickname {nick}")
    pkg.local_nicknames[nick] = target
    return pkg


@builtin("REMOVE-PACKAGE-LOCAL-NICKNAME", EXTENSIONS)
def remove_package_local_nickname(nickname: Any, package: Any = NIL) -> Any:
    pkg = _optional_package(package)
    return truth(pkg.local_nicknames.pop(string_designator(nickname), None) is not None)


for _name in ("PACKAGE-LOCAL-NICKNAMES", "ADD-PACKAGE-LOCAL-NICKNAME", "REMOVE-PACKAGE-LOCAL-NICKNAME"):
    extension_symbol(_name)


# -- package locks (SBCL's sb-ext; see lisp.runtime.package_locks) ------------------------------------


@builtin("UNLOCK-PACKAGE", EXTENSIONS)
def unlock_package(package: Any) -> Any:
    package_designator(package).locked = False
    return T


@builtin("LOCK-PACKAGE", EXTENSIONS)
def lock_package(package: Any) -> Any:
    package_designator(package).locked = True
    return T


@builtin("PACKAGE-LOCKED-P", EXTENSIONS)
def package_locked_p(package: Any) -> Any:
    return truth(package_designator(package).locked)


@builtin("PACKAGE-LOCKED-ERROR-SYMBOL", EXTENSIONS)
def package_locked_error_symbol(condition: Any) -> Any:
    return slot_value(condition, "SYMBOL")


@macro("WITHOUT-PACKAGE-LOCKS", EXTENSIONS)
def without_package_locks(form: Any, env: Any) -> Any:
    """``(sb-ext:without-package-locks form...)``: the forms run with no package lock checked."""
    return make_list([cl_symbol("LET"), L(L(IGNORE_LOCKS, T)), *list_items(form.cdr)])


# The declarations (declare (sb-ext:disable-package-locks ...)) and enable-package-locks are
# accepted and change nothing (see lisp.runtime.package_locks).
for _name in ("UNLOCK-PACKAGE", "LOCK-PACKAGE", "PACKAGE-LOCKED-P", "PACKAGE-LOCKED-ERROR-SYMBOL",
              "WITHOUT-PACKAGE-LOCKS", "DISABLE-PACKAGE-LOCKS", "ENABLE-PACKAGE-LOCKS"):
    extension_symbol(_name)


# -- defpackage ---------------------------------------------------------------------------------------

# The options a defpackage form may give, and whether each may appear more than once.
_OPTIONS = {"NICKNAMES": True, "DOCUMENTATION": False, "USE": True, "SHADOW": True,
            "SHADOWING-IMPORT-FROM": True, "IMPORT-FROM": True, "EXPORT": True, "INTERN": True,
            "SIZE": False, "LOCAL-NICKNAMES": True, "LOCK": False}


@macro("DEFPACKAGE")
def defpackage(form: Any, env: Any) -> Any:
    """``(defpackage name option...)``: every option of CLHS, plus SBCL's ``:local-nicknames`` and
    ``:lock``. Expands to one call that makes or updates the package when evaluated, given each
    option's items as data: names as strings, ``(package name)`` for the import options,
    ``(nickname package)`` for local nicknames, the value itself for the others."""
    args = list_items(form.cdr)
    if not args:
        raise ProgramError(f"DEFPACKAGE needs a name, in {show(form)}", source_pos(form))
    options: dict[str, list[Any]] = {}
    for option in args[1:]:
        parts = list_items(option) if isinstance(option, Cons) else []
        key = parts[0].name if parts and isinstance(parts[0], Symbol) and parts[0].is_keyword else None
        if key not in _OPTIONS:
            raise ProgramError(f"DEFPACKAGE: bogus option {show(option)}", source_pos(form))
        if key in options and not _OPTIONS[key]:
            raise ProgramError(f"DEFPACKAGE: the option :{key} is given more than once", source_pos(form))
        options.setdefault(key, []).extend(_option_items(key, parts[1:], form))
    _check_disjoint(options, form)
    spec = make_list([Cons(keyword(k), make_list(v)) for k, v in options.items()])
    return L(SYSTEM.intern("%DEFPACKAGE"), string_designator(args[0]), L(QUOTE, spec))


def _option_items(key: str, values: list[Any], form: Any) -> list[Any]:
    if key in ("DOCUMENTATION", "SIZE", "LOCK"):
        if len(values) != 1 or (key == "DOCUMENTATION" and not isinstance(values[0], str)):
            raise ProgramError(f"DEFPACKAGE: bad :{key.lower()} option in {show(form)}", source_pos(form))
        return values
    if key in ("IMPORT-FROM", "SHADOWING-IMPORT-FROM"):
        if not values:
            raise ProgramError(f"DEFPACKAGE: :{key.lower()} needs a package, in {show(form)}", source_pos(form))
        source = string_designator(values[0])
        return [L(source, string_designator(v)) for v in values[1:]]
    if key == "LOCAL-NICKNAMES":
        return [make_list(_names(pair)) for pair in values]
    return [string_designator(v) for v in values]


def _symbol_names(options: dict[str, list[Any]], key: str) -> set[str]:
    """The names of the symbols a :shadow, :intern, :export or import option gives."""
    items = options.get(key, [])
    return {item.cdr.car for item in items} if key.endswith("-FROM") else set(items)


def _check_disjoint(options: dict[str, list[Any]], form: Any) -> None:
    """CLHS defpackage: :shadow, :shadowing-import-from, :import-from and :intern name disjoint sets
    of symbols, and so do :intern and :export."""
    for group in (("SHADOW", "SHADOWING-IMPORT-FROM", "IMPORT-FROM", "INTERN"), ("INTERN", "EXPORT")):
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                common = _symbol_names(options, a) & _symbol_names(options, b)
                if common:
                    raise ProgramError(f"DEFPACKAGE: :{a.lower()} and :{b.lower()} must be disjoint but both "
                                       f"name {', '.join(sorted(common))}", source_pos(form))


@builtin("%DEFPACKAGE", SYSTEM)
def ensure_package(name: str, spec: Any) -> Package:
    """``defpackage``'s work, in the standard's order: shadows, uses, imports and interns,
    exports. An existing package is updated (names and options added) and warned about what it
    keeps that the form does not say, as SBCL does."""
    options = {entry.car.name: list_items(entry.cdr) for entry in list_items(spec)}
    pkg = find_package(name)
    nicknames = options.get("NICKNAMES", [])
    uses = [package_designator(p) for p in options.get("USE", [])]
    if pkg is None:
        pkg = make_package_(name, keyword("NICKNAMES"), make_list(nicknames))
    else:
        _warn_variance(pkg, options, uses)
        if any(n not in pkg.nicknames for n in nicknames):
            rename_package_(pkg, name, make_list([*pkg.nicknames, *nicknames]))
    shadow(make_list(options.get("SHADOW", [])), pkg)
    for entry in options.get("SHADOWING-IMPORT-FROM", []):
        shadowing_import(L(_accessible_in(entry.car, entry.cdr.car, name)), pkg)
    use_package(make_list(uses), pkg)
    for entry in options.get("IMPORT-FROM", []):
        import_(L(_accessible_in(entry.car, entry.cdr.car, name)), pkg)
    for symbol_name in options.get("INTERN", []):
        pkg.intern(symbol_name)
    export(make_list([pkg.intern(n) for n in options.get("EXPORT", [])]), pkg)
    for entry in options.get("LOCAL-NICKNAMES", []):
        add_package_local_nickname(entry.car, entry.cdr.car, pkg)
    if "DOCUMENTATION" in options:
        pkg.documentation = options["DOCUMENTATION"][0]
    if "LOCK" in options:
        pkg.locked = options["LOCK"][0] is not NIL
    return pkg


def _accessible_in(source: str, symbol_name: str, defining: str) -> Any:
    """The symbol ``symbol_name`` accessible in ``source`` (for the import options); none is a
    PACKAGE-ERROR."""
    source_pkg = package_designator(source)
    sym, status = source_pkg.find_symbol(symbol_name)
    if status is NIL:
        raise_error(PackageError(f"DEFPACKAGE {defining}: no symbol named {show(symbol_name)} in "
                                 f"{source_pkg.name}", package=source_pkg))
    return sym


def _warn_variance(pkg: Package, options: dict[str, list[Any]], uses: list[Package]) -> None:
    shadows = _symbol_names(options, "SHADOW") | _symbol_names(options, "SHADOWING-IMPORT-FROM")
    exports = _symbol_names(options, "EXPORT")
    kept = [("shadows the following symbols", [s for n, s in pkg.shadowing.items() if n not in shadows]),
            ("uses the following packages", [p for p in pkg.use_list if p not in uses]),
            ("exports the following symbols", [s for s in pkg.external_symbols() if symbol_name_of(s) not in exports])]
    for what, items in kept:
        if items:
            warn(PackageAtVariance(f"{pkg.name} also {what}:\n  {show(make_list(items))}"))


# -- in-package and the symbol iteration macros -----------------------------------------------------

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


# -- with-package-iterator -------------------------------------------------------------------------

_ITERATOR_STATUSES = ("INTERNAL", "EXTERNAL", "INHERITED")


@builtin("%PACKAGE-ITERATOR", SYSTEM)
def package_iterator(packages: Any, statuses: Any) -> Any:
    """The (symbol, status, package) entries ``with-package-iterator`` walks: the symbols of each
    package in ``packages`` (a package designator or a list of them) whose status is one of
    ``statuses``, as an iterator made now."""
    wanted = {s.name for s in list_items(statuses)}
    designators = list_items(packages) if packages is NIL or isinstance(packages, Cons) else [packages]
    entries = []
    for designator in designators:
        pkg = package_designator(designator)
        for sym in pkg.accessible_symbols():
            status = pkg.find_symbol(symbol_name_of(sym))[1]
            if status.name in wanted:
                entries.append((sym, status, pkg))
    return iter(entries)


@builtin("%PACKAGE-ITERATOR-NEXT", SYSTEM)
def package_iterator_next(entries: Any) -> Any:
    """T and the next entry's symbol, status and package, or NIL when there is none."""
    entry = next(entries, None)
    return NIL if entry is None else values(T, *entry)


@macro("WITH-PACKAGE-ITERATOR")
def with_package_iterator(form: Any, env: Any) -> Any:
    """``(with-package-iterator (name package-list symbol-type...) body...)``: ``(name)`` in the
    body gives the next symbol as four values (more?, symbol, status, package)."""
    args = list_items(form.cdr)
    spec = list_items(args[0]) if args and isinstance(args[0], Cons) else []
    if len(spec) < 3 or not isinstance(spec[0], Symbol):
        raise ProgramError(f"WITH-PACKAGE-ITERATOR needs (name package-list symbol-type...), in {show(form)}",
                           source_pos(form))
    name, packages, statuses = spec[0], spec[1], spec[2:]
    if not all(isinstance(s, Symbol) and s.is_keyword and s.name in _ITERATOR_STATUSES for s in statuses):
        raise ProgramError(f"WITH-PACKAGE-ITERATOR: the symbol types are :internal, :external and :inherited, "
                           f"in {show(form)}", source_pos(form))
    entries = gensym("ENTRIES")
    start = L(SYSTEM.intern("%PACKAGE-ITERATOR"), packages, L(QUOTE, make_list(statuses)))
    step = L(QUOTE, L(SYSTEM.intern("%PACKAGE-ITERATOR-NEXT"), entries))
    return L(cl_symbol("LET"), L(L(entries, start)),
             make_list([cl_symbol("MACROLET"), L(L(name, NIL, step)), *args[1:]]))
