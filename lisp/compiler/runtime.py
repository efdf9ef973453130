"""What compiled code calls at run time: keyword parsing, non-local exits, catch tags.

Every helper compiled code uses is installed in ``namespace.GLOBALS`` under a ``%``-name (never a
Lisp function key, never a Python identifier a user could shadow), so the call is a cached
``LOAD_GLOBAL``. :data:`HELPERS` is that table; the library installs the two that apply its rules
(``%function_designator``, ``%spread_arguments``), which are there before any Lisp code runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from lisp.compiler.python_signature import python_keywords_as_lisp
from lisp.runtime import namespace
from lisp.runtime import values as mv
from lisp.runtime.condition_classes import ControlError, ProgramError, UndefinedFunction
from lisp.runtime.data import Symbol, T, iter_list, keyword, make_list
from lisp.runtime.signals import NonLocalTransfer, raise_error
from lisp.syntax.printer import prin1_to_string


class _Unsupplied:
    """The default of an optional or keyword parameter whose default is not a constant."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "#<unsupplied>"


UNSUPPLIED = _Unsupplied()
_ALLOW_OTHER_KEYS = keyword("ALLOW-OTHER-KEYS")


def _program_error(message: str) -> Exception:
    return ProgramError(message)


def parse_keys(args: tuple[Any, ...], allowed: Iterable[Symbol] | None, who: str,
               python_kwargs: dict[str, Any] | None = None) -> dict[Symbol, Any]:
    """The keyword arguments in ``args`` (alternating key, value), then those of a Python caller,
    ``python_kwargs`` (``b=5`` is ``:B 5``, see :mod:`lisp.compiler.python_signature`), keyed by
    key symbol.

    The first occurrence of a key wins. ``allowed=None`` accepts any key (``&allow-other-keys``);
    otherwise an unknown key is a PROGRAM-ERROR unless the call passes ``:allow-other-keys t``.
    Compiled lambda lists pass a frozenset of their keys and ``:allow-other-keys``: a call with
    known keys only is then checked at C speed.
    """
    if len(args) % 2:
        raise _program_error(f"odd number of keyword arguments to {who}: {_show(args)}")
    if python_kwargs:
        args = args + python_keywords_as_lisp(python_kwargs)
    if type(allowed) is frozenset:
        try:
            found = dict(zip(args[-2::-2], args[::-2]))  # from the last pair back: the first one wins
        except TypeError:  # an unhashable key (a vector) is no keyword: reported below
            pass
        else:
            if found.keys() <= allowed:
                return found
    return _checked_keys(args, allowed, who)


def allowed_keys(keys: Iterable[Symbol]) -> frozenset[Symbol]:
    """What a lambda list with ``keys`` (and no ``&allow-other-keys``) passes to :func:`parse_keys`."""
    return frozenset((*keys, _ALLOW_OTHER_KEYS))


def _checked_keys(args: tuple[Any, ...], allowed: Iterable[Symbol] | None, who: str) -> dict[Symbol, Any]:
    found: dict[Symbol, Any] = {}
    for i in range(0, len(args), 2):
        key = args[i]
        if not isinstance(key, Symbol):
            raise _program_error(f"{_show((key,))} is not a keyword, in the arguments of {who}")
        found.setdefault(key, args[i + 1])
    if allowed is not None and found.get(_ALLOW_OTHER_KEYS) is None:
        allowed = set(allowed) | {_ALLOW_OTHER_KEYS}
        unknown = [k for k in found if k not in allowed]
        if unknown:
            names = " ".join(_show((k,)) for k in sorted(allowed, key=lambda s: s.name))
            raise _program_error(f"unknown keyword argument {_show((unknown[0],))} to {who}; allowed: {names}")
    return found


def parse_keywords(args: tuple[Any, ...], names: Iterable[str], who: str,
                   allow_other_keys: bool = False) -> dict[str, Any]:
    """Keyword arguments of a builtin, by keyword name: ``parse_keywords(args, ("KEY",), "SORT")``.

    Only the supplied keys are in the result. Errors as :func:`parse_keys`.
    """
    allowed = None if allow_other_keys else [keyword(n) for n in names]
    return {k.name: v for k, v in parse_keys(args, allowed, who).items()}


def _show(objs: tuple[Any, ...]) -> str:
    return " ".join(prin1_to_string(o) for o in objs)


def rest_list(args: tuple[Any, ...], python_kwargs: dict[str, Any] | None = None) -> Any:
    """The ``&rest`` list of a call: its arguments after the optional ones, then the keyword
    arguments of a Python caller (``b=5``: ``:B 5``)."""
    return make_list(args + python_keywords_as_lisp(python_kwargs) if python_kwargs else args)


# -- non-local exits ---------------------------------------------------------------------------

class NonLocalExit(NonLocalTransfer):
    """A ``return-from`` or ``go`` that leaves the Python function it was compiled in.

    A BaseException (NonLocalTransfer), so that Python ``except Exception`` (and Lisp handlers for
    ERROR) never intercept a transfer of control; ``tag`` identifies the dynamic block/tagbody
    entered.
    """

    __slots__ = ("tag", "value")

    def __init__(self, tag: object, value: Any) -> None:
        self.tag = tag
        self.value = value


class ValuesExit(NonLocalExit):
    """A non-local exit that brings a form's values, as a tuple (compiled for all its values), so
    that no frame it unwinds can change them (a one-value tail's ``finally`` clears the register);
    a target whose values pass on records them again (``%restore_values``: values.restore)."""

    __slots__ = ("values",)

    def __init__(self, tag: object, values: tuple[Any, ...]) -> None:
        super().__init__(tag, values[0] if values else None)
        self.values = values


class ExitPoint:
    """One entry of a block or tagbody that a closure may leave for: ``left`` is set when the block
    or tagbody is left (the ``finally`` of its ``try``). A closure that outlives it and then does a
    RETURN-FROM or GO to it signals CONTROL-ERROR where it does so, as SBCL does, where handlers
    see it, instead of raising an exit that nothing would catch. No ``__init__``: an entry costs
    an allocation, the slot is read only when an exit is taken."""

    __slots__ = ("left",)


def _refuse_if_left(tag: ExitPoint, what: str) -> None:
    if getattr(tag, "left", False):
        raise_error(ControlError(f"{what}: the block or tagbody it exits has already been left"))


class ReturnFrom(ValuesExit):
    """``return-from`` to a block entry ``tag`` (an :class:`ExitPoint`) with ``values``."""

    def __init__(self, tag: ExitPoint, values: tuple[Any, ...]) -> None:
        _refuse_if_left(tag, "RETURN-FROM")
        super().__init__(tag, values)


class Go(NonLocalExit):
    """``go`` to the tag numbered ``value`` of the tagbody entry ``tag`` (an :class:`ExitPoint`)."""

    def __init__(self, tag: ExitPoint, value: Any) -> None:
        _refuse_if_left(tag, "GO")
        super().__init__(tag, value)


class Throw(ValuesExit):
    """``throw`` to the innermost ``catch`` of ``tag``."""


_catch = threading.local()


def catch_tags() -> list[Any]:
    try:
        return _catch.tags
    except AttributeError:
        _catch.tags = tags = []
        return tags


def throw(tag: Any, values: tuple[Any, ...]) -> None:
    """``throw`` of ``values``: a CONTROL-ERROR, before any unwinding, if no ``catch`` of ``tag``
    is active."""
    if not any(t is tag for t in catch_tags()):
        raise ControlError(f"attempt to throw to the tag {_show((tag,))}, which no catch has established")
    raise Throw(tag, values)


def multiple_value_call(fn: Callable[..., Any], *groups: tuple[Any, ...]) -> Any:
    args: list[Any] = []
    for g in groups:
        args.extend(g)
    return fn(*args)


def get_setf_function(sym: Symbol) -> Callable[..., Any]:
    """The global function named ``(setf sym)``."""
    try:
        return namespace.GLOBALS[namespace.setf_function_key(sym)]
    except KeyError:
        raise UndefinedFunction(f"the function (SETF {_show((sym,))}) is undefined") from None


def progv_bind(symbols: Any, vals: Any) -> None:
    """``progv``: bind each symbol to the next value; extra symbols are bound and unbound."""
    syms, vs = list(iter_list(symbols)), list(iter_list(vals))
    namespace.bind_specials([(s, vs[i] if i < len(vs) else namespace.UNBOUND) for i, s in enumerate(syms)])


HELPERS: dict[str, Any] = {
    "%unsupplied": UNSUPPLIED,
    "%parse_keys": parse_keys,
    "%rest_list": rest_list,
    "%ReturnFrom": ReturnFrom,
    "%Go": Go,
    "%Throw": Throw,
    "%throw": throw,
    "%catch_tags": catch_tags,
    "%ExitPoint": ExitPoint,
    "%mv_clear": mv.clear,
    "%mv_pending": mv.HOLDERS,
    "%primary": mv.primary,
    "%values_of": mv.take,  # all values of a call, for a consumer (core.call_to)
    "%restore_values": mv.restore,
    "%mv_call": multiple_value_call,
    "%symbol_value": namespace.symbol_value,
    "%set_symbol_value": namespace.set_symbol_value,
    "%bind_specials": namespace.bind_specials,
    "%dynamic": namespace.DYNAMIC,  # its bindings are read and put back inline (functions.Binder)
    "%get_function": namespace.get_function,
    "%set_function": namespace.set_function,
    "%get_setf_function": get_setf_function,
    "%progv_bind": progv_bind,
    "%T": T,
    "%globals": namespace.GLOBALS,  # apparent self-calls' definitions (lisp.compiler.self_calls)
}
namespace.GLOBALS.update(HELPERS)
