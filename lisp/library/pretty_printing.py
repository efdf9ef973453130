"""The pretty printer's Lisp interface (CLHS 22.4): ``pprint-logical-block`` with its local macros
``pprint-pop`` and ``pprint-exit-if-list-exhausted``, ``pprint-newline``, ``pprint-indent``,
``pprint-tab``, ``pprint-fill``, ``pprint-linear``, ``pprint-tabular``, and the pprint dispatch
tables (``copy-pprint-dispatch``, ``set-pprint-dispatch``, ``pprint-dispatch``), over
:mod:`lisp.syntax.logical_blocks` and :mod:`lisp.syntax.pprint_dispatch`.

Also gives the dispatch tables their type tests (``typep``).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import lisp.syntax.standard_pprint  # noqa: F401 - fills the initial dispatch table
from lisp.clos.builtin import define_built_in_class
from lisp.compiler.macros import macro
from lisp.library.arguments import check, expected, function_designator, keywords, show
from lisp.library.io import lisp_function
from lisp.library.types import type_predicate
from lisp.runtime.arrays import is_string, string_text
from lisp.runtime.condition_classes import ProgramError
from lisp.runtime.data import NIL, SYSTEM, Cons, Symbol, T, cl_symbol, iter_list, keyword, make_list
from lisp.runtime.data import lisp_list as L
from lisp.runtime.values import values
from lisp.syntax import logical_blocks, pprint_dispatch, printer
from lisp.syntax.logical_blocks import BlockItems

pprint_dispatch.type_predicate = type_predicate

_KINDS = {keyword(name.upper()): name for name in logical_blocks.NEWLINE_KINDS}
_INDENT_KINDS = {keyword(name.upper()): name for name in logical_blocks.INDENT_KINDS}
_TAB_KINDS = {keyword(name.upper()): name for name in logical_blocks.TAB_KINDS}


def _member_type(table: dict[Symbol, str]) -> Any:
    return make_list([cl_symbol("MEMBER"), *table])


@lisp_function("PPRINT-NEWLINE")
def pprint_newline(kind: Any, stream: Any = NIL) -> Any:
    check(isinstance(kind, Symbol) and kind in _KINDS, kind, _member_type(_KINDS))
    logical_blocks.newline(_KINDS[kind], stream)
    return NIL


@lisp_function("PPRINT-INDENT")
def pprint_indent(relative_to: Any, n: Any, stream: Any = NIL) -> Any:
    check(isinstance(relative_to, Symbol) and relative_to in _INDENT_KINDS, relative_to, _member_type(_INDENT_KINDS))
    check(isinstance(n, (int, float, Fraction)) and not isinstance(n, bool), n, expected("REAL"))
    logical_blocks.indent(_INDENT_KINDS[relative_to], int(n), stream)
    return NIL


@lisp_function("PPRINT-TAB")
def pprint_tab(kind: Any, colnum: Any, colinc: Any, stream: Any = NIL) -> Any:
    check(isinstance(kind, Symbol) and kind in _TAB_KINDS, kind, _member_type(_TAB_KINDS))
    for number in (colnum, colinc):
        check(isinstance(number, int) and not isinstance(number, bool) and number >= 0, number,
              L(cl_symbol("INTEGER"), 0, cl_symbol("*")))
    logical_blocks.tab(_TAB_KINDS[kind], colnum, colinc, stream)
    return NIL


@lisp_function("PPRINT-FILL")
def pprint_fill(stream: Any, obj: Any, colon_p: Any = T, at_sign_p: Any = NIL) -> Any:
    logical_blocks.pprint_fill(stream, obj, colon_p is not NIL)
    return NIL


@lisp_function("PPRINT-LINEAR")
def pprint_linear(stream: Any, obj: Any, colon_p: Any = T, at_sign_p: Any = NIL) -> Any:
    logical_blocks.pprint_linear(stream, obj, colon_p is not NIL)
    return NIL


@lisp_function("PPRINT-TABULAR")
def pprint_tabular(stream: Any, obj: Any, colon_p: Any = T, at_sign_p: Any = NIL, tabsize: Any = NIL) -> Any:
    if tabsize is NIL:
        tabsize = 16
    check(isinstance(tabsize, int) and not isinstance(tabsize, bool) and tabsize >= 0, tabsize,
          L(cl_symbol("INTEGER"), 0, cl_symbol("*")))
    logical_blocks.pprint_tabular(stream, obj, colon_p is not NIL, tabsize)
    return NIL


# -- dispatch tables -------------------------------------------------------------------------------

_TABLE = define_built_in_class("PPRINT-DISPATCH-TABLE", pprint_dispatch.PprintDispatchTable).name
_CURRENT = object()  # an omitted table argument


def _table(table: Any) -> pprint_dispatch.PprintDispatchTable:
    """A table argument: omitted is ``*print-pprint-dispatch*``, NIL the initial table."""
    if table is _CURRENT:
        return pprint_dispatch.current_table()
    if table is NIL:
        return pprint_dispatch.INITIAL
    check(isinstance(table, pprint_dispatch.PprintDispatchTable), table, _TABLE)
    return table


@lisp_function("COPY-PPRINT-DISPATCH")
def copy_pprint_dispatch(table: Any = _CURRENT) -> Any:
    """A copy of ``table`` (``*print-pprint-dispatch*`` by default; NIL: the initial table)."""
    return _table(table).copy()


@lisp_function("PPRINT-DISPATCH")
def pprint_dispatch_(obj: Any, table: Any = _CURRENT) -> Any:
    """Two values: the function ``table`` prints ``obj`` with and T, or a function printing it as
    without the pretty printer and NIL."""
    function = _table(table).lookup(obj)
    if function is None:
        return values(_print_plainly, NIL)
    return values(function, T)


@lisp_function("%PRINT-PLAINLY", SYSTEM)
def _print_plainly(stream: Any, obj: Any) -> Any:
    """What PPRINT-DISPATCH gives for an object no entry is for: print it with no pretty printer."""
    printer.write(obj, stream, pretty=NIL)
    return NIL


@lisp_function("SET-PPRINT-DISPATCH")
def set_pprint_dispatch(type_spec: Any, function: Any, priority: Any = 0, table: Any = _CURRENT) -> Any:
    """Make ``function`` (a designator; NIL removes the entry) print the objects of ``type_spec``
    in ``table``, with ``priority`` (a real) among the entries."""
    check(isinstance(priority, (int, float, Fraction)) and not isinstance(priority, bool), priority, expected("REAL"))
    if function is not NIL and not isinstance(function, Symbol):
        function_designator(function)
    target = _table(table)
    target.set(type_spec, function, priority)
    return NIL


@lisp_function("%STANDARD-PPRINT-DISPATCH", SYSTEM)
def standard_pprint_dispatch() -> Any:
    """The table ``with-standard-io-syntax`` binds (it cannot be modified)."""
    return pprint_dispatch.STANDARD


# -- logical blocks --------------------------------------------------------------------------------

def _string_option(value: Any) -> str:
    """A prefix or suffix: any string (a LispString a program made too), as a ``str``."""
    check(is_string(value), value, expected("STRING"))
    return string_text(value)


@lisp_function("%PPRINT-LOGICAL-BLOCK", SYSTEM)
def pprint_logical_block_(stream: Any, obj: Any, prefix: Any, per_line_prefix: Any, suffix: Any, body: Any) -> Any:
    """The runtime of ``pprint-logical-block``: ``body`` is called with the block's list and the
    pretty stream."""
    prefix, per_line_prefix = (NIL if option is NIL else _string_option(option) for option in (prefix, per_line_prefix))
    suffix = _string_option(suffix)
    logical_blocks.logical_block(stream, obj, body, prefix=per_line_prefix if per_line_prefix is not NIL else
                                 (None if prefix is NIL else prefix), per_line=per_line_prefix is not NIL,
                                 suffix=suffix)
    return NIL


@lisp_function("%PPRINT-POP", SYSTEM)
def pprint_pop_(items: Any) -> Any:
    check(isinstance(items, BlockItems), items, expected("LIST"))
    return items.pop()


@lisp_function("%PPRINT-EXIT-IF-LIST-EXHAUSTED", SYSTEM)
def pprint_exit_if_list_exhausted_(items: Any) -> Any:
    check(isinstance(items, BlockItems), items, expected("LIST"))
    items.exit_if_exhausted()
    return NIL


@macro("PPRINT-LOGICAL-BLOCK")
def pprint_logical_block(form: Any, env: Any) -> Any:
    """``(pprint-logical-block (stream-symbol object &key prefix per-line-prefix suffix) body...)``:
    the body, with ``stream-symbol`` bound to a pretty stream (NIL: ``*standard-output*``, T:
    ``*terminal-io*``) and ``pprint-pop``/``pprint-exit-if-list-exhausted`` taking the list
    ``object``. The object and the options are evaluated in the order written."""
    items = list(iter_list(form))
    if len(items) < 2 or not isinstance(items[1], Cons):
        raise ProgramError(f"PPRINT-LOGICAL-BLOCK needs (stream-symbol object &key ...): {show(form)}",
                           getattr(form, "pos", None))
    spec = list(iter_list(items[1]))
    if len(spec) < 2:
        raise ProgramError(f"PPRINT-LOGICAL-BLOCK needs a stream symbol and an object: {show(form)}",
                           getattr(form, "pos", None))
    stream_symbol, obj, options = spec[0], spec[1], spec[2:]
    if not isinstance(stream_symbol, Symbol) and stream_symbol is not NIL:
        raise ProgramError(f"PPRINT-LOGICAL-BLOCK: {show(stream_symbol)} is not a stream symbol",
                           getattr(form, "pos", None))
    given = keywords(tuple(options), ("PREFIX", "PER-LINE-PREFIX", "SUFFIX"), "PPRINT-LOGICAL-BLOCK")
    if "PREFIX" in given and "PER-LINE-PREFIX" in given:
        raise ProgramError("PPRINT-LOGICAL-BLOCK: :PREFIX and :PER-LINE-PREFIX cannot both be given",
                           getattr(form, "pos", None))
    variable = {NIL: cl_symbol("*STANDARD-OUTPUT*"), T: cl_symbol("*TERMINAL-IO*")}.get(stream_symbol, stream_symbol)
    temporaries = {name: Symbol(name) for name in ("OBJECT", "PREFIX", "PER-LINE-PREFIX", "SUFFIX")}
    bindings = [L(temporaries["OBJECT"], obj)]
    seen = set()
    for key, value in zip(options[::2], options[1::2]):
        if key.name not in seen:
            seen.add(key.name)
            bindings.append(L(temporaries[key.name], value))
    state = Symbol("ITEMS")
    local_macros = L(L(cl_symbol("PPRINT-POP"), NIL, L(cl_symbol("QUOTE"), L(SYSTEM.intern("%PPRINT-POP"), state))),
                     L(cl_symbol("PPRINT-EXIT-IF-LIST-EXHAUSTED"), NIL,
                       L(cl_symbol("QUOTE"), L(SYSTEM.intern("%PPRINT-EXIT-IF-LIST-EXHAUSTED"), state))))
    body = make_list([cl_symbol("LAMBDA"), L(state, variable),
                      L(cl_symbol("DECLARE"), L(cl_symbol("IGNORABLE"), state, variable)),
                      make_list([cl_symbol("MACROLET"), local_macros, *items[2:]])])
    call = L(SYSTEM.intern("%PPRINT-LOGICAL-BLOCK"), variable, temporaries["OBJECT"],
             temporaries["PREFIX"] if "PREFIX" in given else NIL,
             temporaries["PER-LINE-PREFIX"] if "PER-LINE-PREFIX" in given else NIL,
             temporaries["SUFFIX"] if "SUFFIX" in given else "", body)
    return L(cl_symbol("LET*"), make_list(bindings), call)


def _outside_block(name: str) -> Any:
    def expand(form: Any, env: Any) -> Any:
        raise ProgramError(f"{name} is only allowed inside PPRINT-LOGICAL-BLOCK", getattr(form, "pos", None))

    return expand


macro("PPRINT-POP")(_outside_block("PPRINT-POP"))
macro("PPRINT-EXIT-IF-LIST-EXHAUSTED")(_outside_block("PPRINT-EXIT-IF-LIST-EXHAUSTED"))