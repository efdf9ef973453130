"""The toplevel on a terminal: a prompt_toolkit line editor in front of a :class:`Session`.

Line editing, history kept across sessions in ``~/.gfjit_history``, syntax highlighting
(:class:`~lisp.repl.lexer.GfjitLispLexer`), completion of symbols on Tab
(:func:`~lisp.repl.completion.symbol_completions`). Enter sends the input when it is complete (every
form closed) and otherwise opens a new, indented line; Escape then Enter sends it as it is.
Ctrl-C at the prompt clears the input, including what an Escape-Enter sent unfinished; during an
evaluation it enters the debugger. Ctrl-D on an empty line leaves.

The same editor (:func:`line_editor`) reads the debugger's lines: it runs in the main thread, and
the debugger, in the evaluation thread, asks for each line through the worker's channel.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from prompt_toolkit import PromptSession
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.lexers import PygmentsLexer

from lisp.repl.completion import (
    SymbolCompleter,
    symbol_completions,
    token_before_cursor,
)
from lisp.repl.forms import is_incomplete
from lisp.repl.lexer import GfjitLispLexer
from lisp.repl.prompt import prompt_text
from lisp.runtime.namespace import symbol_value
from lisp.syntax.reader import PACKAGE_VAR

if TYPE_CHECKING:
    from lisp.repl.session import Session
    from lisp.repl.worker import EvalThread

HISTORY_FILE = "~/.gfjit_history"


def line_editor() -> Callable[[str], str]:
    """A function reading one input (a line, or several while a form is open) after a prompt;
    Ctrl-C raises KeyboardInterrupt, Ctrl-D on an empty line EOFError. For the main thread."""
    editor: PromptSession[str] = PromptSession(
        history=_history(),
        lexer=PygmentsLexer(GfjitLispLexer),
        completer=SymbolCompleter(),
        complete_while_typing=False,
        multiline=True,
        key_bindings=_key_bindings(),
        prompt_continuation=lambda width, _line, _soft: "." * (width - 1) + " ",
    )
    return editor.prompt


def run_interactive(session: Session, worker: EvalThread, read_line: Callable[[str], str]) -> None:
    """Read, evaluate and print until ``:quit`` or Ctrl-D."""
    while not session.quit_requested:
        try:
            text = read_line(prompt_text(continuation=session.waiting))
        except KeyboardInterrupt:
            worker.call(session.cancel_input)
            continue
        except EOFError:
            break
        try:
            worker.call(session.feed, text + "\n")
        except KeyboardInterrupt as interrupt:  # arrived between two evaluations
            worker.call(session.report, interrupt)
    worker.call(session.end_of_input)


def _history() -> History:
    """The history file, or a history for this session only where none can be written."""
    path = os.path.expanduser(HISTORY_FILE)
    writable = os.access(path, os.W_OK) if os.path.exists(path) else os.access(os.path.dirname(path), os.W_OK)
    return FileHistory(path) if writable else InMemoryHistory()


def _key_bindings() -> KeyBindings:
    bindings = KeyBindings()

    @bindings.add("enter")
    def _enter(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        if buffer.complete_state is not None:
            buffer.apply_completion(buffer.complete_state.current_completion or buffer.complete_state.completions[0])
            return
        text = buffer.document.text_before_cursor
        if buffer.document.is_cursor_at_the_end and not is_incomplete(text):
            buffer.validate_and_handle()
        else:
            buffer.insert_text("\n" + " " * indentation(text))

    @bindings.add("escape", "enter")
    def _send(event: KeyPressEvent) -> None:
        event.current_buffer.validate_and_handle()

    @bindings.add("tab")
    def _complete(event: KeyPressEvent) -> None:
        # Synchronous, as readline does: a unique completion or the common part is inserted at
        # once; several completions are then shown in a menu that further Tabs walk through.
        buffer = event.current_buffer
        if buffer.complete_state is not None:
            buffer.complete_next()
            return
        token = token_before_cursor(buffer.document.text_before_cursor)
        names = symbol_completions(token, symbol_value(PACKAGE_VAR)) if token else []
        if not names:
            return
        common = os.path.commonprefix(names)
        if len(common) > len(token):
            buffer.delete_before_cursor(len(token))
            buffer.insert_text(common)
        if len(names) > 1:
            buffer.start_completion()

    return bindings


def indentation(text: str) -> int:
    """Spaces to indent a new line after ``text``: two more than the column of the innermost open
    parenthesis (strings, characters and comments skipped), or none when every one is closed."""
    opens: list[int] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "(":
            opens.append(i)
        elif char == ")" and opens:
            opens.pop()
        elif char == ";":
            i = _find(text, "\n", i) - 1
        elif char == '"':
            i = _string_end(text, i + 1)
        elif text.startswith("#|", i):
            i = _find(text, "|#", i) + 1
        elif text.startswith("#\\", i):
            i += 2  # the character after #\ is data, even ( or "
        elif char == "\\":
            i += 1
        i += 1
    if not opens:
        return 0
    return opens[-1] - (text.rfind("\n", 0, opens[-1]) + 1) + 2


def _find(text: str, what: str, start: int) -> int:
    found = text.find(what, start)
    return len(text) if found < 0 else found


def _string_end(text: str, i: int) -> int:
    """The index of the closing quote of the string whose text starts at ``i``."""
    while i < len(text) and text[i] != '"':
        i += 2 if text[i] == "\\" else 1
    return i
