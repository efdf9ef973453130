"""Warnings the JIT layer gives once per process: a debug output or a cache it had to turn off.

A setting that cannot be honoured (an unwritable dump directory, a cache someone else can write
into) turns off only that tool; compiling carries on, and the user hears about it once, not at
every module.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable

_given: dict[Hashable, object] = {}


def warn_once(message: str, key: Hashable | None = None) -> None:
    """Issue `message` as a RuntimeWarning unless a warning of the same `key` (default: the
    message) was issued before in this process."""
    # dict.setdefault is atomic under the GIL, so exactly one caller's token is stored: no lock,
    # hence nothing that a fork could catch held.
    token = object()
    if _given.setdefault(message if key is None else key, token) is token:
        warnings.warn(f"gfjit: {message}", RuntimeWarning, stacklevel=3)
