"""Resident memory of this process, and returning freed memory to the system."""

from __future__ import annotations

import ctypes
import os

_PAGE = os.sysconf("SC_PAGE_SIZE")
try:
    _malloc_trim = ctypes.CDLL(None).malloc_trim
except AttributeError:  # not glibc
    _malloc_trim = None


def resident_bytes() -> int:
    """Resident set size in bytes, from /proc/self/statm."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE


def trim() -> None:
    """Ask malloc to give free heap memory back to the system (glibc only; else nothing)."""
    if _malloc_trim is not None:
        _malloc_trim(0)
