"""The CLOS macros: ``defclass``, ``defgeneric``, ``defmethod``, ``with-slots``, ``with-accessors``.

Each checks its syntax when expanded (a PROGRAM-ERROR naming the form and what is wrong) and
expands into a call of a ``SYS::%`` function of :mod:`lisp.clos.functions` with the parts
already taken apart, so nothing is parsed at run time. Initforms and default initargs become
closures (``(lambda () form)``) in the lexical environment of the ``defclass``.

A method body becomes ``(sys::%named-lambda gf-name lambda-list ...)``. Only when the body
mentions ``call-next-method`` or ``next-method-p`` does the function take the next-method object
as an extra first parameter, with those two defined around the body (the object stays valid, so
closures calling them work after the method returns); any other body is a plain function of the
arguments.
A method whose lambda list has ``&key`` (and no ``&allow-other-keys``) checks the keyword
arguments of the call against the keys of the generic function and of *all* its methods (CLHS
7.6.5 says: of the applicable methods; this is more lenient).
"""

from __future__ import annotations

import itertools
from typing import Any

from lisp.clos.lambda_lists import split_specialized
from lisp.compiler.core import program_error, show
from lisp.compiler.lambda_list import AMP_ALLOW_OTHER_KEYS, AMP_AUX, AMP_KEY
from lisp.compiler.macros import macro
from lisp.runtime.data import NIL, SYSTEM, Cons, Symbol, cl_symbol, iter_list, keyword, lisp_list, make_list

QUOTE, FUNCTION, LAMBDA, LIST = (cl_symbol(n) for n in ("QUOTE", "FUNCTION", "LAMBDA", "LIST"))
FLET, LET, DECLARE, SETF = (cl_symbol(n) for n in ("FLET", "LET", "DECLARE", "SETF"))
SYMBOL_MACROLET, SLOT_VALUE = cl_symbol("SYMBOL-MACROLET"), cl_symbol("SLOT-VALUE")
CALL_NEXT_METHOD, NEXT_METHOD_P = cl_symbol("CALL-NEXT-METHOD"), cl_symbol("NEXT-METHOD-P")
EQL, AMP_REST = cl_symbol("EQL"), cl_symbol("&REST")
MACROLET, LIST_STAR, METHOD = cl_symbol("MACROLET"), cl_symbol("LIST*"), cl_symbol("METHOD")
STANDARD, STANDARD_CLASS = cl_symbol("STANDARD"), cl_symbol("STANDARD-CLASS")
NAMED_LAMBDA = SYSTEM.intern("%NAMED-LAMBDA")
_gensym_counter = itertools.count(1)


def _sys(name: str) -> Symbol:
    return SYSTEM.intern(name)


def _quote(x: Any) -> Any:
    return lisp_list(QUOTE, x)


def _gensym(prefix: str) -> Symbol:
    return Symbol(f"{prefix}{next(_gensym_counter)}")


def _args(form: Any, minimum: int, syntax: str) -> list[Any]:
    try:
        args = list(iter_list(form.cdr))
    except TypeError:
        raise program_error(f"malformed {syntax}: {show(form)}", form) from None
    if len(args) < minimum:
        raise program_error(f"too few parts in {show(form)}; the syntax is {syntax}", form)
    return args


def _list_items(x: Any, what: str, form: Any) -> list[Any]:
    try:
        return list(iter_list(x))
    except TypeError:
        raise program_error(f"{what} must be a list, not {show(x)}, in {show(form)}", form) from None


def _plist(items: list[Any], what: str, form: Any) -> list[tuple[Any, Any]]:
    if len(items) % 2:
        raise program_error(f"odd number of items in {what} of {show(form)}", form)
    return list(zip(items[::2], items[1::2]))


def _split_body(body: list[Any], allow_doc: bool) -> tuple[Any, list[Any], list[Any]]:
    """(documentation or NIL, declarations, forms) of a body (CLHS 3.4.11)."""
    doc: Any = NIL
    decls: list[Any] = []
    i = 0
    while i < len(body):
        item = body[i]
        if isinstance(item, str) and allow_doc and doc is NIL and i + 1 < len(body):
            doc = item
        elif isinstance(item, Cons) and item.car is DECLARE:
            decls.append(item)
        else:
            break
        i += 1
    return doc, decls, body[i:]


# -- defclass ------------------------------------------------------------------------------------------

_SLOT_OPTIONS = {"INITARG", "INITFORM", "READER", "WRITER", "ACCESSOR", "ALLOCATION", "TYPE",
                 "DOCUMENTATION"}
_SINGLE_SLOT_OPTIONS = {"INITFORM", "ALLOCATION", "TYPE", "DOCUMENTATION"}


def _slot_form(spec: Any, form: Any) -> Any:
    if isinstance(spec, Symbol):
        name, options = spec, []
    else:
        parts = _list_items(spec, "a slot specifier", form)
        if not parts or not isinstance(parts[0], Symbol) or parts[0] is NIL:
            raise program_error(f"malformed slot specifier {show(spec)} in {show(form)}", form)
        name, options = parts[0], _plist(parts[1:], f"the options of slot {show(parts[0])}", form)
    initargs: list[Any] = []
    readers: list[Any] = []
    writers: list[Any] = []
    single: dict[str, Any] = {}
    for key, value in options:
        option = key.name if isinstance(key, Symbol) and key.is_keyword else None
        if option not in _SLOT_OPTIONS:
            raise program_error(f"unknown slot option {show(key)} for slot {show(name)} in "
                                f"{show(form)}", form)
        if option in _SINGLE_SLOT_OPTIONS:
            if option in single:
                raise program_error(f"the slot option :{option} is given twice for slot "
                                    f"{show(name)}", form)
            single[option] = value
        elif option == "INITARG":
            initargs.append(value)
        elif option == "READER":
            readers.append(value)
        elif option == "WRITER":
            writers.append(value)
        else:
            readers.append(value)
            writers.append(lisp_list(SETF, value))
    allocation = single.get("ALLOCATION", keyword("INSTANCE"))
    if allocation not in (keyword("INSTANCE"), keyword("CLASS")):
        raise program_error(f"slot {show(name)}: :allocation must be :instance or :class, not "
                            f"{show(allocation)}", form)
    if "INITFORM" in single:
        initform = single["INITFORM"]
        initfunction = lisp_list(FUNCTION, lisp_list(LAMBDA, NIL, initform))
    else:
        initform = initfunction = NIL
    return make_list([_sys("%DIRECT-SLOT"), _quote(name), _quote(make_list(initargs)),
                      _quote(initform), initfunction, _quote(make_list(readers)),
                      _quote(make_list(writers)), allocation, _quote(single.get("TYPE", NIL)),
                      single.get("DOCUMENTATION", NIL)])


@macro("DEFCLASS")
def defclass(form: Any, env: Any) -> Any:
    syntax = "(defclass name (superclass*) (slot-specifier*) class-option*)"
    name, supers, slots, *options = _args(form, 3, syntax)
    if not isinstance(name, Symbol) or name is NIL:
        raise program_error(f"the class name {show(name)} is not a symbol, in {show(form)}", form)
    for s in _list_items(supers, "the superclass list", form):
        if not isinstance(s, Symbol) or s is NIL:
            raise program_error(f"the superclass {show(s)} is not a class name", form)
    slot_forms = [_slot_form(spec, form) for spec in _list_items(slots, "the slot list", form)]
    default_initargs: list[Any] = []
    documentation: Any = NIL
    for option in options:
        parts = _list_items(option, "a class option", form)
        kind = parts[0] if parts else None
        if kind is keyword("DEFAULT-INITARGS"):
            for key, value in _plist(parts[1:], ":default-initargs", form):
                thunk = lisp_list(FUNCTION, lisp_list(LAMBDA, NIL, value))
                default_initargs.append(lisp_list(LIST, _quote(key), _quote(value), thunk))
        elif kind is keyword("DOCUMENTATION") and len(parts) == 2:
            documentation = parts[1]
        elif kind is keyword("METACLASS") and len(parts) == 2 and parts[1] is STANDARD_CLASS:
            pass
        else:
            raise program_error(f"unsupported class option {show(option)} in {show(form)}", form)
    return make_list([_sys("%DEFCLASS"), _quote(name), _quote(supers),
                      make_list([LIST, *slot_forms]), make_list([LIST, *default_initargs]),
                      documentation])


# -- defmethod -------------------------------------------------------------------------------------------

def _mentions(tree: Any, symbols: tuple[Symbol, ...]) -> bool:
    seen: set[int] = set()
    stack = [tree]
    while stack:
        x = stack.pop()
        if isinstance(x, Symbol):
            if x in symbols:
                return True
        elif isinstance(x, Cons) and id(x) not in seen:
            seen.add(id(x))
            stack += [x.car, x.cdr]
    return False


def _specializer_form(spec: Any, form: Any) -> Any:
    if isinstance(spec, Symbol):
        return _quote(spec)
    if isinstance(spec, Cons) and spec.car is EQL:
        parts = _list_items(spec, "an eql specializer", form)
        if len(parts) == 2:
            return lisp_list(_sys("%EQL-SPECIALIZER"), parts[1])
    if isinstance(spec, Cons) and isinstance(spec.car, Symbol) and spec.car.name == "CLASS" \
            and spec.car.package is not None and spec.car.package.name == "PY":
        return spec
    raise program_error(f"bad specializer {show(spec)} in {show(form)}: a class name, "
                        f"(eql form) or (py:class \"module.Name\")", form)


def _function_references(tree: Any, symbols: tuple[Symbol, ...]) -> bool:
    """Whether ``tree`` contains ``(function s)`` for one of ``symbols``."""
    seen: set[int] = set()
    stack = [tree]
    while stack:
        x = stack.pop()
        if isinstance(x, Cons) and id(x) not in seen:
            seen.add(id(x))
            if x.car is FUNCTION and isinstance(x.cdr, Cons) and x.cdr.car in symbols:
                return True
            stack += [x.car, x.cdr]
    return False


def _with_next_method_functions(nxt: Symbol, forms: list[Any]) -> Any:
    """``forms`` with ``call-next-method`` and ``next-method-p`` defined over the next-method
    object ``nxt``. When the body only calls them, they are local macros and a call is one call
    of ``sys::%call-next`` (the object passes the method's own arguments on when given none); when it
    takes ``#'call-next-method``, they are local functions."""
    check = lisp_list(_sys("%NEXT-METHOD-P"), nxt)
    args = _gensym("ARGS-")
    if _function_references(make_list(forms), (CALL_NEXT_METHOD, NEXT_METHOD_P)):
        local = lisp_list(
            lisp_list(CALL_NEXT_METHOD, lisp_list(AMP_REST, args),
                      lisp_list(_sys("%CALL-NEXT-METHOD"), nxt, args)),
            lisp_list(NEXT_METHOD_P, NIL, check))
        return make_list([FLET, local, *forms])
    local = lisp_list(
        lisp_list(CALL_NEXT_METHOD, lisp_list(AMP_REST, args),
                  lisp_list(LIST_STAR, _quote(_sys("%CALL-NEXT")), _quote(nxt), args)),
        lisp_list(NEXT_METHOD_P, NIL, _quote(check)))
    return make_list([MACROLET, local, *forms])


def _checking_keys(name: Any, lambda_list: Any, forms: list[Any]) -> tuple[Any, list[Any]]:
    """A method lambda list with ``&key`` accepts any keys, and its body first checks them
    against the generic function's methods (CLHS 7.6.5); other lambda lists are unchanged."""
    items = list(iter_list(lambda_list))
    if AMP_KEY not in items or AMP_ALLOW_OTHER_KEYS in items:
        return lambda_list, forms
    key_at = items.index(AMP_KEY)
    if AMP_REST in items:
        keys_var = items[items.index(AMP_REST) + 1]
    else:
        keys_var = _gensym("KEYS-")
        items[key_at:key_at] = [AMP_REST, keys_var]
    at = items.index(AMP_AUX) if AMP_AUX in items else len(items)
    items[at:at] = [AMP_ALLOW_OTHER_KEYS]
    check = lisp_list(_sys("%CHECK-METHOD-KEYS"), _quote(name), keys_var)
    return make_list(items), [check, *forms]


def method_parts(name: Any, rest: list[Any], form: Any) -> list[Any]:
    """The arguments of ``sys::%defmethod`` after the name, from ``qualifier* lambda-list body``."""
    qualifiers = []
    while rest and not isinstance(rest[0], Cons) and rest[0] is not NIL:
        qualifiers.append(rest.pop(0))
    if not rest:
        raise program_error(f"missing lambda list in {show(form)}", form)
    lambda_list, *body = rest
    plain, specs = split_specialized(lambda_list, f"DEFMETHOD {show(name)}")
    doc, decls, forms = _split_body(body, allow_doc=True)
    wants_next = _mentions(make_list(forms), (CALL_NEXT_METHOD, NEXT_METHOD_P))
    params, forms = _checking_keys(name, plain, forms)
    if wants_next:
        nxt = _gensym("NEXT-METHOD-")
        params = Cons(nxt, params)
        forms = [_with_next_method_functions(nxt, forms)]
    # Named (METHOD name qualifier... (specializer...)) in tracebacks and dispatcher dumps; the
    # body's block is still NAME. A (SETF f) method keeps its plain name: its block is F.
    label = name if isinstance(name, Cons) else \
        make_list([METHOD, name, *qualifiers, make_list(specs)])
    function = make_list([NAMED_LAMBDA, label, params, *decls, *forms])
    return [_quote(make_list(qualifiers)),
            make_list([LIST, *(_specializer_form(s, form) for s in specs)]),
            _quote(plain), function, cl_symbol("T") if wants_next else NIL, doc]


def _check_function_name(name: Any, form: Any) -> None:
    ok = (isinstance(name, Symbol) and name is not NIL) or (
        isinstance(name, Cons) and name.car is SETF and isinstance(name.cdr, Cons)
        and isinstance(name.cdr.car, Symbol) and name.cdr.cdr is NIL)
    if not ok:
        raise program_error(f"{show(name)} is not a function name, in {show(form)}", form)


@macro("DEFMETHOD")
def defmethod(form: Any, env: Any) -> Any:
    name, *rest = _args(form, 2, "(defmethod name qualifier* specialized-lambda-list body...)")
    _check_function_name(name, form)
    return make_list([_sys("%DEFMETHOD"), _quote(name), *method_parts(name, rest, form)])


# -- defgeneric ------------------------------------------------------------------------------------------

@macro("DEFGENERIC")
def defgeneric(form: Any, env: Any) -> Any:
    name, lambda_list, *options = _args(form, 2, "(defgeneric name lambda-list option*)")
    _check_function_name(name, form)
    combination: Any = STANDARD
    most_specific_last: Any = NIL
    order: Any = NIL
    documentation: Any = NIL
    methods = []
    for option in options:
        parts = _list_items(option, "a defgeneric option", form)
        kind = parts[0] if parts else None
        if kind is keyword("METHOD"):
            methods.append(make_list([LIST, *method_parts(name, parts[1:], form)]))
        elif kind is keyword("DOCUMENTATION") and len(parts) == 2:
            documentation = parts[1]
        elif kind is keyword("METHOD-COMBINATION") and len(parts) in (2, 3):
            combination = parts[1]
            if len(parts) == 3:
                if parts[2] not in (keyword("MOST-SPECIFIC-FIRST"), keyword("MOST-SPECIFIC-LAST")):
                    raise program_error(f"bad method combination order {show(parts[2])}", form)
                most_specific_last = cl_symbol("T") if parts[2] is keyword("MOST-SPECIFIC-LAST") \
                    else NIL
        elif kind is keyword("ARGUMENT-PRECEDENCE-ORDER"):
            order = make_list(parts[1:])
        elif kind is DECLARE:
            pass
        else:
            raise program_error(f"unsupported defgeneric option {show(option)} in {show(form)}",
                                form)
    return make_list([_sys("%DEFGENERIC"), _quote(name), _quote(lambda_list), _quote(combination),
                      most_specific_last, _quote(order), documentation,
                      make_list([LIST, *methods])])


# -- with-slots, with-accessors ------------------------------------------------------------------------------

def _with(form: Any, what: str, expansion_of: Any) -> Any:
    entries, instance, *body = _args(form, 2, f"({what} (entry*) instance body...)")
    obj = _gensym("INSTANCE-")
    bindings = [expansion_of(entry, obj) for entry in _list_items(entries, "the entries", form)]
    return lisp_list(LET, lisp_list(lisp_list(obj, instance)),
                     make_list([SYMBOL_MACROLET, make_list(bindings), *body]))


@macro("WITH-SLOTS")
def with_slots(form: Any, env: Any) -> Any:
    def binding(entry: Any, obj: Symbol) -> Any:
        if isinstance(entry, Symbol):
            var, slot = entry, entry
        else:
            parts = _list_items(entry, "a with-slots entry", form)
            if len(parts) != 2:
                raise program_error(f"malformed with-slots entry {show(entry)}", form)
            var, slot = parts
        return lisp_list(var, lisp_list(SLOT_VALUE, obj, _quote(slot)))

    return _with(form, "with-slots", binding)


@macro("WITH-ACCESSORS")
def with_accessors(form: Any, env: Any) -> Any:
    def binding(entry: Any, obj: Symbol) -> Any:
        parts = _list_items(entry, "a with-accessors entry", form)
        if len(parts) != 2:
            raise program_error(f"malformed with-accessors entry {show(entry)}: (variable "
                                f"accessor)", form)
        return lisp_list(parts[0], lisp_list(parts[1], obj))

    return _with(form, "with-accessors", binding)
