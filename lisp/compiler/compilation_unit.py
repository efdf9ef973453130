"""Compilation units and the warnings the compiler gives about them, as SBCL gives them.

A unit is a top-level form at the REPL or of ``eval`` (an *implicit* unit), a file being loaded
or compiled, a ``compile``, or a ``with-compilation-unit`` (an *explicit* unit). Units nest: a
form evaluated while another unit is open belongs to it, and so does anything inside an explicit
one (a ``load`` inside ``with-compilation-unit``); a ``compile`` or ``load`` met inside an
implicit unit (the REPL form that calls it) opens a unit of its own, and so does each form typed
at the REPL, also at a debugger level entered while a unit is still open.

The compiler notes, as it walks (the only work it does for warnings, so they cost little):

- calls of global functions, and ``#'name``, that are not defined (:func:`note_call`), and calls of defined ones
  with an argument count their lambda list refuses (a WARNING at once);
- free references and assignments of variables that are not special (:func:`note_free_variable`);
- lexical variables bound by source text (the reader's conses: bindings a macro made up are not
  the programmer's) that are never read and not declared ``ignore``/``ignorable``
  (:func:`check_unused`, a STYLE-WARNING at once).

Undefined functions and variables are reported when the outermost unit ends, if they are still
undefined then (a function defined later in the same file is no error), followed by SBCL's
summary. Every report is a Lisp condition signalled with a MUFFLE-WARNING restart: handlers see
it, muffling it skips its printing; unmuffled, it is printed on ``*error-output*``.
"""

from __future__ import annotations

import threading
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from lisp.compiler.env import Env
from lisp.runtime import hooks, namespace, values
from lisp.runtime.condition_classes import Condition, StyleWarning, condition_class
from lisp.runtime.data import (
    KEYWORD,
    SYSTEM,
    Cons,
    SourceCons,
    Symbol,
    cl_symbol,
    iter_list,
    source_pos,
)
from lisp.runtime.signals import (
    RestartSpec,
    define_condition,
    restart_case,
    signal_with_restarts,
)
from lisp.runtime.streams import output_stream

DECLARE = cl_symbol("DECLARE")
_IGNORING = {cl_symbol("IGNORE"), cl_symbol("IGNORABLE")}
_SIGNAL = cl_symbol("SIGNAL")
_FUNCTION = cl_symbol("FUNCTION")
_MUFFLE = RestartSpec(cl_symbol("MUFFLE-WARNING"), "Skip warning.")
_ERROR_OUTPUT = cl_symbol("*ERROR-OUTPUT*")
_PRINT_LEVEL, _PRINT_LENGTH, _PACKAGE = cl_symbol("*PRINT-LEVEL*"), cl_symbol("*PRINT-LENGTH*"), cl_symbol("*PACKAGE*")


def _condition(name: str, *parents: Symbol) -> type[Condition]:
    sym = SYSTEM.intern(name)
    SYSTEM.export(sym)
    define_condition(sym, parents)
    return condition_class(sym)


# The classes of the compiler's warnings (GFJIT-SYSTEM's, exported): SIMPLE-CONDITIONs whose
# format control is SBCL's message, under WARNING or STYLE-WARNING as SBCL signals them.
SimpleStyleWarning = _condition("SIMPLE-STYLE-WARNING", cl_symbol("SIMPLE-CONDITION"), cl_symbol("STYLE-WARNING"))
UndefinedFunctionWarning = _condition("UNDEFINED-FUNCTION-WARNING", SimpleStyleWarning.lisp_name)
UndefinedVariableWarning = _condition("UNDEFINED-VARIABLE-WARNING", cl_symbol("SIMPLE-WARNING"))
ArgumentCountWarning = _condition("ARGUMENT-COUNT-WARNING", cl_symbol("SIMPLE-WARNING"))
UnusedVariableWarning = _condition("UNUSED-VARIABLE-WARNING", SimpleStyleWarning.lisp_name)


@dataclass(frozen=True)
class Site:
    """Where the compiler met something: the form, the top-level form around it, the file."""

    form: Any
    toplevel: Any
    file: str | None


@dataclass
class CompilationUnit:
    """What one unit has noted and signalled so far."""

    explicit: bool
    undefined_functions: dict[Symbol, Site] = field(default_factory=dict)
    undefined_variables: dict[Symbol, Site] = field(default_factory=dict)
    warnings: int = 0  # printed, not muffled: what the summary counts
    style_warnings: int = 0
    signalled: int = 0  # signalled, printed or muffled: compile's warnings-p
    failures: int = 0  # of them, WARNINGs that are not STYLE-WARNINGs: compile's failure-p
    toplevel: Any = None  # the top-level form being compiled, and its file
    file: str | None = None
    _file_shown: str | None = None

    def site(self, form: Any) -> Site:
        return Site(form, self.toplevel, self.file)


_local = threading.local()


def current() -> CompilationUnit | None:
    """The unit open in this thread, if any."""
    return getattr(_local, "unit", None)


@contextmanager
def compilation_unit(explicit: bool = True, override: bool = False) -> Iterator[CompilationUnit]:
    """Compile within a unit: the open one if it takes this (see the module's docstring), else a
    new one, whose deferred warnings are signalled when the block ends normally (a unit left by
    an error has no end to report: the error is what the programmer sees)."""
    outer = current()
    if outer is not None and not override and (outer.explicit or not explicit):
        yield outer
        return
    unit = CompilationUnit(explicit)
    _local.unit = unit
    try:
        yield unit
    finally:
        _local.unit = outer
    if unit.undefined_functions or unit.undefined_variables or unit.warnings or unit.style_warnings:
        # The handlers run now must not disturb the values the unit's forms recorded.
        recorded = values.clear()
        _finish(unit)
        values.restore(recorded)


class ToplevelForm:
    """``with ToplevelForm(form, file):`` compile the top-level ``form`` of ``file``: the context
    the unit's reports name. (A class, not a generator: it is entered for every top-level form.)"""

    __slots__ = ("file", "form", "saved", "unit")

    def __init__(self, form: Any, file: str | None) -> None:
        self.form, self.file = form, file if file and not file.startswith("<") else None

    def __enter__(self) -> None:
        self.unit = unit = current()
        if unit is not None:
            self.saved = unit.toplevel, unit.file
            unit.toplevel, unit.file = self.form, self.file

    def __exit__(self, *_exc: object) -> None:
        if self.unit is not None:
            self.unit.toplevel, self.unit.file = self.saved


# -- what the compiler notes ---------------------------------------------------------------------

def note_call(sym: Symbol, nargs: int | None, form: Any) -> None:
    """The compiler compiles a call of the global function ``sym`` with ``nargs`` arguments (None:
    ``(function sym)``, which any count may call later)."""
    unit = current()
    if unit is None:
        return
    fn = namespace.GLOBALS.get(namespace.function_key(sym))
    if fn is None:
        if sym not in unit.undefined_functions:
            unit.undefined_functions[sym] = unit.site(form)
        return
    if nargs is not None and type(fn) is types.FunctionType:
        wanted = _argument_count_refused(fn.__code__, len(fn.__defaults__ or ()), nargs)
        if wanted is not None:
            _report(unit, ArgumentCountWarning(f"The function ~S is called with ~R argument~:P, but wants {wanted}.",
                                               sym, nargs, pos=source_pos(form)), unit.site(form))


def _argument_count_refused(code: types.CodeType, optional: int, nargs: int) -> str | None:
    """SBCL's words for what a function of ``code`` wants, if ``nargs`` arguments do not fit."""
    most = code.co_argcount
    least = most - optional
    if code.co_flags & 0x04:  # CO_VARARGS: &rest or &key
        return None if nargs >= least else f"at least {_english(least)}"
    if least <= nargs <= most:
        return None
    if least == most:
        return f"exactly {_english(least)}"
    return f"at least {_english(least)}" if nargs < least else f"at most {_english(most)}"


def _english(n: int) -> str:
    return hooks.format_to_string("~R", [n])


def note_free_variable(sym: Symbol, form: Any, env: Env) -> None:
    """The compiler compiles a reference or assignment of ``sym``, bound by nothing lexical."""
    unit = current()
    if unit is not None and sym not in unit.undefined_variables and not namespace.is_special(sym) \
            and not env.locally_special(sym):
        unit.undefined_variables[sym] = unit.site(form)


def check_unused(spec: Any, body: list[Any], env: Env) -> None:
    """Warn of the variables bound in ``env`` (the frame of a ``let`` or ``lambda`` whose binding
    or lambda list is ``spec``, declarations first in ``body``) that nothing reads."""
    unit = current()
    if unit is None or not isinstance(spec, SourceCons):
        return
    ignored = None
    for sym, var in env.variables.items():
        if var.read or var.pyname is None or sym.package is None:
            continue
        if ignored is None:
            ignored = _ignored(body)
        if sym in ignored:
            continue
        where = _binding_of(sym, spec)
        control = "The variable ~S is assigned but never read." if var.assigned \
            else "The variable ~S is defined but never used."
        _report(unit, UnusedVariableWarning(control, sym, pos=source_pos(where) or source_pos(spec)),
                unit.site(where))


def _ignored(body: list[Any]) -> set[Symbol]:
    """The variables the declarations at the head of ``body`` declare ignore or ignorable."""
    ignored: set[Symbol] = set()
    for form in body:
        if isinstance(form, str):
            continue
        if not (isinstance(form, Cons) and form.car is DECLARE):
            break
        for spec in iter_list(form.cdr):
            if isinstance(spec, Cons) and spec.car in _IGNORING:
                ignored.update(s for s in iter_list(spec.cdr) if isinstance(s, Symbol))
    return ignored


def _binding_of(sym: Symbol, spec: Any) -> Any:
    """What to show of the binding of ``sym`` in a binding or lambda list: ``(b 2)`` as written,
    the variable alone in a binding a macro made up, else the whole list."""
    for item in iter_list(spec):
        if isinstance(item, Cons) and item.car is sym:
            return item if isinstance(item, SourceCons) else sym
    return spec


# -- reporting ------------------------------------------------------------------------------------

def with_warnings(compile_: Callable[[], Any]) -> tuple[Any, bool, bool]:
    """``compile_()`` in a unit (see :func:`compilation_unit`); its value, and whether warnings,
    and WARNINGs that are not STYLE-WARNINGs, were signalled meanwhile: ``compile``'s and
    ``compile-file``'s warnings-p and failure-p."""
    with compilation_unit() as unit:
        signalled, failures = unit.signalled, unit.failures
        result = compile_()
    return result, unit.signalled > signalled, unit.failures > failures


def _finish(unit: CompilationUnit) -> None:
    undefined = []
    for kind, table, cls, defined in (("function", unit.undefined_functions, UndefinedFunctionWarning,
                                       namespace.fboundp),
                                      ("variable", unit.undefined_variables, UndefinedVariableWarning,
                                       namespace.is_special)):
        names = [sym for sym in table if not defined(sym)]
        for sym in names:
            site = table[sym]
            _report(unit, cls(f"undefined {kind}: ~A", _qualified(sym), pos=source_pos(site.form)), site)
        if names:
            undefined.append((kind, names))
    if unit.warnings or unit.style_warnings:
        _print_summary(unit, undefined)


def _report(unit: CompilationUnit, condition: Condition, site: Site) -> None:
    """Signal ``condition``; print it as SBCL does unless a handler muffles it."""
    unit.signalled += 1
    style = isinstance(condition, StyleWarning)
    unit.failures += not style

    def signal_then_print() -> None:
        signal_with_restarts(_SIGNAL, condition)
        _print_warning(unit, condition, site, style)

    restart_case(signal_then_print, [_MUFFLE], [lambda: None])


def _print_warning(unit: CompilationUnit, condition: Condition, site: Site, style: bool) -> None:
    lines = [""] if unit.warnings or unit.style_warnings else []  # a blank line between reports
    if style:
        unit.style_warnings += 1
    else:
        unit.warnings += 1
    if site.file is not None and site.file != unit._file_shown:
        unit._file_shown = site.file
        lines.append(f"; file: {site.file}")
    toplevel = site.toplevel
    if isinstance(toplevel, Cons) and toplevel.car is _FUNCTION and isinstance(toplevel.cdr, Cons):
        toplevel = toplevel.cdr.car  # compile's (function (lambda ...)): SBCL's "in: LAMBDA (X)"
    if isinstance(toplevel, Cons):
        lines.append("; in: " + " ".join(_shown(x) for x in list(iter_list(toplevel))[:2]))
    lines.append(f";     {_shown(site.form)}")
    lines += ["; ", f"; caught {'STYLE-WARNING' if style else 'WARNING'}:", f";   {condition.report()}"]
    _write("\n".join(lines) + "\n")


def _print_summary(unit: CompilationUnit, undefined: list[tuple[str, list[Symbol]]]) -> None:
    lines = ["; ", "; compilation unit finished"]
    for kind, names in undefined:
        lines += [f";   Undefined {kind}{'s' if len(names) > 1 else ''}:",
                  ";     " + " ".join(hooks.prin1_to_string(s) for s in names)]
    for count, what in ((unit.warnings, "WARNING"), (unit.style_warnings, "STYLE-WARNING")):
        if count:
            lines.append(f";   caught {count} {what} condition{'s' if count > 1 else ''}")
    _write("\n".join(lines) + "\n")


def _write(text: str) -> None:
    stream = output_stream(namespace.symbol_value(_ERROR_OUTPUT))
    stream.fresh_line()
    stream.write_string(text)


def _shown(form: Any) -> str:
    """``form`` printed as SBCL shows a form in a report: its depth and length limited."""
    with namespace.dynamic_binding(_PRINT_LEVEL, 3), namespace.dynamic_binding(_PRINT_LENGTH, 6):
        return hooks.prin1_to_string(form)


def _qualified(sym: Symbol) -> str:
    """``sym`` with its package, as SBCL names an undefined function or variable."""
    with namespace.dynamic_binding(_PACKAGE, KEYWORD):
        return hooks.prin1_to_string(sym)
