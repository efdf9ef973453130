"""The standard generic functions of the object system and their default methods.

``make-instance``, ``allocate-instance``, ``initialize-instance``, ``reinitialize-instance``,
``shared-initialize``, ``update-instance-for-redefined-class``, ``class-name`` and its setf, ``slot-missing``,
``slot-unbound``, ``no-applicable-method`` and ``no-next-method`` are Lisp generic functions whose
default methods are written in Python, so Lisp ``:before``/``:after``/``:around`` methods on them
work as the standard says. The defaults call one another through the generic functions (the
default ``make-instance`` calls ``initialize-instance``, which calls ``shared-initialize``), never
directly. Importing this module installs them and points the hooks of
:mod:`lisp.clos.standard` and :mod:`lisp.clos.generic` at them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from lisp.clos import errors, generic, initialization, standard
from lisp.clos.classes import LispClass, as_class, class_of, display_name
from lisp.clos.methods import LispMethod
from lisp.clos.standard import Instance, StandardClass
from lisp.clos.structures import StructureClass
from lisp.runtime.data import NIL, Symbol, cl_symbol, make_list
from lisp.syntax.printer import prin1_to_string
from lisp.syntax.reader import read_from_string


def _symbol_text(obj: Any) -> str:
    return prin1_to_string(obj)


def define_generic(name: str, lambda_list: str) -> Any:
    """Define the COMMON-LISP generic function ``name`` with a lambda list given as text."""
    return generic.ensure_generic_function(cl_symbol(name), read_from_string(lambda_list))


def define_python_method(gf: Any, specializers: Sequence[str], lambda_list: str,
                         function: Callable[..., Any], qualifiers: Sequence[Any] = ()) -> LispMethod:
    """Add a method written in Python; ``specializers`` are names of standard classes."""
    method = generic.make_method(qualifiers, [cl_symbol(s) for s in specializers],
                                 read_from_string(lambda_list), function, wants_next=False)
    generic.add_method(gf, method)
    return method


# -- creation and initialization ----------------------------------------------------------------------

MAKE_INSTANCE = define_generic("MAKE-INSTANCE", "(class &rest initargs &key &allow-other-keys)")
ALLOCATE_INSTANCE = define_generic("ALLOCATE-INSTANCE", "(class &rest initargs &key &allow-other-keys)")
INITIALIZE_INSTANCE = define_generic("INITIALIZE-INSTANCE",
                                     "(instance &rest initargs &key &allow-other-keys)")
REINITIALIZE_INSTANCE = define_generic("REINITIALIZE-INSTANCE",
                                       "(instance &rest initargs &key &allow-other-keys)")
SHARED_INITIALIZE = define_generic("SHARED-INITIALIZE",
                                   "(instance slot-names &rest initargs &key &allow-other-keys)")
UPDATE_FOR_REDEFINED = define_generic(
    "UPDATE-INSTANCE-FOR-REDEFINED-CLASS",
    "(instance added-slots discarded-slots property-list &rest initargs &key &allow-other-keys)")


def _applies_to(method: LispMethod, cls: LispClass) -> bool:
    spec = method.specializers[0]
    return isinstance(spec, LispClass) and spec in cls.precedence_list


_valid_cache: dict[StandardClass, tuple[Any, frozenset[Any] | None]] = {}


def valid_initargs(cls: StandardClass, gfs: Sequence[Any] = (INITIALIZE_INSTANCE, SHARED_INITIALIZE)
                   ) -> frozenset[Any] | None:
    """The initargs valid for ``cls`` (CLHS 7.1.2): its slots' initargs and the keyword
    parameters of the applicable initialization methods; None if one allows other keys."""
    stamp = (cls.layout, tuple(generic.info_of(gf).version for gf in gfs))
    cached = _valid_cache.get(cls)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    valid: set[Any] | None = initialization.slot_initargs(cls)
    for gf in gfs:
        for m in generic.methods_of(gf):
            if valid is not None and _applies_to(m, cls):
                if m.shape.accepts_any_key:
                    valid = None
                else:
                    valid |= set(m.shape.keys)
    result = None if valid is None else frozenset(valid)
    _valid_cache[cls] = (stamp, result)
    return result


def _make_instance_by_name(name: Symbol, *initargs: Any) -> Any:
    cls = as_class(name, "MAKE-INSTANCE")
    if not isinstance(cls, StructureClass):  # which has methods of its own (lisp.library.structures)
        cls = initialization.standard_class(cls, "MAKE-INSTANCE")
    return MAKE_INSTANCE(cls, *initargs)


def _make_instance(cls: StandardClass, *initargs: Any) -> Any:
    cls = initialization.standard_class(cls, "MAKE-INSTANCE")
    return initialization.make_instance_steps(cls, initargs, valid_initargs,
                                              ALLOCATE_INSTANCE, INITIALIZE_INSTANCE)


def _allocate_instance(cls: StandardClass, *initargs: Any) -> Instance:
    return standard.allocate_instance(cls)


def _initialize_instance(instance: Instance, *initargs: Any) -> Instance:
    SHARED_INITIALIZE(instance, cl_symbol("T"), *initargs)
    return instance


def _reinitialize_instance(instance: Instance, *initargs: Any) -> Instance:
    cls = standard.current_layout(instance).cls
    initialization.check_initargs(cls, initargs, valid_initargs(cls, (REINITIALIZE_INSTANCE,
                                                                       SHARED_INITIALIZE)),
                                  f"REINITIALIZE-INSTANCE of a {display_name(cls)}")
    SHARED_INITIALIZE(instance, NIL, *initargs)
    return instance


def _update_for_redefined(instance: Instance, added: Any, discarded: Any, plist: Any,
                          *initargs: Any) -> Instance:
    SHARED_INITIALIZE(instance, added, *initargs)
    return instance


define_python_method(MAKE_INSTANCE, ["SYMBOL"], "(class &rest initargs &key)", _make_instance_by_name)
define_python_method(MAKE_INSTANCE, ["STANDARD-CLASS"], "(class &rest initargs &key)", _make_instance)
define_python_method(ALLOCATE_INSTANCE, ["STANDARD-CLASS"], "(class &rest initargs &key)",
                     _allocate_instance)
define_python_method(INITIALIZE_INSTANCE, ["STANDARD-OBJECT"], "(instance &rest initargs &key)",
                     _initialize_instance)
define_python_method(REINITIALIZE_INSTANCE, ["STANDARD-OBJECT"], "(instance &rest initargs &key)",
                     _reinitialize_instance)
define_python_method(SHARED_INITIALIZE, ["STANDARD-OBJECT", "T"],
                     "(instance slot-names &rest initargs &key)", initialization.shared_initialize)
define_python_method(UPDATE_FOR_REDEFINED, ["STANDARD-OBJECT", "T", "T", "T"],
                     "(instance added discarded plist &rest initargs &key)", _update_for_redefined)


CHANGE_CLASS = define_generic("CHANGE-CLASS", "(instance new-class &rest initargs &key)")
UPDATE_FOR_DIFFERENT = define_generic("UPDATE-INSTANCE-FOR-DIFFERENT-CLASS",
                                      "(previous current &rest initargs &key)")


def _change_class(instance: Instance, new_class: Any, *initargs: Any) -> Instance:
    cls = initialization.standard_class(new_class, "CHANGE-CLASS")
    initialization.check_initargs(cls, initargs, valid_initargs(cls, (UPDATE_FOR_DIFFERENT,
                                                                       SHARED_INITIALIZE)),
                                  f"CHANGE-CLASS to {display_name(cls)}")
    previous = standard.change_class(instance, cls)
    UPDATE_FOR_DIFFERENT(previous, instance, *initargs)
    return instance


def _update_for_different(previous: Instance, current: Instance, *initargs: Any) -> Instance:
    # CLHS 7.2.2: the slots local in the new class and not in the old one are initialized.
    old = previous._layout
    added = [n for n in standard.current_layout(current).local_names
             if not isinstance(old.locations.get(n), int)]
    SHARED_INITIALIZE(current, make_list(added), *initargs)
    return current


define_python_method(CHANGE_CLASS, ["STANDARD-OBJECT", "T"],
                     "(instance new-class &rest initargs &key)", _change_class)
define_python_method(UPDATE_FOR_DIFFERENT, ["STANDARD-OBJECT", "STANDARD-OBJECT"],
                     "(previous current &rest initargs &key)", _update_for_different)


def _after_rearranging(instance: Instance, added: list[Any], discarded: list[Any],
                       plist: list[Any]) -> None:
    UPDATE_FOR_REDEFINED(instance, make_list(added), make_list(discarded), make_list(plist))


standard.HOOKS.update_instance_for_redefined_class = _after_rearranging


# -- class-name and (setf class-name) --------------------------------------------------------------------

CLASS_NAME = define_generic("CLASS-NAME", "(class)")
SETF_CLASS_NAME = generic.ensure_generic_function(make_list([cl_symbol("SETF"), cl_symbol("CLASS-NAME")]),
                                                  read_from_string("(new-value class)"))


def _set_class_name(new_name: Any, cls: LispClass) -> Any:
    # The class's proper name changes; find-class still maps the old name to it (CLHS 4.3.1).
    cls.name = new_name
    return new_name


define_python_method(CLASS_NAME, ["CLASS"], "(class)", lambda cls: cls.name)
define_python_method(SETF_CLASS_NAME, ["T", "CLASS"], "(new-value class)", _set_class_name)


# -- slot-missing, slot-unbound ------------------------------------------------------------------------

SLOT_MISSING = define_generic("SLOT-MISSING",
                              "(class object slot-name operation &optional new-value)")
SLOT_UNBOUND = define_generic("SLOT-UNBOUND", "(class instance slot-name)")


define_python_method(SLOT_MISSING, ["T", "T", "T", "T"],
                     "(class object slot-name operation &optional new-value)",
                     standard.default_slot_missing)
define_python_method(SLOT_UNBOUND, ["T", "T", "T"], "(class instance slot-name)",
                     standard.default_slot_unbound)
standard.HOOKS.slot_missing = SLOT_MISSING
standard.HOOKS.slot_unbound = SLOT_UNBOUND


# -- no-applicable-method, no-next-method -----------------------------------------------------------

NO_APPLICABLE_METHOD = define_generic("NO-APPLICABLE-METHOD", "(generic-function &rest arguments)")
NO_NEXT_METHOD = define_generic("NO-NEXT-METHOD", "(generic-function method &rest arguments)")


def _arguments_text(args: Sequence[Any]) -> str:
    return " ".join(f"{_symbol_text(a)} (a {display_name(class_of(a))})" for a in args)


def _no_applicable_method(gf: Any, *args: Any) -> Any:
    name = generic.function_name_text(generic.info_of(gf).name) if generic.info_of(gf) else repr(gf)
    raise errors.NoApplicableMethodError(name, args, f"there is no applicable method for the generic function "
                                         f"{name} when called with arguments: {_arguments_text(args) or 'none'}")


def _no_next_method(gf: Any, method: Any, *args: Any) -> Any:
    name = generic.function_name_text(generic.info_of(gf).name) if generic.info_of(gf) else repr(gf)
    raise errors.clos_error(f"there is no next method for the method {method!r} of {name} "
                            f"when called with arguments: {_arguments_text(args) or 'none'}")


define_python_method(NO_APPLICABLE_METHOD, ["T"], "(generic-function &rest arguments)",
                     _no_applicable_method)
define_python_method(NO_NEXT_METHOD, ["T", "T"], "(generic-function method &rest arguments)",
                     _no_next_method)
generic.hooks["no-applicable-method"] = NO_APPLICABLE_METHOD
generic.hooks["no-next-method"] = NO_NEXT_METHOD
