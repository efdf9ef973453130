"""Symbols and packages (CLHS 10, 11): names, values, function cells, property lists, interning,
and ``gensym``."""

from __future__ import annotations

import threading
from typing import Any

from lisp.compiler.macros import MACROS
from lisp.compiler.special_forms import special_operator_p
from lisp.library.arguments import (
    check,
    expected,
    function_designator,
    show,
    string_argument,
    string_designator,
    truth,
)
from lisp.library.lists import getf, plist_put, plist_remove
from lisp.runtime import namespace
from lisp.runtime.arrays import is_string, string_text
from lisp.runtime.condition_classes import PackageError, SimpleError, UndefinedFunction
from lisp.runtime.data import (
    COMMON_LISP,
    NIL,
    Cons,
    Package,
    Symbol,
    T,
    cl_symbol,
    iter_list,
    list_all_packages,
    make_list,
)
from lisp.runtime.namespace import GLOBALS, builtin, setf_function_key
from lisp.runtime.package_locks import check_package_change, check_package_lock
from lisp.runtime.signals import raise_error, type_error
from lisp.runtime.values import values

_SYMBOL = expected("SYMBOL")
_PACKAGE_VAR = cl_symbol("*PACKAGE*")
_GENSYM_COUNTER = cl_symbol("*GENSYM-COUNTER*")
namespace.proclaim_special(_GENSYM_COUNTER)
if not namespace.global_value_is_set(_GENSYM_COUNTER):
    namespace.set_symbol_value(_GENSYM_COUNTER, 1)
_gensym_lock = threading.Lock()


def check_symbol(x: Any) -> Any:
    if x is not NIL and not isinstance(x, Symbol):
        type_error(x, _SYMBOL)
    return x


def _name(sym: Any) -> str:
    return "NIL" if sym is NIL else sym.name


def package_designator(x: Any, *, deleted_ok: bool = False) -> Package:
    """The package a designator names: a package, or a string designator of a name of it (a local
    nickname of the current package first). A deleted package is a PACKAGE-ERROR unless
    ``deleted_ok``."""
    if isinstance(x, Package):
        if x.deleted and not deleted_ok:
            raise_error(PackageError(f"the package {x.name} has been deleted", package=x))
        return x
    name = string_designator(x)
    found = current_package().package_named(name)
    if found is None:
        raise_error(PackageError(f"there is no package named {show(name)}", package=name))
    return found


def current_package() -> Package:
    return namespace.symbol_value(_PACKAGE_VAR)


def _as_nil_symbol(sym: Any) -> Symbol:
    """The symbol NIL is Python None (lisp.runtime.data): operations on its value and function
    cells refuse it plainly (it is a constant, and COMMON-LISP is locked)."""
    if sym is NIL:
        raise_error(SimpleError("the symbol NIL is a constant and its function cannot be set"))
    return check_symbol(sym)


class _NilCells:
    """Where the property list of NIL lives: NIL is Python None, which has no attribute to hold it."""

    plist: Any = NIL


def _plist_holder(sym: Any) -> Any:
    return _NilCells if sym is NIL else check_symbol(sym)


# -- names and creation ----------------------------------------------------------------------------


@builtin("SYMBOL-NAME")
def symbol_name(sym: Any) -> str:
    return _name(check_symbol(sym))


@builtin("SYMBOL-PACKAGE")
def symbol_package(sym: Any) -> Any:
    check_symbol(sym)
    return COMMON_LISP if sym is NIL else (sym.package or NIL)


@builtin("MAKE-SYMBOL")
def make_symbol(name: Any) -> Symbol:
    return Symbol(string_argument(name))


@builtin("GENSYM")
def gensym(prefix: Any = "G") -> Symbol:
    """``gensym``: a fresh uninterned symbol named ``prefix`` followed by ``*gensym-counter*``."""
    if type(prefix) is int:
        return Symbol(f"G{prefix}")
    check(is_string(prefix), prefix, make_list([cl_symbol("OR"), cl_symbol("STRING"), cl_symbol("UNSIGNED-BYTE")]))
    prefix = string_text(prefix)
    with _gensym_lock:
        n = namespace.symbol_value(_GENSYM_COUNTER)
        namespace.set_symbol_value(_GENSYM_COUNTER, n + 1)
    return Symbol(f"{prefix}{n}")


@builtin("GENTEMP")
def gentemp(prefix: Any = "T", package: Any = NIL) -> Symbol:
    pkg = current_package() if package is NIL else package_designator(package)
    while True:
        name = f"{string_designator(prefix)}{gensym('').name}"
        if pkg.find_symbol(name)[0] is None:
            return pkg.intern(name)


@builtin("COPY-SYMBOL")
def copy_symbol(sym: Any, copy_properties: Any = NIL) -> Symbol:
    """``copy-symbol``: a fresh uninterned symbol of the same name; with ``copy-properties``, a copy
    of the property list and the same value and function (NIL's value is NIL)."""
    new = Symbol(_name(check_symbol(sym)))
    if copy_properties is not NIL:
        new.plist = make_list(iter_list(symbol_plist(sym)))
        if boundp(sym) is T:
            namespace.set_symbol_value(new, symbol_value(sym))
        if sym is not NIL and namespace.fboundp(sym):
            namespace.set_function(new, namespace.get_function(sym))
    return new


@builtin("INTERN")
def intern(name: Any, package: Any = NIL) -> Any:
    """``intern``: the symbol and its status (:internal, :external, :inherited or NIL if new)."""
    name = string_argument(name)
    pkg = current_package() if package is NIL else package_designator(package)
    sym, status = pkg.find_symbol(name)
    if status is NIL:
        check_package_change(pkg, f"interning {name}")
        return values(pkg.intern(name), NIL)
    return values(sym, status)


@builtin("FIND-SYMBOL")
def find_symbol(name: Any, package: Any = NIL) -> Any:
    name = string_argument(name)
    pkg = current_package() if package is NIL else package_designator(package)
    sym, status = pkg.find_symbol(name)
    return values(sym, status)


@builtin("FIND-PACKAGE")
def find_package_(name: Any) -> Any:
    if isinstance(name, Package):
        return name
    return current_package().package_named(string_designator(name)) or NIL


@builtin("PACKAGE-NAME")
def package_name(package: Any) -> Any:
    """``package-name``: NIL for a deleted package."""
    pkg = package_designator(package, deleted_ok=True)
    return NIL if pkg.deleted else pkg.name


@builtin("LIST-ALL-PACKAGES")
def list_all_packages_() -> Any:
    return make_list(list_all_packages())


@builtin("KEYWORDP")
def keywordp(x: Any) -> Any:
    return truth(isinstance(x, Symbol) and x.is_keyword)


# -- value and function cells ----------------------------------------------------------------------


@builtin("SYMBOL-VALUE")
def symbol_value(sym: Any) -> Any:
    if sym is NIL:
        return NIL
    return namespace.symbol_value(check_symbol(sym))


@builtin("SET")
def set_(sym: Any, value: Any) -> Any:
    """``set``: assign the current (dynamic or global) value of ``sym``."""
    sym = _as_nil_symbol(sym)
    if namespace.is_constant(sym):
        raise_error(SimpleError(f"{show(sym)} is a constant and cannot be set"))
    return namespace.set_symbol_value(sym, value)


GLOBALS[setf_function_key(cl_symbol("SYMBOL-VALUE"))] = lambda value, sym: set_(sym, value)


@builtin("BOUNDP")
def boundp(sym: Any) -> Any:
    return T if sym is NIL else truth(namespace.boundp(check_symbol(sym)))


@builtin("MAKUNBOUND")
def makunbound(sym: Any) -> Any:
    sym = _as_nil_symbol(sym)
    if namespace.is_constant(sym):
        raise_error(SimpleError(f"{show(sym)} is a constant and cannot be made unbound"))
    namespace.makunbound(sym)
    return sym


@builtin("CONSTANTP")
def constantp(form: Any, environment: Any = NIL) -> Any:
    """``constantp``: self-evaluating objects, constant variables and QUOTE forms (no folding)."""
    if isinstance(form, Symbol):
        return truth(namespace.is_constant(form))
    if isinstance(form, Cons):
        return truth(form.car is cl_symbol("QUOTE"))
    return T  # NIL and every object that is neither a symbol nor a cons evaluate to themselves


@builtin("SYMBOL-FUNCTION")
def symbol_function(sym: Any) -> Any:
    """The global function of a symbol; for a macro or a special operator, a function that
    signals an error when called (CLHS 5.3: the value is the implementation's, as SBCL's)."""
    if sym is NIL:
        return raise_error(UndefinedFunction(name=NIL))
    return fdefinition(check_symbol(sym))


@builtin("FDEFINITION")
def fdefinition(name: Any) -> Any:
    """The global function of a function name: a symbol or ``(setf symbol)`` (see
    ``symbol-function`` for a macro or a special operator)."""
    if name is NIL:
        return raise_error(UndefinedFunction(name=NIL))
    key = _function_name_key(name)
    try:
        return GLOBALS[key]
    except KeyError:
        if isinstance(name, Symbol) and (name in MACROS or special_operator_p(name)):
            return _operator_stand_in(name)
        return raise_error(UndefinedFunction(name=name))


def _operator_stand_in(name: Symbol) -> Any:
    what = "special operator" if special_operator_p(name) else "macro"

    def called_as_function(*args: Any) -> Any:
        raise_error(UndefinedFunction(f"{show(name)} is a {what}, not a function", name=name))

    called_as_function.__name__ = name.name
    return called_as_function


def _function_name_key(name: Any) -> str:
    if isinstance(name, Cons) and name.car is cl_symbol("SETF") and isinstance(name.cdr, Cons) \
            and isinstance(name.cdr.car, Symbol) and name.cdr.cdr is NIL:
        return setf_function_key(name.cdr.car)
    return namespace.function_key(_as_nil_symbol(name))


def set_fdefinition(fn: Any, name: Any) -> Any:
    """``(setf fdefinition)`` and ``(setf symbol-function)``: a symbol of a locked package is
    refused, as SBCL refuses it (see lisp.runtime.package_locks)."""
    function_designator(fn)
    key = _function_name_key(name)
    check_package_lock(name, "function")
    GLOBALS[key] = fn
    return fn


GLOBALS[setf_function_key(cl_symbol("FDEFINITION"))] = set_fdefinition
GLOBALS[setf_function_key(cl_symbol("SYMBOL-FUNCTION"))] = set_fdefinition


@builtin("FBOUNDP")
def fboundp(name: Any) -> Any:
    if name is NIL:
        return NIL
    if isinstance(name, Symbol) and (name in MACROS or special_operator_p(name)):
        return T
    return truth(_function_name_key(name) in GLOBALS)


@builtin("FMAKUNBOUND")
def fmakunbound(name: Any) -> Any:
    GLOBALS.pop(_function_name_key(name), None)
    if isinstance(name, Symbol):
        MACROS.pop(name, None)
    return name


# -- property lists --------------------------------------------------------------------------------


@builtin("SYMBOL-PLIST")
def symbol_plist(sym: Any) -> Any:
    return _plist_holder(sym).plist


def set_symbol_plist(plist: Any, sym: Any) -> Any:
    """``(setf symbol-plist)``."""
    _plist_holder(sym).plist = plist
    return plist


GLOBALS[setf_function_key(cl_symbol("SYMBOL-PLIST"))] = set_symbol_plist


@builtin("GET")
def get(sym: Any, indicator: Any, default: Any = NIL) -> Any:
    return getf(symbol_plist(sym), indicator, default)


def set_get(value: Any, sym: Any, indicator: Any, default: Any = NIL) -> Any:
    """``(setf get)``."""
    holder = _plist_holder(sym)
    holder.plist = plist_put(holder.plist, indicator, value)
    return value


GLOBALS[setf_function_key(cl_symbol("GET"))] = set_get


@builtin("REMPROP")
def remprop(sym: Any, indicator: Any) -> Any:
    holder = _plist_holder(sym)
    holder.plist, found = plist_remove(holder.plist, indicator)
    return truth(found)
