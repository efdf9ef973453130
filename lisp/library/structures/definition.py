"""``defstruct``: the macro and what its expansion calls when it is evaluated.

``(defstruct point x y)`` expands into::

    (progn (sys::%defstruct '#<STRUCTURE-DESCRIPTION POINT> nil)   ; the class and the functions
           (defun make-point (&key ((:x #:x) nil) ((:y #:y) nil))  ; each constructor
             (sys::%struct-new '#<STRUCTURE-DESCRIPTION POINT> #:x #:y))
           'point)

The description (:mod:`.description`) is a literal of the expansion, as in SBCL. The constructors
are Lisp functions, so slot initforms are evaluated in the lexical environment of the
``defstruct``, at each call; ``%defstruct`` defines the class, the accessors, their setf functions,
the predicate and the copier as Python functions (:mod:`lisp.clos.structures`) before them. At top
level the forms of the ``progn`` are evaluated one by one, so the constructors, and code after the
``defstruct``, are compiled knowing the structure (:mod:`.compiled`).

A structure of ``:type list`` or ``vector`` has no class: its constructors build a list or vector
laid out as :class:`~.description.Description` says, and its accessors, predicate and copier are
``defun`` forms of the expansion.
"""

from __future__ import annotations

from typing import Any

from lisp.clos.classes import find_class, set_find_class
from lisp.clos.structures import (
    NO_VALUE,
    StructureClass,
    StructureSlot,
    define_structure_class,
)
from lisp.compiler.forms import items, show
from lisp.compiler.definitions import check_package_lock, define_function
from lisp.compiler.lambda_list import (
    AMP_AUX,
    AMP_KEY,
    AMP_OPTIONAL,
    LAMBDA_LIST_KEYWORDS,
    parse_lambda_list,
)
from lisp.compiler.macros import macro
from lisp.library.structures import compiled, protocol
from lisp.library.structures.description import (
    DESCRIPTIONS,
    NO_INITFORM,
    Constructor,
    Description,
    UndefinedIncluded,
    describe_defstruct,
)
from lisp.library.symbols import symbol_name
from lisp.runtime import hooks
from lisp.runtime.condition_classes import SimpleError
from lisp.runtime.data import (
    NIL,
    SYSTEM,
    Cons,
    Symbol,
    T,
    cl_symbol,
    keyword,
    make_list,
)
from lisp.runtime.data import lisp_list as L
from lisp.runtime.namespace import GLOBALS, builtin, setf_function_key
from lisp.runtime.signals import cerror, raise_error

QUOTE, DEFUN, SETF, PROGN, FUNCTION, LAMBDA = (cl_symbol(n) for n in ("QUOTE", "DEFUN", "SETF", "PROGN",
                                                                      "FUNCTION", "LAMBDA"))
DEFSTRUCT_FN, DEFSTRUCT_LATER = SYSTEM.intern("%DEFSTRUCT"), SYSTEM.intern("%DEFSTRUCT-LATER")


@macro("DEFSTRUCT")
def defstruct(form: Any, env: Any) -> Any:
    try:
        d = describe_defstruct(form, DESCRIPTIONS.get)
    except UndefinedIncluded:
        # Compiled before the included structure's definition ran (both in one form that is not
        # at top level): expanded when evaluated, in the null lexical environment.
        return L(DEFSTRUCT_LATER, L(QUOTE, form))
    return _expansion(d)


@builtin("%DEFSTRUCT-LATER", SYSTEM)
def defstruct_later(form: Any) -> Any:
    """Evaluate a ``defstruct`` whose included structure was not defined when it was compiled."""
    return hooks.evaluate(_expansion(describe_defstruct(form, DESCRIPTIONS.get)))


def _expansion(d: Description) -> Any:
    # A printer named by a symbol is called through it: it may be defined after the defstruct.
    printer = NIL if d.printer is None else L(QUOTE if isinstance(d.printer, Symbol) else FUNCTION, d.printer)
    # What make-instance of the class calls: the initforms, in the defstruct's environment.
    default = L(FUNCTION, L(LAMBDA, NIL, _construction(d, [_initform(s) for s in d.slots]))) \
        if d.representation == "class" else NIL
    forms = [L(DEFSTRUCT_FN, L(QUOTE, d), printer, default)]
    forms += [_constructor(d, c) for c in d.constructors]
    if d.representation != "class":
        forms += _typed_functions(d)
    return make_list([PROGN, *forms, L(QUOTE, d.name)])


# -- constructors --------------------------------------------------------------------------------

def _constructor(d: Description, c: Constructor) -> Any:
    if c.is_boa:
        lambda_list, values = _boa(d, c.boa_lambda_list)
    else:
        variables = [Symbol(s.string) for s in d.slots]
        lambda_list = make_list([AMP_KEY, *(L(L(keyword(s.string), v), _initform(s))
                                            for s, v in zip(d.slots, variables))])
        values = variables
    return L(DEFUN, c.name, lambda_list, _construction(d, values))


def _initform(slot: Any) -> Any:
    return NIL if slot.initform is NO_INITFORM else slot.initform


def _boa(d: Description, lambda_list: Any) -> tuple[Any, list[Any]]:
    """A BOA constructor's lambda list with the slots' initforms as the defaults of the optional
    and keyword parameters that name slots and have none, and the value of each slot: the
    parameter of its name, else its initform (CLHS 3.4.6). A typed slot named by an ``&aux``
    variable without a value is left uninitialized (NIL, unchecked: :data:`NO_VALUE`).""" 
    parse_lambda_list(lambda_list, d.form)  # a malformed one is reported as for any lambda list
    slots = {s.string: s for s in d.slots}
    bound: dict[str, Symbol] = {}
    rewritten = []
    state = None
    for item in items(lambda_list, d.form):
        if item in LAMBDA_LIST_KEYWORDS:
            state = item
            rewritten.append(item)
            continue
        spec = item.car if isinstance(item, Cons) else item
        variable = spec.cdr.car if isinstance(spec, Cons) else spec  # ((:key var) ...) in &key
        slot = slots.get(symbol_name(variable))
        if state in (AMP_OPTIONAL, AMP_KEY) and slot is not None and slot.initform is not NO_INITFORM \
                and not (isinstance(item, Cons) and isinstance(item.cdr, Cons)):
            item = L(spec, slot.initform)
        if slot is not None:
            uninitialized = state is AMP_AUX and not isinstance(item, Cons) and slot.type is not T
            bound[slot.string] = L(QUOTE, NO_VALUE) if uninitialized and d.representation == "class" \
                else variable
        rewritten.append(item)
    values = [bound.get(s.string, _initform(s)) for s in d.slots]
    return make_list(rewritten), values


def _construction(d: Description, values: list[Any]) -> Any:
    """The form that makes the structure from the forms of its slots' values."""
    if d.representation == "class":
        return make_list([compiled.STRUCT_NEW, L(QUOTE, d), *values])
    names = d.names_in_layout()
    where = {d.slot_index(i): v for i, v in enumerate(values)}
    pad = NIL if d.representation == "list" else 0  # SBCL's: what make-list and make-array give
    elements = [L(QUOTE, names[i]) if i in names else where.get(i, pad) for i in range(d.length)]
    if d.representation == "list":
        return make_list([cl_symbol("LIST"), *elements])
    if d.element_type is cl_symbol("T"):
        return make_list([cl_symbol("VECTOR"), *elements])
    return make_list([cl_symbol("MAKE-ARRAY"), d.length, keyword("ELEMENT-TYPE"), L(QUOTE, d.element_type),
                      keyword("INITIAL-CONTENTS"), make_list([cl_symbol("LIST"), *elements])])


# -- structures of :type list or vector ----------------------------------------------------------------

def _typed_functions(d: Description) -> list[Any]:
    obj, value = Symbol("OBJECT"), Symbol("VALUE")
    element = cl_symbol("NTH") if d.representation == "list" else cl_symbol("AREF")

    def ref(index: int) -> Any:
        return L(element, index, obj) if d.representation == "list" else L(element, obj, index)

    forms = []
    for i, slot in enumerate(d.slots):
        accessor = slot.accessor
        forms.append(L(DEFUN, accessor, L(obj), ref(d.slot_index(i))))
        if not slot.read_only:
            forms.append(L(DEFUN, L(SETF, accessor), L(value, obj), L(SETF, ref(d.slot_index(i)), value)))
    if d.predicate is not None:
        test = L(SYSTEM.intern("%NAMED-LIST-P"), obj, d.name_index, L(QUOTE, d.name)) \
            if d.representation == "list" else \
            L(SYSTEM.intern("%NAMED-VECTOR-P"), obj, d.name_index, d.length, L(QUOTE, d.name))
        forms.append(L(DEFUN, d.predicate, L(obj), test))
    if d.copier is not None:
        forms.append(L(DEFUN, d.copier, L(obj), L(cl_symbol("COPY-SEQ"), obj)))
    return forms


@builtin("%NAMED-LIST-P", SYSTEM)
def named_list_p(obj: Any, index: int, name: Symbol) -> Any:
    """Whether ``obj`` is a list whose element ``index`` is ``name`` (a short or dotted list is not)."""
    for _ in range(index):
        if not isinstance(obj, Cons):
            return NIL
        obj = obj.cdr
    return cl_symbol("T") if isinstance(obj, Cons) and obj.car is name else NIL


@builtin("%NAMED-VECTOR-P", SYSTEM)
def named_vector_p(obj: Any, index: int, size: int, name: Symbol) -> Any:
    """Whether ``obj`` is a vector of at least ``size`` elements whose element ``index`` is
    ``name`` (SBCL's test: a list's is only the name)."""
    vectorp, length, aref = (GLOBALS[f"#'COMMON-LISP::{n}"] for n in ("VECTORP", "LENGTH", "AREF"))
    if vectorp(obj) is NIL or length(obj) < size:
        return NIL
    return cl_symbol("T") if aref(obj, index) is name else NIL


# -- evaluating the definition -----------------------------------------------------------------------

@builtin("%DEFSTRUCT", SYSTEM)
def define_structure(d: Description, printer: Any, default_constructor: Any) -> Symbol:
    """Define what ``d`` describes, all or nothing: a package lock or an incompatible redefinition
    that is not continued changes nothing. ``printer`` is the function of ``:print-function`` or
    ``:print-object``; ``default_constructor`` makes an instance from the initforms."""
    check_package_lock(d.name, "structure")
    for name, what in _defined_functions(d):
        check_package_lock(name, what)
    if d.representation == "class":
        cls = _class_for(d)
        d.structure_class, d.allocate = cls, cls.allocate
        cls.default_constructor = default_constructor
        _install_functions(d, cls)
        protocol.install_printer(cls, d.printer_option, printer)
    DESCRIPTIONS[d.name] = d
    return d.name


def _defined_functions(d: Description) -> list[tuple[Any, str]]:
    names: list[tuple[Any, str]] = [(c.name, "constructor") for c in d.constructors]
    names += [(s.accessor, "accessor") for s in d.slots]
    names += [(n, what) for n, what in ((d.copier, "copier"), (d.predicate, "predicate")) if n is not None]
    return names


def _class_for(d: Description) -> StructureClass:
    included = d.include.structure_class if d.include is not None else None
    slots = [StructureSlot(s.name, s.type, s.read_only) for s in d.slots]
    existing = find_class(d.name, errorp=False)
    if existing is not None and not isinstance(existing, StructureClass):
        raise_error(SimpleError("~a", f"DEFSTRUCT {show(d.name)}: {show(d.name)} names the class "
                                      f"{show(existing)}, which is not a structure class"))
    if isinstance(existing, StructureClass):
        if existing.compatible(included, slots):
            existing.documentation = d.documentation
            return existing
        # SBCL signals this error with a CONTINUE restart; continuing makes a new class.
        cerror("Use the new definition of ~S, invalidating already-loaded code and instances.",
               SimpleError("attempt to redefine the STRUCTURE-OBJECT class ~S incompatibly with the current "
                           "definition", d.name), d.name)
    cls = define_structure_class(d.name, included, slots, d.documentation)
    set_find_class(d.name, cls)
    return cls


def _install_functions(d: Description, cls: StructureClass) -> None:
    for i, slot in enumerate(d.slots):
        accessor = slot.accessor
        label = show(accessor)
        _define(accessor, cls.reader(i, label))
        compiled.open_code_reader(accessor)
        setf_key = setf_function_key(accessor)
        if slot.read_only:  # no setf function, as in SBCL: remove one an earlier definition made
            if getattr(GLOBALS.get(setf_key), "defstruct", None) is not None:
                del GLOBALS[setf_key]
            compiled.forget_writer(accessor)
        else:
            _define(L(SETF, accessor), cls.writer(i, f"(SETF {label})"))
            compiled.open_code_writer(accessor)
    if d.predicate is not None:
        _define(d.predicate, cls.predicate(show(d.predicate)))
    if d.copier is not None:
        _define(d.copier, cls.copier(show(d.copier)))


def _define(name: Any, fn: Any) -> None:
    fn.defstruct = True  # what this module installed (a later definition may replace it)
    if isinstance(name, Symbol):
        fn.lisp_name = name
    define_function(name, fn)
