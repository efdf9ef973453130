"""Lisp generic functions: every one is a :mod:`dispatch` generic function.

The object in the function namespace is the dispatch callable itself, so a Lisp call of a generic
function goes straight into its native dispatcher, and it stays the same object for the life of
the generic function: a redefinition (``defgeneric`` again, ``ensure-generic-function``) changes it
in place (``gf.reinitialize``), so a ``#'f`` saved earlier runs the new definition. What the Lisp
needs besides (name, lambda list, method combination as written) is a :class:`GenericInfo` kept
in the callable's ``lisp_info`` attribute.

The methods are dispatch's, and only dispatch's: ``generic-function-methods``, ``find-method``,
``remove-method`` read its one method set. A method defined in Lisp is found again through its
``dispatch.Method``'s ``metaobject``; a method added from Python (``gf.add_method``) gets a method
metaobject made for it when Lisp first asks (:func:`lisp_method_of`).

Everything dispatch needs to know about Lisp classes goes through two calls made once at import:
the CLOS class precedence lists as dispatch's precedence provider, and
``dispatch.class_changed`` for each class a ``defclass`` redefined.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence
from typing import Any

from dispatch import (Eql, InvalidMethodError, Method, add_precedence_provider, class_changed,
                      hold_across_fork, make_generic)
from lisp.clos import errors
from lisp.clos.classes import (
    ForwardReferencedClass,
    LispClass,
    as_class,
    class_for_type,
    display_name,
    find_class,
    register_type,
)
from lisp.clos.combinations import LISP_VALUES
from lisp.clos.defclass import class_redefined_hooks
from lisp.clos.lambda_lists import Shape, check_congruent, gf_shape_from_method, shape_of
from lisp.clos.methods import EqlSpecializer, LispMethod, Specializer, qualifier_name
from lisp.runtime import namespace
from lisp.runtime.data import NIL, Cons, Symbol, cl_symbol, iter_list, keyword, make_list

STANDARD = cl_symbol("STANDARD")
# "No lambda list given", which NIL cannot say: NIL is the empty lambda list ().
NO_LAMBDA_LIST: Any = object()
_registered_types: set[type] = set()
_definition_lock = threading.RLock()
# A child of os.fork() finds it free. Taken before CLASS_LOCK and dispatch's locks, as defmethod
# does: registered after them, so the fork takes it first.
hold_across_fork(_definition_lock)


class GenericInfo:
    """The Lisp side of a generic function (its methods are dispatch's: see the module's
    docstring)."""

    def __init__(self, name: Any, lambda_list: Any, shape: Shape, combination: Symbol,
                 most_specific_last: bool, precedence_order: Any, documentation: str | None) -> None:
        self.name = name
        self.lambda_list = lambda_list
        self.shape = shape
        self.combination = combination
        self.most_specific_last = most_specific_last
        self.precedence_order = precedence_order
        self.documentation = documentation
        self.from_defgeneric: list[LispMethod] = []
        # Method metaobjects made for methods added from Python, while they are methods here.
        self._python_methods: dict[Method, LispMethod] = {}
        self._python_methods_lock = threading.Lock()
        # A number never used before, taken at every change of the methods (dispatch calls
        # changed(), however the change was made) or of the lambda list: caches compare it.
        self._versions = itertools.count(1)
        self.version = 0
        self._accepted_keys: tuple[int, frozenset[Symbol] | None] = (-1, None)

    def changed(self) -> None:
        self.version = next(self._versions)

    def python_method(self, gf: Any, method: Method) -> LispMethod:
        """The metaobject of ``method``, added from Python: the same one while it is a method of
        ``gf``."""
        with self._python_methods_lock:
            known = self._python_methods
            found = known.get(method)
            if found is None:
                current = gf.methods
                known = self._python_methods = {m: v for m, v in known.items() if m in current}
                found = known[method] = python_method_metaobject(self, gf, method)
            return found

    def accepted_keys(self, gf: Any) -> frozenset[Symbol] | None:
        """The keyword arguments a call may pass: those of the lambda list and of every method
        (None: any, when one of them has ``&allow-other-keys``)."""
        version = self.version  # before the methods are read: a change meanwhile is seen next time
        seen, keys = self._accepted_keys
        if seen == version:
            return keys
        shapes = [self.shape, *(m.shape for m in methods_of(gf))]
        if any(s.allow_other_keys for s in shapes):
            keys = None
        else:
            keys = frozenset(k for s in shapes for k in s.keys)
        self._accepted_keys = (version, keys)
        return keys


def function_name_text(name: Any) -> str:
    if isinstance(name, Cons):
        return "(" + " ".join(function_name_text(x) for x in iter_list(name)) + ")"
    return name.name if isinstance(name, Symbol) else str(name)


def info_of(gf: Any) -> GenericInfo | None:
    """The :class:`GenericInfo` of a Lisp generic function, None for anything else."""
    return getattr(gf, "lisp_info", None)


def is_generic_function(obj: Any) -> bool:
    return info_of(obj) is not None


# -- the function namespace ---------------------------------------------------------------------

def _key(name: Any) -> str:
    if isinstance(name, Cons) and name.car is cl_symbol("SETF"):
        return namespace.setf_function_key(name.cdr.car)
    if isinstance(name, Symbol):
        return namespace.function_key(name)
    raise errors.program_error(f"{name!r} is not a function name")


def fdefinition(name: Any) -> Any:
    return namespace.GLOBALS.get(_key(name))


def _set_fdefinition(name: Any, fn: Any) -> None:
    namespace.GLOBALS[_key(name)] = fn


# -- creating and redefining ------------------------------------------------------------------------

def _combination_name(combination: Symbol) -> str:
    # The name dispatch knows it by, the one its methods' qualifier gets (qualifier_name).
    return "standard" if combination is STANDARD else qualifier_name(combination)


def _required_names(lambda_list: Any, count: int) -> list[str]:
    names = []
    for item in iter_list(lambda_list):
        if len(names) == count:
            break
        var = item.car if isinstance(item, Cons) else item
        names.append(var.name.lower() if isinstance(var, Symbol) else f"arg{len(names)}")
    return names


def _precedence_names(lambda_list: Any, order: Any, shape: Shape, where: str) -> list[str] | None:
    if order is NIL:
        return None
    required = list(iter_list(lambda_list))[:shape.required]
    names = _required_names(lambda_list, shape.required)
    result = []
    for var in iter_list(order):
        if var not in required:
            raise errors.program_error(f"{where}: :argument-precedence-order names {var!r}, "
                                       f"which is not a required parameter")
        result.append(names[required.index(var)])
    return result


def _dispatch_definition(name: Any, lambda_list: Any, shape: Shape, combination: Symbol,
                         most_specific_last: bool, precedence_order: Any) -> dict[str, Any]:
    """What dispatch is told of a generic function: the keyword arguments of ``make_generic``
    and ``reinitialize`` (the argument precedence order always given: NIL means left to right)."""
    where = f"DEFGENERIC {function_name_text(name)}"
    dispatched = _required_names(lambda_list, shape.required)
    order = _precedence_names(lambda_list, precedence_order, shape, where)
    return {"dispatched": dispatched, "combination": _combination_name(combination),
            "most_specific_last": most_specific_last,
            "argument_precedence_order": dispatched if order is None else order}


def _make_callable(info: GenericInfo) -> Any:
    definition = _dispatch_definition(info.name, info.lambda_list, info.shape, info.combination,
                                      info.most_specific_last, info.precedence_order)
    try:
        gf = make_generic(function_name_text(info.name), definition.pop("dispatched"),
                          **definition, values=LISP_VALUES,
                          no_applicable_method=_no_applicable_method,
                          no_next_method=_no_next_method, invalid_method=_invalid_method,
                          on_change=info.changed)
    except (ValueError, InvalidMethodError) as exc:
        raise errors.program_error(f"DEFGENERIC {function_name_text(info.name)}: {exc}") from None
    gf.lisp_info = info
    if type(gf) not in _registered_types:
        # The native generic function type is made by dispatch on first use.
        register_type(type(gf), find_class(cl_symbol("STANDARD-GENERIC-FUNCTION")))
        _registered_types.add(type(gf))
    return gf


def ensure_generic_function(name: Any, lambda_list: Any = NO_LAMBDA_LIST, *,
                            method_combination: Symbol = STANDARD, most_specific_last: bool = False,
                            argument_precedence_order: Any = NIL,
                            documentation: str | None = None) -> Any:
    """Define the generic function ``name`` or update it (CLHS ``ensure-generic-function``).

    ``lambda_list`` :data:`NO_LAMBDA_LIST` leaves an existing one alone (``defmethod``'s implicit definition passes
    it later through :func:`add_method`). An update changes the generic function in place (the
    same object) and keeps its methods; a lambda list incongruent with a method is an error and
    changes nothing. A method whose qualifiers the new combination rejects stays: calls it
    applies to signal the error (CLHS 7.6.6, as SBCL).
    """
    where = f"DEFGENERIC {function_name_text(name)}"
    with _definition_lock:
        existing = fdefinition(name)
        if existing is not None and not is_generic_function(existing):
            raise errors.program_error(f"{where}: {function_name_text(name)} already names an "
                                       f"ordinary function or macro")
        shape = None if lambda_list is NO_LAMBDA_LIST else shape_of(lambda_list)
        if existing is None:
            if shape is None:
                raise errors.program_error(f"{where}: a new generic function needs a lambda list")
            info = GenericInfo(name, lambda_list, shape, method_combination, most_specific_last,
                               argument_precedence_order, documentation)
            gf = _make_callable(info)
            _set_fdefinition(name, gf)
            return gf
        info = info_of(existing)
        if shape is None:
            lambda_list, shape = info.lambda_list, info.shape
        for m in methods_of(existing):
            if not m.from_python:
                check_congruent(shape, m.shape, f"{where}: method {m!r}")
        definition = _dispatch_definition(name, lambda_list, shape, method_combination,
                                          most_specific_last, argument_precedence_order)
        if definition != _dispatch_definition(name, info.lambda_list, info.shape, info.combination,
                                              info.most_specific_last, info.precedence_order):
            try:
                existing.reinitialize(**definition)
            except (ValueError, InvalidMethodError) as exc:
                raise errors.program_error(f"{where}: {exc}") from None
        info.lambda_list, info.shape = lambda_list, shape
        info.changed()  # the accepted keyword arguments may change
        info.combination, info.most_specific_last = method_combination, most_specific_last
        info.precedence_order = argument_precedence_order
        if documentation is not None:
            info.documentation = documentation
        return existing


# -- methods -------------------------------------------------------------------------------------

def make_method(qualifiers: Sequence[Any], specializers: Sequence[Any], lambda_list: Any,
                function: Callable[..., Any], wants_next: bool,
                documentation: str | None = None) -> LispMethod:
    """A method metaobject; ``specializers`` are classes, class names, or ``(eql value)``
    specializers (:class:`EqlSpecializer`)."""
    where = "DEFMETHOD"
    specs = tuple(s if isinstance(s, EqlSpecializer) else as_class(s, where) for s in specializers)
    for s in specs:
        if isinstance(s, ForwardReferencedClass):
            raise errors.clos_error(f"{where}: the class {display_name(s)} is not defined yet")
    shape = shape_of(lambda_list)
    if shape.required != len(specs):
        raise errors.program_error(f"{where}: {len(specs)} specializer(s) for "
                                   f"{shape.required} required parameter(s)")
    return LispMethod(tuple(qualifiers), specs, lambda_list, function, wants_next, shape,
                      documentation)


def add_method(gf_or_name: Any, method: LispMethod, *,
               implicit_lambda_list: Any = NO_LAMBDA_LIST) -> Any:
    """CL ``add-method`` (and the heart of ``defmethod``): add or replace ``method``.

    Given a name of no function, the generic function is created from the method's lambda list
    (``implicit_lambda_list``, without specializers), as ``defmethod`` does. Returns the generic
    function. An incongruent lambda list is a PROGRAM-ERROR, and nothing changes; qualifiers the
    combination does not accept are the error of the calls the method applies to (CLHS 7.6.6).
    """
    with _definition_lock:
        gf = gf_or_name if is_generic_function(gf_or_name) else fdefinition(gf_or_name)
        created = gf is None
        if created:
            gf = ensure_generic_function(gf_or_name, implicit_lambda_list)
            info = info_of(gf)
            info.shape = gf_shape_from_method(method.shape)
            info.changed()
        elif not is_generic_function(gf):
            raise errors.program_error(f"DEFMETHOD {function_name_text(gf_or_name)}: it names an "
                                       f"ordinary function or macro, not a generic function")
        try:
            _add(gf, method)
        except Exception:
            if created:  # nothing half-defined: the implicit generic function goes too
                namespace.GLOBALS.pop(_key(gf_or_name), None)
            raise
    return gf


def _add(gf: Any, method: LispMethod) -> None:
    info = info_of(gf)
    where = f"DEFMETHOD {function_name_text(info.name)} ({method.describe_specializers()})"
    owner = owner_of(method)
    if owner is not None and owner is not gf:
        raise errors.clos_error(f"{where}: the method already belongs to "
                                f"{function_name_text(info_of(owner).name)}")
    check_congruent(info.shape, method.shape, where)
    try:
        gf.add_method(method.dispatch_method)  # replaces the method of the same key
    except (InvalidMethodError, ValueError) as exc:
        raise errors.program_error(f"{where}: {exc}") from None
    method.generic_function = gf


_STANDARD_QUALIFIERS = ((), (keyword("BEFORE"),), (keyword("AFTER"),), (keyword("AROUND"),))


def _accepted_qualifiers(combination: Symbol) -> tuple[tuple[Any, ...], ...]:
    if combination is STANDARD:
        return _STANDARD_QUALIFIERS
    return ((combination,), (keyword("AROUND"),))


def _qualifiers_refused(combination: Symbol, method: LispMethod) -> str | None:
    """Why ``combination`` cannot run ``method`` for its qualifiers (CLHS 7.6.6.2 / 7.6.6.4), in
    Lisp terms; None if it accepts them. Dispatch decides (see qualifier_name), this words it."""
    accepted = _accepted_qualifiers(combination)
    if method.qualifiers in accepted:
        return None
    allowed = ", ".join(" ".join(errors.show(q) for q in qs) or "none" for qs in accepted)
    quals = " ".join(errors.show(q) for q in method.qualifiers) or "none"
    return (f"the qualifiers {quals} are not accepted by the method combination "
            f"{errors.show(combination)}, which takes: {allowed}")


def owner_of(method: LispMethod) -> Any:
    """The generic function ``method`` is a method of, or None (CL ``method-generic-function``)."""
    gf = method.generic_function
    return gf if gf is not None and method.dispatch_method in gf.methods else None


def remove_method(gf: Any, method: LispMethod) -> Any:
    """CL ``remove-method``: returns the generic function; a method not in it is ignored."""
    _info_or_error(gf, "REMOVE-METHOD")
    try:
        gf.remove_method(method.dispatch_method)
    except ValueError:
        pass  # not a method of gf (perhaps removed by another thread just now)
    return gf


def find_method(gf: Any, qualifiers: Any, specializers: Any, errorp: bool = True) -> LispMethod | None:
    """CL ``find-method``."""
    info = _info_or_error(gf, "FIND-METHOD")
    specs = tuple(s if isinstance(s, EqlSpecializer) else as_class(s, "FIND-METHOD")
                  for s in iter_list(specializers))
    key = (tuple(iter_list(qualifiers)), specs)
    for m in methods_of(gf):
        if m.key == key:
            return m
    if errorp:
        raise errors.clos_error(f"FIND-METHOD: {function_name_text(info.name)} has no method with "
                                f"qualifiers {list(key[0])!r} and specializers "
                                f"{' '.join(map(_spec_text, specs))}")
    return None


def _spec_text(spec: Specializer) -> str:
    return repr(spec) if isinstance(spec, EqlSpecializer) else display_name(spec)


def _info_or_error(gf: Any, who: str) -> GenericInfo:
    info = info_of(gf)
    if info is None:
        raise errors.clos_error(f"{who}: {gf!r} is not a generic function")
    return info


def methods_of(gf: Any, who: str = "GENERIC-FUNCTION-METHODS") -> list[LispMethod]:
    """The generic function's methods as Lisp sees them, in definition order, read from
    dispatch's method set."""
    _info_or_error(gf, who)
    return [lisp_method_of(gf, m) for m in gf.methods]


def compute_applicable_methods(gf: Any, args: Sequence[Any]) -> Any:
    """CL ``compute-applicable-methods``: the applicable methods, most specific first."""
    _info_or_error(gf, "COMPUTE-APPLICABLE-METHODS")
    return make_list(lisp_method_of(gf, m) for m in gf.compute_applicable_methods(*args))


def lisp_method_of(gf: Any, method: Method) -> LispMethod:
    """The metaobject of one of the Lisp generic function ``gf``'s methods."""
    found = method.metaobject
    if isinstance(found, LispMethod):
        return found
    return info_of(gf).python_method(gf, method)


def python_method_metaobject(info: GenericInfo, gf: Any, method: Method) -> LispMethod:
    """A metaobject for a method added from Python: its qualifiers as the Lisp writes them (the
    combination's symbol, keywords for the standard ones), its specializers as Lisp classes and
    eql specializers, and the generic function's lambda list."""
    by_name = {qualifier_name(q): q for qs in _accepted_qualifiers(info.combination) for q in qs}
    qualifiers = tuple(by_name.get(q) or keyword(q.upper()) for q in method.qualifiers)
    specializers = tuple(EqlSpecializer(s.value) if isinstance(s, Eql) else class_for_type(s)
                         for s in method.specializers)
    return LispMethod(qualifiers, specializers, info.lambda_list, method.function,
                      method.wants_next, info.shape, generic_function=gf, dispatch_method=method)


def check_method_keys(name: Any, args: Any) -> None:
    """Raise a PROGRAM-ERROR if the keyword arguments ``args`` (a Lisp list) are not accepted by
    the generic function ``name`` (what a method with ``&key`` runs first)."""
    gf = fdefinition(name)
    info = info_of(gf)
    accepted = info.accepted_keys(gf) if info is not None else None
    if accepted is None or args is NIL:
        return
    items = list(iter_list(args))
    if len(items) % 2:
        raise errors.program_error(f"{function_name_text(name)}: odd number of keyword arguments")
    pairs = list(zip(items[::2], items[1::2]))
    if next((v for k, v in pairs if k is _ALLOW_OTHER_KEYS), NIL) is not NIL:
        return
    for key, _ in pairs:
        if key not in accepted and key is not _ALLOW_OTHER_KEYS:
            names = " ".join(errors.show(k) for k in sorted(accepted, key=lambda k: k.name))
            raise errors.program_error(f"unknown keyword argument {errors.show(key)} to "
                                       f"{function_name_text(name)}; it accepts: "
                                       f"{names or 'no keywords'}")


_ALLOW_OTHER_KEYS = keyword("ALLOW-OTHER-KEYS")


# -- no applicable method, no next method -----------------------------------------------------------

# Bound by lisp.clos.protocol to the generic functions NO-APPLICABLE-METHOD and NO-NEXT-METHOD.
hooks: dict[str, Callable[..., Any]] = {}


def _no_applicable_method(gf: Any, *args: Any) -> Any:
    return hooks["no-applicable-method"](gf, *args)


def _invalid_method(gf: Any, dispatch_method: Any, message: str, *args: Any) -> Any:
    # An applicable method the combination cannot run: the call's error (CLHS 7.6.6), as SBCL.
    info = info_of(gf)
    method = lisp_method_of(gf, dispatch_method)
    reason = _qualifiers_refused(info.combination, method) or message
    raise errors.clos_error(f"{function_name_text(info.name)}: invalid method {method!r}: {reason}")


def _no_next_method(gf: Any, dispatch_method: Any, *args: Any) -> Any:
    return hooks["no-next-method"](gf, lisp_method_of(gf, dispatch_method), *args)


# -- classes seen by dispatch -----------------------------------------------------------------------

def _precedence(pytype: type) -> tuple[type, ...]:
    keys = class_for_type(pytype).precedence_types
    # An alias type (SourceCons for CONS) dispatches like its class but must head its own list.
    return keys if keys[0] is pytype else (pytype, *keys)


def _classes_redefined(classes: list[LispClass]) -> None:
    for c in classes:
        class_changed(c.python_type)


add_precedence_provider(_precedence)
class_redefined_hooks.append(_classes_redefined)
