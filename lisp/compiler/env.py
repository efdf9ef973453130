"""The lexical environment of the compiler: variables, local functions and macros, blocks, tags.

An :class:`Env` is an immutable-looking chain: each binding form makes a child with
:meth:`Env.extend`. :class:`PyFunction` is the Python function being generated, which decides
whether an exit can be plain control flow (same function, no Python loop in between) or must be
an exception, and which captured variables need ``nonlocal``.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable

from lisp.compiler.result import Dest
from lisp.runtime.data import Symbol
from lisp.runtime.namespace import GLOBALS


class PyFunction:
    """One Python ``def`` being generated."""

    def __init__(self, parent: PyFunction | None) -> None:
        self.parent = parent
        self.nonlocals: set[str] = set()
        self.loop_depth = 0  # Python loops around the code being generated
        self.repeating = 0  # those of them that may run their body more than once
        # Copies of a local variable saved before later arguments run (`%a = X`), with the name
        # that reads the copy, dropped at the end if no closure captured the variable (see
        # lisp.compiler.core.compile_args).
        self.saved_variables: list[tuple[ast.Assign, ast.Name, Variable]] = []
        # The clears of the values register made at tails of this function, and the temporaries
        # that hold a tail call's arguments across one (lisp.compiler.core), which a defun that
        # records nothing does without (lisp.compiler.self_calls).
        self.tail_clears: list[ast.stmt] = []
        self.clear_temps: list[ast.Assign] = []

    @contextmanager
    def loop(self, repeats: bool) -> Iterator[int]:
        """Generate code inside one more Python loop; yields the new loop depth."""
        self.loop_depth += 1
        self.repeating += repeats
        try:
            yield self.loop_depth
        finally:
            self.loop_depth -= 1
            self.repeating -= repeats


class Unit:
    """One compilation unit: its Python names and its literal objects.

    Python names are unique within the unit, so no Lisp binding ever shadows another in Python
    (which makes ``nonlocal`` always reach the right variable). Literal objects that are not
    Python constants (symbols, conses, vectors...) become parameters of the unit's outer function,
    so compiled code reads them as closure cells and ``quote`` keeps their identity.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self._used: set[str] = set()
        self._counter = itertools.count(1)
        self.literals: list[Any] = []
        self.literal_names: list[str] = []
        self._literal_index: dict[int, int] = {}
        # Names nothing assigns once they hold their value: the literals and the temporaries
        # arguments are saved in (see lisp.compiler.core.Arguments).
        self.unchanging: set[str] = set()
        # Temporaries that only carry a value out: of an `if`'s branches, or to a clear of the
        # values register at a tail (see lisp.compiler.core.returning).
        self.join_names: set[str] = set()
        # Python names of functions -> the Lisp names their code objects get (see toplevel).
        self.code_names: dict[str, str] = {}
        # Names given a fresh binding on each turn of a loop (see lisp.compiler.fresh_bindings).
        self.made_fresh: set[str] = set()

    def literal(self, obj: Any) -> str:
        """The Python name under which compiled code reads ``obj``."""
        i = self._literal_index.get(id(obj))
        if i is None:
            i = self._literal_index[id(obj)] = len(self.literals)
            self.literals.append(obj)
            self.literal_names.append(self.fresh("%k"))
            self.unchanging.add(self.literal_names[-1])
        return self.literal_names[i]

    def fresh(self, hint: str) -> str:
        """A Python name used nowhere else in the unit, and no name of ``namespace.GLOBALS`` (the
        helpers compiled code calls)."""
        base = re.sub(r"[^A-Za-z0-9_*+\-<>=/!?%$&^~.]", "_", hint) or "V"
        name = base
        while name in self._used or name in GLOBALS:
            name = f"{base}.{next(self._counter)}"
        self._used.add(name)
        return name


@dataclass
class Variable:
    """A lexical variable (``pyname`` set), special, or symbol macro (``expansion`` set)."""

    symbol: Symbol
    pyname: str | None = None
    fn: PyFunction | None = None
    special: bool = False
    expansion: Any = None
    is_symbol_macro: bool = False
    captured: bool = False
    read: bool = False  # for the unused-variable warnings (lisp.compiler.compilation_unit)
    assigned: bool = False


@dataclass
class LocalFunction:
    """A function of ``flet``/``labels`` (``pyname``) or a ``macrolet`` macro (``expander``)."""

    symbol: Symbol
    pyname: str | None = None
    expander: Callable[[Any, Env], Any] | None = None


@dataclass
class Exit:
    """A ``block`` or a ``tagbody`` being compiled, and how exits to it were compiled."""

    fn: PyFunction
    loop_depth: int
    tag_var: str
    result_var: str = ""
    tags: dict[Any, int] = field(default_factory=dict)
    local_uses: int = 0
    nonlocal_uses: int = 0
    returns: bool = False  # a block that is its whole Python function: return-from is `return`
    dest: Dest = Dest.EFFECT  # where a block's values go: a RETURN-FROM's value goes there too


@dataclass
class SelfCalls:
    """The apparent self-calls of a defun named ``symbol`` compiled so far (the Name nodes of
    their callee), calling the definition through the GLOBALS key ``key`` if ``kept``, once the
    defun's body is compiled (see lisp.compiler.self_calls)."""

    symbol: Symbol
    key: str
    callees: list[ast.Name] = field(default_factory=list)
    kept: bool = False


@dataclass
class Env:
    """One frame of lexical environment; lookups walk to the root."""

    parent: Env | None
    fn: PyFunction
    unit: Unit
    variables: dict[Symbol, Variable] = field(default_factory=dict)
    functions: dict[Symbol, LocalFunction] = field(default_factory=dict)
    blocks: dict[Symbol, Exit] = field(default_factory=dict)
    tags: dict[Any, Exit] = field(default_factory=dict)
    specials: set[Symbol] = field(default_factory=set)
    # Within a defun whose apparent self-calls may be compiled as calls of the definition itself
    # (lisp.compiler.self_calls).
    self_call: SelfCalls | None = field(default=None, repr=False, compare=False)

    @classmethod
    def toplevel(cls, file: str) -> Env:
        return cls(None, PyFunction(None), Unit(file))

    def extend(self, fn: PyFunction | None = None) -> Env:
        """A child frame (of the same Python function unless ``fn`` is given)."""
        return Env(self, fn or self.fn, self.unit, self_call=self.self_call)

    def _lookup(self, table: str, key: Any) -> Any:
        env: Env | None = self
        while env is not None:
            found = getattr(env, table).get(key)
            if found is not None:
                return found
            if table == "variables" and key in env.specials:
                return None  # a (declare (special x)) hides outer lexical bindings of x
            env = env.parent
        return None

    def lookup_variable(self, sym: Symbol) -> Variable | None:
        return self._lookup("variables", sym)

    def lookup_function(self, sym: Symbol) -> LocalFunction | None:
        return self._lookup("functions", sym)

    def lookup_block(self, name: Any) -> Exit | None:
        return self._lookup("blocks", name)

    def lookup_tag(self, tag: Any) -> Exit | None:
        return self._lookup("tags", tag)

    def locally_special(self, sym: Symbol) -> bool:
        """Whether a ``(declare (special sym))`` in scope makes ``sym`` a dynamic variable here."""
        env: Env | None = self
        while env is not None:
            if sym in env.specials:
                return True
            env = env.parent
        return False
