"""What a symbol is, for Emacs: ``describe`` (the same text as at the REPL), documentation,
apropos, and macroexpansion (``C-c C-m``, ``C-c M-m``); also tracing and undefining, which
SLIME offers next to them."""

from __future__ import annotations

from typing import Any

from lisp.clos.classes import find_class
from lisp.clos.generic import info_of
from lisp.clos.printing import describe
from lisp.compiler import eval_values, macroexpand, macroexpand_1
from lisp.compiler.core import SPECIAL_FORMS
from lisp.compiler.macros import MACROS
from lisp.library.disassembly import disassembly
from lisp.library.documentation import documentation
from lisp.library.packages import apropos_list
from lisp.runtime.data import NIL, Cons, Symbol, cl_symbol, iter_list, make_list
from lisp.runtime.namespace import GLOBALS, function_key, global_value_is_set, is_special
from lisp.runtime.streams import StringOutputStream
from lisp.swank.arglists import operator_arglist
from lisp.swank.names import find_named_package, lookup_symbol
from lisp.swank.rpc import Request, RpcError, rpc
from lisp.swank.values import pretty, read_form
from lisp.swank.wire import keyword
from lisp.syntax.printer import prin1_to_string

_FUNCTION, _VARIABLE = cl_symbol("FUNCTION"), cl_symbol("VARIABLE")


def _symbol(request: Request, name: str) -> Any:
    found, symbol = lookup_symbol(name, request.package)
    if not found:
        raise RpcError(f"no symbol named {name} in {request.package.name}")
    return symbol


def _described(obj: Any) -> str:
    out = StringOutputStream()
    describe(obj, out)
    return out.get_output_stream_string()


@rpc("swank:describe-symbol", "swank:describe-definition-for-emacs")
def describe_symbol(request: Request, name: str, _kind: Any = None) -> str:
    return _described(_symbol(request, name))


@rpc("swank:describe-function")
def describe_function(request: Request, name: str) -> str:
    symbol = _symbol(request, name)
    fn = MACROS.get(symbol) or GLOBALS.get(function_key(symbol)) if symbol is not None else None
    if fn is None:
        raise RpcError(f"{name} names no function")
    return _described(fn)


@rpc("swank:documentation-symbol")
def documentation_symbol(request: Request, name: str) -> str:
    found, symbol = lookup_symbol(name, request.package)
    if not found:
        return f"No such symbol, {name}."
    variable, function = (documentation(symbol, kind) for kind in (_VARIABLE, _FUNCTION))
    lines = [f"Documentation for the symbol {prin1_to_string(symbol)}:", ""]
    if variable is NIL and function is NIL:
        lines.append("Not documented.")
    if variable is not NIL:
        lines += ["Variable:", f" {variable}", ""]
    if function is not NIL:
        arglist = operator_arglist(symbol) if symbol is not None else None
        lines += ["Function:", f" Arglist: {arglist or '(unknown)'}", "", f" {function}"]
    return "\n".join(lines)


@rpc("swank:apropos-list-for-emacs")
def apropos_list_for_emacs(request: Request, name: str, external_only: Any = None, case_sensitive: Any = None,
                           package_name: Any = None) -> list[Any]:
    package = None
    if package_name:
        package = find_named_package(package_name)
        if package is None:
            raise RpcError(f"there is no package named {package_name}")
    found = []
    for symbol in iter_list(apropos_list(name, NIL if package is None else package)):
        if case_sensitive and name not in symbol.name:
            continue
        if external_only and symbol not in symbol.package.external_symbols():
            continue
        properties = _apropos_properties(symbol)
        if properties:
            accessible = request.package.find_symbol(symbol.name)[0] is symbol
            found.append(((not accessible, symbol.package.name, symbol.name),
                          [keyword("designator"), prin1_to_string(symbol), *properties]))
    return [plist for _key, plist in sorted(found, key=lambda item: item[0])]


def _apropos_properties(symbol: Symbol) -> list[Any]:
    """``:variable DOC :function DOC ...`` for what ``symbol`` names (the documentation's first
    line, or ``:not-documented``)."""
    properties = []

    def add(kind: str, doc: Any) -> None:
        first = doc.split("\n", 1)[0] if isinstance(doc, str) and doc else keyword("not-documented")
        properties.extend([keyword(kind), first])

    if is_special(symbol) or global_value_is_set(symbol):
        add("variable", documentation(symbol, _VARIABLE))
    fn = GLOBALS.get(function_key(symbol))
    if symbol in SPECIAL_FORMS:
        add("special-operator", None)
    elif symbol in MACROS:
        add("macro", documentation(symbol, _FUNCTION))
    elif fn is not None:
        add("generic-function" if info_of(fn) is not None else "function", documentation(symbol, _FUNCTION))
    if find_class(symbol, errorp=False) is not None:
        add("class", documentation(symbol, cl_symbol("TYPE")))
    return properties


# -- macroexpansion ----------------------------------------------------------------------------

@rpc("swank:swank-macroexpand-1", "swank:swank-expand-1", user_code=True)
def swank_macroexpand_1(_request: Request, text: str) -> str:
    return pretty(macroexpand_1(read_form(text))[0])


@rpc("swank:swank-macroexpand", "swank:swank-expand", user_code=True)
def swank_macroexpand(_request: Request, text: str) -> str:
    return pretty(macroexpand(read_form(text))[0])


@rpc("swank:swank-macroexpand-all", user_code=True)
def swank_macroexpand_all(_request: Request, text: str) -> str:
    return pretty(macroexpand_all(read_form(text)))


@rpc("swank:swank-compiler-macroexpand-1", "swank:swank-compiler-macroexpand", user_code=True)
def swank_compiler_macroexpand(_request: Request, text: str) -> str:
    return pretty(read_form(text))  # there are no compiler macros: a form is its own expansion


_QUOTE, _FUNCTION_OP, _LAMBDA = cl_symbol("QUOTE"), cl_symbol("FUNCTION"), cl_symbol("LAMBDA")
_DECLARE, _GO = cl_symbol("DECLARE"), cl_symbol("GO")
# Special operators whose first argument is not a form (a name, a type, a list of situations...).
_NAME_FIRST = {cl_symbol(n) for n in ("BLOCK", "RETURN-FROM", "THE", "EVAL-WHEN", "MACROLET", "SYMBOL-MACROLET")}
_BINDING_FIRST = {cl_symbol(n) for n in ("LET", "LET*")}
_DEFINITIONS_FIRST = {cl_symbol(n) for n in ("FLET", "LABELS")}


def macroexpand_all(form: Any) -> Any:
    """``form`` with every macro call in it expanded, down to special forms and function calls.

    The special operators of CL are walked by their syntax (a ``let``'s variables, a ``flet``'s
    lambda lists and a quoted datum are not forms); the implementation's own special operators
    (``%named-lambda``...), by their arguments. ``macrolet`` and ``symbol-macrolet`` definitions
    are not applied to their bodies: those macros show unexpanded.
    """
    form = macroexpand(form)[0]
    if not isinstance(form, Cons):
        return form
    head, arguments = form.car, list(iter_list(form.cdr))
    if head in (_QUOTE, _GO, _DECLARE):
        return form
    if head is _FUNCTION_OP:
        target = arguments[0] if arguments else None
        if isinstance(target, Cons) and target.car is _LAMBDA:
            return make_list([head, _lambda_expanded(target)])
        return form
    if isinstance(head, Cons) and head.car is _LAMBDA:
        return make_list([_lambda_expanded(head), *map(macroexpand_all, arguments)])
    if head in _NAME_FIRST and arguments:
        return make_list([head, arguments[0], *map(macroexpand_all, arguments[1:])])
    if head in _BINDING_FIRST and arguments:
        bindings = [make_list([b.car, *map(macroexpand_all, iter_list(b.cdr))]) if isinstance(b, Cons) else b
                    for b in iter_list(arguments[0])]
        return make_list([head, make_list(bindings), *map(macroexpand_all, arguments[1:])])
    if head in _DEFINITIONS_FIRST and arguments:
        definitions = [make_list([d.car, d.cdr.car, *map(macroexpand_all, iter_list(d.cdr.cdr))])
                       for d in iter_list(arguments[0])]
        return make_list([head, make_list(definitions), *map(macroexpand_all, arguments[1:])])
    return make_list([head, *map(macroexpand_all, arguments)])


def _lambda_expanded(lambda_form: Any) -> Any:
    parts = list(iter_list(lambda_form))
    return make_list([*parts[:2], *map(macroexpand_all, parts[2:])])


# -- the other commands of a symbol ---------------------------------------------------------------

@rpc("swank:disassemble-form", user_code=True)
def disassemble_form(_request: Request, text: str) -> str:
    found = eval_values(read_form(text))
    return disassembly(found[0] if found else NIL)


@rpc("swank:swank-toggle-trace", user_code=True)
def toggle_trace(_request: Request, text: str) -> str:
    name = read_form(text)
    traced = name in iter_list(eval_values(make_list([cl_symbol("TRACE")]))[0])
    eval_values(make_list([cl_symbol("UNTRACE" if traced else "TRACE"), name]))
    return f"{prin1_to_string(name)} is now {'untraced' if traced else 'traced'}."


@rpc("swank:untrace-all", user_code=True)
def untrace_all(_request: Request) -> None:
    eval_values(make_list([cl_symbol("UNTRACE")]))


@rpc("swank:undefine-function", user_code=True)
def undefine_function(_request: Request, text: str) -> str:
    found = eval_values(make_list([cl_symbol("FMAKUNBOUND"), make_list([_QUOTE, read_form(text)])]))
    return prin1_to_string(found[0] if found else NIL)
