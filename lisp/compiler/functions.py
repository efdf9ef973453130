"""Compiling functions and variable bindings: ``lambda`` -> a Python ``def``; ``let`` bindings.

A lexical variable is a Python local (unique in its unit); a special variable is bound with
``namespace.bind_specials`` inside ``try``/``finally``, so every exit unbinds it.
"""

from __future__ import annotations

import ast
from typing import Any

from lisp.compiler.core import (
    Result,
    arguments,
    assign,
    call,
    compile_body,
    compile_form,
    compile_single,
    drop_needless_saves,
    items,
    literal,
    name,
    program_error,
    returning,
    show,
    store,
)
from lisp.compiler.env import Env, PyFunction, Variable
from lisp.compiler.lambda_list import parse_lambda_list
from lisp.compiler.runtime import allowed_keys
from lisp.compiler.tails import mark_body, records_nothing
from lisp.runtime import namespace
from lisp.runtime.data import Cons, Symbol, cl_symbol, make_list

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
    ``try`` whose ``finally`` unbinds the specials (see :meth:`wrap`).
    """

    def __init__(self, env: Env, declared_special: set[Symbol]) -> None:
        self.env = env
        self.declared_special = declared_special
        self.pre: list[ast.stmt] = []
        self.inner: list[ast.stmt] = []
        self.saved: str | None = None

    def is_special(self, sym: Symbol) -> bool:
        return sym in self.declared_special or namespace.is_special(sym)

    def emit(self, stmts: list[ast.stmt]) -> None:
        (self.inner if self.saved else self.pre).extend(stmts)

    def bind(self, sym: Symbol, value: ast.expr) -> None:
        """Bind ``sym`` to the value of ``value`` (already computed: a name or constant)."""
        _check_not_constant(sym)
        if self.is_special(sym):
            if self.saved is None:
                self.saved = self.env.unit.fresh("%specials")
                self.pre.append(assign(self.saved, ast.List(elts=[], ctx=ast.Load())))
            pair = ast.Tuple(elts=[literal(sym, self.env), value], ctx=ast.Load())
            self.inner.append(ast.Expr(call(ast.Attribute(value=name(self.saved), attr="extend", ctx=ast.Load()),
                                            call("%bind_specials", ast.List(elts=[pair], ctx=ast.Load())))))
            self.env.variables[sym] = Variable(sym, special=True)
        else:
            pyname = self.new_lexical(sym)
            self.emit([assign(pyname, value)])

    def new_lexical(self, sym: Symbol) -> str:
        _check_not_constant(sym)
        pyname = self.env.unit.fresh(sym.name)
        self.env.variables[sym] = Variable(sym, pyname=pyname, fn=self.env.fn)
        return pyname

    def finish_declarations(self) -> None:
        """Free references to variables declared special here are dynamic."""
        for sym in self.declared_special:
            if sym not in self.env.variables:
                self.env.specials.add(sym)

    def wrap(self, body: Result) -> Result:
        if self.saved is None:
            return Result(self.pre + self.inner + body.stmts, body.expr)
        out = self.env.unit.fresh("%r")
        protected = ast.Try(body=[*self.inner, *body.stmts, assign(out, body.expr)], handlers=[], orelse=[],
                            finalbody=[ast.Expr(call("%unbind_specials", name(self.saved)))])
        return Result([*self.pre, protected], name(out))


def _check_not_constant(sym: Symbol) -> None:
    if namespace.is_constant(sym):
        raise program_error(f"{show(sym)} names a constant and cannot be bound as a variable")


def compile_lambda(form: Any, env: Env, fname: str | None, block: Symbol | None = None) -> Result:
    """Compile ``(lambda lambda-list . body)`` to a ``def``; the Result's value is the function.

    ``block`` wraps the body in ``(block block ...)``, as ``defun`` and ``flet`` do.
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
    if lambda_list.rest is not None:
        tmp = inner.unit.fresh("%rest")
        binder.emit([assign(tmp, call("%rest_list", name(rest_arg)))])
        binder.bind(lambda_list.rest, name(tmp))
    if lambda_list.has_keys:
        allowed = None if lambda_list.allow_other_keys else allowed_keys(k.key for k in lambda_list.keys)
        kw = inner.unit.fresh("%keys")
        binder.emit([assign(kw, call("%parse_keys", name(rest_arg), literal(allowed, inner),
                                     ast.Constant(fname or "a lambda")))])
        for key in lambda_list.keys:
            tmp = inner.unit.fresh("%" + key.var.name)
            get = ast.Attribute(value=name(kw), attr="get", ctx=ast.Load())
            binder.emit([assign(tmp, call(get, literal(key.key, inner), name("%unsupplied")))])
            _bind_defaulted(binder, key.var, name(tmp), key.init, key.supplied)
    for sym, init in lambda_list.aux:
        _bind_computed(binder, sym, init)
    binder.finish_declarations()
    # Default forms run first, in the body: the body's tails may skip their clear only after them.
    inits = [*(o.init for o in lambda_list.optional), *(k.init for k in lambda_list.keys),
             *(init for _, init in lambda_list.aux)]
    body = mark_body(body, inner, clean=all(records_nothing(init, inner) for init in inits))
    if block is None:
        result = binder.wrap(compile_body(body, inner))
    else:
        from lisp.compiler.special_forms import compile_block

        result = binder.wrap(compile_block(block, body, inner, form, returns=True))
    statements = drop_needless_saves(returning(result, inner), fn)
    if fn.nonlocals:
        statements.insert(0, ast.Nonlocal(names=sorted(fn.nonlocals)))
    pyname = env.unit.fresh(fname or "LAMBDA")
    arguments_ = ast.arguments(posonlyargs=[], args=params, vararg=ast.arg(arg=rest_arg) if rest_arg else None,
                               kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=defaults)
    definition = ast.FunctionDef(name=pyname, args=arguments_, body=statements, decorator_list=[],
                                 returns=None, type_params=[])
    return Result([definition], name(pyname))


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
    default = compile_form(init, binder.env)
    binder.emit([ast.If(test=unsupplied, body=[*default.stmts, ast.Assign(targets=[store(value.id)],
                                                                          value=default.expr)], orelse=[])])
    _bind_param(binder, sym, value)
    if supplied is not None:
        binder.bind(supplied, name(flag))


def _bind_computed(binder: Binder, sym: Symbol, init: Any) -> None:
    value = compile_single(init, binder.env)
    binder.emit(value.stmts)
    if isinstance(value.expr, (ast.Name, ast.Constant)) or binder.is_special(sym):
        binder.bind(sym, value.expr)
    else:
        pyname = binder.new_lexical(sym)
        binder.emit([assign(pyname, value.expr)])


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


def compile_let(form: Any, env: Env, sequential: bool) -> Result:
    """``let`` / ``let*``. A variable captured by a closure inside a Python loop needs a fresh
    Python cell per iteration: such a ``let`` is recompiled as a call of a ``lambda``."""
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
            value = compile_single(init, env)
            binder.emit(value.stmts)
            if binder.is_special(sym):
                tmp = env.unit.fresh("%" + sym.name)
                binder.emit([assign(tmp, value.expr)])
                specials.append((sym, name(tmp)))
            else:
                # Python names are unique in the unit, so no later init form can see this one.
                binder.emit([assign(binder.new_lexical(sym), value.expr)])
        for sym, value in specials:
            binder.bind(sym, value)
    binder.finish_declarations()
    result = binder.wrap(compile_body(body, inner))
    if env.fn.repeating and any(v.captured for v in inner.variables.values() if not v.special):
        return _as_lambda_call(form, parts, pairs, sequential, env)
    return result


def _as_lambda_call(form: Any, parts: list[Any], pairs: list[tuple[Symbol, Any]], sequential: bool,
                    env: Env) -> Result:
    from lisp.compiler.lambda_list import AMP_AUX

    lam = cl_symbol("LAMBDA")
    if sequential:
        aux = [make_list([sym, init]) for sym, init in pairs]
        lambda_form = make_list([lam, make_list([AMP_AUX, *aux]), *parts[1:]])
        return compile_form(make_list([lambda_form]), env)
    lambda_form = make_list([lam, make_list([sym for sym, _ in pairs]), *parts[1:]])
    return compile_form(make_list([lambda_form, *(init for _, init in pairs)]), env)
