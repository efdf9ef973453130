"""Package locks, as SBCL has them (SBCL manual, "Package Locks").

A package is locked when ``Package.locked`` is true: COMMON-LISP and GFJIT-EXTENSIONS (alias
SB-EXT) are, as in SBCL. Defining a symbol of a locked package (as a function, macro, setf
function, structure...) and changing a locked package (interning a new symbol, exporting,
unexporting, importing, shadowing, using, renaming or deleting it) signal a
``package-locked-error`` (a ``package-error``; ``symbol-package-locked-error`` when a symbol is
named), with SBCL's restarts: CONTINUE ignores the lock this once, ``:unlock-package`` unlocks the
package and goes on.

Programs written for SBCL lift the locks the SBCL way, and these work here unchanged:
``sb-ext:unlock-package`` and ``sb-ext:lock-package`` (the flag on the package),
``sb-ext:without-package-locks`` (binds :data:`IGNORE_LOCKS`, a special variable, so per thread
and for the dynamic extent of its body: definitions *run* there are not checked).
``(declare (sb-ext:disable-package-locks ...))`` is accepted and changes nothing: SBCL needs it to
bind a locked symbol lexically (``flet``, ``let``), which gfjit never refuses.
"""

from __future__ import annotations

from typing import Any

from lisp.runtime import namespace
from lisp.runtime.condition_classes import PackageError, SlotSpec, finish_class
from lisp.runtime.data import NIL, SYSTEM, Cons, Package, Symbol, cl_symbol, keyword
from lisp.runtime.extensions import extension_symbol
from lisp.runtime.signals import RestartSpec, raise_error, restart_case

IGNORE_LOCKS = SYSTEM.intern("*IGNORE-PACKAGE-LOCKS*")
namespace.proclaim_special(IGNORE_LOCKS)
if not namespace.global_value_is_set(IGNORE_LOCKS):
    namespace.set_symbol_value(IGNORE_LOCKS, NIL)


class PackageLockedError(PackageError):
    """SB-EXT:PACKAGE-LOCKED-ERROR: an operation would change a locked package."""


class SymbolPackageLockedError(PackageLockedError):
    """SB-EXT:SYMBOL-PACKAGE-LOCKED-ERROR: an operation would define a symbol of a locked package."""


finish_class(PackageLockedError, extension_symbol("PACKAGE-LOCKED-ERROR"), ())
finish_class(SymbolPackageLockedError, extension_symbol("SYMBOL-PACKAGE-LOCKED-ERROR"),
             (SlotSpec("SYMBOL", (keyword("SYMBOL"),)),))

_RESTARTS = [RestartSpec(cl_symbol("CONTINUE"), "Ignore the package lock."),
             RestartSpec(keyword("UNLOCK-PACKAGE"), "Unlock the package.")]


def locks_ignored() -> bool:
    """Whether the current thread runs inside ``without-package-locks``."""
    return namespace.symbol_value(IGNORE_LOCKS) is not NIL


def _violation(package: Package, condition: PackageLockedError) -> None:
    """Signal ``condition``; return if a restart lifted the lock."""
    def unlock() -> None:
        package.locked = False

    restart_case(lambda: raise_error(condition), _RESTARTS, [lambda: None, unlock])


def check_package_change(package: Package, doing: str) -> None:
    """Before ``doing`` (``"interning FOO"``) changes ``package``: a violation if it is locked."""
    if package.locked and not locks_ignored():
        _violation(package, PackageLockedError(f"Lock on package {package.name} violated when {doing}",
                                               package=package))


def check_package_lock(name: Any, what: str) -> None:
    """Before defining ``name`` (a symbol or ``(setf symbol)``) as ``what`` (``"function"``): a
    violation if the symbol's home package is locked (SBCL's refusal of ``(defun car ...)``, which
    would change the whole image)."""
    sym = name.cdr.car if isinstance(name, Cons) else name
    package = sym.package if isinstance(sym, Symbol) else None
    if package is not None and package.locked and not locks_ignored():
        _violation(package, SymbolPackageLockedError(
            f"Lock on package {package.name} violated when defining {_shown(name)} as a {what}",
            package=package, symbol=sym))


def _shown(name: Any) -> str:
    if isinstance(name, Cons):
        return f"(SETF {name.cdr.car.name})"
    return name.name

