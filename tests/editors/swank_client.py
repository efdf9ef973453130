"""A small swank client for the tests: a socket, the wire codec, and a way to wait for the reply
to a request while collecting what else the server sends (output, debugger messages)."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from typing import Any

from lisp.swank.wire import WireSymbol, encode_message, keyword, read_message

#: Seconds any single wait may take before a test fails (no test waits forever).
TIMEOUT = 60


def sym(name: str) -> WireSymbol:
    return WireSymbol(name)


class SwankClient:
    """A connection to a swank server, speaking as SLIME does."""

    def __init__(self, port: int, host: str = "127.0.0.1", secret: str | None = None) -> None:
        self.sock = socket.create_connection((host, port), timeout=TIMEOUT)
        self.next_id = 1
        self.events: list[Any] = []  # messages that were not the reply waited for
        if secret is not None:
            self.send(secret)

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> SwankClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def send(self, message: Any) -> None:
        self.sock.sendall(encode_message(message))

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def receive(self) -> Any:
        return read_message(self.sock, 1 << 24)

    def rex(self, form: Any, thread: Any = True, package: str = "COMMON-LISP-USER") -> int:
        """Send a request; its id."""
        request_id = self.next_id
        self.next_id += 1
        self.send([keyword("emacs-rex"), form, package, thread, request_id])
        return request_id

    def wait_for(self, predicate: Any) -> Any:
        """The first message ``predicate`` accepts (the others are kept in :attr:`events`)."""
        while True:
            message = self.receive()
            if predicate(message):
                return message
            self.events.append(message)

    def reply(self, request_id: int) -> Any:
        """The reply to request ``request_id``: ``[:ok value]`` or ``[:abort text]``."""
        message = self.wait_for(lambda m: m[0] == keyword("return") and m[2] == request_id)
        return message[1]

    def call(self, form: Any, thread: Any = True, package: str = "COMMON-LISP-USER") -> Any:
        """The value of a request that must succeed."""
        outcome = self.reply(self.rex(form, thread, package))
        assert outcome[0] == keyword("ok"), f"{form!r} failed: {outcome!r}"
        return outcome[1]

    def output(self) -> str:
        """The text of the ``:write-string`` messages collected so far (and forget them)."""
        text = "".join(m[1] for m in self.events if m[0] == keyword("write-string"))
        self.events = [m for m in self.events if m[0] != keyword("write-string")]
        return text


def start_server(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], int]:
    """``gfjit swank --port 0 ARGS`` started, and the port it announced."""
    process = subprocess.Popen([sys.executable, "-m", "lisp", "swank", "--port", "0", *args], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"Swank started at port: (\d+)", line)
    if found is None:
        process.kill()
        raise AssertionError(f"the server did not start: {line!r} {process.communicate(timeout=TIMEOUT)!r}")
    return process, int(found.group(1))


def stop_server(process: subprocess.Popen[str]) -> str:
    """Stop the server; what it wrote on standard error."""
    if process.poll() is None:
        process.terminate()
    _out, err = process.communicate(timeout=TIMEOUT)
    return err
