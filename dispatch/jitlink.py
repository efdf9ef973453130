"""dispatch's one door into the jit layer: compile a dispatcher module and get its code handle."""

from __future__ import annotations

from typing import Any

import jit

# Every dispatcher module imports only this C-API function.
_IMPORTS = ("PyObject_Vectorcall",)


def compile_module(ir: str, export: str) -> Any:
    """Compile ``ir`` exporting ``export``; returns the jit code handle (``.address(name)``,
    ``.release()``). Raises ``jit.JitError`` subclasses."""
    imports = {name: jit.capi.address(name) for name in _IMPORTS}
    return jit.default_pool().add(ir, exports=[export], imports=imports)


def assembly(ir: str, name: str) -> str:
    return jit.assembly(ir, name)
