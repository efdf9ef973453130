"""The output stream that appends to a string with a fill pointer: ``with-output-to-string`` given
a string, and ``format`` with such a string as its destination (CLHS 22.3, ``with-output-to-string``)."""

from __future__ import annotations

from lisp.runtime.arrays import LispString
from lisp.runtime.streams import StringOutputStream


class FillPointerOutputStream(StringOutputStream):
    """A string output stream whose characters go to the end of ``target`` (a string with a fill
    pointer), which grows as needed; its column starts where the string's text leaves it."""

    def __init__(self, target: LispString) -> None:
        text = target.text()
        super().__init__(len(text) - text.rfind("\n") - 1)
        self.target = target

    def _emit(self, text: str) -> None:
        self.target.append_text(text)

    def __repr__(self) -> str:
        return "#<FILL-POINTER-OUTPUT-STREAM>"
