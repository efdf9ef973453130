"""Argument lists in the echo area (SLIME's autodoc): ``(mapcar ===> function <=== list &rest
more-lists)`` while the cursor is at a call's first argument.

Emacs sends the form around the cursor, cut at the cursor, as a tree of strings (the tokens
typed) with the marker ``swank::%cursor-marker%`` where the cursor is. The innermost enclosing
form whose operator has a known lambda list is described, the parameter the cursor's argument
binds wrapped in ``===> <===``: a required or optional one by position, a key parameter by the
keyword before it (or being typed), the ``&rest``/``&body`` one beyond. When the cursor is just
after the name of a global variable, its value is shown instead (``*print-base* => 10``).

Lambda lists come from what the Lisp knows (:func:`lisp.library.describing.function_lambda_list`,
a generic function's, a ``defmacro``'s); the special operators and the standard macros written
in Python have their syntax from the standard (:data:`SYNTAX`).
"""

from __future__ import annotations

from typing import Any

from lisp.clos.generic import info_of
from lisp.compiler.core import SPECIAL_FORMS
from lisp.compiler.macros import MACROS
from lisp.library.describing import function_lambda_list
from lisp.runtime import docstrings
from lisp.runtime.data import COMMON_LISP, Symbol, T, iter_list
from lisp.runtime.namespace import GLOBALS, function_key, global_value_is_set, symbol_value
from lisp.swank.names import lookup_symbol
from lisp.swank.rpc import Request, rpc
from lisp.swank.values import one_line
from lisp.swank.wire import WireSymbol, keyword
from lisp.syntax.printer import prin1_to_string

#: The syntax of the special operators and of the standard macros written in Python (CLHS), as
#: lambda lists.
SYNTAX = {
    "BLOCK": "(name &body forms)", "CATCH": "(tag &body forms)", "DECLARE": "(&rest declaration-specifiers)",
    "EVAL-WHEN": "((&rest situations) &body forms)", "FLET": "((&rest definitions) &body body)",
    "FUNCTION": "(name)", "GO": "(tag)", "IF": "(test then &optional else)",
    "LABELS": "((&rest definitions) &body body)", "LET": "((&rest bindings) &body body)",
    "LET*": "((&rest bindings) &body body)", "LOAD-TIME-VALUE": "(form &optional read-only-p)",
    "LOCALLY": "(&body body)", "MACROLET": "((&rest definitions) &body body)",
    "MULTIPLE-VALUE-CALL": "(function &rest forms)", "MULTIPLE-VALUE-PROG1": "(first-form &body forms)",
    "PROGN": "(&body forms)", "PROGV": "(symbols values &body forms)", "QUOTE": "(object)",
    "RETURN-FROM": "(name &optional value)", "SETQ": "(&rest pairs)",
    "SYMBOL-MACROLET": "((&rest macrobindings) &body body)", "TAGBODY": "(&rest statements)",
    "THE": "(value-type form)", "THROW": "(tag result-form)", "UNWIND-PROTECT": "(protected-form &body cleanup-forms)",
    "AND": "(&rest forms)", "OR": "(&rest forms)", "ASSERT": "(test-form &optional places datum &rest arguments)",
    "CASE": "(keyform &body clauses)", "CCASE": "(keyplace &body clauses)", "ECASE": "(keyform &body clauses)",
    "TYPECASE": "(keyform &body clauses)", "CTYPECASE": "(keyplace &body clauses)",
    "ETYPECASE": "(keyform &body clauses)", "CHECK-TYPE": "(place typespec &optional string)",
    "COND": "(&rest clauses)", "DECF": "(place &optional delta)", "INCF": "(place &optional delta)",
    "DECLAIM": "(&rest declaration-specifiers)",
    "DEFCLASS": "(name (&rest superclasses) (&rest slot-specifiers) &rest options)",
    "DEFCONSTANT": "(name value &optional documentation)",
    "DEFGENERIC": "(name lambda-list &body options)",
    "DEFINE-CONDITION": "(name (&rest parent-types) (&rest slot-specs) &body options)",
    "DEFINE-MODIFY-MACRO": "(name lambda-list function &optional documentation)",
    "DEFINE-SETF-EXPANDER": "(access-fn lambda-list &body body)",
    "DEFINE-SYMBOL-MACRO": "(name expansion)", "DEFMACRO": "(name lambda-list &body body)",
    "DEFMETHOD": "(name &rest args)", "DEFPACKAGE": "(name &rest options)",
    "DEFPARAMETER": "(name value &optional documentation)", "DEFSETF": "(access-fn &rest rest)",
    "DEFSTRUCT": "(name-and-options &rest slot-descriptions)", "DEFTYPE": "(name lambda-list &body body)",
    "DEFUN": "(name lambda-list &body body)", "DEFVAR": "(name &optional value documentation)",
    "DESTRUCTURING-BIND": "(lambda-list expression &body body)",
    "DO": "((&rest var-init-steps) (end-test-form &rest result-forms) &body body)",
    "DO*": "((&rest var-init-steps) (end-test-form &rest result-forms) &body body)",
    "DO-ALL-SYMBOLS": "((var &optional result) &body body)",
    "DO-EXTERNAL-SYMBOLS": "((var &optional package result) &body body)",
    "DO-SYMBOLS": "((var &optional package result) &body body)",
    "DOLIST": "((var list &optional result) &body body)", "DOTIMES": "((var count &optional result) &body body)",
    "FORMATTER": "(control-string)", "HANDLER-BIND": "((&rest bindings) &body forms)",
    "HANDLER-CASE": "(expression &rest clauses)", "IGNORE-ERRORS": "(&body forms)",
    "IN-PACKAGE": "(name)", "LAMBDA": "(lambda-list &body body)", "LOOP": "(&rest clauses)",
    "MULTIPLE-VALUE-BIND": "((&rest vars) value-form &body body)", "MULTIPLE-VALUE-LIST": "(value-form)",
    "MULTIPLE-VALUE-SETQ": "((&rest vars) value-form)", "NTH-VALUE": "(n form)", "POP": "(place)",
    "PRINT-UNREADABLE-OBJECT": "((object stream &key type identity) &body body)",
    "PROG": "((&rest vars) &body statements)", "PROG*": "((&rest vars) &body statements)",
    "PROG1": "(first-form &body forms)", "PROG2": "(first-form second-form &body forms)",
    "PSETF": "(&rest pairs)", "PSETQ": "(&rest pairs)", "PUSH": "(item place)",
    "PUSHNEW": "(item place &key key test test-not)", "REMF": "(place indicator)",
    "RESTART-BIND": "((&rest bindings) &body forms)", "RESTART-CASE": "(restartable-form &rest clauses)",
    "RETURN": "(&optional value)", "ROTATEF": "(&rest places)", "SETF": "(&rest pairs)",
    "SHIFTF": "(&rest places)", "STEP": "(form)", "TIME": "(form)", "TRACE": "(&rest function-names)",
    "UNTRACE": "(&rest function-names)", "UNLESS": "(test &body forms)", "WHEN": "(test &body forms)",
    "WITH-ACCESSORS": "((&rest slot-entries) instance-form &body body)",
    "WITH-CONDITION-RESTARTS": "(condition-form restarts-form &body body)",
    "WITH-HASH-TABLE-ITERATOR": "((name hash-table) &body body)",
    "WITH-INPUT-FROM-STRING": "((var string &key index start end) &body body)",
    "WITH-OPEN-FILE": "((stream filespec &rest options) &body body)",
    "WITH-OPEN-STREAM": "((var stream) &body body)",
    "WITH-OUTPUT-TO-STRING": "((var &optional string-form &key element-type) &body body)",
    "WITH-SIMPLE-RESTART": "((name format-control &rest format-arguments) &body forms)",
    "WITH-SLOTS": "((&rest slot-entries) instance-form &body body)",
    "WITH-STANDARD-IO-SYNTAX": "(&body body)",
}

_MARKER = "%cursor-marker%"
_NOT_AVAILABLE = keyword("not-available")
_SKIP_NEXT = ("&WHOLE", "&ENVIRONMENT")
_LAMBDA_KEYWORDS = ("&OPTIONAL", "&REST", "&BODY", "&KEY", "&AUX", "&ALLOW-OTHER-KEYS", *_SKIP_NEXT)


def operator_arglist(symbol: Symbol) -> str | None:
    """The lambda list of the operator ``symbol`` names, as text (without the name), or None."""
    macro = MACROS.get(symbol)
    if macro is not None:
        definition = docstrings.definition(macro)
        if definition is not None:
            return prin1_to_string(list(iter_list(definition))[2])
    elif symbol not in SPECIAL_FORMS:
        fn = GLOBALS.get(function_key(symbol))
        if fn is not None:
            info = info_of(fn)
            return prin1_to_string(info.lambda_list) if info is not None else function_lambda_list(fn)
    return SYNTAX.get(symbol.name) if symbol.package is COMMON_LISP else None


@rpc("swank:autodoc")
def autodoc(request: Request, raw_form: Any, *, print_right_margin: Any = None) -> Any:
    chain = _forms_to_cursor(raw_form)
    if not chain:
        return _NOT_AVAILABLE
    innermost = chain[-1]
    at_cursor = innermost[-1] if innermost else None
    variable = _interesting_variable(at_cursor, request)
    if variable is not None:
        return [variable, False]
    for depth in range(len(chain) - 1, -1, -1):
        form = chain[depth]
        if not form or not isinstance(form[0], str):
            continue
        found, symbol = lookup_symbol(form[0], request.package)
        if not found or symbol is None:
            continue
        arglist = operator_arglist(symbol)
        if arglist is not None:
            return [describe_call(form[0], arglist, form[1:], len(form) - 2), True]
    return _NOT_AVAILABLE


@rpc("swank:operator-arglist")
def _operator_arglist(request: Request, name: str, _package: Any = None) -> str | None:
    found, symbol = lookup_symbol(name, request.package)
    arglist = operator_arglist(symbol) if found and symbol is not None else None
    return None if arglist is None else describe_call(name, arglist, [], None)


def _forms_to_cursor(raw_form: Any) -> list[list[Any]]:
    """The lists from ``raw_form`` down to the one that ends at the cursor, each without the
    marker (the last element of each but the innermost is the next one)."""
    chain: list[list[Any]] = []
    form = raw_form
    while isinstance(form, list) and form:
        last = form[-1]
        if isinstance(last, WireSymbol) and last.name.lower().endswith(_MARKER):
            chain.append(form[:-1])
            return chain
        chain.append(form)
        form = last
    return []


def _interesting_variable(token: Any, request: Request) -> str | None:
    """``*x* => value`` if ``token`` names a global variable with a value (not T, NIL, a keyword)."""
    if not isinstance(token, str) or not token:
        return None
    found, symbol = lookup_symbol(token, request.package)
    if not found or symbol is None or symbol is T or symbol.is_keyword or not global_value_is_set(symbol):
        return None
    return f"{token} => {one_line(symbol_value(symbol), 75)}"


def describe_call(operator: str, arglist: str, arguments: list[Any], index: int | None) -> str:
    """``(operator param...)`` with the parameter argument ``index`` binds (None: none) marked."""
    parameters = split_list(arglist)
    marked = None if index is None or index < 0 else _parameter_for(parameters, arguments, index)
    shown = [("===> " + _shown(p) + " <===") if i == marked else _shown(p) for i, p in enumerate(parameters)]
    return "(" + " ".join([operator, *shown]) + ")"


def _shown(parameter: str) -> str:
    return parameter if any(c.islower() for c in parameter) or "|" in parameter or '"' in parameter \
        else parameter.lower()


def _parameter_for(parameters: list[str], arguments: list[Any], index: int) -> int | None:
    """The index in ``parameters`` of the one argument ``index`` binds."""
    positional: list[int] = []
    keys: list[int] = []
    rest = None
    mode = "required"
    skip = False
    for i, parameter in enumerate(parameters):
        upper = parameter.upper()
        if skip:
            skip = False
        elif upper in _LAMBDA_KEYWORDS:
            mode = upper
            skip = upper in _SKIP_NEXT
        elif mode in ("required", "&OPTIONAL"):
            positional.append(i)
        elif mode in ("&REST", "&BODY") and rest is None:
            rest = i
        elif mode == "&KEY":
            keys.append(i)
    if index < len(positional):
        return positional[index]
    if keys:
        after = index - len(positional)
        key = arguments[index] if after % 2 == 0 else arguments[index - 1] if index - 1 < len(arguments) else None
        if isinstance(key, str) and key.startswith(":") and len(key) > 1:
            name = key[1:].upper()
            matching = [i for i in keys if _key_name(parameters[i]).startswith(name)]
            if matching:
                return min(matching, key=lambda i: len(_key_name(parameters[i])))
    return rest


def _key_name(parameter: str) -> str:
    """The keyword a key parameter is passed by: ``TEST``, ``(TEST #'EQL)``, ``((:KEY VAR) ...)``."""
    text = parameter.lstrip("(")
    return text.split()[0].lstrip(":").upper() if text.split() else ""


def split_list(text: str) -> list[str]:
    """The elements of a list's printed text, each as text: ``"(a (b c) &rest d)"`` ->
    ``["a", "(b c)", "&rest", "d"]`` (strings, ``|...|`` and escapes kept whole)."""
    inner = text.strip()
    if inner.startswith("(") and inner.endswith(")"):
        inner = inner[1:-1]
    elements: list[str] = []
    depth = 0
    start: int | None = None
    i = 0
    while i < len(inner):
        char = inner[i]
        if start is None and not char.isspace():
            start = i
        if char in "\"|":
            end = i + 1
            while end < len(inner) and inner[end] != char:
                end += 2 if inner[end] == "\\" else 1
            i = end
        elif char == "\\":
            i += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char.isspace() and depth == 0 and start is not None:
            elements.append(inner[start:i])
            start = None
        i += 1
    if start is not None:
        elements.append(inner[start:])
    return elements

