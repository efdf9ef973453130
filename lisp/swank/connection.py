"""One Emacs connected: its socket, its reader, its Lisp threads, its streams.

The reader (the connection's own thread) reads each message and routes it (:meth:`Connection.
dispatch`): a request ``(:emacs-rex FORM PACKAGE THREAD ID)`` goes to the thread Emacs names —
``:repl-thread`` the REPL's, a number the thread of that number (one stopped in the debugger), ``t``
a worker that is idle or a new one; ``(:emacs-interrupt THREAD)`` interrupts that thread; the
answers to what a thread asked (``:emacs-return-string``, ``:emacs-return``) go to it. A message
that breaks the protocol ends the connection, after telling Emacs why (``:reader-error``); an
event the server does not know is ignored.

Any thread sends (:meth:`Connection.send`): replies, output, the debugger's messages. A send to a
peer that is gone ends the connection quietly; the reader then finds the end of its input.
"""

from __future__ import annotations

import hmac
import itertools
import socket
import sys
import threading
from collections.abc import Callable
from typing import Any

from lisp.runtime.streams import TwoWayStream
from lisp.swank.agent import CLOSED, REX, RETURN, RETURN_STRING, Agent, current_agent
from lisp.swank.streams import EmacsOutputStream, line_input
from lisp.swank.wire import (
    ConnectionClosed,
    ProtocolError,
    WireSymbol,
    encode_message,
    keyword,
    read_message,
)

#: How often pending output is sent while a computation runs (seconds).
FLUSH_INTERVAL = 0.2
#: How long a client has to send the secret (seconds), as swank.
AUTHENTICATION_TIMEOUT = 20.0

_RETURN, _ABORT, _INVALID_RPC, _READER_ERROR = (keyword(n) for n in ("return", "abort", "invalid-rpc", "reader-error"))
_REPL_THREAD, _REPL_RESULT = keyword("repl-thread"), keyword("repl-result")
_NEW_PACKAGE = keyword("new-package")


class Connection:
    """An Emacs connected to the server (see the module docstring)."""

    def __init__(self, sock: socket.socket, number: int, *, limit: int, on_exit: Callable[[int], None],
                 log: Callable[[str], None]) -> None:
        self.sock = sock
        self.number = number
        self.limit = limit
        self._on_exit = on_exit
        self._log = log
        # One lock for the socket and the output streams' buffers (one lock: no order of locks to
        # keep). Reentrant: a send that fails closes the connection, which takes it again; and an
        # interrupt's debugger may start in a thread that holds it (the break is taken at the next
        # Python instruction, wherever that is) and then send.
        self._send_lock = threading.RLock()
        self._closed = threading.Event()
        self._tags = itertools.count(1)
        self._agents_lock = threading.RLock()  # (reentrant for an interrupt's debugger too)
        self._agents: dict[int, Agent] = {}
        self._idle: list[Agent] = []  # workers waiting for a request addressed to no thread
        self._repl: Agent | None = None
        self._recent: Agent | None = None  # the last thread given a request
        self._ids = itertools.count(1)
        self.user_output = EmacsOutputStream(self.send, self._send_lock)
        self.repl_results = EmacsOutputStream(self.send, self._send_lock, _REPL_RESULT)
        self.user_input = line_input(self._read_user_line, "Emacs")
        self.user_io = TwoWayStream(self.user_input, self.user_output)

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    # -- the reader ---------------------------------------------------------------------------

    def serve(self, secret: str | None) -> None:
        """Read and route messages until the connection ends (the connection's thread)."""
        flusher = threading.Thread(target=self._flush_now_and_then, name=f"swank-{self.number}-flusher",
                                   daemon=True)
        try:
            if secret is not None and not self._authenticate(secret):
                return
            flusher.start()
            while True:
                self.dispatch(read_message(self.sock, self.limit))
        except ConnectionClosed:
            self._log(f"connection {self.number} closed by the client")
        except ProtocolError as error:
            self._log(f"connection {self.number} closed: {error}")
            self._send_quietly([_READER_ERROR, "", str(error)])
        except OSError as error:
            if not self.closed:
                self._log(f"connection {self.number} closed: {error}")
        finally:
            self.close()

    def _authenticate(self, secret: str) -> bool:
        self.sock.settimeout(AUTHENTICATION_TIMEOUT)
        try:
            first = read_message(self.sock, self.limit)
        except (TimeoutError, socket.timeout):
            first = None
        self.sock.settimeout(None)
        if isinstance(first, str) and hmac.compare_digest(first.encode("utf-8"), secret.encode("utf-8")):
            return True
        self._log(f"connection {self.number} refused: it did not send the secret of ~/.slime-secret")
        return False

    def dispatch(self, message: Any) -> None:
        """Route one message from Emacs (see the module docstring)."""
        if not (isinstance(message, list) and message and isinstance(message[0], WireSymbol)):
            raise ProtocolError(f"a message must be a list that starts with a keyword, not {message!r}")
        kind, arguments = message[0], message[1:]
        if kind == REX:
            form, package, thread, request_id = _arguments(message, 4)
            if not _is_number(request_id):
                raise ProtocolError(f"a request id must be an integer, not {request_id!r}")
            agent = self._agent_for(thread)
            if agent is None:
                self.send([_INVALID_RPC, request_id, f"Thread not found: {thread!r}"])
                return
            agent.post((REX, form, package, request_id))
        elif kind == keyword("emacs-interrupt"):
            (thread,) = _arguments(message, 1)
            agent = self._repl if thread == _REPL_THREAD else self._agents.get(thread) if _is_number(thread) \
                else self._recent
            if agent is not None:
                agent.interrupt()
        elif kind in (RETURN_STRING, RETURN):
            thread, tag, value = _arguments(message, 3)
            agent = self._agents.get(thread) if _is_number(thread) else None
            if agent is not None:
                agent.post((kind, tag, value))
        else:
            self._log(f"connection {self.number}: ignored the message {kind.name} {arguments!r:.200}")

    def repl_agent(self) -> Agent:
        """The thread of the connection's REPL (made at the first need)."""
        with self._agents_lock:
            if self._repl is None:
                self._repl = self._new_agent()
            return self._repl

    def _agent_for(self, thread: Any) -> Agent | None:
        if thread == _REPL_THREAD:
            self._recent = self.repl_agent()
            return self._recent
        with self._agents_lock:
            if _is_number(thread):
                agent = self._agents.get(thread)
            elif self._idle:
                agent = self._idle.pop()
            else:
                agent = self._new_agent()
            self._recent = agent
            return agent

    def _new_agent(self) -> Agent:
        agent = Agent(self, next(self._ids))
        self._agents[agent.id] = agent
        return agent

    def release(self, agent: Agent) -> None:
        """``agent`` finished a request: a worker waits for the next one addressed to no thread."""
        with self._agents_lock:
            if agent is not self._repl and agent not in self._idle:
                self._idle.append(agent)

    def _read_user_line(self) -> str | None:
        agent = current_agent()
        return None if agent is None or self.closed else agent.read_string()

    # -- sending ------------------------------------------------------------------------------

    def send(self, value: Any) -> None:
        """Send a message (from any thread); ProtocolError if it is too large to send."""
        data = encode_message(value)
        with self._send_lock:
            if self.closed:
                return
            try:
                self.sock.sendall(data)
            except OSError:
                self.close()

    def reply(self, value: Any, request_id: int) -> None:
        """``(:return VALUE ID)``; an ``:abort`` instead if the value is too large to send."""
        try:
            self.send([_RETURN, value, request_id])
        except ProtocolError as error:
            self.send([_RETURN, [_ABORT, f"the reply cannot be sent: {error}"], request_id])

    def _send_quietly(self, value: Any) -> None:
        try:
            self.send(value)
        except ProtocolError:
            pass

    def new_package(self, name: str, prompt: str) -> None:
        self.send([_NEW_PACKAGE, name, prompt])

    def next_tag(self) -> int:
        return next(self._tags)

    def finish_output(self) -> None:
        """Send the output written so far."""
        self.user_output.finish_output()
        self.repl_results.finish_output()

    def _flush_now_and_then(self) -> None:
        while not self._closed.wait(FLUSH_INTERVAL):
            self.user_output.finish_output()

    # -- the end ------------------------------------------------------------------------------

    def exit_lisp(self, code: int) -> None:
        """The Lisp was asked to exit (``(exit)``, ``swank:quit-lisp``): the server ends."""
        self._on_exit(code)

    def close(self) -> None:
        """End the connection: the socket, then every thread (one waiting for Emacs unwinds)."""
        if self._closed.is_set():
            return
        self._closed.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # (wakes the reader)
        except OSError:
            pass
        with self._send_lock:  # no thread is inside a send when the descriptor goes
            self.sock.close()
        with self._agents_lock:
            agents = list(self._agents.values())
        for agent in agents:
            agent.post(CLOSED)


def _is_number(value: Any) -> bool:
    """A thread or request number (``t`` reads as True, which Python counts as an int)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _arguments(message: list[Any], count: int) -> list[Any]:
    if len(message) != count + 1:
        raise ProtocolError(f"{message[0].name} takes {count} arguments, not {len(message) - 1}: {message!r:.200}")
    return message[1:]


def log_to_stderr(text: str) -> None:
    """The server's log: a line on standard error."""
    sys.stderr.write(f";; swank: {text}\n")
    sys.stderr.flush()
