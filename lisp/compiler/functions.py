"""Compiling functions and variable bindings: ``lambda`` -> a Python ``def``; ``let`` bindings.

A lexical variable is a Python local (unique in its unit). Special variables are bound with
``namespace.bind_specials`` inside a ``try`` whose ``finally`` puts back the dynamic environment
read before it, by one assignment (:func:`special_bindings`): every exit unbinds them, and an
asynchronous exception (Ctrl-C) cannot leave one bound (``namespace.DynamicEnvironment``).
"""

from __future__ import annotations

import ast
from typing import Any

from lisp.compiler.compilation_unit import check_unused
from lisp.compiler.core import (
    CLEAN_TAIL,
    EFFECT,
    NOTHING,
    Result,
    assign,
    call,
    compile_body,
    compile_form,
    compile_single,
    drop_statements,
    is_register_clear,
    literal,
    name,
    store,
)
from lisp.compiler.env import Env, PyFunction, Variable
from lisp.compiler.exits import compile_block
from lisp.compiler.forms import arguments, items, program_error, show
from lisp.compiler.fresh_bindings import fresh_each_time
from lisp.compiler.lambda_list import parse_lambda_list
from lisp.compiler.python_signature import python_signature
from lisp.compiler.result import Dest
from lisp.compiler.runtime import allowed_keys
from lisp.compiler.self_calls import settle_self_calls
from lisp.runtime import namespace
from lisp.runtime.data import Cons, Symbol, cl_symbol

DECLARE = cl_symbol("DECLARE")
SPECIAL = cl_symbol("SPECIAL")


def parse_body(forms: list[Any], allow_doc: bool = False) -> tuple[set[Symbol], list[Any]]:
    """Split a body into the variables its declarations make special and the forms to run.

    A documentation string is skipped when ``allow_doc`` and more forms follow it.
    """
    specials: set[Symbol] = set()
    i = 0
    while i < len(forms):
        form = forms[i]
        if isinstance(form, str) and allow_doc and i + 1 < len(forms):
            allow_doc = False
        elif isinstance(form, Cons) and form.car is DECLARE:
            for spec in arguments(form):
                if isinstance(spec, Cons) and spec.car is SPECIAL:
                    specials.update(arguments(spec))
        else:
            break
        i += 1
    return specials, forms[i:]


class Binder:
    """Introduces variables into a new environment, lexical or special.

    Statements before the first special binding go to ``pre``; the rest go inside the
    ``try`` whose ``finally`` unbinds the specials (see :meth:`wrap`). ``records`` is what the
    code of the initial values records; ``inits`` the assignment binding each lexical variable.
    """

    def __init__(self, env: Env, declared_special: set[Symbol]) -> None:
        self.env = env
        self.declared_special = declared_special
        self.pre: list[ast.stmt] = []
        self.inner: list[ast.stmt] = []
        self.saved: str | None = None
        self.records = NOTHING
        self.inits: dict[str, ast.Assign] = {}

    def is_special(self, sym: Symbol) -> bool:
        return sym in self.declared_special or namespace.is_special(sym)

    def emit(self, stmts: list[ast.stmt]) -> None:
        (self.inner if self.saved else self.pre).extend(stmts)

    def compute(self, form: Any, env: Env | None = None, single: bool = True) -> Result:
        """The initial value ``form``, compiled in ``env`` (by default the one being made) for its
        primary value (unless ``single`` is false: a parameter's default form, whose extra values
        nobody can mistake)."""
        env = env or self.env
        value = compile_single(form, env) if single else compile_form(form, env, Dest.ONE)
        self.records = max(self.records, value.records)
        return value

    def bind(self, sym: Symbol, value: ast.expr) -> None:
        """Bind ``sym`` to the value of ``value`` (already computed: a name or constant)."""
        _check_not_constant(sym)
        if self.is_special(sym):
            if self.saved is None:
                self.saved = self.env.unit.fresh("%specials")
                self.pre.append(assign(self.saved, special_bindings()))
            pair = ast.Tuple(elts=[literal(sym, self.env), value], ctx=ast.Load())
            self.inner.append(ast.Expr(call("%bind_specials", ast.List(elts=[pair], ctx=ast.Load()))))
            self.env.variables[sym] = Variable(sym, special=True)
        else:
            self.bind_lexical(sym, value)

    def bind_lexical(self, sym: Symbol, value: ast.expr) -> None:
        """Bind the lexical variable ``sym`` to ``value``."""
        _check_not_constant(sym)
        pyname = self.env.unit.fresh(sym.name)
        self.env.variables[sym] = Variable(sym, pyname=pyname, fn=self.env.fn)
        self.inits[pyname] = assign(pyname, value)
        self.emit([self.inits[pyname]])

    def finish_declarations(self) -> None:
        """Free references to variables declared special here are dynamic."""
        for sym in self.declared_special:
            if sym not in self.env.variables:
                self.env.specials.add(sym)

    def body_dest(self, dest: Dest) -> Dest:
        """Where the body's values go, the variables bound."""
        return dest.after(self.records)

    def wrap(self, body: Result, dest: Dest) -> Result:
        """The bindings, then ``body`` (compiled for ``dest``)."""
        records = max(self.records, body.records)
        if self.saved is None:
            return Result(self.pre + self.inner + body.stmts, body.expr, records)
        protected = special_bindings_kept(self.saved, self.inner, body, dest, self.env)
        return Result([*self.pre, *protected.stmts], protected.expr, records)


def special_bindings() -> ast.expr:
    """``%dynamic.bindings``: this thread's dynamic environment, to put back when the special
    variables bound after reading it are unbound."""
    return ast.Attribute(value=name("%dynamic"), attr="bindings", ctx=ast.Load())


def special_bindings_kept(saved: str, binding: list[ast.stmt], body: Result, dest: Dest, env: Env) -> Result:
    """``binding`` (statements binding special variables) then ``body`` (compiled for ``dest``) in
    a ``try`` whose ``finally`` puts back the dynamic environment read into ``saved`` before it."""
    restore = ast.Assign(targets=[ast.Attribute(value=name("%dynamic"), attr="bindings", ctx=ast.Store())],
                         value=name(saved))
    if dest is EFFECT:
        return Result([ast.Try(body=[*binding, *body.stmts] or [ast.Pass()], handlers=[], orelse=[],
                               finalbody=[restore])], ast.Constant(None), body.records)
    out = env.unit.fresh("%r")
    return Result([ast.Try(body=[*binding, *body.stmts, assign(out, body.expr)], handlers=[], orelse=[],
                           finalbody=[restore])], name(out), body.records)


def _check_not_constant(sym: Symbol) -> None:
    if namespace.is_constant(sym):
        raise program_error(f"{show(sym)} names a constant and cannot be bound as a variable")


def compile_lambda(form: Any, env: Env, fname: str | None, block: Symbol | None = None,
                   defun: bool = False, signed: bool = False) -> Result:
    """Compile ``(lambda lambda-list . body)`` to a ``def``; the Result's value is the function.

    ``block`` wraps the body in ``(block block ...)``, as ``defun`` and ``flet`` do; ``defun``:
    it is the function of the defun whose apparent self-calls ``env.self_call`` gathers;
    ``signed``: the function gets the Python signature of its lambda list (a named lambda, made
    once per definition: a closure made again and again keeps its parameters' own names).
    """
    parts = arguments(form)
    if not parts:
        raise program_error(f"{show(form)} has no lambda list", form)
    lambda_list = parse_lambda_list(parts[0], form)
    declared, body = parse_body(parts[1:], allow_doc=True)
    fn = PyFunction(env.fn)
    inner = env.extend(fn)
    binder = Binder(inner, declared)
    params: list[ast.arg] = []
    defaults: list[ast.expr] = []

    def param(sym: Symbol) -> ast.expr:
        pyname = inner.unit.fresh(sym.name if not binder.is_special(sym) else "%" + sym.name)
        params.append(ast.arg(arg=pyname))
        return name(pyname)

    for sym in lambda_list.required:
        _bind_param(binder, sym, param(sym))
    for opt in lambda_list.optional:
        value = param(opt.var)
        if opt.supplied is None and (opt.init is None or type(opt.init) in (int, float, str)):
            defaults.append(ast.Constant(opt.init))
            _bind_param(binder, opt.var, value)
            continue
        defaults.append(name("%unsupplied"))
        _bind_defaulted(binder, opt.var, value, opt.init, opt.supplied)
    rest_arg = None
    if lambda_list.rest is not None or lambda_list.has_keys:
        rest_arg = inner.unit.fresh("%args")
    # Python keyword arguments (from Python callers only) are keyword arguments (and in &rest).
    python_kwargs = inner.unit.fresh("%kwargs") if lambda_list.has_keys else None
    if lambda_list.rest is not None:
        tmp = inner.unit.fresh("%rest")
        rest_args = [name(rest_arg), name(python_kwargs)] if python_kwargs else [name(rest_arg)]
        binder.emit([assign(tmp, call("%rest_list", *rest_args))])
        binder.bind(lambda_list.rest, name(tmp))
    if lambda_list.has_keys:
        allowed = None if lambda_list.allow_other_keys else allowed_keys(k.key for k in lambda_list.keys)
        kw = inner.unit.fresh("%keys")
        binder.emit([assign(kw, call("%parse_keys", name(rest_arg), literal(allowed, inner),
                                     ast.Constant(fname or "a lambda"), name(python_kwargs)))])
        for key in lambda_list.keys:
            tmp = inner.unit.fresh("%" + key.var.name)
            get = ast.Attribute(value=name(kw), attr="get", ctx=ast.Load())
            binder.emit([assign(tmp, call(get, literal(key.key, inner), name("%unsupplied")))])
            _bind_defaulted(binder, key.var, name(tmp), key.init, key.supplied)
    for sym, init in lambda_list.aux:
        _bind_computed(binder, sym, init)
    binder.finish_declarations()
    # The function is entered with no values of its own in the register; its default forms run
    # first, in the body: its tails may skip their clear only if those record nothing.
    dest = binder.body_dest(CLEAN_TAIL)
    if block is None:
        result = binder.wrap(compile_body(body, inner, dest), dest)
    else:
        result = binder.wrap(compile_block(block, body, inner, dest, form, returns=True), dest)
    check_unused(parts[0], parts[1:], inner)
    if defun:
        result = settle_self_calls(result, inner)
    statements = drop_needless_saves(returning(result, inner), fn)
    if fn.nonlocals:
        statements.insert(0, ast.Nonlocal(names=sorted(fn.nonlocals)))
    pyname = env.unit.fresh(fname or "LAMBDA")
    arguments_ = ast.arguments(posonlyargs=[], args=params, vararg=ast.arg(arg=rest_arg) if rest_arg else None,
                               kwonlyargs=[], kw_defaults=[],
                               kwarg=ast.arg(arg=python_kwargs) if python_kwargs else None, defaults=defaults)
    definition = ast.FunctionDef(name=pyname, args=arguments_, body=statements, decorator_list=[],
                                 returns=None, type_params=[])
    if not signed:
        return Result([definition], name(pyname), NOTHING)
    signature = ast.Assign(targets=[ast.Attribute(value=name(pyname), attr="__signature__", ctx=ast.Store())],
                        value=literal(python_signature(lambda_list), env))
    return Result([definition, signature], name(pyname), NOTHING)


def _bind_param(binder: Binder, sym: Symbol, value: ast.Name) -> None:
    """Bind ``sym`` to the Python parameter (or local) ``value``: that very name if lexical."""
    _check_not_constant(sym)
    if binder.is_special(sym):
        binder.bind(sym, value)
    else:
        binder.env.variables[sym] = Variable(sym, pyname=value.id, fn=binder.env.fn)


def _bind_defaulted(binder: Binder, sym: Symbol, value: ast.Name, init: Any, supplied: Symbol | None) -> None:
    """Bind a parameter whose absence is ``%unsupplied``: its supplied-p, then its default."""
    unsupplied = ast.Compare(left=value, ops=[ast.Is()], comparators=[name("%unsupplied")])
    if supplied is not None:
        flag = binder.env.unit.fresh("%" + supplied.name)
        binder.emit([assign(flag, ast.IfExp(test=unsupplied, body=ast.Constant(None), orelse=name("%T")))])
    default = binder.compute(init, single=False)
    binder.emit([ast.If(test=unsupplied, body=[*default.stmts, ast.Assign(targets=[store(value.id)],
                                                                          value=default.expr)], orelse=[])])
    _bind_param(binder, sym, value)
    if supplied is not None:
        binder.bind(supplied, name(flag))


def _bind_computed(binder: Binder, sym: Symbol, init: Any) -> None:
    value = binder.compute(init)
    binder.emit(value.stmts)
    binder.bind(sym, value.expr)


def bindings_of(form: Any, spec: Any) -> list[tuple[Symbol, Any]]:
    """The ``(var init)`` pairs of a ``let``/``let*`` binding list."""
    pairs = []
    for item in items(spec, form):
        if isinstance(item, Symbol):
            pairs.append((item, None))
        elif isinstance(item, Cons) and isinstance(item.car, Symbol):
            rest = arguments(item)
            if len(rest) > 1:
                raise program_error(f"malformed binding {show(item)} in {show(form)}", form)
            pairs.append((item.car, rest[0] if rest else None))
        else:
            raise program_error(f"malformed binding {show(item)} in {show(form)}", form)
    return pairs


def compile_let(form: Any, env: Env, sequential: bool, dest: Dest) -> Result:
    """``let`` / ``let*`` for ``dest``. In a Python loop, the variables a closure captures get
    fresh bindings each time the ``let`` is entered (lisp.compiler.fresh_bindings)."""
    parts = arguments(form)
    if not parts:
        raise program_error(f"{show(form)} has no binding list", form)
    pairs = bindings_of(form, parts[0])
    declared, body = parse_body(parts[1:])
    inner = env.extend()
    binder = Binder(inner, declared)
    if sequential:
        for sym, init in pairs:
            _bind_computed(binder, sym, init)
    else:
        specials = []
        for sym, init in pairs:
            value = binder.compute(init, env)
            binder.emit(value.stmts)
            if binder.is_special(sym):
                tmp = env.unit.fresh("%" + sym.name)
                binder.emit([assign(tmp, value.expr)])
                specials.append((sym, name(tmp)))
            else:
                # Python names are unique in the unit, so no later init form can see this one.
                binder.bind_lexical(sym, value.expr)
        for sym, value in specials:
            binder.bind(sym, value)
    binder.finish_declarations()
    body_dest = binder.body_dest(dest)
    result = binder.wrap(compile_body(body, inner, body_dest), dest)
    check_unused(parts[0], parts[1:], inner)
    if env.fn.repeating:
        result = fresh_each_time(result, [v for v in inner.variables.values() if v.captured and not v.special],
                                 binder.inits, env)
    return result


def drop_needless_saves(stmts: list[ast.stmt], fn: PyFunction) -> list[ast.stmt]:
    """``stmts`` (the body of ``fn``) without the copies compile_args made of variables that no
    closure captured: later arguments, which do not assign them, cannot change them then."""
    needless = set()
    for save, use, var in fn.saved_variables:
        if not var.captured:
            use.id = var.pyname
            needless.add(id(save))
    return drop_statements(stmts, needless) if needless else stmts


def returning(result: Result, env: Env) -> list[ast.stmt]:
    """Statements that run ``result`` and return its value. An ``if`` ending them whose branches
    store the value in a join temporary returns from each branch instead; a value kept in a
    temporary while the values register is cleared (a one-value tail, core.one_value) is
    returned from a ``try`` whose ``finally`` clears: ``fib`` (calling itself through its global
    name) becomes::

        if N < 2:
            return N
        try:
            return FIB(N - 1) + FIB(N - 2)
        finally:
            if %mv_pending:
                %mv_clear()

    with no temporary (a frame with one local less is a tenth faster). The ``finally`` also clears
    when an exception passes, which loses no values: the non-local exits that bring values carry
    them (runtime.ValuesExit)."""
    return _returning(result.stmts, result.expr, env.unit.join_names)


def _returning(stmts: list[ast.stmt], expr: ast.expr, joins: set[str], where: ast.stmt | None = None
               ) -> list[ast.stmt]:
    if stmts and isinstance(expr, ast.Name) and expr.id in joins and isinstance(stmts[-1], ast.If) \
            and not is_register_clear(stmts[-1]):
        last = stmts[-1]
        branches = [_branch_returning(b, expr.id, joins) for b in (last.body, last.orelse)]
        if branches[0] is not None and branches[1] is not None:
            return [*stmts[:-1], ast.copy_location(ast.If(test=last.test, body=branches[0], orelse=branches[1]), last)]
    if len(stmts) >= 2 and is_register_clear(stmts[-1]) and _assigns_only(stmts[-2], expr) and expr.id in joins:
        value = ast.copy_location(ast.Return(value=stmts[-2].value), stmts[-2])
        return [*stmts[:-2], ast.copy_location(ast.Try(body=[value], handlers=[], orelse=[], finalbody=[stmts[-1]]),
                                               stmts[-2])]
    if stmts and _assigns_only(stmts[-1], expr) and expr.id in joins:
        return [*stmts[:-1], ast.copy_location(ast.Return(value=stmts[-1].value), stmts[-1])]
    ret = ast.Return(value=expr)
    return [*stmts, ret if where is None else ast.copy_location(ret, where)]


def _assigns_only(stmt: ast.stmt, expr: ast.expr) -> bool:
    """Whether ``stmt`` is ``X = value`` and ``expr`` reads ``X``."""
    return isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
        and isinstance(expr, ast.Name) and stmt.targets[0].id == expr.id


def _branch_returning(branch: list[ast.stmt], out: str, joins: set[str]) -> list[ast.stmt] | None:
    end = branch[-1] if branch else None
    if isinstance(end, (ast.Return, ast.Raise)):
        return branch
    if isinstance(end, ast.Assign) and [t.id for t in end.targets if isinstance(t, ast.Name)] == [out] \
            and len(end.targets) == 1:
        return _returning(branch[:-1], end.value, joins, end)
    return None
