"""``print-object`` (installed as the printer's hook for objects it does not know), ``describe``
with ``describe-object``, and ``describe-dispatch``, which shows a generic function's native
decision tree."""

from __future__ import annotations

import threading
from typing import Any

from lisp.clos import errors, generic, protocol, standard
from lisp.clos.classes import LispClass, class_of, display_name
from lisp.clos.methods import LispMethod
from lisp.clos.standard import Instance, StandardClass
from lisp.library import describing
from lisp.runtime.data import NIL
from lisp.runtime.namespace import builtin
from lisp.runtime.streams import OutputStream, output_stream
from lisp.runtime.values import values
from lisp.syntax import printer

PRINT_OBJECT = protocol.define_generic("PRINT-OBJECT", "(object stream)")
DESCRIBE_OBJECT = protocol.define_generic("DESCRIBE-OBJECT", "(object stream)")


def _identity(obj: Any) -> str:
    return f"{{{id(obj):X}}}"


def _print_instance(obj: Instance, stream: OutputStream) -> None:
    stream.write_string(f"#<{display_name(class_of(obj))} {_identity(obj)}>")


def _print_class(cls: LispClass, stream: OutputStream) -> None:
    stream.write_string(f"#<{display_name(class_of(cls))} {display_name(cls)}>")


def _print_generic_function(gf: Any, stream: OutputStream) -> None:
    info = generic.info_of(gf)
    if info is None:
        stream.write_string(f"#<PY {gf!r}>")
        return
    stream.write_string(f"#<STANDARD-GENERIC-FUNCTION {generic.function_name_text(info.name)} "
                        f"({len(gf.methods)})>")


def _print_method(m: LispMethod, stream: OutputStream) -> None:
    info = generic.info_of(generic.owner_of(m))
    name = generic.function_name_text(info.name) if info else "(no generic function)"
    quals = "".join(f" {errors.show(q)}" for q in m.qualifiers)
    stream.write_string(f"#<STANDARD-METHOD {name}{quals} ({m.describe_specializers()}) "
                        f"{_identity(m)}>")


_python_printer = printer.print_object_hook


class _PrintingBuiltIn(threading.local):
    obj: Any = None


_printing_builtin = _PrintingBuiltIn()


def _print_other(obj: Any, stream: OutputStream) -> None:
    # print-object called on an object the printer knows (a number, a string, a list: from a user's
    # method, or directly) prints it as the printer does; the printer calls print-object back only
    # for an object it does not know, which is then printed here. The Lisp runtime's own objects
    # (threads, locks...) have a #<...> repr; others print as #<PY>.
    if _printing_builtin.obj is not obj:
        saved, _printing_builtin.obj = _printing_builtin.obj, obj
        try:
            printer.write(obj, stream)
        finally:
            _printing_builtin.obj = saved
        return
    text = repr(obj)
    if text.startswith("#<") and type(obj).__module__.startswith("lisp."):
        stream.write_string(text)
    else:
        _python_printer(obj, stream)


for _specializer, _function in (("T", _print_other), ("STANDARD-OBJECT", _print_instance),
                                ("CLASS", _print_class),
                                ("STANDARD-GENERIC-FUNCTION", _print_generic_function),
                                ("STANDARD-METHOD", _print_method)):
    protocol.define_python_method(PRINT_OBJECT, [_specializer, "T"], "(object stream)", _function)


def _print_with_print_object(obj: Any, stream: OutputStream) -> None:
    PRINT_OBJECT(obj, stream)


printer.print_object_hook = _print_with_print_object


# -- describe ------------------------------------------------------------------------------------

def _line(stream: OutputStream, text: str = "") -> None:
    stream.write_string(text + "\n")


def _describe_header(obj: Any, stream: OutputStream) -> None:
    # As SBCL: the object, then its kind (an instance of a standard class is a standard-object).
    kind = "standard-object" if isinstance(obj, Instance) else display_name(class_of(obj)).lower()
    _line(stream, printer.prin1_to_string(obj))
    _line(stream, f"  [{kind}]")


def _describe_other(obj: Any, stream: OutputStream) -> None:
    describing.describe_builtin(obj, stream)


def _describe_instance(obj: Instance, stream: OutputStream) -> None:
    _describe_header(obj, stream)
    cls = standard.current_layout(obj).cls
    for allocation, slots in (("INSTANCE", [s for s in cls.slots if isinstance(s.location, int)]),
                              ("CLASS", [s for s in cls.slots if not isinstance(s.location, int)])):
        if slots:
            _line(stream)
            _line(stream, f"Slots with :{allocation} allocation:")
            width = max(len(s.name.name) for s in slots)
            for s in slots:
                value = ("#<unbound>" if not standard.slot_boundp(obj, s.name)
                         else printer.prin1_to_string(standard.slot_value(obj, s.name)))
                _line(stream, f"  {s.name.name.ljust(width)} = {value}")


def _describe_class(cls: LispClass, stream: OutputStream) -> None:
    _describe_header(cls, stream)
    if cls.documentation:
        _line(stream, f"  Documentation: {cls.documentation}")
    names = " ".join(display_name(c) for c in cls.precedence_list)
    _line(stream, f"  Class precedence list: {names}")
    if isinstance(cls, StandardClass):
        subs = " ".join(display_name(c) for c in cls.direct_subclasses) or "none"
        _line(stream, f"  Direct subclasses: {subs}")
        for s in cls.slots:
            initargs = " ".join(errors.show(a) for a in s.initargs)
            _line(stream, f"  Slot {s.name.name}: allocation {errors.show(s.allocation)}"
                          f"{', initargs ' + initargs if initargs else ''}"
                          f"{', initform ' + errors.show(s.initform) if s.initfunction else ''}")


def _describe_generic_function(gf: Any, stream: OutputStream) -> None:
    describing.describe_builtin(gf, stream)  # lambda list, documentation, methods


for _specializer, _function in (("T", _describe_other), ("STANDARD-OBJECT", _describe_instance),
                                ("CLASS", _describe_class),
                                ("STANDARD-GENERIC-FUNCTION", _describe_generic_function)):
    protocol.define_python_method(DESCRIBE_OBJECT, [_specializer, "T"], "(object stream)",
                                  _function)


@builtin("DESCRIBE")
def describe(obj: Any, stream: Any = NIL) -> Any:
    """CL ``describe``: ``describe-object`` on the stream designated (standard output by default)."""
    out = output_stream(stream)
    out.fresh_line()
    DESCRIBE_OBJECT(obj, out)
    return values()


def dispatch_description(gf: Any) -> str:
    """The text ``describe-dispatch`` prints: the decision tree and the counters."""
    info = generic.info_of(gf)
    if info is None:
        raise errors.clos_error(f"DESCRIBE-DISPATCH: {errors.show(gf)} is not a generic function")
    s = gf.stats
    return (f"{gf.describe().rstrip()}\n"
            f"{'native' if s.native else 'python'} dispatch: {s.misses} misses, {s.compiles} "
            f"compiles, {s.installs} installs, {s.discarded} discarded, {s.deopts} deopts\n")


@builtin("DESCRIBE-DISPATCH")
def describe_dispatch(gf: Any, stream: Any = NIL) -> Any:
    """Print the generic function's dispatcher: its decision tree over argument classes (a gfjit
    extension)."""
    out = output_stream(stream)
    out.fresh_line()
    out.write_string(dispatch_description(gf))
    return values()

