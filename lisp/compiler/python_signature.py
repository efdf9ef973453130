"""How a Lisp function looks to Python: its ``inspect.signature`` and Python keyword arguments.

A compiled function's own parameters are named for the debugger (``A``, ``%args``), which Python
cannot show; ``defun`` gives the function the signature of its lambda list instead
(:func:`python_signature`): required and ``&optional`` parameters are positional-only, an
``&optional`` default is its value when it is a constant and its form otherwise, ``&rest`` is
``*rest``, each ``&key`` a keyword-only parameter. Python names are Lisp names in lower case with
``-`` as ``_`` (:func:`python_name`); the other way, a Python keyword argument ``line_end`` is the
Lisp keyword ``:LINE-END`` (:func:`lisp_keyword`), as ``py:kwcall`` names them.
"""

from __future__ import annotations

import inspect
import keyword as python_keywords
import re
from typing import Any

from lisp.compiler.forms import show
from lisp.compiler.lambda_list import LambdaList
from lisp.runtime.data import Symbol
from lisp.runtime.data import keyword as lisp_keyword_symbol

_P = inspect.Parameter


def python_name(sym: Symbol) -> str:
    """The Python name of a Lisp name: lower case, ``-`` as ``_``."""
    return sym.name.lower().replace("-", "_")


def lisp_keyword(name: str) -> Symbol:
    """The Lisp keyword a Python keyword argument ``name`` stands for (``line_end``: ``:LINE-END``)."""
    return lisp_keyword_symbol(name.upper().replace("_", "-"))


def python_keywords_as_lisp(kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Python keyword arguments as Lisp ones: ``{"b": 5}`` -> ``(:B, 5)``."""
    return tuple(x for name, value in kwargs.items() for x in (lisp_keyword(name), value))


class _Form:
    """An ``&optional`` or ``&key`` default that is a form: shown as Lisp prints it."""

    def __init__(self, form: Any) -> None:
        self.form = form

    def __repr__(self) -> str:
        return show(self.form)


def _default(init: Any) -> Any:
    return init if init is None or type(init) in (int, float, str, bool) else _Form(init)


def _identifier(sym: Symbol) -> str:
    name = re.sub(r"\W", "_", python_name(sym)) or "_"
    if name[0].isdigit() or python_keywords.iskeyword(name):
        name = f"_{name}" if name[0].isdigit() else f"{name}_"
    return name


def python_signature(lambda_list: LambdaList) -> inspect.Signature:
    """The Python signature of a function with ``lambda_list`` (see the module docstring). A key
    whose Python name would not stand for it (``(:|x y| v)``), and ``&allow-other-keys``, make a
    ``**other_keys`` parameter."""
    keys: list[_P] = []
    other_keys = lambda_list.allow_other_keys
    for key in lambda_list.keys:
        name = python_name(key.key)
        if name.isidentifier() and not python_keywords.iskeyword(name) and lisp_keyword(name) is key.key:
            keys.append(_P(name, _P.KEYWORD_ONLY, default=_default(key.init)))
        else:
            other_keys = True
    taken = {p.name for p in keys} | {"other_keys"}

    def unique(sym: Symbol) -> str:
        name = _identifier(sym)
        while name in taken:
            name += "_"
        taken.add(name)
        return name

    params = [_P(unique(sym), _P.POSITIONAL_ONLY) for sym in lambda_list.required]
    params += [_P(unique(opt.var), _P.POSITIONAL_ONLY, default=_default(opt.init)) for opt in lambda_list.optional]
    if lambda_list.rest is not None:
        params.append(_P(unique(lambda_list.rest), _P.VAR_POSITIONAL))
    params += keys
    if other_keys:
        params.append(_P("other_keys", _P.VAR_KEYWORD))
    return inspect.Signature(params)
