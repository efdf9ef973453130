"""``inspect``: an interactive inspector on the terminal, as SBCL's::

    (inspect (list 1 "a"))
    The object is a proper list of length 2.
    0. 0: 1
    1. 1: "a"
    > 1

A number inspects that part; ``u`` goes back up to the object it was reached from; ``e FORM``
evaluates a form (``*`` is the object inspected); ``d`` shows the object again; ``q`` (or the end
of input) leaves, and ``inspect`` returns the object being inspected; ``?`` lists the commands.
Lines are read with :func:`lisp.library.terminal.read_line`.

The parts of an object (:func:`parts`): a list's elements (a dotted list's last cdr too), a
vector's or string's elements, a hash table's entries, a CLOS instance's or condition's slots, a
symbol's name, package, value, function and property list, a function's name, lambda list and
documentation; other objects (numbers, characters) are atoms.
"""

from __future__ import annotations

import functools
from typing import Any

from lisp.clos.generic import info_of
from lisp.clos.standard import Instance, current_layout, slot_boundp, slot_value
from lisp.compiler import eval_form
from lisp.library.describing import function_lambda_list, qualified, type_name
from lisp.library.documentation import object_documentation
from lisp.library.terminal import read_line
from lisp.runtime.condition_classes import Condition
from lisp.runtime.data import NIL, Char, Cons, Package, Symbol, cl_symbol
from lisp.runtime.namespace import (
    GLOBALS,
    builtin,
    dynamic_binding,
    function_key,
    get_function,
    global_value_is_set,
    symbol_value,
)
from lisp.runtime.signals import RestartSpec, restart_case
from lisp.runtime.streams import output_stream
from lisp.syntax.printer import prin1_to_string
from lisp.syntax.reader import read_from_string

_HELP = ("Commands: N inspect part N, u up, e FORM evaluate FORM (* is the object), d show the object "
         "again, q leave, ? this help.")
_STAR, _ABORT = cl_symbol("*"), cl_symbol("ABORT")
_UNBOUND = object()


def parts(obj: Any) -> tuple[str, list[tuple[str, Any]]]:
    """What the inspector says ``obj`` is, and its parts as (label, value) pairs."""
    if isinstance(obj, Cons):
        items, tail = [], obj
        while isinstance(tail, Cons):
            items.append(tail.car)
            tail = tail.cdr
        labelled = [(f"{i}", item) for i, item in enumerate(items)]
        if tail is NIL:
            return f"a proper list of length {len(items)}", labelled
        return f"a dotted list of {len(items)} elements", labelled + [("tail", tail)]
    if isinstance(obj, (str, list)):
        return f"a {type_name(obj).upper()} of length {len(obj)}", [(f"{i}", x) for i, x in enumerate(obj)]
    if isinstance(obj, Symbol):
        return "a SYMBOL", _symbol_parts(obj)
    if isinstance(obj, Instance):
        return f"a STANDARD-OBJECT of type {type_name(obj).upper()}", \
            [(s.name.name, slot_value(obj, s.name) if slot_boundp(obj, s.name) else _UNBOUND)
             for s in current_layout(obj).cls.slots]
    if isinstance(obj, Condition):
        return f"a condition of type {obj.lisp_name.name}", list(obj.slots.items())
    if type_name(obj) == "hash-table":
        return f"a HASH-TABLE with {len(obj)} entries", [(prin1_to_string(k), v) for k, v in obj.items()]
    if isinstance(obj, Package):
        return "a PACKAGE", [("name", obj.name), ("nicknames", list(obj.nicknames)),
                             ("use-list", list(obj.use_list)), ("external symbols", obj.external_symbols())]
    if callable(obj) and not isinstance(obj, (type, Char)):
        found = [("name", getattr(obj, "lisp_name", getattr(obj, "__name__", NIL)))]
        lambda_list = function_lambda_list(obj) if info_of(obj) is None else prin1_to_string(info_of(obj).lambda_list)
        if lambda_list is not None:
            found.append(("lambda-list", lambda_list))
        found.append(("documentation", object_documentation(obj) or NIL))
        return "a FUNCTION", found
    return "an ATOM", []


def _symbol_parts(sym: Symbol) -> list[tuple[str, Any]]:
    value = symbol_value(sym) if global_value_is_set(sym) or sym.is_keyword else _UNBOUND
    function = GLOBALS.get(function_key(sym), _UNBOUND)
    plist = get_function(cl_symbol("SYMBOL-PLIST"))(sym)
    return [("name", sym.name), ("package", sym.package or NIL), ("value", value), ("function", function),
            ("plist", plist)]


def _show(obj: Any) -> str:
    kind, items = parts(obj)
    lines = [f"The object is {kind}" + (":" if not items else ".")]
    if not items:
        lines.append(f"  {qualified(obj)}")
    for i, (label, value) in enumerate(items):
        shown = "unbound" if value is _UNBOUND else prin1_to_string(value)
        lines.append(f"{i}. {label}: {shown}")
    return "\n".join(lines) + "\n"


def _evaluate(text: str, current: Any) -> str:
    with dynamic_binding(_STAR, current):
        return prin1_to_string(eval_form(read_from_string(text)))


@builtin("INSPECT")
def inspect(obj: Any) -> Any:
    """Inspect ``obj`` interactively; the object being inspected when the inspector is left."""
    out = output_stream(NIL)
    trail = [obj]
    out.write_string(_show(obj))
    while True:
        out.finish_output()
        try:
            command = read_line("> ").strip()
        except EOFError:
            return trail[-1]
        current = trail[-1]
        items = parts(current)[1]
        if command.isdigit() and int(command) < len(items) and items[int(command)][1] is not _UNBOUND:
            trail.append(items[int(command)][1])
        elif command.isdigit():
            out.write_string(f"There is no part {command} to inspect.\n")
            continue
        elif command == "u":
            if len(trail) > 1:
                trail.pop()
        elif command == "q":
            return current
        elif command[:2] in ("e ", "e\t"):
            back = RestartSpec(_ABORT, "Return to the inspector.")
            shown = restart_case(functools.partial(_evaluate, command[2:], current), [back], [lambda: "; Aborted."])
            out.write_string(shown + "\n")
            continue
        elif command != "d":
            out.write_string(_HELP + "\n")
            continue
        out.write_string(_show(trail[-1]))
