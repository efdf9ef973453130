"""Addresses of symbols of the running process: CPython C-API functions for a module's `imports`,
and anything else the process exports (libc's `memcpy`, ...)."""

from __future__ import annotations

import ctypes

_process = ctypes.CDLL(None)


def address(name: str) -> int:
    """The address of the CPython C-API function (or data symbol) called `name`.

    Raises ValueError if the running interpreter does not export it.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"C-API symbol name must be a non-empty string, not {name!r}")
    found = process_symbol(name)
    if found is None or not name.startswith(("Py", "_Py")):
        raise ValueError(f"the running CPython exports no C-API symbol {name!r}")
    return found


def process_symbol(name: str) -> int | None:
    """The address of global symbol `name` in the running process, or None if there is none."""
    try:
        return ctypes.cast(_process[name], ctypes.c_void_p).value
    except AttributeError:
        return None
