"""What ``describe`` says of a symbol and of objects that are not CLOS instances, laid out as
SBCL's ``describe`` does: the object and its type, then what there is to know of it.

A symbol: each thing it names (a function, macro, generic function or special operator with its
lambda list, documentation and source location; a variable with its value; a class; a type).
A function: its lambda list, documentation, source location. A string or vector: element type and
length; a character: its code and name; a hash table: its test and count; a package: its names,
uses and symbols. The CLOS methods of ``describe-object`` (:mod:`lisp.clos.printing`) call
:func:`describe_builtin` for every object that is not a standard object, class or generic function.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Iterator
from typing import Any

from lisp.clos.classes import LispClass, display_name, find_class
from lisp.clos.generic import info_of, methods_of
from lisp.clos.methods import LispMethod
from lisp.clos.standard import StandardClass
from lisp.compiler.core import SPECIAL_FORMS
from lisp.compiler.macros import MACROS
from lisp.library.documentation import object_documentation
from lisp.library.packages import apropos_list
from lisp.runtime import docstrings
from lisp.runtime.condition_classes import condition_class
from lisp.runtime.data import (
    COMMON_LISP,
    KEYWORD,
    NIL,
    Char,
    Cons,
    Package,
    Symbol,
    cl_symbol,
    iter_list,
    source_pos,
)
from lisp.runtime.namespace import (
    GLOBALS,
    builtin,
    dynamic_binding,
    function_key,
    get_function,
    global_value_is_set,
    is_constant,
    is_special,
    symbol_value,
)
from lisp.runtime.streams import OutputStream, output_stream
from lisp.runtime.values import values
from lisp.syntax.printer import prin1_to_string
from lisp.syntax.messages import show
from lisp.syntax.reader import PACKAGE_VAR

_VARIABLE, _TYPE = cl_symbol("VARIABLE"), cl_symbol("TYPE")


def describe_builtin(obj: Any, stream: OutputStream) -> None:
    """Describe ``obj`` on ``stream``: its header, then what its kind has to say."""
    lines = [qualified(obj), f"  [{type_name(obj)}]"]
    details = list(_details(obj))
    if details:
        lines += ["", *details]
    stream.write_string("\n".join(lines) + "\n")


def qualified(obj: Any) -> str:
    """``obj`` as ``prin1`` prints it with every symbol package-qualified (``CL-USER::FIB``)."""
    with dynamic_binding(PACKAGE_VAR, KEYWORD):
        return show(obj)  # a circular datum ends as #1=(... . #1#)


def type_name(obj: Any) -> str:
    """The kind ``describe`` names: ``type-of``, in lower case (a list is a ``list``)."""
    if isinstance(obj, Cons):
        return "list"
    if isinstance(obj, Symbol):
        return "symbol"
    if info_of(obj) is not None:
        return "generic-function"
    kind = get_function(cl_symbol("TYPE-OF"))(obj)
    if isinstance(kind, Cons):
        # (SIMPLE-ARRAY CHARACTER (3)) is a simple-string to SBCL's describe.
        is_string = kind.car is cl_symbol("SIMPLE-ARRAY") and kind.cdr.car is cl_symbol("CHARACTER")
        kind = cl_symbol("SIMPLE-STRING") if is_string else kind.car
    return prin1_to_string(kind).lower() if not isinstance(kind, Symbol) else kind.name.lower()


def _details(obj: Any) -> Iterator[str]:
    if isinstance(obj, Symbol) or obj is NIL:
        yield from _symbol_details(obj)
    elif isinstance(obj, (str, list)):
        yield f"Element-type: {'CHARACTER' if isinstance(obj, str) else 'T'}"
        yield f"Length: {len(obj)}"
    elif isinstance(obj, Char):
        yield f"Char-code: {ord(obj.char)}"
        name = get_function(cl_symbol("CHAR-NAME"))(obj)
        if name is not NIL:
            yield f"Char-name: {name}"
    elif isinstance(obj, Package):
        yield from _package_details(obj)
    elif type_name(obj) == "hash-table":
        yield f"Test: {obj.test}"
        yield f"Count: {len(obj)}"
    elif callable(obj) and not isinstance(obj, type):
        yield from _function_details(obj, indent="")


@builtin("APROPOS")
def apropos(name: Any, package: Any = NIL, external_only: Any = NIL) -> Any:
    """Print each symbol whose name contains ``name`` (in ``package``, or in any), as SBCL does:
    ``(fbound)`` after one that names a function, ``= value`` after a bound variable. No values."""
    out = output_stream(NIL)
    for sym in iter_list(apropos_list(name, package)):
        if external_only is not NIL and not (COMMON_LISP if sym is NIL else sym.package).is_external(sym):
            continue
        line = prin1_to_string(sym)
        if sym is not NIL and (function_key(sym) in GLOBALS or sym in MACROS):
            line += " (fbound)"
        if sym is NIL or global_value_is_set(sym) or sym.is_keyword:
            line += " = " + prin1_to_string(sym and symbol_value(sym))
        out.fresh_line()  # (and no newline after the last, as SBCL)
        out.write_string(line)
    return values()


def _symbol_details(sym: Symbol | None) -> Iterator[str]:
    shown = "NIL" if sym is NIL else sym.name
    sections = [(what, list(lines)) for what, lines in _named_things(sym)]
    for i, (what, lines) in enumerate(sections):
        if i:
            yield ""
        yield f"{shown} names {what}:"
        yield from lines


def _named_things(sym: Symbol | None) -> Iterator[tuple[str, Iterator[str]]]:
    """(what ``sym`` names, the lines about it) for each thing it names."""
    if sym is not NIL and (is_special(sym) or is_constant(sym) or sym.is_keyword):
        kind = "a constant variable" if is_constant(sym) or sym.is_keyword else "a special variable"
        yield kind, _variable_lines(sym)
    if sym in SPECIAL_FORMS:
        yield "a special operator", iter(())
    elif sym in MACROS:
        macro = MACROS[sym]
        shown = prin1_to_string(_nth(docstrings.definition(macro), 2)) if docstrings.definition(macro) else None
        yield "a macro", _function_details(macro, indent="  ", lambda_list=shown)
    elif function_key(sym) in GLOBALS:
        fn = GLOBALS[function_key(sym)]
        yield ("a generic function" if info_of(fn) is not None else "a compiled function"), \
            _function_details(fn, indent="  ")
    cls = condition_class(sym) or find_class(sym, errorp=False) if sym is not NIL else None
    if cls is not None:
        yield f"the {_class_kind(cls)} {prin1_to_string(cls)}", _class_lines(cls)
    type_doc = docstrings.name_documentation(sym, _TYPE)
    if type_doc is not None and cls is None:
        yield "a type specifier", _documentation_lines(type_doc, "  ")


def _variable_lines(sym: Symbol) -> Iterator[str]:
    yield f"  Value: {qualified(symbol_value(sym)) if global_value_is_set(sym) or sym.is_keyword else '#<unbound>'}"
    yield from _documentation_lines(docstrings.name_documentation(sym, _VARIABLE), "  ")


def _class_kind(cls: Any) -> str:
    if isinstance(cls, LispClass):
        return prin1_to_string(get_function(cl_symbol("CLASS-NAME"))(get_function(cl_symbol("CLASS-OF"))(cls))).lower()
    return "condition-class"


def _class_lines(cls: Any) -> Iterator[str]:
    yield from _documentation_lines(object_documentation(cls), "  ")
    if isinstance(cls, StandardClass):
        supers = ", ".join(display_name(c) for c in cls.direct_superclasses) or "none"
        yield f"  Direct superclasses: {supers}"
        subs = ", ".join(sorted(display_name(c) for c in cls.direct_subclasses))
        yield f"  Direct subclasses: {subs}" if subs else "  No subclasses."
        if cls.direct_slots:
            yield "  Direct slots:"
            for slot in cls.direct_slots:
                yield f"    {slot.name.name}"
                for label, items in (("Initargs", slot.initargs), ("Readers", slot.readers),
                                     ("Writers", slot.writers)):
                    if items:
                        yield f"      {label}: {', '.join(prin1_to_string(i) for i in items)}"


def _function_details(fn: Any, indent: str, lambda_list: str | None = None) -> Iterator[str]:
    """Lambda list, documentation, and methods or source location of a function. (A macro's
    expander takes the form and environment: its ``lambda_list`` is given, that of its
    ``defmacro``, or None.)"""
    info = info_of(fn)
    if info is not None:
        lambda_list = prin1_to_string(info.lambda_list)
    elif lambda_list is None and fn not in MACROS.values():
        lambda_list = function_lambda_list(fn)
    if lambda_list is not None:
        yield f"{indent}Lambda-list: {lambda_list}"
    yield from _documentation_lines(object_documentation(fn), indent)
    if info is not None:
        yield f"{indent}Method-combination: {info.combination.name}"
        yield f"{indent}Methods:"
        for method in methods_of(fn):
            yield f"{indent}  {_method_text(info.name, method)}"
            yield from _documentation_lines(method.documentation, indent + "    ")
        return
    where = source_location(fn)
    if where is not None:
        yield f"{indent}Source location: {where}"


def _method_text(name: Any, method: LispMethod) -> str:
    quals = "".join(f" {prin1_to_string(q)}" for q in method.qualifiers)
    return f"({prin1_to_string(name)}{quals} ({method.describe_specializers()}))"


def _documentation_lines(text: str | None, indent: str) -> Iterator[str]:
    if text:
        yield f"{indent}Documentation:"
        yield from (f"{indent}  {line}".rstrip() for line in text.strip("\n").split("\n"))


def _package_details(package: Package) -> Iterator[str]:
    if package.nicknames:
        yield f"Nicknames: {', '.join(package.nicknames)}"
    if package.use_list:
        yield f"Use-list: {', '.join(p.name for p in package.use_list)}"
    external = len(package.external_symbols())
    yield f"{external} external symbol{'' if external == 1 else 's'}, " \
          f"{len(package.present_symbols()) - external} internal."


def function_lambda_list(fn: Any) -> str | None:
    """The lambda list of a function as text: that of its ``defun`` or ``defmacro``, or made from
    the signature of a function written in Python; None if unknown."""
    form = docstrings.definition(fn)
    if form is not None:
        return prin1_to_string(_nth(form, 2))
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    required, optional, keys = [], [], []
    rest = None
    for parameter in signature.parameters.values():
        name = parameter.name.upper()
        if parameter.kind is parameter.VAR_POSITIONAL:
            rest = name
        elif parameter.kind is parameter.KEYWORD_ONLY:
            keys.append(name)
        elif parameter.kind is not parameter.VAR_KEYWORD:
            (required if parameter.default is parameter.empty else optional).append(name)
    items = list(required)
    if optional:
        items += ["&OPTIONAL", *optional]
    if rest is not None:
        items += ["&REST", rest]
    if keys:
        items += ["&KEY", *keys]
    return "(" + " ".join(items) + ")"


def source_location(fn: Any) -> str | None:
    """Where ``fn`` was defined: ``FILE:LINE:COLUMN`` of its ``defun``, or the Python file and
    line of a function written in Python."""
    form = docstrings.definition(fn)
    pos = source_pos(form) if form is not None else None
    if pos is not None:
        return str(pos)
    code = getattr(fn, "__code__", None)
    if code is None or getattr(fn, "__globals__", None) is GLOBALS:
        return None
    return f"{_short_path(code.co_filename)}:{code.co_firstlineno}"


def _short_path(path: str) -> str:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.path.relpath(path, root) if path.startswith(root) else path


def _nth(form: Any, n: int) -> Any:
    for i, item in enumerate(iter_list(form)):
        if i == n:
            return item
    return None

