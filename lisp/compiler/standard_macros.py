"""The standard control macros: conditionals, iteration, ``prog1``/``prog2``, ``prog``/``prog*``,
``return``, ``psetq``, ``with-output-to-string``, ``ignore-errors``. Each is a Python expander building code.

Iteration expands into the compiler's own loops: ``dolist``/``dotimes`` into ``sys::%do-list`` /
``sys::%do-times`` (Python ``for`` loops), ``do``/``do*``/simple ``loop`` into ``sys::%while``;
their bodies are implicit tagbodies and they establish a NIL block, as the standard says.
"""

from __future__ import annotations

import ast
from typing import Any

from lisp.compiler.core import EFFECT, ONE, Result, call, compile_form, one_value, special_form
from lisp.compiler.env import Env, Variable
from lisp.compiler.forms import arguments, items, program_error, show
from lisp.compiler.functions import compile_let
from lisp.compiler.macros import QUOTE, gensym, macro
from lisp.compiler.result import Dest
from lisp.runtime import namespace
from lisp.runtime.condition_classes import LispTypeError
from lisp.runtime.data import SYSTEM, Cons, Symbol, T, cl_symbol, iter_list, make_list
from lisp.runtime.data import lisp_list as L

IF = cl_symbol("IF")
LET = cl_symbol("LET")
LET_STAR = cl_symbol("LET*")
PROGN = cl_symbol("PROGN")
BLOCK = cl_symbol("BLOCK")
TAGBODY = cl_symbol("TAGBODY")
SETQ = cl_symbol("SETQ")
DECLARE = cl_symbol("DECLARE")
OTHERWISE = cl_symbol("OTHERWISE")
EQL = cl_symbol("EQL")
WHILE = SYSTEM.intern("%WHILE")
DO_LIST = SYSTEM.intern("%DO-LIST")
DO_TIMES = SYSTEM.intern("%DO-TIMES")


def _args(form: Any, low: int = 0) -> list[Any]:
    args = arguments(form)
    if len(args) < low:
        raise program_error(f"too few arguments to {show(form.car)} in {show(form)}", form)
    return args


def split_declarations(body: list[Any]) -> tuple[list[Any], list[Any]]:
    i = 0
    while i < len(body) and isinstance(body[i], Cons) and body[i].car is DECLARE:
        i += 1
    return body[:i], body[i:]


@macro("WHEN")
def when(form: Any, env: Any) -> Any:
    test, *body = _args(form, 1)
    return L(IF, test, make_list([PROGN, *body]))


@macro("UNLESS")
def unless(form: Any, env: Any) -> Any:
    test, *body = _args(form, 1)
    return L(IF, test, None, make_list([PROGN, *body]))


@macro("AND")
def and_(form: Any, env: Any) -> Any:
    args = _args(form)
    if not args:
        return T
    result = args[-1]
    for arg in reversed(args[:-1]):
        result = L(IF, arg, result)
    return result


@macro("OR")
def or_(form: Any, env: Any) -> Any:
    args = _args(form)
    if not args:
        return None
    result = args[-1]
    for arg in reversed(args[:-1]):
        tmp = gensym("OR")
        result = L(LET, L(L(tmp, arg)), L(IF, tmp, tmp, result))
    return result


@macro("COND")
def cond(form: Any, env: Any) -> Any:
    result = None
    for clause in reversed(_args(form)):
        if not isinstance(clause, Cons):
            raise program_error(f"malformed COND clause {show(clause)} in {show(form)}", form)
        test, *body = items(clause, form, 1)
        if body:
            result = L(IF, test, make_list([PROGN, *body]), result)
        else:
            result = L(cl_symbol("OR"), test, result)  # only the test's primary value, even last
    return result


def _case(form: Any, fell_through: Any, test_of: Any) -> Any:
    """CASE and its kin; ``fell_through(key, keys)`` is the form run when no clause matches (``key``
    the variable holding the key, ``keys`` every clause's keys or types), None for CASE/TYPECASE
    (which take an ``otherwise`` clause instead)."""
    key, *clauses = _args(form, 1)
    tmp = gensym("KEY")
    result = None if fell_through is None else fell_through(tmp, _all_keys(clauses, form))
    for i, clause in reversed(list(enumerate(clauses))):
        if not isinstance(clause, Cons):
            raise program_error(f"malformed clause {show(clause)} in {show(form)}", form)
        keys, *body = items(clause, form, 1)
        if keys in (T, OTHERWISE) and fell_through is None:
            if keys is T and test_of is _type_test and i != len(clauses) - 1:
                result = make_list([PROGN, *body])  # the type T, before the otherwise clause
                continue
            if i != len(clauses) - 1:
                raise program_error(f"{show(keys)} clause is not the last one in {show(form)}", form)
            result = make_list([PROGN, *body])
            continue
        result = L(IF, test_of(tmp, keys), make_list([PROGN, *body]), result)
    return L(LET, L(L(tmp, key)), result)


def _all_keys(clauses: list[Any], form: Any) -> Any:
    keys = []
    for clause in clauses:
        k = clause.car
        keys.extend(iter_list(k) if isinstance(k, Cons) or k is None else [k])  # () is no key
    return make_list(keys)


def _key_test(tmp: Symbol, keys: Any) -> Any:
    if isinstance(keys, Cons):
        return make_list([cl_symbol("OR"), *(L(EQL, tmp, L(QUOTE, k)) for k in iter_list(keys))])
    if keys is None:
        return None
    return L(EQL, tmp, L(QUOTE, keys))


def _type_test(tmp: Symbol, type_: Any) -> Any:
    return L(cl_symbol("TYPEP"), tmp, L(QUOTE, type_))


@macro("CASE")
def case(form: Any, env: Any) -> Any:
    return _case(form, None, _key_test)


def _signal(failure: str) -> Any:
    return lambda key, keys: L(SYSTEM.intern(failure), key, L(QUOTE, keys))


def _correctable(form: Any, combine: Symbol, test_of: Any, failure: str) -> Any:
    """CCASE/CTYPECASE: a TYPE-ERROR with a STORE-VALUE restart that stores a new value into the
    place, which is then read and dispatched on again (CLHS 5.3 ccase). A key that is no place
    (a literal) gets ECASE's or ETYPECASE's error, as SBCL signals at run time."""
    place = _args(form, 1)[0]
    if not isinstance(place, (Symbol, Cons)) or place is None or place is T:
        return _case(form, _signal(failure), test_of)
    block, again = gensym("BLOCK"), gensym("AGAIN")

    def fell_through(key: Symbol, keys: Any) -> Any:
        expected = make_list([combine, *iter_list(keys)])
        store = L(cl_symbol("SETF"), place, L(SYSTEM.intern("%CHECK-TYPE-FAILURE"), L(QUOTE, place), key,
                                              L(QUOTE, expected), None))
        return L(PROGN, store, L(cl_symbol("GO"), again))

    return L(BLOCK, block, L(TAGBODY, again, L(cl_symbol("RETURN-FROM"), block, _case(form, fell_through, test_of))))


@macro("ECASE")
def ecase(form: Any, env: Any) -> Any:
    return _case(form, _signal("%ECASE-FAILURE"), _key_test)


@macro("CCASE")
def ccase(form: Any, env: Any) -> Any:
    return _correctable(form, cl_symbol("MEMBER"), _key_test, "%ECASE-FAILURE")


@macro("TYPECASE")
def typecase(form: Any, env: Any) -> Any:
    return _case(form, None, _type_test)


@macro("ETYPECASE")
def etypecase(form: Any, env: Any) -> Any:
    return _case(form, _signal("%ETYPECASE-FAILURE"), _type_test)


@macro("CTYPECASE")
def ctypecase(form: Any, env: Any) -> Any:
    return _correctable(form, cl_symbol("OR"), _type_test, "%ETYPECASE-FAILURE")


def _ecase_failure(value: Any, keys: Any) -> None:
    raise LispTypeError(f"{show(value)} fell through ECASE: it is none of {show(keys)}", datum=value,
                        expected_type=make_list([cl_symbol("MEMBER"), *iter_list(keys)]))


def _etypecase_failure(value: Any, types: Any) -> None:
    raise LispTypeError(f"{show(value)} fell through ETYPECASE: it is of none of the types {show(types)}",
                        datum=value, expected_type=make_list([cl_symbol("OR"), *iter_list(types)]))


@macro("WITH-COMPILATION-UNIT")
def with_compilation_unit(form: Any, env: Any) -> Any:
    """``(with-compilation-unit (options...) body...)``: the body, as a progn (gfjit defers no
    warnings to the end of a unit; the options, such as ``:override``, change nothing)."""
    options, *body = _args(form, 1)
    return make_list([PROGN, *body])


@macro("PROG1")
def prog1(form: Any, env: Any) -> Any:
    first, *rest = _args(form, 1)
    tmp = gensym("FIRST")
    return make_list([LET, L(L(tmp, first)), *rest, tmp])


@macro("PROG2")
def prog2(form: Any, env: Any) -> Any:
    first, second, *rest = _args(form, 2)
    return L(PROGN, first, make_list([cl_symbol("PROG1"), second, *rest]))


@macro("RETURN")
def return_(form: Any, env: Any) -> Any:
    return make_list([cl_symbol("RETURN-FROM"), None, *_args(form)])


@macro("PSETQ")
def psetq(form: Any, env: Any) -> Any:
    args = _args(form)
    if len(args) % 2:
        raise program_error(f"odd number of arguments to PSETQ in {show(form)}", form)
    pairs = [(args[i], args[i + 1], gensym("NEW")) for i in range(0, len(args), 2)]
    return L(LET, make_list([L(tmp, value) for _, value, tmp in pairs]),
             make_list([SETQ, *(x for var, _, tmp in pairs for x in (var, tmp))]), None)


@macro("DOLIST")
def dolist(form: Any, env: Any) -> Any:
    spec, *body = _args(form, 1)
    var, list_form, *result = items(spec, form, 2)
    decls, forms = split_declarations(body)
    loop = make_list([DO_LIST, L(var, list_form), *decls, make_list([TAGBODY, *forms])])
    return L(BLOCK, None, loop, make_list([LET, L(L(var, None)), *decls, *result]))


@macro("DOTIMES")
def dotimes(form: Any, env: Any) -> Any:
    spec, *body = _args(form, 1)
    var, count, *result = items(spec, form, 2)
    decls, forms = split_declarations(body)
    limit = gensym("COUNT")
    loop = make_list([DO_TIMES, L(var, limit), *decls, make_list([TAGBODY, *forms])])
    # The result form sees the number of iterations done: none for a count below zero.
    done = L(cl_symbol("MAX"), limit, 0)
    return L(BLOCK, None, L(LET, L(L(limit, count)), loop, make_list([LET, L(L(var, done)), *decls, *result])))


def _do(form: Any, sequential: bool) -> Any:
    specs, end, *body = _args(form, 2)
    bindings, steps = [], []
    for spec in iter_list(specs):
        if isinstance(spec, Symbol):
            bindings.append(spec)
            continue
        var, *rest = items(spec, form, 1)
        bindings.append(L(var, rest[0] if rest else None))
        if len(rest) > 1:
            steps.extend([var, rest[1]])
    end_test, *result = items(end, form, 1)
    decls, forms = split_declarations(body)
    step = make_list([cl_symbol("SETQ" if sequential else "PSETQ"), *steps]) if steps else None
    loop = L(WHILE, L(cl_symbol("NOT"), end_test), make_list([TAGBODY, *forms]), step)
    return L(BLOCK, None, make_list([LET_STAR if sequential else LET, make_list(bindings), *decls, loop,
                                     make_list([PROGN, *result])]))


@macro("DO")
def do(form: Any, env: Any) -> Any:
    return _do(form, sequential=False)


@macro("DO*")
def do_star(form: Any, env: Any) -> Any:
    return _do(form, sequential=True)


def _prog(form: Any, let: Symbol) -> Any:
    bindings, *body = _args(form, 1)
    decls, forms = split_declarations(body)
    return L(BLOCK, None, make_list([let, bindings, *decls, make_list([TAGBODY, *forms])]))


@macro("PROG")
def prog(form: Any, env: Any) -> Any:
    return _prog(form, LET)


@macro("PROG*")
def prog_star(form: Any, env: Any) -> Any:
    return _prog(form, LET_STAR)


@macro("WITH-OUTPUT-TO-STRING")
def with_output_to_string(form: Any, env: Any) -> Any:
    spec, *body = _args(form, 1)
    var, *rest = items(spec, form, 1)
    decls, forms = split_declarations(body)
    if rest and rest[0] is not None:  # a string with a fill pointer receives the output
        stream = L(SYSTEM.intern("%FILL-POINTER-OUTPUT-STREAM"), rest[0])
        return make_list([LET, L(L(var, stream)), *decls, make_list([PROGN, *forms])])
    return make_list([LET, L(L(var, L(cl_symbol("MAKE-STRING-OUTPUT-STREAM")))), *decls,
                      make_list([PROGN, *forms]), L(cl_symbol("GET-OUTPUT-STREAM-STRING"), var)])


@macro("IGNORE-ERRORS")
def ignore_errors(form: Any, env: Any) -> Any:
    condition = gensym("CONDITION")
    return L(cl_symbol("HANDLER-CASE"), make_list([PROGN, *_args(form)]),
             L(cl_symbol("ERROR"), L(condition), L(cl_symbol("VALUES"), None, condition)))


# -- the loops iteration macros expand into ---------------------------------------------------

def _loop_body(form: Any, env: Env) -> tuple[Result, str, list[ast.stmt]]:
    """The source of ``(op (var source) . body)``, the Python name each element arrives in and the
    statements of ``(let ((var <element>)) . body)`` run for it."""
    spec, *body = arguments(form)
    var, source = items(spec, form, 2)
    if not isinstance(var, Symbol):
        raise program_error(f"{show(var)} is not a variable, in {show(form)}", form)
    src = compile_form(source, env, ONE)
    item = env.unit.fresh("%item")
    item_sym = gensym("ITEM")
    with env.fn.loop(repeats=True):
        inner = env.extend()
        inner.variables[item_sym] = Variable(item_sym, pyname=item, fn=env.fn)
        bound = compile_let(make_list([LET, L(L(var, item_sym)), *body]), inner, sequential=False, dest=EFFECT)
    return Result(src.stmts, src.expr, max(src.records, bound.records)), *_element_target(item, bound.stmts)


def _element_target(item: str, body: list[ast.stmt]) -> tuple[str, list[ast.stmt]]:
    """Where each element is stored, and the body: when the body starts by copying ``item`` into
    a Python variable (``var`` is a plain local) and reads ``item`` nowhere else, the element
    goes straight into that variable (one store and one load less per element)."""
    first = body[0] if body else None
    if (isinstance(first, ast.Assign) and len(first.targets) == 1 and isinstance(first.targets[0], ast.Name)
            and isinstance(first.value, ast.Name) and first.value.id == item
            and not any(isinstance(node, ast.Name) and node.id == item for stmt in body[1:] for node in ast.walk(stmt))):
        return first.targets[0].id, body[1:] or [ast.Pass()]
    return item, body or [ast.Pass()]


def _for_each(form: Any, env: Env, dest: Dest, elements: str) -> Result:
    """``(op (var source) . body)`` as ``for var in elements(source): body``; NIL."""
    src, item, body = _loop_body(form, env)
    loop = ast.For(target=ast.Name(id=item, ctx=ast.Store()), iter=call(elements, src.expr), body=body, orelse=[])
    return one_value(Result([*src.stmts, loop], ast.Constant(None), src.records), env, dest)


@special_form("%DO-LIST", SYSTEM)
def do_list(form: Any, env: Env, dest: Dest) -> Result:
    """``(sys::%do-list (var list) . body)``: body for each element of a proper list, through
    :class:`lisp.runtime.native_cons.ListIterator` (whose step is native code: one ``FOR_ITER`` per
    element). Its TYPE-ERROR for a tail that is not a list names DOLIST."""
    return _for_each(form, env, dest, "%list_iter")


@special_form("%DO-TIMES", SYSTEM)
def do_times(form: Any, env: Env, dest: Dest) -> Result:
    """``(sys::%do-times (var count) . body)``: body for var from 0 below count."""
    return _for_each(form, env, dest, "%range")


def _range(count: Any) -> range:
    if not isinstance(count, int):
        raise LispTypeError(f"DOTIMES count {show(count)} is not an integer", datum=count,
                            expected_type=cl_symbol("INTEGER"))
    return range(count)


namespace.GLOBALS["%range"] = _range
namespace.builtin("%ECASE-FAILURE", SYSTEM)(_ecase_failure)
namespace.builtin("%ETYPECASE-FAILURE", SYSTEM)(_etypecase_failure)
