"""``make-load-form`` and ``make-load-form-saving-slots`` (CLHS 7.7).

``make-load-form`` is a generic function. Its methods on STANDARD-OBJECT, STRUCTURE-OBJECT and
CONDITION signal an error, as the standard says: a program defines its own for the objects it
wants in compiled constants. The method on CLASS returns ``(find-class 'name)``, as SBCL's.

``make-load-form-saving-slots`` returns SBCL's two forms: one that allocates an instance of the
object's class, and one that gives it the object's slot values (the bound slots among
``:slot-names``, all of them by default; the others are made unbound). The second form names the
object itself, quoted, where the standard's loader puts the new instance.
"""

from __future__ import annotations

from typing import Any

from lisp.clos import standard
from lisp.clos.classes import LispClass, class_of
from lisp.clos.functions import class_slots
from lisp.clos.protocol import define_generic, define_python_method
from lisp.library.arguments import keywords, show
from lisp.library.lists import list_items
from lisp.runtime.condition_classes import SimpleError
from lisp.runtime.data import NIL, cl_symbol, make_list
from lisp.runtime.data import lisp_list as L
from lisp.runtime.namespace import builtin
from lisp.runtime.signals import raise_error
from lisp.runtime.values import values

QUOTE = cl_symbol("QUOTE")
MAKE_LOAD_FORM = define_generic("MAKE-LOAD-FORM", "(object &optional environment)")


def _no_load_form(obj: Any, environment: Any = NIL) -> Any:
    return raise_error(SimpleError(f"MAKE-LOAD-FORM: no load form is defined for {show(obj)} (a "
                                   f"{show(class_of(obj).name)}); define a method, or use "
                                   f"MAKE-LOAD-FORM-SAVING-SLOTS"))


def _class_load_form(cls: LispClass, environment: Any = NIL) -> Any:
    return L(cl_symbol("FIND-CLASS"), L(QUOTE, cls.name))


for _class_name in ("STANDARD-OBJECT", "STRUCTURE-OBJECT", "CONDITION"):
    define_python_method(MAKE_LOAD_FORM, [_class_name], "(object &optional environment)", _no_load_form)
define_python_method(MAKE_LOAD_FORM, ["CLASS"], "(object &optional environment)", _class_load_form)


@builtin("MAKE-LOAD-FORM-SAVING-SLOTS")
def make_load_form_saving_slots(obj: Any, *args: Any) -> Any:
    """Two values: a form that allocates an instance of ``obj``'s class, and a form that sets its
    slots as ``obj``'s are."""
    kw = keywords(args, ("SLOT-NAMES", "ENVIRONMENT"), "MAKE-LOAD-FORM-SAVING-SLOTS")
    cls = class_of(obj)
    names = list_items(kw["SLOT-NAMES"]) if "SLOT-NAMES" in kw else list_items(class_slots(cls))
    quoted = L(QUOTE, obj)
    steps = [L(cl_symbol("SETF"), L(cl_symbol("SLOT-VALUE"), quoted, L(QUOTE, name)),
               L(QUOTE, standard.slot_value(obj, name)))
             if standard.slot_boundp(obj, name) else
             L(cl_symbol("SLOT-MAKUNBOUND"), quoted, L(QUOTE, name))
             for name in names]
    creation = L(cl_symbol("ALLOCATE-INSTANCE"), L(cl_symbol("FIND-CLASS"), L(QUOTE, cls.name)))
    return values(creation, make_list([cl_symbol("PROGN"), *steps]))
