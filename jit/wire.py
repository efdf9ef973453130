"""The frames a compile worker and its parent exchange over a pair of pipes.

A frame is a 12-byte prefix (header length u32, payload length u64, little-endian), a JSON
header, and the payload bytes (IR going out, object code coming back). Sizes are checked before
anything is read, so a broken peer costs an error, not the reader's memory. Every wait may have a
deadline (poll on the descriptors; the parent makes its ends non-blocking), so a dead or wedged
peer can never block the other side for ever.
"""

from __future__ import annotations

import json
import math
import os
import select
import struct
import time
from typing import Any

_PREFIX = struct.Struct("<IQ")
MAX_HEADER = 1 << 20
MAX_PAYLOAD = 1 << 30


class ProtocolError(Exception):
    """The peer sent something that is not a frame."""


class Channel:
    """One end of a worker's pipes: frames are read from `read_fd` and written to `write_fd`."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.read_fd = read_fd
        self.write_fd = write_fd

    def send(self, header: dict[str, Any], payload: bytes = b"",
             deadline: float | None = None) -> None:
        """Write one frame. Raises TimeoutError past `deadline` (time.monotonic()), OSError
        (BrokenPipeError: the peer is gone)."""
        head = json.dumps(header).encode()
        data = memoryview(_PREFIX.pack(len(head), len(payload)) + head + payload)
        while data:
            _wait(self.write_fd, select.POLLOUT, deadline)
            try:
                data = data[os.write(self.write_fd, data):]
            except BlockingIOError:
                continue

    def receive(self, deadline: float | None = None) -> tuple[dict[str, Any], bytes]:
        """Read one frame: (header, payload). Raises TimeoutError past `deadline`, EOFError if
        the peer closed its end, ProtocolError if what came is not a frame."""
        head_size, payload_size = _PREFIX.unpack(self._read(_PREFIX.size, deadline))
        if head_size > MAX_HEADER or payload_size > MAX_PAYLOAD:
            raise ProtocolError(f"frame of {head_size} + {payload_size} bytes is over the limit")
        try:
            header = json.loads(self._read(head_size, deadline))
        except ValueError as error:
            raise ProtocolError(f"frame header is not JSON: {error}") from None
        if not isinstance(header, dict):
            raise ProtocolError("frame header is not a JSON object")
        return header, self._read(payload_size, deadline)

    def _read(self, size: int, deadline: float | None) -> bytes:
        chunks, left = [], size
        while left:
            _wait(self.read_fd, select.POLLIN, deadline)
            try:
                chunk = os.read(self.read_fd, min(left, 1 << 20))
            except BlockingIOError:
                continue
            if not chunk:
                raise EOFError("the other end of the pipe was closed")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)


def _wait(fd: int, event: int, deadline: float | None) -> None:
    """Return once `fd` is ready for `event` or has hung up (the read or write that follows says
    which); raise TimeoutError if `deadline` passes first."""
    poller = select.poll()
    poller.register(fd, event)
    while True:
        if deadline is None:
            timeout = None
        else:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("deadline passed")
            timeout = math.ceil(left * 1000)
        if poller.poll(timeout):
            return
