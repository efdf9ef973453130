"""The Lisp compiler: Lisp forms -> Python AST -> code objects run with ``namespace.GLOBALS``.

Conventions every other module of lisp/ relies on (the compiler's public contract):

**Compiling.** :func:`eval_form` ``(form, pos=None)`` compiles one top-level form and runs it
(what ``eval`` and the REPL call; ``pos`` is where a form without its own position, an atom, was
read); :func:`eval_values` gives all its values; :func:`compile_toplevel` returns the code unit
without running it. A form is compiled in one walk, knowing where its values go (its
:class:`~lisp.compiler.result.Dest`: for effect, one value, all values, or a tail whose values pass
on). Macros are expanded as the walk meets them (an expander runs once per occurrence); each
special form is compiled by one small function, registered in a table with
``@special_form("NAME")`` (:mod:`lisp.compiler.special_forms`, :mod:`lisp.compiler.exits`), which
takes the destination and owns what the form's values do there; each returns a
:class:`~lisp.compiler.result.Result`: the Python statements the form needs, the expression that
holds its value, and whether they may record multiple values. Every AST node carries the
line/column of the nearest :class:`~lisp.runtime.data.SourceCons`, and the code object's ``co_filename``
is the Lisp file, so Python tracebacks point at Lisp lines.

**Functions and calls.** A Lisp function is an ordinary Python function taking positional
arguments only. Required and ``&optional`` parameters are Python parameters; ``&rest`` and ``&key``
arrive through ``*args``: keyword arguments are passed as alternating keyword-symbol / value
*positional* arguments, exactly as ``apply`` passes them. Python builtins with ``&key`` parse them
the same way with :func:`parse_keywords`. A call of a global function is a ``LOAD_GLOBAL`` of
``namespace.function_key(sym)``: calling an undefined function raises Python ``NameError`` whose
``.name`` starts with ``#'``; a wrong argument count raises Python ``TypeError``; the condition
layer maps both to UNDEFINED-FUNCTION / PROGRAM-ERROR. Lexical variables are Python locals,
closures are Python closures; ``if`` tests ``is not None`` (only NIL is false).

**Open-coded operators** (when not shadowed by ``flet``/``labels``): ``+ - *`` (any arity),
``< > <= >= = /=`` (two arguments; but ``/=``, more when the others are variables or constants),
``1+ 1- eq not null funcall apply``, ``mod`` by an integer
literal. They use Python operators, so they keep Common Lisp results on numbers (ratios are
:class:`lisp.runtime.ratio.Ratio`, whose arithmetic returns an integer when the denominator is 1; a plain
``fractions.Fraction`` passed in by Python code keeps Python's arithmetic there); on non-numbers
they follow Python (``(+ "a" "b")`` is ``"ab"``, not a TYPE-ERROR): a documented deviation. A
comparison used as a value yields ``T``/``NIL``. ``funcall`` and ``apply`` are direct calls,
diagnosed only when Python cannot make them.

**Multiple values.** ``lisp.runtime.values.values`` returns its primary value (NIL for none)
and records all values in the calling thread's register (module :mod:`lisp.runtime.values`); a
builtin returns several values with ``return values(q, r)``. Consumers (``multiple-value-bind``,
``multiple-value-list``, ``multiple-value-call``, ``nth-value``...) clear the register, evaluate
the form, and take the register only if its primary value *is* the form's value. A consumer's
form is compiled for all its values, which passes down to the forms that yield them: one that
surely yields one value (a variable, a constant...) gives a tuple of it and the register is not
looked up at all, ``(values a b)`` gives ``(a, b)``, a call clears the register before it is
made and takes it after. The register is trusted only because of an invariant the compiler keeps
at every tail of a function or top-level form (see :func:`lisp.compiler.core.one_value` and
:func:`~lisp.compiler.core.call_to`): a tail that yields one value, and a tail call whose
arguments might have recorded values, clear the register when any thread holds values (one truth
test otherwise). A function that has evaluated nothing able to record values (no call but
open-coded operators) needs no clear: whoever evaluated something before calling it clears at its
own tail (CLOS effective methods do too: :before methods' values are forgotten, operator
combinations call each method with the register cleared). A call of a standard function that
returns several values (``floor``, ``gethash``...) used as an argument, initial value or assigned
value drops its extra values at once. Standard functions written in Python that return the value of a call
of their function argument say so with ``lisp.runtime.values.primary`` where the standard gives
one value (``reduce``, ``some``: SBCL-checked).

**Macros.** :func:`define_macro` ``(sym, expander)`` with ``expander(form, env) -> form`` registers
a global macro (``defmacro`` uses it; Python-written macros use it directly);
:func:`macro_function`, :func:`macroexpand_1`, :func:`macroexpand`. Backquote is expanded from the
reader's ``SYS::QUASIQUOTE`` / ``SYS::UNQUOTE`` / ``SYS::UNQUOTE-SPLICING`` markers.

**Non-local exits.** ``block``/``return-from`` and ``tagbody``/``go`` compile to Python control flow
when the exit is in the same Python function (``return-from`` a function's own block is a Python
``return``, even from inside loops), otherwise to private exceptions; ``catch``/``throw``
use an exception carrying the tag; an exception of ``return-from`` or ``throw`` carries the tuple
of its values; ``unwind-protect`` is ``try``/``finally``. Special variables are
bound with ``namespace.bind_specials`` inside a ``try`` whose ``finally`` puts back the thread's
dynamic environment read before it, by one assignment, which Ctrl-C cannot cut in half.

**Errors.** Bad syntax raises ``lisp.runtime.condition_classes.ProgramError(message, pos=...)`` naming the form
and where it was read.
"""

from lisp.compiler import (  # noqa: F401,E402  (importing them registers their forms)
    backquote,
    definitions,
    exits,
    loop,
    opencode,
    places,
    runtime,
    special_forms,
    standard_macros,
)
from lisp.compiler.macros import define_macro, macro, macro_function, macroexpand, macroexpand_1  # noqa: E402
from lisp.compiler.runtime import parse_keywords  # noqa: E402
from lisp.compiler.toplevel import compile_toplevel, eval_form, eval_values  # noqa: E402

__all__ = ["compile_toplevel", "define_macro", "eval_form", "eval_values", "macro", "macro_function",
           "macroexpand", "macroexpand_1", "parse_keywords"]
