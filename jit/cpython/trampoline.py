"""The miss trampoline: one shared function, with the vectorcall signature, that sends every call
of a callable to the fallback kept in a slot of the callable (``CALLABLE_MISS`` of
:func:`jit.cpython.make_callable_type`): what a callable runs while it has no code of its own.
"""

from __future__ import annotations

import threading
from typing import Any

from ..pool import default_pool
from . import ir

_handles: dict[int, Any] = {}  # slot offset -> its trampoline's code handle, never released
_lock = threading.Lock()


def trampoline_ir(name: str, offset: int) -> str:
    """IR of ``@name``: a tail call, with the call's own arguments, of the callable whose address
    is at ``offset`` in the called object."""
    module = ir.Module()
    module.function(name).tail_call_slot(offset)
    return module.text()


def trampoline_address(offset: int) -> int:
    """The address of the trampoline for the slot at ``offset``, compiled on first use (through
    the JIT's object cache: its IR names no address) and kept for the life of the process."""
    with _lock:
        if offset not in _handles:
            name = f"gfjit_miss_trampoline_{offset}"
            _handles[offset] = default_pool().add(trampoline_ir(name, offset), exports=[name], name=name,
                                                  opt_level=2)
        return _handles[offset].address(f"gfjit_miss_trampoline_{offset}")
