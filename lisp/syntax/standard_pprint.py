"""The initial pprint dispatch table (CLHS 22.2.1.4): code, lists, arrays and structures laid out as
SBCL 2.2.9 lays them out (``src/code/pprint.lisp``, whose format strings are used as they are).

Importing this module fills :data:`lisp.syntax.pprint_dispatch.INITIAL`:

- a cons whose car is an operator of :data:`_FORMS` (``let``, ``defun``, ``if``, ``loop``...): its
  own layout (``code``); ``quote``, ``function`` and the backquote forms print as ``'x``, ``#'f``,
  ```x``, ``,x``, ``,@x``, ``,.x``;
- another cons whose car names a function, macro or special operator: a call, its arguments
  aligned under the first (``pprint-fun-call``); a macro with ``&body`` (:data:`MACRO_BODIES`,
  else the lambda list of its ``defmacro``) has its body on lines of their own, indented by 2;
- any other cons: ``pprint-fill``; a vector or array other than a string or bit vector:
  ``#(...)`` / ``#nA(...)`` filled.

It also makes the printer print structures as ``#S(name`` and a ``:slot value`` pair per line when
they do not fit (:data:`lisp.syntax.printer.print_structure_pretty`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from lisp.runtime import docstrings
from lisp.runtime.data import COMMON_LISP, NIL, SYSTEM, Char, Cons, Symbol, cl_symbol, keyword
from lisp.runtime.data import lisp_list as L
from lisp.runtime.namespace import builtin, get_function, symbol_value
from lisp.syntax import logical_blocks, pprint_dispatch, print_session, printer
from lisp.syntax.format import formatter
from lisp.syntax.logical_blocks import BlockItems, logical_block, newline, pprint_fill, pprint_linear
from lisp.syntax.pretty import PrettyStream
from lisp.syntax.printer import write
from lisp.syntax.reader import FUNCTION, QUASIQUOTE, QUOTE, UNQUOTE, UNQUOTE_NSPLICING, UNQUOTE_SPLICING


def _call(control: str) -> Callable[[Any, Any], None]:
    """A layout given as a format control string applied to the form (SBCL writes most so)."""
    run = formatter(control)

    def layout(stream: Any, form: Any, *noise: Any) -> None:
        run(stream, form)

    return layout


pprint_fun_call = _call("~:<~^~W~^ ~:_~:I~@{~W~^ ~:_~}~:>")
pprint_spread_fun_call = _call("~:<~^~W~^ ~:_~:I~@{~W~^ ~:@_~}~:>")
pprint_if = _call("~:<~^~W~^ ~:I~W~^ ~:@_~@{~W~^ ~:@_~}~:>")
pprint_block = _call("~:<~^~W~^~3I ~:_~W~1I~@{ ~_~W~}~:>")
pprint_lambda = _call("~:<~^~W~^~3I ~:_~/GFJIT-SYSTEM::PPRINT-LAMBDA-LIST/~1I~@{ ~_~W~}~:>")
pprint_let = _call("~:<~^~W~^ ~@_~:<~@{~:<~^~W~@{ ~_~W~}~:>~^ ~_~}~:>~1I~^~:@_~@{~W~^ ~_~}~:>")
pprint_progv = _call("~:<~^~W~^~3I ~_~W~^ ~_~W~^~1I~@{ ~_~W~}~:>")
pprint_prog2 = _call("~:<~^~W~^~3I ~:_~W~^ ~_~W~^~1I~@{ ~_~W~}~:>")
pprint_case = _call("~:<~^~W~^ ~3I~:_~W~1I~@{ ~_~:<~^~:/PPRINT-FILL/~^~@{ ~_~W~}~:>~}~:>")
pprint_typecase = _call("~:<~^~W~^ ~3I~:_~W~1I~@{ ~_~:<~^~W~^~@{ ~_~W~}~:>~}~:>")
pprint_defun = _call("~:<~^~W~^ ~@_~:I~W~^ ~:_~/GFJIT-SYSTEM::PPRINT-LAMBDA-LIST/~1I~@{ ~_~W~}~:>")
pprint_destructuring_bind = _call(
    "~:<~^~W~^~3I ~_~:/GFJIT-SYSTEM::PPRINT-LAMBDA-LIST/~^ ~_~W~^~1I~@{ ~_~W~}~:>")
pprint_defpackage = _call("~:<~W~^ ~3I~:_~W~^~1I~@{~:@_~:<~^~W~^ ~:I~@_~@{~W~^ ~_~}~:>~}~:>")
_flet_functions = _call(
    "~:<~^~W~^ ~@_~:<~@{~:<~^~W~^~3I ~:_~/GFJIT-SYSTEM::PPRINT-LAMBDA-LIST/~1I~:@_~@{~W~^ ~_~}~:>~^ ~_~}~:>"
    "~1I~@:_~@{~W~^ ~_~}~:>")
_defmethod_qualified = _call(
    "~:<~^~W~^ ~@_~:I~W~^ ~W~^ ~:_~/GFJIT-SYSTEM::PPRINT-LAMBDA-LIST/~1I~@{ ~_~W~}~:>")
_do_bindings = formatter("~:<~@{~:<~^~W~^ ~@_~:I~W~@{ ~_~W~}~:>~^~:@_~}~:>")
_dolist_header = formatter("~:<~^~W~^ ~:_~:I~W~@{ ~_~W~}~:>")

_LAMBDA_KEYWORDS = {name: cl_symbol(name) for name in ("&OPTIONAL", "&AUX", "&REST", "&BODY", "&KEY")}


@builtin("PPRINT-LAMBDA-LIST", SYSTEM)
def pprint_lambda_list(stream: Any, lambda_list: Any, *noise: Any) -> None:
    """A lambda list: its keywords start sections, a destructured or defaulted parameter is a block."""
    def body(items: BlockItems, stream: PrettyStream) -> None:
        state = "required"
        first = True
        while True:
            items.exit_if_exhausted()
            if not first:
                stream.write_string(" ")
            arg = items.pop()
            if arg is _LAMBDA_KEYWORDS["&OPTIONAL"] or arg is _LAMBDA_KEYWORDS["&AUX"]:
                state = "optional"
                newline("linear", stream)
            elif arg is _LAMBDA_KEYWORDS["&REST"] or arg is _LAMBDA_KEYWORDS["&BODY"]:
                state = "required"
                newline("linear", stream)
            elif arg is _LAMBDA_KEYWORDS["&KEY"]:
                state = "key"
                newline("linear", stream)
            else:
                newline("fill", stream)
            if state == "required":
                logical_block(stream, arg, _linear_elements, prefix="(", suffix=")")
            else:
                logical_block(stream, arg, _defaulted_parameter(state == "key"), prefix="(", suffix=")")
            first = False

    logical_block(stream, lambda_list, body, prefix="(", suffix=")")


def _linear_elements(items: BlockItems, stream: PrettyStream) -> None:
    items.exit_if_exhausted()
    while True:
        write(items.pop(), stream)
        items.exit_if_exhausted()
        stream.write_string(" ")
        newline("linear", stream)


def _defaulted_parameter(key: bool) -> Callable[[BlockItems, PrettyStream], None]:
    """``(var default supplied-p)`` of ``&optional``; of ``&key`` the variable may be ``(:key var)``."""
    def keyword_name(items: BlockItems, stream: PrettyStream) -> None:
        items.exit_if_exhausted()
        write(items.pop(), stream)
        items.exit_if_exhausted()
        stream.write_string(" ")
        newline("fill", stream)
        write(items.pop(), stream)
        while True:
            items.exit_if_exhausted()
            stream.write_string(" ")
            newline("fill", stream)
            write(items.pop(), stream)

    def body(items: BlockItems, stream: PrettyStream) -> None:
        items.exit_if_exhausted()
        if key:
            logical_block(stream, items.pop(), keyword_name, prefix="(", suffix=")")
        else:
            write(items.pop(), stream)
        while True:
            items.exit_if_exhausted()
            stream.write_string(" ")
            newline("linear", stream)
            write(items.pop(), stream)

    return body


def pprint_progn(stream: Any, form: Any, *noise: Any) -> None:
    pprint_linear(stream, form)


def pprint_flet(stream: Any, form: Any, *noise: Any) -> None:
    if isinstance(form.cdr, Cons) and isinstance(form.cdr.cdr, Cons) and form.cdr.cdr.car is not keyword("IN"):
        _flet_functions(stream, form)
        return

    def body(items: BlockItems, stream: PrettyStream) -> None:  # a name such as (FLET FOO)
        items.exit_if_exhausted()
        write(items.pop(), stream)
        while True:
            items.exit_if_exhausted()
            stream.write_string(" ")
            write(items.pop(), stream)

    logical_block(stream, form, body, prefix="(", suffix=")")


def pprint_defmethod(stream: Any, form: Any, *noise: Any) -> None:
    rest = form.cdr
    if isinstance(rest, Cons) and isinstance(rest.cdr, Cons) and isinstance(rest.cdr.car, Cons):
        pprint_defun(stream, form)
    else:
        _defmethod_qualified(stream, form)


class _Sugar(threading.local):
    on = True  # off inside DECLARE: (declare (function f)) stays so


_sugar = _Sugar()
_SIGILS = {QUOTE: "'", FUNCTION: "#'", QUASIQUOTE: "`", UNQUOTE: ",", UNQUOTE_SPLICING: ",@", UNQUOTE_NSPLICING: ",."}


def pprint_quote(stream: Any, form: Any, *noise: Any) -> None:
    """``'x``, ``#'f``, ```x``, ``,x``, ``,@x``, ``,.x`` of a two-element list (backquote forms
    always: wrongly nested commas would not read back)."""
    tail = form.cdr
    if isinstance(tail, Cons) and tail.cdr is NIL and (_sugar.on or form.car not in (QUOTE, FUNCTION)):
        session = print_session.current()
        if session is None or session.labels is None or id(tail) not in session.labels:
            stream.write_string(_SIGILS[form.car])
            write(tail.car, stream)
            return
    pprint_fill(stream, form)


def pprint_declare(stream: Any, form: Any, *noise: Any) -> None:
    saved, _sugar.on = _sugar.on, False
    try:
        pprint_spread_fun_call(stream, form)
    finally:
        _sugar.on = saved


def pprint_setq(stream: Any, form: Any, *noise: Any) -> None:
    """Each place and value on a line when they fit there; else the value below, indented by 2."""
    def pairs(items: BlockItems, stream: PrettyStream) -> None:
        while True:
            logical_blocks.indent("block", 2, stream)
            write(items.pop(), stream)
            items.exit_if_exhausted()
            stream.write_string(" ")
            newline("fill", stream)
            logical_blocks.indent("block", 0, stream)
            write(items.pop(), stream)
            items.exit_if_exhausted()
            stream.write_string(" ")
            newline("mandatory", stream)

    def body(items: BlockItems, stream: PrettyStream) -> None:
        items.exit_if_exhausted()
        write(items.pop(), stream)
        items.exit_if_exhausted()
        stream.write_string(" ")
        if not isinstance(form.cdr, Cons):
            stream.write_string(". ")
        newline("miser", stream)
        logical_block(stream, form.cdr, pairs, prefix="", suffix="")

    logical_block(stream, form, body, prefix="(", suffix=")")


def _tagbody_guts(items: BlockItems, stream: PrettyStream) -> None:
    """The forms and tags of a body: tags one column left of the forms."""
    while True:
        items.exit_if_exhausted()
        stream.write_string(" ")
        form_or_tag = items.pop()
        logical_blocks.indent("block", 1 if isinstance(form_or_tag, Cons) else 0, stream)
        newline("linear", stream)
        write(form_or_tag, stream)


def _operator_then(rest: Callable[[BlockItems, PrettyStream], None]) -> Callable[[Any, Any], None]:
    """A layout printing the operator, then ``rest``."""
    def layout(stream: Any, form: Any, *noise: Any) -> None:
        def body(items: BlockItems, stream: PrettyStream) -> None:
            items.exit_if_exhausted()
            write(items.pop(), stream)
            rest(items, stream)

        logical_block(stream, form, body, prefix="(", suffix=")")

    return layout


def _do_rest(items: BlockItems, stream: PrettyStream) -> None:
    items.exit_if_exhausted()
    stream.write_string(" ")
    logical_blocks.indent("current", 0, stream)
    _do_bindings(stream, items.pop())
    items.exit_if_exhausted()
    stream.write_string(" ")
    newline("linear", stream)
    pprint_linear(stream, items.pop())
    _tagbody_guts(items, stream)


def _dolist_rest(items: BlockItems, stream: PrettyStream) -> None:
    items.exit_if_exhausted()
    logical_blocks.indent("block", 3, stream)
    stream.write_string(" ")
    newline("fill", stream)
    _dolist_header(stream, items.pop())
    _tagbody_guts(items, stream)


def _prog_rest(items: BlockItems, stream: PrettyStream) -> None:
    items.exit_if_exhausted()
    stream.write_string(" ")
    newline("miser", stream)
    pprint_fill(stream, items.pop())
    _tagbody_guts(items, stream)


pprint_tagbody = _operator_then(_tagbody_guts)
pprint_do = _operator_then(_do_rest)
pprint_dolist = _operator_then(_dolist_rest)
pprint_prog = _operator_then(_prog_rest)

#: LOOP keywords that start a line of an extended LOOP (compared by name, as LOOP does).
_LOOP_CLAUSES = frozenset((
    "AND", "WITH", "FOR", "INITIALLY", "FINALLY", "DO", "DOING", "COLLECT", "COLLECTING", "APPEND",
    "APPENDING", "NCONC", "NCONCING", "COUNT", "COUNTING", "SUM", "SUMMING", "MAXIMIZE", "MAXIMIZING",
    "MINIMIZE", "MINIMIZING", "IF", "WHEN", "UNLESS", "END", "WHILE", "UNTIL", "REPEAT", "ALWAYS",
    "NEVER", "THEREIS"))


def _extended_loop(items: BlockItems, stream: PrettyStream) -> None:
    items.exit_if_exhausted()
    stream.write_string(" ")
    logical_blocks.indent("current", 0, stream)
    write(items.pop(), stream)
    items.exit_if_exhausted()
    stream.write_string(" ")
    while True:
        thing = items.pop()
        if isinstance(thing, Symbol) and thing.name in _LOOP_CLAUSES:
            newline("mandatory", stream)
        write(thing, stream)
        items.exit_if_exhausted()
        stream.write_string(" ")


def pprint_loop(stream: Any, form: Any, *noise: Any) -> None:
    clauses = form.cdr
    if not isinstance(clauses, Cons) or isinstance(clauses.car, Cons):
        pprint_spread_fun_call(stream, form)
    else:
        _operator_then(_extended_loop)(stream, form)


#: SBCL's count of the arguments before ``&body`` of the standard macros laid out as calls (the
#: others have layouts of their own, or no ``&body``).
MACRO_BODIES = {cl_symbol(name): count for name, count in (
    ("DEFGENERIC", 2), ("DEFINE-COMPILER-MACRO", 2), ("DEFINE-CONDITION", 3), ("DEFINE-METHOD-COMBINATION", 1),
    ("HANDLER-BIND", 1), ("RESTART-BIND", 1), ("RESTART-CASE", 1), ("WITH-ACCESSORS", 2),
    ("WITH-CONDITION-RESTARTS", 2), ("WITH-SLOTS", 2))}
_BODY, _OPTIONAL = cl_symbol("&BODY"), cl_symbol("&OPTIONAL")
_SKIPPED = (cl_symbol("&WHOLE"), cl_symbol("&ENVIRONMENT"))


def _macro_body_start(operator: Symbol) -> int | None:
    """How many arguments of the macro ``operator`` come before its ``&body`` (None: no ``&body``)."""
    if operator in MACRO_BODIES:
        return MACRO_BODIES[operator]
    if operator.package is COMMON_LISP:
        return None
    function = get_function(cl_symbol("MACRO-FUNCTION"))(operator)
    form = docstrings.definition(function) if function is not NIL else None
    if not isinstance(form, Cons) or not isinstance(form.cdr, Cons) or not isinstance(form.cdr.cdr, Cons):
        return None
    count = 0
    lambda_list = form.cdr.cdr.car
    while isinstance(lambda_list, Cons) and lambda_list.car is not _BODY:
        if lambda_list.car in _SKIPPED and isinstance(lambda_list.cdr, Cons):
            lambda_list = lambda_list.cdr
        elif lambda_list.car is not _OPTIONAL:
            count += 1
        lambda_list = lambda_list.cdr
    return None if lambda_list is NIL else count


def pprint_call_form(stream: Any, form: Any, *noise: Any) -> None:
    """A call; a macro with ``&body``: its first argument beside it, the others before the body on
    lines of their own (indented by 4), each body form on its own line (indented by 2)."""
    body_start = _macro_body_start(form.car)
    if body_start is None:
        pprint_fun_call(stream, form)
        return

    def body(items: BlockItems, stream: PrettyStream) -> None:
        write(items.pop(), stream)
        items.exit_if_exhausted()
        stream.write_string(" ")
        for position in range(body_start):
            if position:
                logical_blocks.indent("block", 3, stream)
                newline("mandatory", stream)
            write(items.pop(), stream)
            items.exit_if_exhausted()
        logical_blocks.indent("block", 1, stream)
        newline("mandatory", stream)
        while True:
            write(items.pop(), stream)
            items.exit_if_exhausted()
            newline("mandatory", stream)

    logical_block(stream, form, body, prefix="(", suffix=")")


# -- arrays ----------------------------------------------------------------------------------------

def _lisp(name: str) -> Callable[..., Any]:
    return get_function(cl_symbol(name))


def pprint_array(stream: Any, array: Any, *noise: Any) -> None:
    """``#(...)`` filled; an array of another rank as ``#nA`` and nested lists (filled innermost)."""
    readably = symbol_value(printer.OPTIONS["readably"][0]) is not NIL
    if ((symbol_value(printer.OPTIONS["array"][0]) is NIL and not readably)
            or (readably and not isinstance(array, list))):
        stream.write_string(printer.write_to_string(array, column=stream.column, pretty=NIL))
        return
    if isinstance(array, list):
        elements: Any = array
    elif _lisp("ARRAY-RANK")(array) == 1:
        elements = [_lisp("AREF")(array, i) for i in range(_lisp("LENGTH")(array))]
    else:
        _multi_dimensional(stream, array)
        return

    def body(items: BlockItems, stream: PrettyStream) -> None:
        for i, element in enumerate(elements):
            if i:
                stream.write_string(" ")
                newline("fill", stream)
            items.pop()
            write(element, stream)

    logical_block(stream, NIL, body, prefix="#(", suffix=")")


def _multi_dimensional(stream: PrettyStream, array: Any) -> None:
    dimensions = list(_iterate(_lisp("ARRAY-DIMENSIONS")(array)))
    stream.write_string(f"#{len(dimensions)}A")
    element = _lisp("ROW-MAJOR-AREF")

    def guts(stream: PrettyStream, index: int, dims: list[int]) -> None:
        if not dims:
            write(element(array, index), stream)
            return

        def body(items: BlockItems, stream: PrettyStream) -> None:
            step = 1
            for d in dims[1:]:
                step *= d
            for count in range(dims[0]):
                if count:
                    stream.write_string(" ")
                    newline("linear" if len(dims) > 1 else "fill", stream)
                items.pop()
                guts(stream, index + count * step, dims[1:])

        logical_block(stream, NIL, body, prefix="(", suffix=")")

    guts(stream, 0, dimensions)


def _iterate(lst: Any) -> Any:
    while isinstance(lst, Cons):
        yield lst.car
        lst = lst.cdr


# -- structures ------------------------------------------------------------------------------------

def print_structure(obj: Any, stream: PrettyStream, name: Symbol, slots: list[tuple[Symbol, Any]]) -> None:
    """``#S(name :slot value ...)`` in a logical block, a pair per line when they do not fit (SBCL)."""
    if not slots:
        stream.write_string("#S(")
        write(name, stream)
        stream.write_string(")")
        return

    def body(items: BlockItems, stream: PrettyStream) -> None:
        write(name, stream)
        stream.write_string(" ")
        newline("linear", stream)
        for i, (slot, value) in enumerate(slots):
            items.pop()
            if i:
                stream.write_string(" ")
                newline("linear", stream)
            stream.write_string(printer.slot_key_text(slot))
            stream.write_string(" ")
            newline("miser", stream)
            write(value, stream)

    logical_block(stream, NIL, body, prefix="#S(", suffix=")")


# -- the table -------------------------------------------------------------------------------------

def _is_operator(obj: Any) -> bool:
    """A cons whose car names a function, a macro or a special operator (SBCL: FBOUNDP)."""
    car = obj.car if isinstance(obj, Cons) else None
    return (isinstance(car, Symbol) and car is not NIL
            and (_lisp("FBOUNDP")(car) is not NIL or _lisp("SPECIAL-OPERATOR-P")(car) is not NIL))


_ARRAY = L(cl_symbol("AND"), cl_symbol("ARRAY"),
           L(cl_symbol("NOT"), L(cl_symbol("OR"), cl_symbol("STRING"), cl_symbol("BIT-VECTOR"))))


def _is_array(obj: Any) -> bool:
    """``(and array (not (or string bit-vector)))``."""
    if type(obj) is list:
        return True
    if isinstance(obj, (str, int, float, Fraction, complex, Symbol, Char, Cons)) or obj is None:
        return False
    return (_lisp("ARRAYP")(obj) is not NIL and _lisp("STRINGP")(obj) is NIL
            and _lisp("BIT-VECTOR-P")(obj) is NIL)


def _fill(stream: Any, obj: Any, *noise: Any) -> None:
    pprint_fill(stream, obj)


def _forms(names: str) -> list[Symbol]:
    return [cl_symbol(name) for name in names.split()]


_FORMS: list[tuple[list[Symbol], Callable[..., None]]] = [
    (_forms("LAMBDA"), pprint_lambda),
    (_forms("DECLARE DECLAIM"), pprint_declare),
    (_forms("BLOCK CATCH RETURN-FROM THROW EVAL-WHEN MULTIPLE-VALUE-CALL MULTIPLE-VALUE-PROG1 UNWIND-PROTECT"),
     pprint_block),
    (_forms("FLET LABELS MACROLET"), pprint_flet),
    (_forms("IF"), pprint_if),
    (_forms("LET LET* SYMBOL-MACROLET"), pprint_let),
    (_forms("LOCALLY PROGN"), pprint_progn),
    (_forms("PROGV"), pprint_progv),
    (_forms("SETQ PSETQ SETF PSETF"), pprint_setq),
    (_forms("TAGBODY"), pprint_tagbody),
    (_forms("CASE CCASE ECASE"), pprint_case),
    (_forms("CTYPECASE ETYPECASE TYPECASE"), pprint_typecase),
    (_forms("DEFCONSTANT DEFPARAMETER DEFSTRUCT DEFVAR"), pprint_block),
    (_forms("DEFINE-MODIFY-MACRO DEFINE-SETF-EXPANDER DEFMACRO DEFSETF DEFTYPE DEFUN"), pprint_defun),
    (_forms("DEFMETHOD"), pprint_defmethod),
    (_forms("DEFPACKAGE"), pprint_defpackage),
    (_forms("DESTRUCTURING-BIND"), pprint_destructuring_bind),
    (_forms("DO DO*"), pprint_do),
    (_forms("DO-ALL-SYMBOLS DO-EXTERNAL-SYMBOLS DO-SYMBOLS DOLIST DOTIMES"), pprint_dolist),
    (_forms("LOOP"), pprint_loop),
    (_forms("MULTIPLE-VALUE-BIND PROG2"), pprint_prog2),
    (_forms("MULTIPLE-VALUE-SETQ PROG1 PPRINT-LOGICAL-BLOCK PRINT-UNREADABLE-OBJECT"), pprint_block),
    (_forms("PROG PROG*"), pprint_prog),
    (_forms("STEP TIME"), pprint_progn),
    (_forms("UNLESS WHEN"), pprint_block),
    (_forms("WITH-COMPILATION-UNIT WITH-SIMPLE-RESTART WITH-HASH-TABLE-ITERATOR WITH-PACKAGE-ITERATOR "
            "WITH-INPUT-FROM-STRING WITH-OUTPUT-TO-STRING WITH-OPEN-FILE WITH-OPEN-STREAM"), pprint_block),
    (_forms("WITH-STANDARD-IO-SYNTAX"), pprint_progn),
]

pprint_dispatch.INITIAL.add_initial(_ARRAY, pprint_array, _is_array)
pprint_dispatch.INITIAL.add_initial(L(cl_symbol("CONS"), L(cl_symbol("AND"), cl_symbol("SYMBOL"),
                                                          L(cl_symbol("SATISFIES"), cl_symbol("FBOUNDP")))),
                                    pprint_call_form, _is_operator, code=True)
pprint_dispatch.INITIAL.add_initial(cl_symbol("CONS"), _fill, lambda obj: isinstance(obj, Cons))
for _operators, _layout in _FORMS:
    pprint_dispatch.INITIAL.add_initial_forms(_operators, _layout)
pprint_dispatch.INITIAL.add_initial_forms(list(_SIGILS), pprint_quote, code=False)
pprint_dispatch.install_initial_entries()
printer.print_structure_pretty = print_structure
