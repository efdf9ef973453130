"""``gfjit swank``: listen for Emacs, a thread for each connection.

By default the server listens on the loopback interface only, so only programs of this machine
can connect. Listening on another address needs a secret: ``~/.slime-secret`` (its first line),
which SLIME sends as its first message when the same file exists on the Emacs side. As swank does,
whenever the file exists every client must send it, whatever the address.
"""

from __future__ import annotations

import ipaddress
import itertools
import os
import selectors
import socket
import threading
from collections.abc import Callable

from lisp.swank.connection import Connection, log_to_stderr

#: The largest message accepted from Emacs (bytes): far more than any form typed or compiled.
MESSAGE_LIMIT = 8 * 1024 * 1024
SECRET_FILE = "~/.slime-secret"


class SwankError(Exception):
    """The server cannot start as asked (an address it may not listen on, a port in use)."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine's loopback interface only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_secret(path: str = SECRET_FILE) -> str | None:
    """The first line of the secret file, or None if there is none."""
    try:
        with open(os.path.expanduser(path), encoding="utf-8") as file:
            return file.readline().rstrip("\r\n")
    except FileNotFoundError:
        return None


class Server:
    """A listening socket and the connections made to it."""

    def __init__(self, host: str = "127.0.0.1", port: int = 4005, *, limit: int = MESSAGE_LIMIT,
                 secret_file: str = SECRET_FILE, log: Callable[[str], None] = log_to_stderr) -> None:
        self.loopback_only = is_loopback(host)
        self.secret_file = secret_file
        if not self.loopback_only and read_secret(secret_file) is None:
            raise SwankError(f"listening on {host} lets other machines connect: create {secret_file} "
                             f"(a secret on its first line; SLIME sends it) or listen on 127.0.0.1")
        try:
            self._listener = socket.create_server((host, port))
        except OSError as error:
            raise SwankError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
        self.host = host
        self.port: int = self._listener.getsockname()[1]
        self.limit = limit
        self._log = log
        self._wake_read, self._wake_write = socket.socketpair()
        self._lock = threading.Lock()
        self._connections: set[Connection] = set()
        self._numbers = itertools.count(1)
        self._exit_code: int | None = None

    def serve_forever(self) -> int:
        """Accept connections until the Lisp is asked to exit; the exit status."""
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            selector.register(self._wake_read, selectors.EVENT_READ)
            while self._exit_code is None:
                for key, _events in selector.select():
                    if key.fileobj is self._listener:
                        self._accept()
        return self._exit_code

    def _accept(self) -> None:
        try:
            sock, peer = self._listener.accept()
        except OSError:
            return
        # Each message goes out at once: with Nagle's algorithm a reply written just after some
        # output waits for Emacs to acknowledge that output (40 ms of delayed ACK on Linux).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        secret = read_secret(self.secret_file)
        if secret is None and not (self.loopback_only or is_loopback(peer[0])):
            self._log(f"refused {peer[0]}: no {self.secret_file} to check it against")
            sock.close()
            return
        connection = Connection(sock, next(self._numbers), limit=self.limit, on_exit=self.shutdown, log=self._log)
        with self._lock:
            self._connections.add(connection)
        self._log(f"connection {connection.number} from {peer[0]}:{peer[1]}")
        threading.Thread(target=self._serve, args=(connection, secret), name=f"swank-{connection.number}",
                         daemon=True).start()

    def _serve(self, connection: Connection, secret: str | None) -> None:
        try:
            connection.serve(secret)
        finally:
            with self._lock:
                self._connections.discard(connection)

    def shutdown(self, code: int = 0) -> None:
        """Stop serving (from any thread): :meth:`serve_forever` returns ``code``."""
        if self._exit_code is None:
            self._exit_code = code
        self._wake_write.send(b"!")

    def close(self) -> None:
        """Stop listening and end every connection."""
        self._listener.close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            connection.close()
        self._wake_read.close()
        self._wake_write.close()
