"""The ``loop`` macro (CLHS 6.1): the simple loop and the common extended clauses.

Supported: ``named``; ``with`` (``=``, ``and``); ``for``/``as`` with ``in``/``on`` (``by``),
``from``/``downfrom``/``upfrom`` ... ``to``/``upto``/``below``/``downto``/``above`` ... ``by``,
``across``, ``=`` [``then``], ``being the hash-keys/hash-values of`` [``using``], destructuring
variable lists and ``and`` (parallel stepping); ``repeat``; ``collect append nconc sum count maximize
minimize`` (each with ``into``); ``do``; ``when``/``if``/``unless`` with ``and``, ``else``, ``end``
and ``it``; ``while until always never thereis return``; ``initially finally``; ``loop-finish``.

The expansion is one ``tagbody``: the first-iteration code of the ``for`` clauses, then the body,
the stepping code (advance, end test, assign, for each ``for`` clause in order), ``go`` back; the
epilogue runs ``finally`` and returns the default result. When the stepping code ends with the
first-iteration code (one ``for`` clause, or several joined by ``and``, or ``repeat``), the loop is
rotated instead: ``(sys::%loop-while (end) (first...) (advance...) . body)`` is a plain Python
``while`` running first, body and advance, left by ``(go end)``, with no state machine (see
:func:`_rotation`). A rotated loop whose only stepping is
one ``for var from ... below/to/downto/above ...`` is a Python ``for var in range(...)`` when the
bounds are integers and the body does not assign ``var`` (see :func:`_loop_range`); one whose only
stepping is one ``for var in list`` (no ``by``, a plain variable) is a Python ``for`` over a native
list iterator (see :func:`_loop_list`).

``for`` clauses joined with ``and`` step in parallel (:class:`Stepping`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Callable

from lisp.compiler.core import (
    EFFECT,
    NOTHING,
    ONE,
    Result,
    assign,
    call,
    compile_body,
    compile_setq_variable,
    compile_single,
    compile_symbol,
    is_none,
    name,
    one_value,
    special_form,
)
from lisp.compiler.env import Env, Exit, Variable
from lisp.compiler.exits import catching_go, entered
from lisp.compiler.forms import arguments, program_error, show
from lisp.compiler.result import Dest
from lisp.compiler.macros import QUOTE, gensym, macro
from lisp.runtime import namespace
from lisp.runtime.condition_classes import LispTypeError
from lisp.runtime.data import SYSTEM, Cons, Symbol, T, cl_symbol, iter_list, keyword, make_list
from lisp.runtime.data import lisp_list as L
from lisp.runtime.namespace import get_function
from lisp.runtime.ratio import REAL_TYPES
from lisp.runtime.signals import type_error

C = cl_symbol
BLOCK, LET_STAR, TAGBODY, GO, SETQ, WHEN, UNLESS, IF = (C(n) for n in (
    "BLOCK", "LET*", "TAGBODY", "GO", "SETQ", "WHEN", "UNLESS", "IF"))
RETURN_FROM, PROGN, MACROLET, LET = C("RETURN-FROM"), C("PROGN"), C("MACROLET"), C("LET")
WHILE = SYSTEM.intern("%WHILE")
LOOP_WHILE = SYSTEM.intern("%LOOP-WHILE")
LOOP_RANGE = SYSTEM.intern("%LOOP-RANGE")
LOOP_LIST = SYSTEM.intern("%LOOP-LIST")
COLLECT = SYSTEM.intern("%COLLECT")
COLLECT_AFTER = SYSTEM.intern("%COLLECT-AFTER")
NEW_BUFFER, BUFFER_COLLECT, BUFFER_LIST = (SYSTEM.intern(n) for n in ("%NEW-BUFFER", "%BUFFER-COLLECT", "%BUFFER-LIST"))
CDR, ENDP = SYSTEM.intern("%CDR"), SYSTEM.intern("%ENDP")
LIST_CAR = SYSTEM.intern("%LIST-CAR")


def _is(token: Any, *names: str) -> bool:
    """Loop keywords are recognised by name, whatever package they were read in."""
    return isinstance(token, Symbol) and token.name in names


@dataclass
class Accumulator:
    """A ``collect``-style accumulation: ``var`` holds the list (or the number), ``tail`` its last
    cons. The loop's own list (no ``into``: nobody sees ``var``) starts with a header cons, so
    appending never tests for an empty list; the result is its cdr. When that list is only ever
    collected into (no ``append``/``nconc`` clause), ``var`` is a Python list instead (``buffer``),
    made into conses at the end by native code: an ``append`` per element rather than a cons
    made and linked by Python bytecode."""

    var: Symbol
    kind: str
    tail: Symbol | None = None
    header: bool = False
    buffer: bool = False

    def result(self) -> Any:
        if self.buffer:
            return L(BUFFER_LIST, self.var)
        return L(CDR, self.var) if self.header else self.var


@dataclass
class LoopState:
    form: Any
    tokens: list[Any]
    pos: int = 0
    name: Any = None
    bindings: list[Any] = field(default_factory=list)
    first: list[Any] = field(default_factory=list)
    step: list[Any] = field(default_factory=list)
    body: list[Any] = field(default_factory=list)
    initially: list[Any] = field(default_factory=list)
    finally_: list[Any] = field(default_factory=list)
    accumulators: dict[Any, Accumulator] = field(default_factory=dict)
    fors: list[Stepping] = field(default_factory=list)
    default_result: Any = None
    tests_result: bool = False  # an always, never or thereis clause returns the loop's value
    end: Symbol = field(default_factory=lambda: gensym("END-LOOP"))
    next: Symbol = field(default_factory=lambda: gensym("NEXT-LOOP"))

    def peek(self) -> Any:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def at_end(self) -> bool:
        return self.pos >= len(self.tokens)

    def take(self, what: str = "a form") -> Any:
        if self.at_end():
            raise self.error(f"LOOP ended where {what} was expected")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def accept(self, *names: str) -> bool:
        if _is(self.peek(), *names) and not self.at_end():
            self.pos += 1
            return True
        return False

    def expect(self, *names: str) -> None:
        if not self.accept(*names):
            raise self.error(f"LOOP expected {' or '.join(names)} but found {show(self.peek())}")

    def error(self, message: str) -> Exception:
        return program_error(f"{message}, in {show(self.form)}", self.form)

    def compound_forms(self) -> list[Any]:
        forms = []
        while not self.at_end() and isinstance(self.peek(), Cons):
            forms.append(self.take())
        return forms

    def finish(self) -> Any:
        return L(GO, self.end)


@macro("LOOP")
def loop(form: Any, env: Any) -> Any:
    tokens = arguments(form)
    if all(isinstance(t, Cons) for t in tokens):
        return L(BLOCK, None, make_list([WHILE, T, *tokens]))
    state = LoopState(form, tokens)
    if state.accept("NAMED"):
        state.name = state.take("a loop name")
    while not state.at_end():
        _clause(state)
    return _assemble(state)


def _assemble(s: LoopState) -> Any:
    _check_variables(s)
    if s.tests_result and None in s.accumulators:
        raise s.error("LOOP: ALWAYS, NEVER or THEREIS with an accumulation that has no INTO")
    result = s.default_result
    if result is None and None in s.accumulators:
        result = s.accumulators[None].result()
    advance = _rotation(s)
    if advance is None:
        tagbody = make_list([TAGBODY, *s.initially, *s.first, s.next, *s.body, *s.step, L(GO, s.next), s.end,
                             *s.finally_])
    else:
        parts = [make_list(s.first), make_list(advance), *s.body]
        sole = _sole_for(s)
        if sole is not None and sole.counted is not None:
            loop_form = make_list([LOOP_RANGE, make_list([s.end, *sole.counted]), *parts])
        elif sole is not None and sole.listed is not None:
            loop_form = make_list([LOOP_LIST, make_list([s.end, *sole.listed]), *parts])
        else:
            loop_form = make_list([LOOP_WHILE, L(s.end), *parts])
        tagbody = make_list([PROGN, *s.initially, loop_form, *s.finally_, None])
    finish = L(C("LOOP-FINISH"), None, L(QUOTE, L(GO, s.end)))
    # The default result follows the tagbody, so a loop that just ends needs no non-local exit.
    return L(BLOCK, s.name, make_list([LET_STAR, make_list(s.bindings), L(MACROLET, L(finish), tagbody, result)]))


def _check_variables(s: LoopState) -> None:
    """A variable that two clauses (or one destructuring pattern) bind is a PROGRAM-ERROR
    (CLHS 6.1.1.7, 6.1.2.1); the loop's own variables are uninterned."""
    seen: set[Symbol] = set()
    for binding in s.bindings:
        var = binding.car
        if var.package is None:
            continue
        if var in seen:
            raise s.error(f"LOOP binds the variable {show(var)} twice")
        seen.add(var)


def _rotation(s: LoopState) -> list[Any] | None:
    """The stepping forms before the first-iteration ones, if the stepping code is those followed
    by the first-iteration code (the very same forms). The loop runs ``first body step body step
    ...``, which is then ``(first body advance)`` repeated."""
    n = len(s.first)
    if len(s.step) < n or any(a is not b for a, b in zip(s.step[len(s.step) - n:], s.first)):
        return None
    return s.step[:len(s.step) - n]


def _sole_for(s: LoopState) -> Stepping | None:
    """The loop's ``for`` clause if it is its only stepping (no other ``for``, no ``repeat``: its
    first-iteration and stepping forms are all there is)."""
    if len(s.fors) != 1:
        return None
    clause = s.fors[0]
    first, step = clause.first[0] + clause.first[1], clause.step[0] + clause.step[1]
    if not (_same(s.first, first) and _same(s.step, step)):
        return None
    return clause


def _same(forms: list[Any], others: list[Any]) -> bool:
    return len(forms) == len(others) and all(a is b for a, b in zip(forms, others))


def _clause(s: LoopState) -> None:
    token = s.peek()
    if s.accept("WITH"):
        _with(s)
    elif s.accept("FOR", "AS"):
        _for(s)
    elif s.accept("REPEAT"):
        count = gensym("COUNT")
        s.bindings.append(L(count, s.take("a count")))
        test = L(WHEN, L(C("<="), count, 0), s.finish())
        s.first.append(test)
        s.step.extend([L(SETQ, count, L(C("1-"), count)), test])
    elif s.accept("INITIALLY"):
        s.initially.extend(s.compound_forms())
    elif s.accept("FINALLY"):
        s.finally_.extend(s.compound_forms())
    elif _is(token, "WHILE", "UNTIL", "ALWAYS", "NEVER", "THEREIS", "DO", "DOING", "RETURN", "WHEN", "IF",
             "UNLESS") or _accumulation(token):
        s.body.append(_main(s))
    else:
        raise s.error(f"unknown LOOP clause {show(token)}")


def _accumulation(token: Any) -> bool:
    return _is(token, "COLLECT", "COLLECTING", "APPEND", "APPENDING", "NCONC", "NCONCING", "SUM", "SUMMING",
               "COUNT", "COUNTING", "MAXIMIZE", "MAXIMIZING", "MINIMIZE", "MINIMIZING")


def _main(s: LoopState, it: Symbol | None = None) -> Any:
    """One main clause (a conditional's selectable clauses included) as one form."""
    token = s.take("a clause")
    name = token.name if isinstance(token, Symbol) else None
    if name in ("WHILE", "UNTIL"):
        test = s.take("a test")
        return L(UNLESS if name == "WHILE" else WHEN, test, s.finish())
    if name in ("ALWAYS", "NEVER", "THEREIS"):
        s.tests_result = True
    if name in ("ALWAYS", "NEVER"):
        s.default_result = T
        return L(UNLESS if name == "ALWAYS" else WHEN, s.take("a test"), L(RETURN_FROM, s.name, None))
    if name == "THEREIS":
        tmp = gensym("IT")
        return L(LET, L(L(tmp, s.take("a test"))), L(WHEN, tmp, L(RETURN_FROM, s.name, tmp)))
    if name in ("DO", "DOING"):
        forms = s.compound_forms()
        if not forms:
            raise s.error("LOOP DO needs at least one compound form")
        return make_list([PROGN, *forms])
    if name == "RETURN":
        return L(RETURN_FROM, s.name, _value(s, it))
    if name in ("WHEN", "IF", "UNLESS"):
        return _conditional(s, name == "UNLESS")
    if _accumulation(token):
        return _accumulate(s, name, _value(s, it))
    raise s.error(f"{show(token)} is not a LOOP clause allowed here")


def _value(s: LoopState, it: Symbol | None) -> Any:
    value = s.take("a form")
    return it if it is not None and _is(value, "IT") else value


def _conditional(s: LoopState, negate: bool) -> Any:
    test = s.take("a test")
    it = gensym("IT")

    def clauses() -> list[Any]:
        # IT is the test's value in the first clause only (CLHS 6.1.6): later ones see a variable IT.
        forms = [_main(s, it)]
        while s.accept("AND"):
            forms.append(_main(s))
        return forms

    then = clauses()
    orelse = clauses() if s.accept("ELSE") else []
    s.accept("END")
    test_form = L(C("NOT"), it) if negate else it
    return L(LET, L(L(it, test)), L(IF, test_form, make_list([PROGN, *then]), make_list([PROGN, *orelse])))


def _accumulate(s: LoopState, kind: str, value: Any) -> Any:
    kind = {"COLLECTING": "COLLECT", "APPENDING": "APPEND", "NCONCING": "NCONC", "SUMMING": "SUM",
            "COUNTING": "COUNT", "MAXIMIZING": "MAXIMIZE", "MINIMIZING": "MINIMIZE"}.get(kind, kind)
    into = s.take("a variable") if s.accept("INTO") else None
    type_spec = _skip_type(s) if kind in ("SUM", "COUNT", "MAXIMIZE", "MINIMIZE") else None
    acc = s.accumulators.get(into)
    if acc is None:
        var = into if into is not None else gensym("RESULT")
        acc = Accumulator(var, kind, header=into is None and kind in _LIST_KINDS)
        acc.buffer = acc.header and kind == "COLLECT" and not any(_is(t, *_SPLICING) for t in s.tokens)
        s.accumulators[into] = acc
        if acc.buffer:
            s.bindings.append(L(var, L(NEW_BUFFER)))
        else:
            initial = (_typed_initial(type_spec) or 0) if kind in ("SUM", "COUNT") else \
                L(C("LIST"), None) if acc.header else None
            s.bindings.append(L(var, initial))
        if kind in _LIST_KINDS and not acc.buffer:
            acc.tail = gensym("TAIL")
            s.bindings.append(L(acc.tail, var if acc.header else None))
    elif (kind in _LIST_KINDS) != (acc.kind in _LIST_KINDS):
        raise s.error(f"LOOP: {show(acc.var) if into is not None else 'the loop'} accumulates both a list and a number")
    var = acc.var
    if kind == "COLLECT":
        if acc.buffer:
            return L(BUFFER_COLLECT, var, value)
        return L(COLLECT_AFTER, acc.tail, value) if acc.header else L(COLLECT, var, acc.tail, value)
    if kind in ("APPEND", "NCONC"):
        if acc.tail is None:
            raise s.error(f"LOOP: {show(var)} accumulates both a list and a number")
        helper = {"APPEND": "%LOOP-APPEND", "NCONC": "%LOOP-NCONC"}[kind]
        cells = gensym("CELLS")
        return L(LET, L(L(cells, L(SYSTEM.intern(helper), value))),
                 L(WHEN, cells, L(IF, acc.tail, L(C("RPLACD"), acc.tail, cells), L(SETQ, var, cells)),
                   L(SETQ, acc.tail, L(C("LAST"), cells))))
    if kind == "SUM":
        return L(SETQ, var, L(C("+"), var, value))
    if kind == "COUNT":
        return L(WHEN, value, L(SETQ, var, L(C("1+"), var)))
    tmp = gensym("VALUE")
    better = L(C(">" if kind == "MAXIMIZE" else "<"), tmp, var)
    return L(LET, L(L(tmp, value)), L(WHEN, L(C("OR"), L(C("NULL"), var), better), L(SETQ, var, tmp)))


_LIST_KINDS = ("COLLECT", "APPEND", "NCONC")
_SPLICING = ("APPEND", "APPENDING", "NCONC", "NCONCING")


def _with(s: LoopState) -> None:
    """``with var [type] [= form] {and ...}``: clauses joined by AND bind in parallel, so their
    forms are evaluated into temporaries before any of their variables is bound."""
    group = []
    while True:
        var = s.take("a variable")
        type_spec = _skip_type(s)
        given = s.accept("=")
        value = s.take("a form") if given else None if isinstance(var, Cons) else _typed_initial(type_spec)
        group.append((var, type_spec, given, value))
        if not s.accept("AND"):
            break
    if len(group) > 1:
        values = [gensym("WITH") for _ in group]
        s.bindings.extend(L(tmp, value) for tmp, (_, _, _, value) in zip(values, group))
        group = [(var, type_spec, given, tmp) for tmp, (var, type_spec, given, _) in zip(values, group)]
    for var, type_spec, given, value in group:
        if isinstance(var, Cons) and not given:
            s.bindings.extend(_typed_bindings(var, type_spec))
        elif var is None or isinstance(var, Cons):
            tmp = gensym("WITH")
            s.bindings.append(L(tmp, value))
            s.bindings.extend(L(v, None) for v in _variables(var))
            s.first[:0] = _destructure(var, tmp)
        else:
            s.bindings.append(L(var, value))


def _typed_bindings(pattern: Any, type_spec: Any) -> list[Any]:
    """Bindings of the variables of a destructuring ``with`` that has no value, each to the
    initial value of its type in the parallel type pattern (CLHS 6.1.1.7)."""
    if pattern is None:
        return []
    if isinstance(pattern, Symbol):
        return [L(pattern, _typed_initial(type_spec))]
    car_type, cdr_type = (type_spec.car, type_spec.cdr) if isinstance(type_spec, Cons) else (type_spec, type_spec)
    return _typed_bindings(pattern.car, car_type) + _typed_bindings(pattern.cdr, cdr_type)


def _typed_initial(type_spec: Any) -> Any:
    """The value a loop variable declared of ``type_spec`` starts with when given none: 0 of a
    number type, 0.0 of a float type, else NIL (as SBCL's loop)."""
    if type_spec is None or type_spec is T:
        return None
    return L(SYSTEM.intern("%LOOP-INITIAL-VALUE"), L(QUOTE, type_spec))


def _skip_type(s: LoopState) -> Any:
    """The type spec after a loop variable, or None: accepted and not checked (as declarations
    are), but a variable with no value starts as its type's zero."""
    if s.accept("OF-TYPE"):
        return s.take("a type")
    if s.accept("FIXNUM", "FLOAT", "T"):
        return C(s.tokens[s.pos - 1].name)
    return None


def _variables(pattern: Any) -> list[Symbol]:
    if pattern is None:
        return []
    if isinstance(pattern, Symbol):
        return [pattern]
    return _variables(pattern.car) + _variables(pattern.cdr)


def _destructure(pattern: Any, value: Any) -> list[Any]:
    """Forms that assign the variables of ``pattern`` from the tree ``value``."""
    if pattern is None:
        return []
    if isinstance(pattern, Symbol):
        return [L(SETQ, pattern, value)]
    return _destructure(pattern.car, L(C("CAR"), value)) + _destructure(pattern.cdr, L(C("CDR"), value))


@dataclass
class Stepping:
    """How a ``for`` clause starts and steps. Each is two phases: forms computing the new values
    into hidden variables, then forms testing for the end and assigning the clause's variables.
    Clauses joined by ``and`` run the first phase of all before the second phase of any, so they
    step in parallel (each sees the others' previous values)."""

    first: tuple[list[Any], list[Any]]
    step: tuple[list[Any], list[Any]]
    counted: tuple[Any, ...] | None = None  # (var limit step direction): `for var from ... to ...`
    listed: tuple[Any, ...] | None = None  # (var tail): `for var in list`, no BY


def _for(s: LoopState) -> None:
    """One ``for`` clause and those joined to it with ``and``."""
    group = [_for_one(s)]
    while s.accept("AND"):
        group.append(_for_one(s))
    s.fors.extend(group)
    for phase, target in (("first", s.first), ("step", s.step)):
        target.extend(f for clause in group for f in getattr(clause, phase)[0])
        target.extend(f for clause in group for f in getattr(clause, phase)[1])


def _for_one(s: LoopState) -> Stepping:
    var = s.take("a variable")
    _skip_type(s)
    if s.accept("IN", "ON"):
        on = _is(s.tokens[s.pos - 1], "ON")
        source = s.take("a list")
        by = s.take("a step function") if s.accept("BY") else None
        tail = gensym("TAIL")
        # IN checks the list once, then walks it with open-coded accessors (sys::%list-car...).
        s.bindings.append(L(tail, source if on else L(SYSTEM.intern("%CHECK-LIST"), source)))
        if by is not None and not (isinstance(by, Cons) and _is(by.car, "FUNCTION", "QUOTE")):
            step = gensym("BY")  # evaluated once, after the list
            s.bindings.append(L(step, by))
            by = step
        s.bindings.extend(L(v, None) for v in _variables(var))
        advance = L(SETQ, tail, L(C("FUNCALL"), by, tail) if by is not None else L(CDR, tail))
        test = L(WHEN, L(C("ATOM") if on else ENDP, tail), s.finish())
        assign = _destructure(var, tail if on else L(LIST_CAR, tail))
        listed = (var, tail) if not on and by is None and isinstance(var, Symbol) else None
        return Stepping(([], [test, *assign]), ([advance], [test, *assign]), listed=listed)
    if s.accept("ACROSS"):
        vector, index = gensym("VECTOR"), gensym("INDEX")
        s.bindings.extend([L(vector, s.take("a vector")), L(index, 0)])
        s.bindings.extend(L(v, None) for v in _variables(var))
        test = L(WHEN, L(C(">="), index, L(C("LENGTH"), vector)), s.finish())
        assign = _destructure(var, L(C("AREF"), vector, index))
        return Stepping(([], [test, *assign]), ([L(SETQ, index, L(C("1+"), index))], [test, *assign]))
    if s.accept("="):
        init = s.take("a form")
        then = s.take("a form") if s.accept("THEN") else init
        value = gensym("VALUE")
        s.bindings.extend(L(v, None) for v in [value, *_variables(var)])
        assign = _destructure(var, value)
        return Stepping(([L(SETQ, value, init)], assign), ([L(SETQ, value, then)], assign))
    if s.accept("BEING"):
        return _being(s, var)
    if _is(s.peek(), "FROM", "DOWNFROM", "UPFROM", "TO", "UPTO", "BELOW", "DOWNTO", "ABOVE", "BY"):
        return _arithmetic(s, var)
    raise s.error(f"unknown LOOP FOR clause after {show(var)}: {show(s.peek())}")


def _arithmetic(s: LoopState, var: Symbol) -> Stepping:
    var = gensym("IGNORED") if var is None else var
    start, limit, step = 0, None, 1
    down = False
    inclusive = True
    limit_var, next_value = gensym("LIMIT"), gensym("NEXT")
    bindings = []  # the forms are evaluated in the order they are written (CLHS 6.1.2.1.1)
    while _is(s.peek(), "FROM", "DOWNFROM", "UPFROM", "TO", "UPTO", "BELOW", "DOWNTO", "ABOVE", "BY"):
        word = s.take().name
        value = s.take("a form")
        if word in ("FROM", "DOWNFROM", "UPFROM"):
            start = value
            down = down or word == "DOWNFROM"
            bindings.append(L(var, start))
        elif word == "BY":
            step = value
            if not (type(step) is int and step > 0):  # a positive literal stays literal: `i + 1`
                step = gensym("STEP")
                bindings.append(L(step, L(SYSTEM.intern("%LOOP-STEP"), value)))
        else:
            limit = value
            down = down or word in ("DOWNTO", "ABOVE")
            inclusive = word in ("TO", "UPTO", "DOWNTO")
            bindings.append(L(limit_var, limit))
    if not any(b.car is var for b in bindings):
        bindings.insert(0, L(var, start))
    s.bindings.extend([*bindings, L(next_value, None)])
    advance = L(SETQ, next_value, L(C("-" if down else "+"), var, step))
    assign = L(SETQ, var, next_value)
    if limit is None:
        return Stepping(([], []), ([advance], [assign]))
    compare = (">" if not down else "<") if inclusive else (">=" if not down else "<=")
    test = L(WHEN, L(C(compare), var, limit_var), s.finish())
    direction = ("DOWN-TO" if inclusive else "DOWN-ABOVE") if down else ("UP-TO" if inclusive else "UP-BELOW")
    return Stepping(([], [test]), ([advance], [assign, test]), (var, limit_var, step, direction))


_SYMBOL_KINDS = {"SYMBOL": "ALL", "SYMBOLS": "ALL", "PRESENT-SYMBOL": "PRESENT", "PRESENT-SYMBOLS": "PRESENT",
                 "EXTERNAL-SYMBOL": "EXTERNAL", "EXTERNAL-SYMBOLS": "EXTERNAL"}


def _being(s: LoopState, var: Symbol) -> Stepping:
    """``being the hash-keys/hash-values of table [using (hash-value v)]`` and ``being the
    symbols/present-symbols/external-symbols [of package]`` (CLHS 6.1.2.1.6, 6.1.2.1.7): both walk
    a list made when the loop starts, so the body may change the table or the package."""
    s.expect("THE", "EACH")
    kind = s.take("HASH-KEYS, HASH-VALUES, SYMBOLS, PRESENT-SYMBOLS or EXTERNAL-SYMBOLS")
    if isinstance(kind, Symbol) and kind.name in _SYMBOL_KINDS:
        package = s.take("a package") if s.accept("OF", "IN") else None
        source = L(SYSTEM.intern("%PACKAGE-SYMBOLS"), L(QUOTE, keyword(_SYMBOL_KINDS[kind.name])), package)
        return _walk(s, source, _variables(var), lambda item: _destructure(var, item))
    if not _is(kind, "HASH-KEY", "HASH-KEYS", "HASH-VALUE", "HASH-VALUES"):
        raise s.error(f"LOOP BEING supports hash keys and values and package symbols, not {show(kind)}")
    s.expect("OF", "IN")
    table = s.take("a hash table")
    other = None
    if s.accept("USING"):
        spec = s.take("(hash-value var) or (hash-key var)")
        other = spec.cdr.car
    keys_wanted = kind.name.startswith("HASH-KEY")
    entry = gensym("ENTRY")
    key, value = L(C("CAR"), entry), L(C("CDR"), entry)

    def assign(item: Any) -> list[Any]:
        also = _destructure(other, value if keys_wanted else key)
        return [L(SETQ, entry, item), *_destructure(var, key if keys_wanted else value), *also]

    variables = [entry, *_variables(var), *_variables(other)]
    return _walk(s, L(SYSTEM.intern("%HASH-ENTRIES"), table), variables, assign)


def _walk(s: LoopState, source: Any, variables: list[Symbol], assign: Callable[[Any], list[Any]]) -> Stepping:
    """Bind ``variables`` and step along the list ``source`` computes; ``assign`` gives the forms
    that set the variables from the form of the current element."""
    items = gensym("ITEMS")
    s.bindings.append(L(items, source))
    s.bindings.extend(L(v, None) for v in variables)
    assignments = assign(L(C("CAR"), items))
    test = L(WHEN, L(C("ENDP"), items), s.finish())
    return Stepping(([], [test, *assignments]), ([L(SETQ, items, L(C("CDR"), items))], [test, *assignments]))


def _loop_append(value: Any) -> Any:
    """A copy of the list ``value`` to append; a dotted tail stays the copy's (the next append
    replaces it, so only the last list's shows, as with APPEND)."""
    cells = []
    while isinstance(value, Cons):
        cells.append(value.car)
        value = value.cdr
    if not cells:
        return make_list(list(iter_list(value)))  # NIL, or the TYPE-ERROR of an atom
    copy = make_list(cells)
    if value is not None:
        last = copy
        while last.cdr is not None:
            last = last.cdr
        last.cdr = value
    return copy


def _check_list(value: Any) -> Any:
    if value is not None and not isinstance(value, Cons):
        raise LispTypeError(f"LOOP FOR IN: {show(value)} is not a list", datum=value, expected_type=C("LIST"))
    return value


def _list_car(form: Any, env: Env, dest: Dest) -> Result:
    """``(sys::%list-car tail)``: the car of the cons in ``tail`` (a lexical variable, NIL tested
    for already), or ``%CHECK-LIST``'s TYPE-ERROR for the dotted end of the list being walked:
    ``try: item = tail.car`` (free when nothing is raised) ``except AttributeError: ...``."""
    (tail,) = arguments(form)
    cell = compile_symbol(tail, env, ONE).expr
    item = env.unit.fresh("%item")
    # A cons whose car was emptied by Python's del passes the check: its AttributeError goes on.
    failed = [ast.Expr(value=call("%check_list", cell)), ast.Raise(exc=None, cause=None)]
    step = ast.Try(body=[assign(item, ast.Attribute(value=cell, attr="car", ctx=ast.Load()))],
                   handlers=[ast.ExceptHandler(type=name("AttributeError"), name=None, body=failed)],
                   orelse=[], finalbody=[])
    return one_value(Result([step], name(item), NOTHING), env, dest)


def _loop_step(value: Any) -> Any:
    """A counting clause's BY value, which must be a positive real (CLHS 6.1.2.1.1; a zero or
    negative step would never reach the limit)."""
    if type(value) not in REAL_TYPES or not value > 0:
        type_error(value, L(C("REAL"), L(0)), f"LOOP FOR ... BY: the step {show(value)} is not a positive real")
    return value


def _collect(form: Any, env: Env, dest: Dest) -> Result:
    """``(sys::%collect head tail value)``: append a cell holding value to the list from head to
    tail (lexical variables, NIL when the list is empty), as plain Python statements."""
    head, tail, value = arguments(form)
    item = compile_single(value, env)
    cell = env.unit.fresh("%cell")
    tail_ref = compile_symbol(tail, env, ONE).expr
    link = ast.Assign(targets=[ast.Attribute(value=tail_ref, attr="cdr", ctx=ast.Store())], value=name(cell))
    first = compile_setq_variable(head, Result([], name(cell)), env).stmts
    stmts = [*item.stmts, assign(cell, call("%Cons", item.expr)),
             ast.If(test=is_none(tail_ref), body=first, orelse=[link]),
             *compile_setq_variable(tail, Result([], name(cell)), env).stmts]
    return one_value(Result(stmts, name(cell), item.records), env, dest)


class _RotatedLoop:
    """A loop whose forms run again and again until ``(go end)`` (the only tag), compiled part by
    part in one Python loop context: a ``for`` over its values when it can be one, else a
    ``while`` whose test is the tag state (so a local ``go end`` is an assignment and a
    ``continue``); a ``go end`` from a closure or an inner loop raises, and is caught around it."""

    def __init__(self, end: Symbol, env: Env) -> None:
        with env.fn.loop(repeats=True) as depth:
            self.exit = Exit(env.fn, depth, env.unit.fresh("%loop"), env.unit.fresh("%r"))
        self.exit.tags[end] = 1
        self.inner = env.extend()
        self.inner.tags[end] = self.exit
        self.env = env
        self.records = NOTHING

    def compile(self, forms: list[Any]) -> list[ast.stmt]:
        """The statements of ``forms`` run in the loop, for effect."""
        with self.env.fn.loop(repeats=True):
            done = compile_body(forms, self.inner, EFFECT)
        self.records = max(self.records, done.records)
        return done.stmts

    def result(self, loop: list[ast.stmt], dest: Dest) -> Result:
        """The loop's code ``loop``, with a ``go end`` from elsewhere caught around it; NIL."""
        if self.exit.nonlocal_uses:
            loop = entered(self.exit, [catching_go(loop, self.exit, self.env)])
        return one_value(Result(loop, ast.Constant(None), self.records), self.env, dest)

    def as_while(self, first: list[Any], body: list[ast.stmt], advance: list[Any], dest: Dest) -> Result:
        """``first``, ``body`` (compiled already) and ``advance`` in a ``while``."""
        stmts = [*self.compile(first), *body, *self.compile(advance)]
        state = self.exit.result_var
        test = ast.Compare(left=name(state), ops=[ast.LtE()], comparators=[ast.Constant(0)])
        return self.result([assign(state, ast.Constant(0)), ast.While(test=test, body=stmts or [ast.Pass()],
                                                                       orelse=[])], dest)


def _loop_while(form: Any, env: Env, dest: Dest) -> Result:
    """``(sys::%loop-while (end) (first...) (advance...) . body)``: run first, body and advance
    again and again until ``(go end)``, as a ``while``."""
    (end,), first, advance, forms = _rotated_parts(form)
    loop = _RotatedLoop(end, env)
    return loop.as_while(first, loop.compile(forms), advance, dest)


def _rotated_parts(form: Any) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    """The spec, first-iteration forms, stepping forms and body of a rotated loop form."""
    spec, first, advance, *body = arguments(form)
    return list(iter_list(spec)), list(iter_list(first)), list(iter_list(advance)), body


def _loop_range(form: Any, env: Env, dest: Dest) -> Result:
    """``(sys::%loop-range (end var limit step direction) (first...) (advance...) . body)``: body
    for each value of ``var`` from its current value to ``limit`` by ``step``, as ``for var in
    %loop_range(...)`` (a ``range`` for integers, else Lisp arithmetic); ``(go end)`` is a
    ``break``. Exhausting the values leaves ``var`` at the first value past the limit, as stepping
    it would (``finally`` and closures see it). Where the loop cannot be a ``for`` (``var`` is not
    a local variable of this function, or the body assigns it: each step adds to its current
    value), it is the ``while`` running first, body and advance."""
    (end, var, limit, step, direction), first, advance, forms = _rotated_parts(form)
    loop = _RotatedLoop(end, env)
    variable = _local_variable(var, env)
    body = loop.compile(forms)
    if variable is None or _assigns(body, variable.pyname):
        return loop.as_while(first, body, advance, dest)
    steps = env.unit.fresh("%steps")
    step_expr = ast.Constant(step) if isinstance(step, int) else compile_symbol(step, env, ONE).expr
    values = call("%loop_range", name(variable.pyname), compile_symbol(limit, env, ONE).expr, step_expr,
                  ast.Constant(direction))
    for_loop = ast.For(target=ast.Name(id=variable.pyname, ctx=ast.Store()), iter=name(steps),
                       body=[_BreakForContinue().visit(s) for s in body] or [ast.Pass()],
                       orelse=[assign(variable.pyname, call("%loop_final", name(steps)))])
    return loop.result([assign(steps, values), for_loop], dest)


def _loop_list(form: Any, env: Env, dest: Dest) -> Result:
    """``(sys::%loop-list (end var tail) (first...) (advance...) . body)``: body for each element of
    the list in ``tail`` (a lexical variable, checked to hold a list), as ``for var in
    %loop_list_iter(tail)`` (lisp.runtime.native_cons.LoopListIterator: one native step per
    element; a dotted tail is its TYPE-ERROR naming LOOP); ``(go end)`` is a ``break``. Exhausting
    the list leaves ``var`` at the last element, as the stepping ``while`` would. Where ``var`` is
    not a local variable of this function, it is the ``while`` running first, body and advance;
    the body may assign ``var``: the walk does not read it."""
    (end, var, tail), first, advance, forms = _rotated_parts(form)
    loop = _RotatedLoop(end, env)
    variable = _local_variable(var, env)
    body = loop.compile(forms)
    if variable is None:
        return loop.as_while(first, body, advance, dest)
    for_loop = ast.For(target=ast.Name(id=variable.pyname, ctx=ast.Store()),
                       iter=call("%loop_list_iter", compile_symbol(tail, env, ONE).expr),
                       body=[_BreakForContinue().visit(s) for s in body] or [ast.Pass()], orelse=[])
    return loop.result([for_loop], dest)


def _local_variable(var: Any, env: Env) -> Variable | None:
    """The variable ``var`` names if it is a plain Python local of this function, else None."""
    variable = env.lookup_variable(var) if isinstance(var, Symbol) else None
    if variable is None or variable.pyname is None or variable.special or variable.fn is not env.fn:
        return None
    return variable


def _assigns(body: list[ast.stmt], pyname: str) -> bool:
    """Whether ``body`` (closures in it too) stores into the Python variable ``pyname``."""
    return any(isinstance(node, ast.Name) and node.id == pyname and isinstance(node.ctx, ast.Store)
               or isinstance(node, ast.Nonlocal) and pyname in node.names
               for stmt in body for node in ast.walk(stmt))


class _BreakForContinue(ast.NodeTransformer):
    """A ``(go end)`` compiled in the loop's own body is ``continue`` (the ``while`` form's exit,
    tested at the top); in a ``for`` it must be ``break``. Inner loops and functions keep theirs:
    every ``continue`` outside them belongs to this loop, whose only tag is ``end``."""

    def visit_Continue(self, node: ast.Continue) -> ast.stmt:
        return ast.copy_location(ast.Break(), node)

    def _keep(self, node: ast.AST) -> ast.AST:
        return node

    visit_For = visit_While = visit_AsyncFor = visit_FunctionDef = visit_AsyncFunctionDef = _keep
    visit_Lambda = visit_ClassDef = _keep


def _range(start: Any, limit: Any, step: Any, direction: str) -> Any:
    """The values of a counting LOOP clause from ``start``: a ``range`` for integers (and a
    positive step), else :class:`_Steps`."""
    if type(start) is int and type(limit) is int and type(step) is int and step > 0:
        if direction == "UP-BELOW":
            return range(start, limit, step)
        if direction == "UP-TO":
            return range(start, limit + 1, step)
        if direction == "DOWN-ABOVE":
            return range(start, limit, -step)
        return range(start, limit - 1, -step)
    return _Steps(start, limit, step, direction)


class _Steps:
    """The values of a counting LOOP clause in Lisp arithmetic (ratios, floats, a bad bound), in
    the order the stepping ``while`` computes them: the test before each value, the next value
    only when asked for it; ``final`` is the value that ended the loop."""

    def __init__(self, start: Any, limit: Any, step: Any, direction: str) -> None:
        down, inclusive = direction.startswith("DOWN"), direction.endswith("-TO")
        self.final, self.limit, self.step, self.started = start, limit, step, False
        self.advance = get_function(C("-" if down else "+"))
        self.past = get_function(C((">" if not down else "<") if inclusive else (">=" if not down else "<=")))

    def __iter__(self) -> _Steps:
        return self

    def __next__(self) -> Any:
        if self.started:
            self.final = self.advance(self.final, self.step)
        self.started = True
        if self.past(self.final, self.limit) is not None:
            raise StopIteration
        return self.final


def _final(steps: Any) -> Any:
    """The value of a counting LOOP clause's variable once its values ran out."""
    if type(steps) is range:
        return steps.start + steps.step * len(steps)
    return steps.final


def _collect_after(form: Any, env: Env, dest: Dest) -> Result:
    """``(sys::%collect-after tail value)``: append a cell holding value after the cons in
    ``tail`` (a lexical variable) and make it the tail: ``tail.cdr = tail = cons(value)``."""
    tail, value = arguments(form)
    item = compile_single(value, env)
    tail_ref = compile_symbol(tail, env, ONE).expr
    link = ast.Attribute(value=tail_ref, attr="cdr", ctx=ast.Store())
    tail_store = compile_setq_variable(tail, Result([], ast.Constant(None)), env).stmts
    if len(tail_store) != 1 or not isinstance(tail_store[0], ast.Assign):
        raise program_error(f"{show(tail)} is not a plain local variable", form)
    stmts = [*item.stmts, ast.Assign(targets=[link, *tail_store[0].targets], value=call("%Cons", item.expr))]
    return one_value(Result(stmts, tail_ref, item.records), env, dest)


def _new_buffer(form: Any, env: Env, dest: Dest) -> Result:
    """``(sys::%new-buffer)``: an empty Python list, a LOOP's own list while it collects."""
    return one_value(Result([], ast.List(elts=[], ctx=ast.Load()), NOTHING), env, dest)


def _buffer_collect(form: Any, env: Env, dest: Dest) -> Result:
    """``(sys::%buffer-collect buffer value)``: ``BUFFER.append(VALUE)`` (CPython specializes
    list appends); NIL."""
    buffer, value = arguments(form)
    item = compile_single(value, env)
    append = ast.Attribute(value=compile_symbol(buffer, env, ONE).expr, attr="append", ctx=ast.Load())
    return one_value(Result([*item.stmts, ast.Expr(call(append, item.expr))], ast.Constant(None), item.records),
                     env, dest)


def _buffer_list(form: Any, env: Env, dest: Dest) -> Result:
    """``(sys::%buffer-list buffer)``: the collected elements as a new list, made natively
    (``%list_of(*BUFFER)``)."""
    (buffer,) = arguments(form)
    spread = ast.Starred(value=compile_symbol(buffer, env, ONE).expr, ctx=ast.Load())
    return one_value(Result([], call("%list_of", spread), NOTHING), env, dest)


namespace.builtin("%LOOP-APPEND", SYSTEM)(_loop_append)
namespace.builtin("%CHECK-LIST", SYSTEM)(_check_list)
namespace.builtin("%LOOP-NCONC", SYSTEM)(lambda value: value)
namespace.builtin("%LOOP-STEP", SYSTEM)(_loop_step)
special_form("%COLLECT", SYSTEM)(_collect)
special_form("%LOOP-WHILE", SYSTEM)(_loop_while)
special_form("%LOOP-RANGE", SYSTEM)(_loop_range)
special_form("%LOOP-LIST", SYSTEM)(_loop_list)
special_form("%LIST-CAR", SYSTEM)(_list_car)
namespace.GLOBALS["%check_list"] = _check_list
namespace.GLOBALS["%loop_range"] = _range
namespace.GLOBALS["%loop_final"] = _final
special_form("%COLLECT-AFTER", SYSTEM)(_collect_after)
special_form("%NEW-BUFFER", SYSTEM)(_new_buffer)
special_form("%BUFFER-COLLECT", SYSTEM)(_buffer_collect)
special_form("%BUFFER-LIST", SYSTEM)(_buffer_list)
