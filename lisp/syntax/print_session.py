"""What one top-level print shares with the prints made inside it: how deep it is (for
``*print-level*``) and the ``#n=`` labels of ``*print-circle*``.

A ``print-object`` method, a pprint dispatch function or a logical block's body prints the parts
of an object by calling ``write`` again; those calls continue the print they are part of (CLHS
22.1.3.1: a part is one level deeper; a shared object printed anywhere inside is ``#n#``). The
printer makes a :class:`PrintSession` for a top-level print and makes it :func:`current` while
code it calls may print (:func:`active`); a print that finds a current session continues it.
Sessions are per thread. :func:`isolated` starts afresh (an error report printed while a print is
under way is a print of its own).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class PrintSession:
    """``depth``: the level the next object is printed at. ``labels``: id of each object reachable
    more than once -> its label, 0 until it is first printed (None when ``*print-circle*`` is off).
    ``fresh_label``: id of the object whose ``#n=`` was just printed, so that the logical block
    printing it does not print the label again."""

    __slots__ = ("depth", "labels", "next_label", "fresh_label")

    def __init__(self, depth: int = 0, labels: dict[int, int] | None = None) -> None:
        self.depth = depth
        self.labels = labels
        self.next_label = 1
        self.fresh_label: int | None = None

    def mark(self, obj: Any) -> str | None:
        """For a shared ``obj`` about to be printed: ``"#n#"`` if it was printed already (print that
        instead), ``"#n="`` the first time (print that before it); None if it is not shared."""
        labels = self.labels
        if labels is None:
            return None
        key = id(obj)
        label = labels.get(key)
        if label is None:
            return None
        if label:
            return f"#{label}#"
        labels[key] = self.next_label
        self.next_label += 1
        return f"#{labels[key]}="


_local = threading.local()


def current() -> PrintSession | None:
    """The print under way in this thread, if any."""
    return getattr(_local, "session", None)


@contextmanager
def active(session: PrintSession | None) -> Iterator[None]:
    """Make ``session`` the current one (None: no print under way) for the extent of the block."""
    previous = getattr(_local, "session", None)
    _local.session = session
    try:
        yield
    finally:
        _local.session = previous


def isolated() -> Any:
    """A block in which no print is under way (an error report starts its own prints)."""
    return active(None)
