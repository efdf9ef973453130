"""dispatch's one door into the jit layer: compile a dispatcher module and get its code handle.

Dispatchers are compiled at LLVM optimization level 0 by default: a dispatcher is a decision tree
that codegen cannot improve much (we emit balanced comparisons ourselves, see codegen's "bisect"),
and level 0 code generation takes about a third of the time of level 2, which is most of the
miss-to-native latency (bench/dispatch_overhead.py measures both).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jit

# Bound at link time, not looked up: every dispatcher calls it. (The native steps' other C-API
# functions, dispatch.steps_ir, are found in the running process.)
_IMPORTS = ("PyObject_Vectorcall",)

_opt_level = 0


def set_opt_level(level: int) -> None:
    """LLVM code generation level (0-3) for dispatchers compiled from now on."""
    global _opt_level
    _opt_level = jit.compiler.check_opt_level(level)


def opt_level() -> int:
    """LLVM code generation level of dispatchers compiled from now on."""
    return _opt_level


def compile_module(ir: str, export: str, *more_exports: str, opt_level: int | None = None,
                   imports: Mapping[str, int] | None = None) -> Any:
    """Compile ``ir`` (on this thread) exporting ``export`` and ``more_exports``, at
    ``opt_level`` (default: the dispatchers' level); returns the jit code handle
    (``.address(name)``, ``.release()``). Raises ``jit.JitError`` subclasses.

    Without ``imports``, not through the JIT's object cache: dispatch's IR names this process's
    objects by address (types, outcomes, the next-method type), so caching it would only fill the
    cache. IR that names them as external symbols instead passes their addresses as ``imports``
    and is cached (the native steps' IR, compiled at every start)."""
    bound = {name: jit.capi.address(name) for name in _IMPORTS}
    bound.update(imports or {})
    return jit.default_pool().add(ir, exports=[export, *more_exports], imports=bound, name=export,
                                  opt_level=_opt_level if opt_level is None else opt_level,
                                  cache=imports is not None)


def assembly(ir: str, name: str) -> str:
    return jit.assembly(ir, name, opt_level=_opt_level)
