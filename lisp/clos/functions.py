"""The object system's functions as Lisp sees them (``slot-value``, ``find-class``, ``add-method``
...), registered in the function namespace, plus the ``SYS::%`` helpers the CLOS macros expand
into."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lisp.clos import errors, generic, standard
from lisp.clos.classes import LispClass, class_of, find_class, set_find_class
from lisp.clos.defclass import ensure_class
from lisp.clos.methods import EqlSpecializer, LispMethod
from lisp.clos.standard import DirectSlot, StandardClass
from lisp.compiler.runtime import parse_keywords
from lisp.runtime.data import NIL, SYSTEM, Symbol, T, cl_symbol, iter_list, make_list
from lisp.runtime.namespace import GLOBALS, builtin, setf_function_key
from lisp.syntax.reader import read_from_string


def _bool(x: bool) -> Any:
    return T if x else NIL


def setf_builtin(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a Python function as ``#'(setf name)`` (new value first, as CL setf functions)."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        GLOBALS[setf_function_key(cl_symbol(name))] = fn
        return fn

    return register


def sys_builtin(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a helper the CLOS macros expand into, as ``SYS::name``."""
    return builtin(name, SYSTEM)


# -- slots ----------------------------------------------------------------------------------------------

builtin("SLOT-VALUE")(standard.slot_value)


@setf_builtin("SLOT-VALUE")
def _setf_slot_value(value: Any, obj: Any, name: Symbol) -> Any:
    return standard.set_slot_value(obj, name, value)


@builtin("SLOT-BOUNDP")
def slot_boundp(obj: Any, name: Symbol) -> Any:
    return _bool(standard.slot_boundp(obj, name))


@builtin("SLOT-EXISTS-P")
def slot_exists_p(obj: Any, name: Symbol) -> Any:
    return _bool(standard.slot_exists_p(obj, name))


builtin("SLOT-MAKUNBOUND")(standard.slot_makunbound)


# -- classes --------------------------------------------------------------------------------------------

builtin("CLASS-OF")(class_of)


@builtin("FIND-CLASS")
def find_class_(name: Symbol, errorp: Any = T, environment: Any = NIL) -> Any:
    found = find_class(name, errorp is not NIL)
    return NIL if found is None else found


@setf_builtin("FIND-CLASS")
def _setf_find_class(cls: Any, name: Symbol, errorp: Any = NIL, environment: Any = NIL) -> Any:
    if cls is not NIL and not isinstance(cls, LispClass):
        raise errors.clos_error(f"(SETF FIND-CLASS): {errors.show(cls)} is not a class")
    set_find_class(name, cls)
    return cls


def _class(cls: Any, who: str) -> LispClass:
    if not isinstance(cls, LispClass):
        raise errors.clos_error(f"{who}: {errors.show(cls)} is not a class")
    return cls


@builtin("CLASS-PRECEDENCE-LIST")
def class_precedence_list(cls: LispClass) -> Any:
    return make_list(_class(cls, "CLASS-PRECEDENCE-LIST").precedence_list)


@builtin("CLASS-DIRECT-SUPERCLASSES")
def class_direct_superclasses(cls: LispClass) -> Any:
    return make_list(_class(cls, "CLASS-DIRECT-SUPERCLASSES").direct_superclasses)


@builtin("CLASS-DIRECT-SUBCLASSES")
def class_direct_subclasses(cls: LispClass) -> Any:
    return make_list(_class(cls, "CLASS-DIRECT-SUBCLASSES").direct_subclasses)


@builtin("CLASS-SLOTS")
def class_slots(cls: LispClass) -> Any:
    """The names of the class's slots (a deviation: CL returns slot definition objects)."""
    return make_list(s.name for s in getattr(_class(cls, "CLASS-SLOTS"), "slots", ()))


# -- generic functions and methods ---------------------------------------------------------------------

@builtin("ENSURE-GENERIC-FUNCTION")
def ensure_generic_function(name: Any, *options: Any) -> Any:
    opts = parse_keywords(options, ("LAMBDA-LIST", "METHOD-COMBINATION", "DOCUMENTATION",
                                    "ARGUMENT-PRECEDENCE-ORDER"), "ENSURE-GENERIC-FUNCTION",
                          allow_other_keys=True)
    return generic.ensure_generic_function(
        name, opts.get("LAMBDA-LIST", generic.NO_LAMBDA_LIST),
        method_combination=opts.get("METHOD-COMBINATION", generic.STANDARD),
        argument_precedence_order=opts.get("ARGUMENT-PRECEDENCE-ORDER", NIL),
        documentation=opts.get("DOCUMENTATION"))


builtin("ADD-METHOD")(generic.add_method)
builtin("REMOVE-METHOD")(generic.remove_method)


@builtin("FIND-METHOD")
def find_method(gf: Any, qualifiers: Any, specializers: Any, errorp: Any = T) -> Any:
    found = generic.find_method(gf, qualifiers, specializers, errorp is not NIL)
    return NIL if found is None else found


@builtin("COMPUTE-APPLICABLE-METHODS")
def compute_applicable_methods(gf: Any, args: Any) -> Any:
    return generic.compute_applicable_methods(gf, list(iter_list(args)))


def _method(m: Any, who: str) -> LispMethod:
    if not isinstance(m, LispMethod):
        raise errors.clos_error(f"{who}: {errors.show(m)} is not a method")
    return m


@builtin("METHOD-QUALIFIERS")
def method_qualifiers(m: LispMethod) -> Any:
    return make_list(_method(m, "METHOD-QUALIFIERS").qualifiers)


@builtin("METHOD-SPECIALIZERS")
def method_specializers(m: LispMethod) -> Any:
    return make_list(_method(m, "METHOD-SPECIALIZERS").specializers)


@builtin("METHOD-GENERIC-FUNCTION")
def method_generic_function(m: LispMethod) -> Any:
    gf = generic.owner_of(_method(m, "METHOD-GENERIC-FUNCTION"))
    return NIL if gf is None else gf


@builtin("GENERIC-FUNCTION-METHODS")
def generic_function_methods(gf: Any) -> Any:
    return make_list(generic.methods_of(gf, "GENERIC-FUNCTION-METHODS"))


@builtin("GENERIC-FUNCTION-NAME")
def generic_function_name(gf: Any) -> Any:
    return generic._info_or_error(gf, "GENERIC-FUNCTION-NAME").name


@builtin("GENERIC-FUNCTION-LAMBDA-LIST")
def generic_function_lambda_list(gf: Any) -> Any:
    return generic._info_or_error(gf, "GENERIC-FUNCTION-LAMBDA-LIST").lambda_list


@builtin("COMPILE-GENERIC-FUNCTION")
def compile_generic_function(gf: Any) -> Any:
    """Compile the native dispatcher for the call history now (a gfjit extension): T if one was
    installed."""
    generic._info_or_error(gf, "COMPILE-GENERIC-FUNCTION")
    return _bool(gf.compile())


# -- what the macros expand into --------------------------------------------------------------------

@sys_builtin("%EQL-SPECIALIZER")
def eql_specializer(obj: Any) -> EqlSpecializer:
    return EqlSpecializer(obj)


@sys_builtin("%CALL-NEXT-METHOD")
def call_next_method(next_method: Callable[..., Any], args: Any) -> Any:
    """``(call-next-method)`` passes the method's own arguments on; with arguments, those."""
    if args is NIL:
        return next_method()
    return next_method(*iter_list(args))


@sys_builtin("%CALL-NEXT")
def call_next(next_method: Callable[..., Any], *args: Any) -> Any:
    """A direct ``(call-next-method arg...)``: no argument list is consed."""
    return next_method(*args)


sys_builtin("%CHECK-METHOD-KEYS")(generic.check_method_keys)


@sys_builtin("%NEXT-METHOD-P")
def next_method_p(next_method: Any) -> Any:
    return _bool(bool(next_method))


@sys_builtin("%DIRECT-SLOT")
def direct_slot(name: Symbol, initargs: Any, initform: Any, initfunction: Any, readers: Any,
                writers: Any, allocation: Symbol, type_: Any, documentation: Any) -> DirectSlot:
    return DirectSlot(name, tuple(iter_list(initargs)), initform,
                      None if initfunction is NIL else initfunction, tuple(iter_list(readers)),
                      tuple(iter_list(writers)), allocation, None if type_ is NIL else type_,
                      None if documentation is NIL else documentation)


@sys_builtin("%DEFCLASS")
def defclass(name: Symbol, superclasses: Any, slots: Any, default_initargs: Any,
             documentation: Any) -> StandardClass:
    """Define the class, then its accessor methods (replacing those of a former definition)."""
    direct_slots = list(iter_list(slots))
    initargs = [tuple(iter_list(entry)) for entry in iter_list(default_initargs)]
    cls = ensure_class(name, list(iter_list(superclasses)), direct_slots, initargs,
                       None if documentation is NIL else documentation)
    _install_accessors(cls)
    return cls


def _install_accessors(cls: StandardClass) -> None:
    # New methods replace old ones of the same key in one step, so a call racing a redefinition
    # sees either accessor; only accessors no longer declared are removed afterwards.
    t_class = find_class(cl_symbol("T"))
    methods = []
    for slot in cls.direct_slots:
        for reader in slot.readers:
            methods.append(_add_accessor(reader, (cls,), standard.slot_reader(slot.name),
                                         "(object)"))
        for writer in slot.writers:
            methods.append(_add_accessor(writer, (t_class, cls), _writer(slot.name),
                                         "(new-value object)"))
    for old in getattr(cls, "accessor_methods", ()):
        gf = generic.owner_of(old)
        if gf is not None:
            generic.remove_method(gf, old)
    cls.accessor_methods = methods


def _writer(name: Symbol) -> Callable[[Any, Any], Any]:
    set_slot_value = standard.set_slot_value
    return lambda value, obj: set_slot_value(obj, name, value)


def _add_accessor(fname: Any, specializers: tuple[LispClass, ...], fn: Callable[..., Any],
                  lambda_list: str) -> LispMethod:
    ll = read_from_string(lambda_list)
    method = generic.make_method((), specializers, ll, fn, wants_next=False)
    generic.add_method(fname, method, implicit_lambda_list=ll)
    return method


@sys_builtin("%DEFGENERIC")
def defgeneric(name: Any, lambda_list: Any, combination: Symbol, most_specific_last: Any,
               precedence_order: Any, documentation: Any, methods: Any) -> Any:
    """Define the generic function; methods from a former ``defgeneric``'s ``:method`` options
    are removed, the new ones added."""
    gf = generic.ensure_generic_function(
        name, lambda_list, method_combination=combination,
        most_specific_last=most_specific_last is not NIL,
        argument_precedence_order=precedence_order,
        documentation=None if documentation is NIL else documentation)
    info = generic.info_of(gf)
    for old in list(info.from_defgeneric):
        generic.remove_method(gf, old)
    info.from_defgeneric = []
    for method_args in iter_list(methods):
        info.from_defgeneric.append(defmethod(name, *iter_list(method_args)))
    return gf


@sys_builtin("%DEFMETHOD")
def defmethod(name: Any, qualifiers: Any, specializers: Any, lambda_list: Any,
              function: Callable[..., Any], wants_next: Any, documentation: Any) -> LispMethod:
    method = generic.make_method(list(iter_list(qualifiers)), list(iter_list(specializers)),
                                 lambda_list, function, wants_next is not NIL,
                                 None if documentation is NIL else documentation)
    generic.add_method(name, method, implicit_lambda_list=lambda_list)
    return method

