"""The swank wire protocol: length-prefixed s-expressions, as Emacs prints and reads them.

A message is six hexadecimal digits giving the length in bytes of its UTF-8 payload, then the
payload: one s-expression (and, from Emacs, a newline). Messages are data, not code: they are read
here into Python values, never by the Lisp reader, so nothing a client sends is interned or
evaluated on the way in.

=====================  ===============================================
s-expression           Python
=====================  ===============================================
``nil``, ``()``        ``None`` (and ``False`` is written as ``nil``)
``t``                  ``True``
``42``, ``1.5``        ``int``, ``float``
``"text"``             ``str``
``foo``, ``:key``      :class:`WireSymbol` (the name as written, case kept)
``(a b c)``            ``list`` (a tuple is written as a list too)
``(a b . c)``          :class:`DottedList`
``'x``, ``#'x``        ``[WireSymbol("quote"), x]``, ``[WireSymbol("function"), x]``
=====================  ===============================================

Every way a message can be wrong (a bad header, a payload over the size limit, bytes that are not
UTF-8, an s-expression that does not parse) raises :class:`ProtocolError`; the end of the stream
raises :class:`ConnectionClosed`.
"""

from __future__ import annotations

import math
import re
import socket
from dataclasses import dataclass
from typing import Any

HEADER_LENGTH = 6
#: The longest payload a six-digit header can announce.
PROTOCOL_LIMIT = 16 ** HEADER_LENGTH - 1


class ProtocolError(Exception):
    """A message that breaks the wire protocol; the connection cannot go on after it."""


class ConnectionClosed(Exception):
    """The peer closed the connection (at a message boundary or inside one)."""


@dataclass(frozen=True)
class WireSymbol:
    """A symbol of a message, its name as written (``swank:connection-info``, ``:ok``)."""

    name: str

    @property
    def is_keyword(self) -> bool:
        return self.name.startswith(":")

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class DottedList:
    """A list whose last cdr is not nil: ``(a b . c)`` is ``DottedList([a, b], c)``."""

    items: list[Any]
    tail: Any


def keyword(name: str) -> WireSymbol:
    """The keyword ``:name``."""
    return WireSymbol(":" + name)


QUOTE, FUNCTION = WireSymbol("quote"), WireSymbol("function")

# -- writing ---------------------------------------------------------------------------------------


def write_sexp(value: Any) -> str:
    """``value`` as an s-expression Emacs reads back (see the module docstring for the types)."""
    out: list[str] = []
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, _Raw):
            out.append(item.text)
        elif item is None or item is False:
            out.append("nil")
        elif item is True:
            out.append("t")
        elif isinstance(item, int):
            out.append(str(item))
        elif isinstance(item, float):
            # Emacs reads 1.0e+INF and 0.0e+NaN; Python would print inf and nan.
            out.append(repr(item) if math.isfinite(item) else
                       ("0.0e+NaN" if math.isnan(item) else ("1.0e+INF" if item > 0 else "-1.0e+INF")))
        elif isinstance(item, str):
            out.append('"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"')
        elif isinstance(item, WireSymbol):
            out.append(item.name)
        elif isinstance(item, (list, tuple, DottedList)):
            items = list(item.items if isinstance(item, DottedList) else item)
            parts: list[Any] = [_OPEN]
            for i, element in enumerate(items):
                if i:
                    parts.append(_SPACE)
                parts.append(element)
            if isinstance(item, DottedList):
                parts += [_DOT, item.tail]
            parts.append(_CLOSE)
            stack.extend(reversed(parts))
        else:
            raise TypeError(f"cannot write a {type(item).__name__} on the swank wire: {item!r}")
    return "".join(out)


@dataclass(frozen=True)
class _Raw:
    text: str


_OPEN, _CLOSE, _SPACE, _DOT = _Raw("("), _Raw(")"), _Raw(" "), _Raw(" . ")


def encode_message(value: Any, limit: int = PROTOCOL_LIMIT) -> bytes:
    """The bytes of a message carrying ``value``; ProtocolError if its payload is over ``limit``."""
    payload = write_sexp(value).encode("utf-8")
    if len(payload) > min(limit, PROTOCOL_LIMIT):
        raise ProtocolError(f"a message of {len(payload)} bytes is over the limit of {min(limit, PROTOCOL_LIMIT)}")
    return f"{len(payload):06x}".encode("ascii") + payload


# -- reading ---------------------------------------------------------------------------------------

_TOKEN_END = frozenset(" \t\r\n\f()\"';")
_INTEGER = re.compile(r"[+-]?\d+\.?")
_FLOAT = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?")
_HEADER = re.compile(rb"[0-9a-fA-F]{6}")


def read_sexp(text: str) -> Any:
    """The one s-expression of ``text`` (whitespace around it allowed); ProtocolError otherwise."""
    value, end = _Parser(text).read()
    if text[end:].strip():
        raise ProtocolError(f"text after the message's s-expression, at character {end}: {_excerpt(text, end)}")
    return value


class _Parser:
    """An s-expression reader with an explicit stack, so that no nesting depth can overflow it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def read(self) -> tuple[Any, int]:
        # Each open list: [items, prefixes waiting for its elements, dotted tail or _NO_TAIL]
        lists: list[list[Any]] = []
        prefixes: list[WireSymbol] = []  # quote/function marks before the next datum
        while True:
            value, complete = self._datum(lists, prefixes)
            if not complete:
                continue
            while prefixes and (not lists or len(prefixes) > lists[-1][1]):
                value = [prefixes.pop(), value]
            if not lists:
                return value, self.i
            frame = lists[-1]
            if frame[2] is _EXPECT_TAIL:
                frame[2] = value
            elif frame[2] is not _NO_TAIL:
                raise self._error("more than one datum after a dot")
            else:
                frame[0].append(value)

    def _datum(self, lists: list[list[Any]], prefixes: list[WireSymbol]) -> tuple[Any, bool]:
        """Read the next datum, or open or close a list: (value, True) when a datum is complete."""
        self._skip_blanks()
        if self.i >= len(self.text):
            raise self._error("the message ends inside an s-expression" if lists or prefixes else "an empty message")
        char = self.text[self.i]
        if char == "(":
            self.i += 1
            lists.append([[], len(prefixes), _NO_TAIL])
            return None, False
        if char == ")":
            if not lists or len(prefixes) > lists[-1][1]:
                raise self._error("an unbalanced or misplaced )")
            self.i += 1
            items, _depth, tail = lists.pop()
            if tail is _EXPECT_TAIL:
                raise self._error("a dot with nothing after it")
            return (items if tail is _NO_TAIL else DottedList(items, tail)), True
        if char == "'":
            self.i += 1
            prefixes.append(QUOTE)
            return None, False
        if char == "#" and self.text.startswith("#'", self.i):
            self.i += 2
            prefixes.append(FUNCTION)
            return None, False
        if char == '"':
            return self._string(), True
        token, escaped = self._token()
        if token == "." and not escaped:
            if not lists or not lists[-1][0] or lists[-1][2] is not _NO_TAIL or len(prefixes) > lists[-1][1]:
                raise self._error("a dot outside a list's tail")
            lists[-1][2] = _EXPECT_TAIL
            return None, False
        return (_atom(token) if not escaped else WireSymbol(token)), True

    def _skip_blanks(self) -> None:
        text = self.text
        while self.i < len(text):
            if text[self.i].isspace():
                self.i += 1
            elif text[self.i] == ";":
                end = text.find("\n", self.i)
                self.i = len(text) if end < 0 else end + 1
            else:
                return

    def _string(self) -> str:
        start = self.i
        self.i += 1
        out = []
        text = self.text
        while True:
            end = text.find('"', self.i)
            slash = text.find("\\", self.i)
            if end < 0:
                raise self._error("a string that is not closed", start)
            if 0 <= slash < end:
                out.append(text[self.i:slash])
                if slash + 1 >= len(text):
                    raise self._error("a string that is not closed", start)
                out.append(text[slash + 1])  # Emacs escapes only \ and "; any other escaped char is itself
                self.i = slash + 2
                continue
            out.append(text[self.i:end])
            self.i = end + 1
            return "".join(out)

    def _token(self) -> tuple[str, bool]:
        text = self.text
        out = []
        escaped = False
        while self.i < len(text) and text[self.i] not in _TOKEN_END:
            if text[self.i] == "\\":
                if self.i + 1 >= len(text):
                    raise self._error("a backslash at the end of the message")
                out.append(text[self.i + 1])
                escaped = True
                self.i += 2
            else:
                out.append(text[self.i])
                self.i += 1
        if not out:
            raise self._error(f"an unexpected {text[self.i]!r}")
        return "".join(out), escaped

    def _error(self, what: str, at: int | None = None) -> ProtocolError:
        where = self.i if at is None else at
        return ProtocolError(f"malformed s-expression: {what}, at character {where}: {_excerpt(self.text, where)}")


_NO_TAIL, _EXPECT_TAIL = object(), object()


def _atom(token: str) -> Any:
    if _INTEGER.fullmatch(token):
        return int(token.rstrip("."))
    if _FLOAT.fullmatch(token) and any(c.isdigit() for c in token):
        return float(token)
    lowered = token.lower()
    if lowered == "nil":
        return None
    if lowered == "t":
        return True
    return WireSymbol(token)


def _excerpt(text: str, at: int) -> str:
    return repr(text[max(0, at - 20):at + 20])


# -- framing ---------------------------------------------------------------------------------------


def decode_payload(payload: bytes) -> Any:
    """The value of a message's payload bytes."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(f"the payload is not UTF-8: {error}") from None
    return read_sexp(text)


def parse_header(header: bytes, limit: int) -> int:
    """The payload length a header announces; ProtocolError if it is not six hex digits or the
    length is over ``limit``."""
    if not _HEADER.fullmatch(header):
        raise ProtocolError(f"a message must start with six hexadecimal digits, not {header!r}")
    length = int(header, 16)
    if length > limit:
        raise ProtocolError(f"a message of {length} bytes is over the limit of {limit}")
    return length


def read_message(sock: socket.socket, limit: int) -> Any:
    """Read one message from ``sock``: its value."""
    length = parse_header(_receive(sock, HEADER_LENGTH, at_boundary=True), limit)
    return decode_payload(_receive(sock, length, at_boundary=False))


def _receive(sock: socket.socket, count: int, *, at_boundary: bool) -> bytes:
    chunks = []
    remaining = count
    while remaining:
        try:
            chunk = sock.recv(min(remaining, 1 << 20))
        except (ConnectionResetError, BrokenPipeError) as error:
            raise ConnectionClosed(str(error)) from None
        if not chunk:
            if at_boundary and remaining == count:
                raise ConnectionClosed("the peer closed the connection")
            raise ProtocolError(f"the connection closed inside a message ({count - remaining} of {count} bytes read)")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
