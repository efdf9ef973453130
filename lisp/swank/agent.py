"""One Lisp thread of a connection: where Emacs's requests run, one at a time.

swank gives each connection a REPL thread and a worker thread for each request not addressed to
a thread; the debugger runs in the thread it stopped, and Emacs addresses that thread (by number)
while it shows the debugger. An :class:`Agent` is such a thread: an evaluation thread
(:class:`lisp.repl.worker.EvalThread`: deep stack, interrupts) with a mailbox that the
connection's reader fills. A *driver* thread hands each request in the mailbox to the evaluation
thread; inside a request, the debugger and input from the REPL buffer take the next events from
the mailbox themselves (:meth:`Agent.wait_for`), so a request can serve further requests while it
is stopped. Those waits poll the mailbox a few times a second: only then does an interrupt (an
asynchronous exception or the debugger's break, which the interrupted thread takes when it runs
Python code) reach a thread that waits.

Each request runs with ``*package*`` bound to its buffer's package and the standard streams bound
to the connection's Emacs streams (:meth:`Agent.eval_for_emacs`); the outermost request of a thread
also gets the ABORT restart "Return to SLIME's top level.", which ``throw-to-toplevel`` invokes.
"""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from lisp.library.terminal import using_line_reader
from lisp.repl.debug_level import break_on_interrupt
from lisp.repl.report import text_of
from lisp.repl.worker import EvalThread
from lisp.runtime.data import cl_symbol
from lisp.runtime.host_errors import as_condition
from lisp.runtime.namespace import DYNAMIC, bind_specials
from lisp.runtime.signals import (
    NonLocalTransfer,
    Restart,
    compute_restarts_list,
    restart_bind,
    toplevel_restart,
    using_debugger,
)
from lisp.runtime.streams import (
    DEBUG_IO,
    ERROR_OUTPUT,
    QUERY_IO,
    STANDARD_INPUT,
    STANDARD_OUTPUT,
    TERMINAL_IO,
    TRACE_OUTPUT,
)
from lisp.swank.names import guess_package
from lisp.swank.rpc import Request, RpcError, call, find_rpc
from lisp.swank.sldb import EmacsDebugger
from lisp.swank.wire import keyword
from lisp.syntax.printer import prin1_to_string
from lisp.syntax.reader import PACKAGE_VAR

ABORT = cl_symbol("ABORT")
QUIT_REPORT = "Return to SLIME's top level."

#: Posted to every mailbox when the connection ends.
CLOSED = ("closed",)
REX, RETURN_STRING, RETURN = keyword("emacs-rex"), keyword("emacs-return-string"), keyword("emacs-return")
_OK, _ABORT = keyword("ok"), keyword("abort")
_READ_STRING, _READ_ABORTED = keyword("read-string"), keyword("read-aborted")
_READ_FROM_MINIBUFFER = keyword("read-from-minibuffer")

_POLL = 0.05  # seconds between two looks at the mailbox while a request waits in it


class Disconnected(NonLocalTransfer):
    """The connection ended while a request waited for Emacs: unwinds the request."""


class Agent:
    """A Lisp thread of a connection, numbered as Emacs addresses it."""

    def __init__(self, connection: Any, number: int) -> None:
        """``connection``: the :class:`lisp.swank.connection.Connection` it serves (not imported:
        that module is built on this one)."""
        self.connection = connection
        self.id = number
        self.debugger = EmacsDebugger(self)
        #: The requests running, outermost first (a request stopped in the debugger serves more).
        self.requests: list[Request] = []
        #: The outermost request's ABORT restart (None when no request runs).
        self.quit_restart: Restart | None = None
        #: The REPL's session, on the thread that serves the REPL (:mod:`lisp.swank.listener`).
        self.session: Any = None
        self._mailbox: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self.worker = EvalThread(name=f"swank-{connection.number}-{number}")
        self.worker.on_interrupt = break_on_interrupt
        self._driver = threading.Thread(target=self._drive, name=f"swank-{connection.number}-{number}-driver",
                                        daemon=True)
        self._driver.start()

    def post(self, event: tuple[Any, ...]) -> None:
        """Give the thread an event: ``(REX, form, package, id)``, ``(RETURN_STRING, tag, text)``,
        ``(RETURN, tag, value)`` or :data:`CLOSED`."""
        self._mailbox.put(event)

    def interrupt(self) -> None:
        """Interrupt the request running (nothing if none): it enters the debugger."""
        self.worker.interrupt()

    @property
    def busy(self) -> bool:
        return bool(self.requests)

    # -- the driver ---------------------------------------------------------------------------

    def _drive(self) -> None:
        try:
            while (event := self._mailbox.get()) is not CLOSED:
                if event[0] != REX:
                    continue  # an answer that came after its request ended
                try:
                    self.worker.call(self._handle, event)
                except SystemExit as exit_:  # (exit) in the Lisp: the Lisp ends, as SBCL's does
                    self.connection.exit_lisp(exit_.code if isinstance(exit_.code, int) else 0)
                except KeyboardInterrupt:
                    pass  # an interrupt that came as the request ended
                except BaseException:  # noqa: BLE001 - a bug of the server: say it, serve on
                    traceback.print_exc(file=sys.stderr)
                finally:
                    self.connection.release(self)
        finally:
            self.worker.close()

    def _handle(self, event: tuple[Any, ...]) -> None:
        _current.agent = self
        try:
            self.eval_for_emacs(*event[1:])
        except Disconnected:
            pass

    # -- requests -----------------------------------------------------------------------------

    def eval_for_emacs(self, form: Any, package_name: Any, request_id: int) -> None:
        """Run one request and send its reply: ``(:ok VALUE)``, or ``(:abort TEXT)`` when it was
        aborted, failed outside the debugger, or asked for a function there is none of."""
        request = Request(self, request_id, guess_package(package_name if isinstance(package_name, str) else None))
        outermost = not self.requests
        self.requests.append(request)
        reply: list[Any] = [_ABORT, "NIL"]
        saved = DYNAMIC.bindings
        try:
            bind_specials(self._bindings(request))
            entry, arguments = find_rpc(form)
            with using_debugger(self.debugger if entry.user_code else None), using_line_reader(self.read_line):
                if outermost:
                    with self._quit_restart() as aborted:
                        value = call(request, entry, arguments)
                    reply = [_ABORT, _abort_text(request)] if aborted() else [_OK, value]
                else:
                    # (A request made in the debugger: an error that unwinds out of it meets the
                    # debugger there, a level deeper, as one that reaches the quit restart does.)
                    reply = [_OK, restart_bind((), lambda: call(request, entry, arguments))]
        except NonLocalTransfer:
            reply = [_ABORT, _abort_text(request)]
            raise
        except SystemExit:
            raise
        except BaseException as failure:  # noqa: BLE001 - every failure of a request is its :abort
            reply = [_ABORT, _failure_text(failure)]
        finally:
            DYNAMIC.bindings = saved
            self.requests.pop()
            self.connection.finish_output()
            self.connection.reply(reply, request_id)

    def _bindings(self, request: Request) -> list[tuple[Any, Any]]:
        c = self.connection
        return [(PACKAGE_VAR, request.package), (STANDARD_OUTPUT, c.user_output), (ERROR_OUTPUT, c.user_output),
                (TRACE_OUTPUT, c.user_output), (STANDARD_INPUT, c.user_input), (TERMINAL_IO, c.user_io),
                (DEBUG_IO, c.user_io), (QUERY_IO, c.user_io)]

    @contextlib.contextmanager
    def _quit_restart(self) -> Iterator[Callable[[], bool]]:
        """The outermost request's ABORT restart; yields whether it was invoked."""
        with toplevel_restart(ABORT, QUIT_REPORT) as aborted:
            self.quit_restart = compute_restarts_list()[0]
            try:
                yield aborted
            finally:
                self.quit_restart = None

    # -- waiting for Emacs --------------------------------------------------------------------

    def serve_requests(self) -> None:
        """Serve the requests addressed to this thread until one transfers control out (the
        debugger's loop); at the end of the connection, raise :class:`Disconnected`."""
        while True:
            event = self.wait_for(lambda _event: True)
            if event[0] == REX:
                self.eval_for_emacs(*event[1:])

    def wait_for(self, accept: Callable[[tuple[Any, ...]], bool]) -> tuple[Any, ...]:
        """The next event ``accept`` takes; requests that come first wait for later, other
        events are dropped (late answers). Raises :class:`Disconnected` when the connection ends."""
        deferred = []
        try:
            while True:
                try:
                    event = self._mailbox.get(timeout=_POLL)
                except queue.Empty:
                    continue
                if event is CLOSED:
                    self._mailbox.put(CLOSED)  # for every other wait, and the driver
                    raise Disconnected
                if accept(event):
                    return event
                if event[0] == REX:
                    deferred.append(event)
        finally:
            for event in deferred:
                self._mailbox.put(event)

    def read_string(self) -> str:
        """A line typed in the REPL buffer (Lisp reading ``*standard-input*``)."""
        tag = self.connection.next_tag()
        self.connection.finish_output()
        self.connection.send([_READ_STRING, self.id, tag])
        answered = False
        try:
            event = self.wait_for(lambda e: e[0] == RETURN_STRING and e[1] == tag)
            answered = True
            return str(event[2])
        finally:
            if not answered and not self.connection.closed:
                self.connection.send([_READ_ABORTED, self.id, tag])

    def read_line(self, prompt: str) -> str:
        """A :data:`lisp.library.terminal.LineReader` for the tools that ask (``step``, ``inspect``)."""
        self.connection.user_output.write_string(prompt)
        return self.read_string().rstrip("\n")

    def read_from_minibuffer(self, prompt: str, initial: str | None = None) -> str | None:
        """What the person types in Emacs's minibuffer after ``prompt``; None if they quit."""
        tag = self.connection.next_tag()
        self.connection.send([_READ_FROM_MINIBUFFER, self.id, tag, prompt, initial])
        value = self.wait_for(lambda e: e[0] == RETURN and e[1] == tag)[2]
        return value if isinstance(value, str) else None


class _Current(threading.local):
    agent: Agent | None = None


_current = _Current()


def current_agent() -> Agent | None:
    """The agent whose thread this is (None outside the server's threads)."""
    return _current.agent


def _abort_text(request: Request) -> str:
    return "NIL" if request.condition is None else _printed(request.condition)


def _failure_text(failure: BaseException) -> str:
    if isinstance(failure, KeyboardInterrupt):
        return "Interrupted."
    if isinstance(failure, RpcError):
        return str(failure)
    return _printed(as_condition(failure))


def _printed(condition: Any) -> str:
    try:
        return prin1_to_string(condition)
    except Exception:  # noqa: BLE001 - a print-object that fails
        return f"#<{type(condition).__name__}: {text_of(condition.report)}>"

