"""How the interactive tools (``step``, ``inspect``) ask the person at the terminal for a line.

A toplevel with a terminal installs its line reader for the evaluations it runs
(:func:`using_line_reader`): the REPL's line editor, which runs in the main thread while Lisp code
runs in the evaluation thread. Elsewhere (a program that embeds the Lisp, ``gfjit run``) a line is
read from ``*query-io*``, after the prompt is written there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from lisp.runtime.namespace import symbol_value
from lisp.runtime.streams import QUERY_IO, input_stream, output_stream

#: Reads one line after printing a prompt; EOFError at the end of the input, KeyboardInterrupt
#: on Ctrl-C.
LineReader = Callable[[str], str]


class _State(threading.local):
    reader: LineReader | None = None


_state = _State()


@contextmanager
def using_line_reader(reader: LineReader | None) -> Iterator[None]:
    """Make ``reader`` this thread's line reader while the block runs (None: ``*query-io*``)."""
    saved, _state.reader = _state.reader, reader
    try:
        yield
    finally:
        _state.reader = saved


def read_line(prompt: str) -> str:
    """A line from the person at the terminal, after ``prompt``; EOFError at the end of input."""
    if _state.reader is not None:
        return _state.reader(prompt)
    query = symbol_value(QUERY_IO)
    out = output_stream(query)
    out.write_string(prompt)
    out.finish_output()
    found = input_stream(query).read_line()
    if found is None:
        raise EOFError
    return found[0]
