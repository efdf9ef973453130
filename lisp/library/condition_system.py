"""The condition system as Lisp sees it: the functions (``error``, ``signal``, ``invoke-restart``,
the slot readers ...) and the macros (``handler-bind``, ``handler-case``, ``restart-case``,
``restart-bind``, ``with-simple-restart``, ``define-condition``, ``check-type``, ``assert`` ...).

The macros expand into calls of ``SYS::%`` functions defined here, which call the runtime of
:mod:`lisp.runtime.signals` with the bodies as thunks (``(lambda () ...)``), so the compiler needs no
special form for them.
"""

from __future__ import annotations

from typing import Any

from lisp.compiler.core import inherit_pos
from lisp.compiler.macros import QUOTE, gensym, macro, macroexpand
from lisp.library.arguments import check, function_designator, show
from lisp.library.lists import list_items
from lisp.library.types import type_predicate
from lisp.runtime import condition_classes as cc
from lisp.runtime import signals
from lisp.runtime.data import (
    NIL,
    SYSTEM,
    Cons,
    SourceCons,
    Symbol,
    cl_symbol,
    keyword,
    make_list,
    source_pos,
)
from lisp.runtime.data import lisp_list as L
from lisp.runtime.namespace import (
    builtin,
    dynamic_binding,
)

LAMBDA = cl_symbol("LAMBDA")
FUNCTION = cl_symbol("FUNCTION")
PROGN = cl_symbol("PROGN")
LET = cl_symbol("LET")
DECLARE = cl_symbol("DECLARE")
IGNORE = cl_symbol("IGNORE")


def _sys(name: str) -> Symbol:
    return SYSTEM.intern(name)


def _macro_error(form: Any, message: str) -> Exception:
    return cc.ProgramError(f"{message}, in {show(form)}", source_pos(form))


def _items(form: Any, what: str, where: Any) -> list[Any]:
    if form is not NIL and not isinstance(form, Cons):
        raise _macro_error(where, f"{what} must be a list, not {show(form)}")
    try:
        return list(list_items(form))
    except cc.LispTypeError:
        raise _macro_error(where, f"{what} is a dotted list") from None


def _at(original: Any, new: Cons) -> Cons:
    """``new`` carrying the source position of ``original``, so errors point at the user's form."""
    pos = source_pos(original)
    return new if pos is None else SourceCons(new.car, new.cdr, pos)


def _lambda(params: Any, body: list[Any]) -> Any:
    return make_list([LAMBDA, params, *body])


def _thunk(body: list[Any]) -> Any:
    return _lambda(NIL, body)


def _function_form(x: Any) -> Any:
    """A ``:report``/``:interactive``/``:test`` option value as code giving the function."""
    if isinstance(x, Cons) and x.car is LAMBDA:
        return L(FUNCTION, x)
    if isinstance(x, Symbol):
        return L(FUNCTION, x)
    return x


# -- condition functions ---------------------------------------------------------------------------

builtin("ERROR")(signals.error)
builtin("SIGNAL")(signals.signal)
builtin("WARN")(signals.warn)
builtin("CERROR")(signals.cerror)
builtin("MAKE-CONDITION")(signals.make_condition)
builtin("INVOKE-RESTART")(signals.invoke_restart)
builtin("INVOKE-RESTART-INTERACTIVELY")(signals.invoke_restart_interactively)
builtin("ABORT")(signals.abort)
builtin("CONTINUE")(signals.continue_)
builtin("MUFFLE-WARNING")(signals.muffle_warning)
builtin("USE-VALUE")(signals.use_value)
builtin("STORE-VALUE")(signals.store_value)


@builtin("FIND-RESTART")
def find_restart(restart: Any, condition: Any = NIL) -> Any:
    return signals.find_restart(restart, condition)


@builtin("COMPUTE-RESTARTS")
def compute_restarts(condition: Any = NIL) -> Any:
    return make_list(signals.compute_restarts_list(condition))


@builtin("RESTART-NAME")
def restart_name(restart: Any) -> Any:
    check(isinstance(restart, signals.Restart), restart, "RESTART")
    return restart.name


_DEBUGGER_HOOK = cl_symbol("*DEBUGGER-HOOK*")  # (made special by lisp.runtime.signals)


@builtin("INVOKE-DEBUGGER")
def invoke_debugger(condition: Any) -> Any:
    """``invoke-debugger``: the hooks, then the debugger (see :func:`signals.invoke_debugger`);
    with no debugger, the condition goes to the toplevel as an unhandled error does."""
    check(isinstance(condition, cc.Condition), condition, "CONDITION")
    return signals.invoke_debugger(condition)


@builtin("BREAK")
def break_(format_control: Any = "Break", *args: Any) -> Any:
    """``break``: enter the debugger with a CONTINUE restart (which returns NIL), with
    ``*debugger-hook*`` bound to NIL (CLHS; ``*invoke-debugger-hook*`` is still called)."""
    condition = cc.SimpleCondition(format_control, *args)
    restart = signals.RestartSpec(cl_symbol("CONTINUE"), "Return from BREAK.")

    def enter() -> Any:
        with dynamic_binding(_DEBUGGER_HOOK, NIL):
            return signals.invoke_debugger(condition)

    return signals.restart_case(enter, [restart], [lambda: NIL])


def slot_value(condition: Any, name: str) -> Any:
    """The value of the slot named ``name`` (a Lisp slot name) of ``condition``; an unbound slot is
    an UNBOUND-SLOT error, an unknown one a TYPE-ERROR."""
    check(isinstance(condition, cc.Condition), condition, "CONDITION")
    try:
        return condition.slots[name]
    except KeyError:
        kind = condition.lisp_name.name
        if any(spec.name == name for spec in condition.slot_specs):
            return signals.raise_error(cc.UnboundSlot(f"the slot {name} of {kind} is unbound",
                                                      name=name, instance=condition))
        return signals.raise_error(cc.LispTypeError(f"{kind} has no slot named {name}"))


def _slot_reader(name: str, slot: str) -> None:
    def read(condition: Any) -> Any:
        return slot_value(condition, slot)

    read.__name__ = name.lower().replace("-", "_")
    read.__doc__ = f"``{name.lower()}``: the {slot} slot."
    builtin(name)(read)


for _reader, _slot in (("SIMPLE-CONDITION-FORMAT-CONTROL", "FORMAT-CONTROL"),
                       ("SIMPLE-CONDITION-FORMAT-ARGUMENTS", "FORMAT-ARGUMENTS"),
                       ("TYPE-ERROR-DATUM", "DATUM"), ("TYPE-ERROR-EXPECTED-TYPE", "EXPECTED-TYPE"),
                       ("CELL-ERROR-NAME", "NAME"), ("UNBOUND-SLOT-INSTANCE", "INSTANCE"),
                       ("ARITHMETIC-ERROR-OPERATION", "OPERATION"),
                       ("ARITHMETIC-ERROR-OPERANDS", "OPERANDS"), ("PACKAGE-ERROR-PACKAGE", "PACKAGE"),
                       ("STREAM-ERROR-STREAM", "STREAM"), ("FILE-ERROR-PATHNAME", "PATHNAME"),
                       ("PRINT-NOT-READABLE-OBJECT", "OBJECT")):
    _slot_reader(_reader, _slot)


@builtin("PYTHON-ERROR-ORIGINAL", SYSTEM)
def python_error_original(condition: Any) -> Any:
    """The Python exception a condition was translated from (NIL if it was not)."""
    check(isinstance(condition, cc.Condition), condition, "CONDITION")
    return NIL if condition.original is None else condition.original


# -- runtime entry points of the macros ------------------------------------------------------------


def _pairs(flat: tuple[Any, ...]) -> list[tuple[Any, Any]]:
    return list(zip(flat[::2], flat[1::2]))


@builtin("%HANDLER-BIND", SYSTEM)
def handler_bind_(thunk: Any, *types_and_handlers: Any) -> Any:
    bindings = [(type_predicate(t), function_designator(h)) for t, h in _pairs(types_and_handlers)]
    return signals.handler_bind(bindings, thunk)


@builtin("%HANDLER-CASE", SYSTEM)
def handler_case_(thunk: Any, no_error: Any, *types_and_clauses: Any) -> Any:
    tests = [type_predicate(t) for t in types_and_clauses[::2]]
    return signals.handler_case(thunk, tests, types_and_clauses[1::2], None if no_error is NIL else no_error)


@builtin("%RESTART-CASE", SYSTEM)
def restart_case_(thunk: Any, *clauses: Any) -> Any:
    """Clauses come in fives: name, report, interactive, test, function."""
    specs, fns = [], []
    for i in range(0, len(clauses), 5):
        name, report, interactive, test, fn = clauses[i:i + 5]
        specs.append(signals.RestartSpec(name, None if report is NIL else report,
                                    None if interactive is NIL else interactive, None if test is NIL else test))
        fns.append(fn)
    return signals.restart_case(thunk, specs, fns)


@builtin("%RESTART-BIND", SYSTEM)
def restart_bind_(thunk: Any, *clauses: Any) -> Any:
    """Clauses come in fives: name, function, report, interactive, test."""
    restarts = []
    for i in range(0, len(clauses), 5):
        name, fn, report, interactive, test = clauses[i:i + 5]
        restarts.append(signals.Restart(name, function_designator(fn), None if report is NIL else report,
                                   None if interactive is NIL else interactive, None if test is NIL else test))
    return signals.restart_bind(restarts, thunk)


builtin("%SIGNAL-WITH-RESTARTS", SYSTEM)(signals.signal_with_restarts)


@builtin("%WITH-CONDITION-RESTARTS", SYSTEM)
def with_condition_restarts_(condition: Any, restarts: Any, thunk: Any) -> Any:
    return signals.with_condition_restarts(condition, list_items(restarts), thunk)


@builtin("%DEFINE-CONDITION", SYSTEM)
def define_condition_(name: Any, parents: Any, slots: Any, report: Any, documentation: Any,
                      default_initargs: Any) -> Any:
    """``slots``: a list of (name initargs initform-thunk-or-NIL) lists; ``default_initargs`` a
    plist of initarg and thunk."""
    defaults = dict(zip(list(list_items(default_initargs))[::2], list(list_items(default_initargs))[1::2]))
    specs = []
    for slot in list_items(slots):
        slot_name, initargs, initform = list_items(slot)
        initargs = tuple(list_items(initargs))
        default = next((defaults.pop(a) for a in initargs if a in defaults), NIL)
        thunk = default if default is not NIL else initform
        specs.append(cc.SlotSpec(slot_name.name, initargs, None if thunk is NIL else thunk))
    # Default initargs of inherited slots override those slots' initforms in this class.
    for parent in list_items(parents):
        for spec in getattr(cc.condition_class(parent), "slot_specs", ()):
            initarg = next((a for a in spec.initargs if a in defaults), None)
            if initarg is not None:
                specs.append(cc.SlotSpec(spec.name, spec.initargs, defaults.pop(initarg)))
    signals.define_condition(name, list(list_items(parents)), specs, None if report is NIL else report,
                             None if documentation is NIL else documentation)
    return name


@builtin("%CONDITION-SLOT", SYSTEM)
def condition_slot(condition: Any, slot: Symbol) -> Any:
    return slot_value(condition, slot.name)


@builtin("%SET-CONDITION-SLOT", SYSTEM)
def set_condition_slot(value: Any, condition: Any, slot: Symbol) -> Any:
    check(isinstance(condition, cc.Condition), condition, "CONDITION")
    condition.slots[slot.name] = value
    return value


@builtin("%CHECK-TYPE-FAILURE", SYSTEM)
def check_type_failure(place: Any, value: Any, type_spec: Any, description: Any) -> Any:
    """Signal the TYPE-ERROR of a failed ``check-type``, with a STORE-VALUE restart (its value is
    the new value of the place)."""
    what = show(type_spec) if description is NIL else description
    condition = cc.SimpleTypeError("The value of ~S is ~S, which is not ~A.", place, value, what,
                                   datum=value, expected_type=type_spec)
    store = signals.RestartSpec(cl_symbol("STORE-VALUE"), f"Supply a new value for {show(place)}.")
    return signals.restart_case(lambda: signals.raise_error(condition), [store], [lambda new: new])


@builtin("%ASSERT-FAILURE", SYSTEM)
def assert_failure(test_form: Any, datum: Any, *args: Any) -> Any:
    """Signal the error of a failed ``assert``, with a CONTINUE restart that retries the test."""
    if datum is NIL:
        datum, args = "The assertion ~S failed.", (test_form,)
    return signals.cerror("Retry assertion.", datum, *args)


# -- macros ----------------------------------------------------------------------------------------


@macro("HANDLER-BIND")
def handler_bind(form: Any, env: Any) -> Any:
    items = _items(form.cdr, "HANDLER-BIND", form)
    if not items:
        raise _macro_error(form, "HANDLER-BIND needs a list of bindings")
    args = []
    for binding in _items(items[0], "the bindings of HANDLER-BIND", form):
        parts = _items(binding, "a HANDLER-BIND binding", form)
        if len(parts) != 2:
            raise _macro_error(form, f"a HANDLER-BIND binding is (type handler), not {show(binding)}")
        args += [L(QUOTE, parts[0]), parts[1]]
    return make_list([_sys("%HANDLER-BIND"), _thunk(items[1:]), *args])


@macro("HANDLER-CASE")
def handler_case(form: Any, env: Any) -> Any:
    items = _items(form.cdr, "HANDLER-CASE", form)
    if not items:
        raise _macro_error(form, "HANDLER-CASE needs a form")
    no_error: Any = NIL
    args = []
    for clause in items[1:]:
        parts = _items(clause, "a HANDLER-CASE clause", form)
        if len(parts) < 2:
            raise _macro_error(form, f"a HANDLER-CASE clause is (type ([var]) body...), not {show(clause)}")
        type_spec, params, body = parts[0], parts[1], parts[2:]
        if type_spec is keyword("NO-ERROR"):
            no_error = _lambda(params, body)
            continue
        params_list = _items(params, "the variable list of a HANDLER-CASE clause", form)
        if len(params_list) > 1:
            raise _macro_error(form, f"a HANDLER-CASE clause takes at most one variable, not {show(params)}")
        if not params_list:
            ignored = gensym("CONDITION")
            fn = _lambda(L(ignored), [L(DECLARE, L(IGNORE, ignored)), *body])
        else:
            fn = _lambda(params, body)
        args += [L(QUOTE, type_spec), fn]
    return make_list([_sys("%HANDLER-CASE"), _thunk([items[0]]), no_error, *args])


_SIGNALLERS = {cl_symbol(n) for n in ("SIGNAL", "ERROR", "CERROR", "WARN")}
_RESTART_OPTIONS = {keyword("REPORT"), keyword("INTERACTIVE"), keyword("TEST")}


@macro("RESTART-CASE")
def restart_case(form: Any, env: Any) -> Any:
    items = _items(form.cdr, "RESTART-CASE", form)
    if not items:
        raise _macro_error(form, "RESTART-CASE needs a form")
    restartable = items[0]
    expanded, did = macroexpand(restartable, env)
    if isinstance(expanded, Cons) and expanded.car in _SIGNALLERS:
        # CLHS 9.1.4.2.4: the restarts are associated with the condition this form signals.
        restartable = _at(restartable, make_list([_sys("%SIGNAL-WITH-RESTARTS"), L(QUOTE, expanded.car),
                                                  *list_items(expanded.cdr)]))
    elif did:  # the expansion, so that the compiler does not run the user's macro again
        restartable = inherit_pos(expanded, restartable)
    args = []
    for clause in items[1:]:
        parts = _items(clause, "a RESTART-CASE clause", form)
        if len(parts) < 2 or not (parts[0] is NIL or isinstance(parts[0], Symbol)):
            raise _macro_error(form, f"a RESTART-CASE clause is (name lambda-list options... body...), not {show(clause)}")
        name, params, rest = parts[0], parts[1], parts[2:]
        options = {}
        while len(rest) >= 2 and rest[0] in _RESTART_OPTIONS:
            options[rest[0].name] = rest[1]
            rest = rest[2:]
        report = options.get("REPORT", NIL)
        if report is not NIL and not isinstance(report, str):
            report = _function_form(report)
        args += [L(QUOTE, name), report, _function_form(options.get("INTERACTIVE", NIL)) if "INTERACTIVE" in options else NIL,
                 _function_form(options["TEST"]) if "TEST" in options else NIL, _lambda(params, rest)]
    return make_list([_sys("%RESTART-CASE"), _thunk([restartable]), *args])


@macro("RESTART-BIND")
def restart_bind(form: Any, env: Any) -> Any:
    items = _items(form.cdr, "RESTART-BIND", form)
    if not items:
        raise _macro_error(form, "RESTART-BIND needs a list of bindings")
    args = []
    for binding in _items(items[0], "the bindings of RESTART-BIND", form):
        parts = _items(binding, "a RESTART-BIND binding", form)
        if len(parts) < 2 or len(parts) % 2:
            raise _macro_error(form, f"a RESTART-BIND binding is (name function options...), not {show(binding)}")
        options = dict(zip((k.name if isinstance(k, Symbol) else k for k in parts[2::2]), parts[3::2]))
        args += [L(QUOTE, parts[0]), parts[1], options.get("REPORT-FUNCTION", NIL),
                 options.get("INTERACTIVE-FUNCTION", NIL), options.get("TEST-FUNCTION", NIL)]
    return make_list([_sys("%RESTART-BIND"), _thunk(items[1:]), *args])


@macro("WITH-SIMPLE-RESTART")
def with_simple_restart(form: Any, env: Any) -> Any:
    items = _items(form.cdr, "WITH-SIMPLE-RESTART", form)
    if not items:
        raise _macro_error(form, "WITH-SIMPLE-RESTART needs (name format-control args...)")
    spec = _items(items[0], "the restart of WITH-SIMPLE-RESTART", form)
    if len(spec) < 2:
        raise _macro_error(form, "WITH-SIMPLE-RESTART needs (name format-control args...)")
    control, arguments, stream = gensym("CONTROL"), gensym("ARGUMENTS"), gensym("STREAM")
    report = _lambda(L(stream), [L(cl_symbol("APPLY"), L(FUNCTION, cl_symbol("FORMAT")), stream, control, arguments)])
    return L(LET, L(L(control, spec[1]), L(arguments, make_list([cl_symbol("LIST"), *spec[2:]]))),
             L(cl_symbol("RESTART-CASE"), make_list([PROGN, *items[1:]]),
               L(spec[0], NIL, keyword("REPORT"), report, L(cl_symbol("VALUES"), NIL, cl_symbol("T")))))


@macro("WITH-CONDITION-RESTARTS")
def with_condition_restarts(form: Any, env: Any) -> Any:
    items = _items(form.cdr, "WITH-CONDITION-RESTARTS", form)
    if len(items) < 2:
        raise _macro_error(form, "WITH-CONDITION-RESTARTS needs a condition form and a restarts form")
    return L(_sys("%WITH-CONDITION-RESTARTS"), items[0], items[1], _thunk(items[2:]))


@macro("DEFINE-CONDITION")
def define_condition(form: Any, env: Any) -> Any:
    items = _items(form.cdr, "DEFINE-CONDITION", form)
    if len(items) < 3 or not isinstance(items[0], Symbol):
        raise _macro_error(form, "DEFINE-CONDITION needs a name, a list of parents and a list of slots")
    name, parents, slot_forms, options = items[0], items[1], items[2], items[3:]
    slot_specs, accessors = [], []
    for slot in _items(slot_forms, "the slots of DEFINE-CONDITION", form):
        slot_name, slot_options = (slot, []) if isinstance(slot, Symbol) else (
            _items(slot, "a slot of DEFINE-CONDITION", form)[0], _items(slot, "a slot", form)[1:])
        if not isinstance(slot_name, Symbol) or len(slot_options) % 2:
            raise _macro_error(form, f"malformed slot specifier {show(slot)}")
        initargs, initform = [], NIL
        for key, value in zip(slot_options[::2], slot_options[1::2]):
            option = key.name if isinstance(key, Symbol) else None
            if option == "INITARG":
                initargs.append(value)
            elif option == "INITFORM":
                initform = _thunk([value])
            elif option in ("READER", "ACCESSOR"):
                accessors.append(_reader_definition(value, slot_name))
                if option == "ACCESSOR":
                    accessors.append(_writer_definition(L(cl_symbol("SETF"), value), slot_name))
            elif option == "WRITER":
                accessors.append(_writer_definition(value, slot_name))
            elif option not in ("TYPE", "DOCUMENTATION", "ALLOCATION"):
                raise _macro_error(form, f"unknown slot option {show(key)}")
        slot_specs.append(L(cl_symbol("LIST"), L(QUOTE, slot_name), L(QUOTE, make_list(initargs)), initform))
    report: Any = NIL
    documentation: Any = NIL
    default_initargs: list[Any] = []
    for option in options:
        parts = _items(option, "a DEFINE-CONDITION option", form)
        key = parts[0].name if parts and isinstance(parts[0], Symbol) else None
        if key == "REPORT" and len(parts) == 2:
            report = parts[1] if isinstance(parts[1], str) else _function_form(parts[1])
        elif key == "DOCUMENTATION" and len(parts) == 2:
            documentation = parts[1]
        elif key == "DEFAULT-INITARGS" and len(parts) % 2 == 1:
            for initarg, value in zip(parts[1::2], parts[2::2]):
                default_initargs += [L(QUOTE, initarg), _thunk([value])]
        else:
            raise _macro_error(form, f"unknown DEFINE-CONDITION option {show(option)}")
    definition = make_list([_sys("%DEFINE-CONDITION"), L(QUOTE, name), L(QUOTE, parents),
                            make_list([cl_symbol("LIST"), *slot_specs]), report, documentation,
                            make_list([cl_symbol("LIST"), *default_initargs])])
    return make_list([PROGN, definition, *accessors, L(QUOTE, name)])


def _reader_definition(reader: Any, slot: Symbol) -> Any:
    condition = gensym("CONDITION")
    return L(cl_symbol("DEFUN"), reader, L(condition), L(_sys("%CONDITION-SLOT"), condition, L(QUOTE, slot)))


def _writer_definition(writer: Any, slot: Symbol) -> Any:
    value, condition = gensym("VALUE"), gensym("CONDITION")
    return L(cl_symbol("DEFUN"), writer, L(value, condition),
             L(_sys("%SET-CONDITION-SLOT"), value, condition, L(QUOTE, slot)))


@macro("CHECK-TYPE")
def check_type(form: Any, env: Any) -> Any:
    items = _items(form.cdr, "CHECK-TYPE", form)
    if len(items) not in (2, 3):
        raise _macro_error(form, "CHECK-TYPE takes a place, a type and an optional description")
    place, type_spec = items[0], items[1]
    description = items[2] if len(items) == 3 else NIL
    return L(cl_symbol("DO"), NIL, L(L(cl_symbol("TYPEP"), place, L(QUOTE, type_spec)), NIL),
             L(cl_symbol("SETF"), place, L(_sys("%CHECK-TYPE-FAILURE"), L(QUOTE, place), place,
                                          L(QUOTE, type_spec), description)))


@macro("ASSERT")
def assert_(form: Any, env: Any) -> Any:
    items = _items(form.cdr, "ASSERT", form)
    if not items:
        raise _macro_error(form, "ASSERT needs a test form")
    test = items[0]
    datum_and_args = items[2:] if len(items) > 2 else [NIL]
    return L(cl_symbol("DO"), NIL, L(test, NIL),
             make_list([_sys("%ASSERT-FAILURE"), L(QUOTE, test), *datum_and_args]))

