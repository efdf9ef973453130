"""Per-thread ring buffers of recent operations, kept in a shared memory-mapped file.

The child process of a run notes every operation before it performs it. The notes live in a
file mapped with MAP_SHARED, so each note is a plain memory store into the page cache: when the
child dies of a signal, the kernel still holds every note written so far and the parent reads them
from the same file. Nothing has to be flushed, and a crash cannot lose the notes that lead to it.

Layout: a header (magic, threads, slots), then per thread a 32-byte label and `slots` entries of
`ENTRY_SIZE` bytes: sequence number (u64, 1-based, 0 = empty), monotonic time in ns (u64), text
(UTF-8, NUL-padded, truncated to fit). Each ring is written by one thread only.
"""

from __future__ import annotations

import mmap
import os
import struct
import time
from dataclasses import dataclass

MAGIC = b"GFJITRNG"
_HEADER = struct.Struct("<8sII")
_LABEL_SIZE = 32
_ENTRY_HEAD = struct.Struct("<QQ")
ENTRY_SIZE = 128
_TEXT_SIZE = ENTRY_SIZE - _ENTRY_HEAD.size


@dataclass(frozen=True)
class Note:
    """One operation as noted by a thread: its sequence number, time (ns, monotonic) and text."""

    seq: int
    time_ns: int
    text: str


def _ring_offset(index: int, slots: int) -> int:
    return _HEADER.size + index * (_LABEL_SIZE + slots * ENTRY_SIZE)


def _file_size(threads: int, slots: int) -> int:
    return _ring_offset(threads, slots)


class RingLog:
    """A file of `threads` rings of `slots` notes each, created (or truncated) at `path`."""

    def __init__(self, path: str, threads: int, slots: int = 64) -> None:
        if threads < 1 or slots < 1:
            raise ValueError(f"a ring log needs at least one thread and one slot, got {threads} and {slots}")
        self.path = path
        self.threads = threads
        self.slots = slots
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.ftruncate(fd, _file_size(threads, slots))
            self._map = mmap.mmap(fd, _file_size(threads, slots), mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        finally:
            os.close(fd)
        _HEADER.pack_into(self._map, 0, MAGIC, threads, slots)

    def ring(self, index: int, label: str) -> Ring:
        """The writer of ring `index`; `label` names the thread in crash reports."""
        if not 0 <= index < self.threads:
            raise IndexError(f"ring {index} out of range: the log has {self.threads} rings")
        offset = _ring_offset(index, self.slots)
        self._map[offset : offset + _LABEL_SIZE] = label.encode()[:_LABEL_SIZE].ljust(_LABEL_SIZE, b"\0")
        return Ring(self._map, offset + _LABEL_SIZE, self.slots)

    def close(self) -> None:
        self._map.close()


class Ring:
    """The ring of one thread. Not thread-safe: only its own thread calls `note`."""

    __slots__ = ("_map", "_base", "_slots", "_seq")

    def __init__(self, map_: mmap.mmap, base: int, slots: int) -> None:
        self._map = map_
        self._base = base
        self._slots = slots
        self._seq = 0

    def note(self, text: str) -> None:
        """Record `text` as this thread's latest operation, overwriting the oldest note."""
        self._seq += 1
        offset = self._base + (self._seq % self._slots) * ENTRY_SIZE
        data = text.encode("utf-8", "replace")[:_TEXT_SIZE].ljust(_TEXT_SIZE, b"\0")
        # The text first, the sequence number last: a note torn by a crash has the old number
        # or, at worst, new text under an old number; it is never read as newer than it is.
        self._map[offset + _ENTRY_HEAD.size : offset + ENTRY_SIZE] = data
        _ENTRY_HEAD.pack_into(self._map, offset, self._seq, time.monotonic_ns())


def read_rings(path: str) -> dict[str, list[Note]]:
    """Every thread's notes, oldest first, by thread label; works on the file of a dead process."""
    with open(path, "rb") as file:
        data = file.read()
    if len(data) < _HEADER.size:
        raise ValueError(f"{path}: too short to be a ring log ({len(data)} bytes)")
    magic, threads, slots = _HEADER.unpack_from(data, 0)
    if magic != MAGIC or len(data) < _file_size(threads, slots):
        raise ValueError(f"{path}: not a complete ring log")
    rings: dict[str, list[Note]] = {}
    for index in range(threads):
        offset = _ring_offset(index, slots)
        label = data[offset : offset + _LABEL_SIZE].rstrip(b"\0").decode("utf-8", "replace")
        notes = []
        for slot in range(slots):
            entry = offset + _LABEL_SIZE + slot * ENTRY_SIZE
            seq, time_ns = _ENTRY_HEAD.unpack_from(data, entry)
            if seq:
                text = data[entry + _ENTRY_HEAD.size : entry + ENTRY_SIZE].rstrip(b"\0").decode("utf-8", "replace")
                notes.append(Note(seq, time_ns, text))
        if label or notes:
            rings[label or f"thread-{index}"] = sorted(notes, key=lambda note: note.seq)
    return rings
