"""Source locations as SLIME goes to them: ``(:location BUFFER POSITION HINTS)``.

Code records where it was read as a file label, a line and a column (1-based): a file's path; the
name of an Emacs buffer it was compiled from (``C-c C-c``, see :func:`remember_buffer`); or a label
such as ``<slime-repl 1>`` whose text :mod:`linecache` keeps (what was typed at a REPL). The
location of each is the buffer it was compiled from (or, once that buffer is gone, the file it
visits), the file, or the text itself shown in a buffer of its own at that place.
"""

from __future__ import annotations

import linecache
import os
from typing import Any

from lisp.runtime.data import SourcePos
from lisp.swank.wire import keyword

_LOCATION, _FILE, _BUFFER, _SOURCE_FORM = (keyword(n) for n in ("location", "file", "buffer", "source-form"))
_BUFFER_AND_FILE = keyword("buffer-and-file")
_LINE, _POSITION, _ERROR = keyword("line"), keyword("position"), keyword("error")

# File labels of code compiled from Emacs buffers (the file a buffer visits, or its name) -> the
# buffer's name.
_buffers: dict[str, str] = {}


def remember_buffer(label: str, buffer: str) -> None:
    """Code read under ``label`` came from the Emacs buffer ``buffer``."""
    _buffers[label] = buffer


def location(file: str, line: int, column: int | None = None) -> list[Any]:
    """The location of ``file`` (a path or label) at ``line`` and ``column`` (1-based)."""
    place = [_LINE, line, column - 1] if column else [_LINE, line]
    if file in _buffers:
        buffer = [_BUFFER_AND_FILE, _buffers[file], os.path.abspath(file)] if os.path.isfile(file) \
            else [_BUFFER, _buffers[file]]
        return [_LOCATION, buffer, place, None]
    if os.path.isfile(file):
        return [_LOCATION, [_FILE, os.path.abspath(file)], place, None]
    cached = linecache.cache.get(file)
    if cached is not None:
        lines = cached[2]
        offset = sum(len(text) for text in lines[:line - 1]) + (column or 1) - 1
        return [_LOCATION, [_SOURCE_FORM, "".join(lines)], [_POSITION, offset + 1], None]
    return error_location(f"No source is known for {file}.")


def pos_location(pos: SourcePos) -> list[Any]:
    return location(pos.file, pos.line, pos.column)


def error_location(message: str) -> list[Any]:
    """What SLIME shows when there is no location: ``message``."""
    return [_ERROR, message]
