"""The opt-in on-disk object cache.

An entry is keyed by a SHA-256 of the IR and of everything else that decides the object code
(triple, CPU, CPU features, optimization level, llvmlite version). Entries are written to a
temporary file and renamed into place, so a reader never sees half an entry; every entry carries
a digest of its payload, so a corrupt or truncated one is detected, dropped and recompiled.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from pathlib import Path

_MAGIC = b"GFJITOBJ1\n"
_DIGEST = 32


class ObjectCache:
    """Object files on disk under `directory`, by key."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def key(ir: str, parts: tuple[str, ...]) -> str:
        h = hashlib.sha256()
        for part in (*parts, ir):
            data = part.encode("utf-8")
            h.update(len(data).to_bytes(8, "little"))
            h.update(data)
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.o"

    def get(self, key: str) -> bytes | None:
        """The object stored under `key`, or None if absent or damaged (a damaged one is removed)."""
        path = self._path(key)
        try:
            blob = path.read_bytes()
        except OSError:  # absent, or unreadable: either way the caller compiles
            return None
        head, digest, payload = blob[:len(_MAGIC)], blob[len(_MAGIC):len(_MAGIC) + _DIGEST], \
            blob[len(_MAGIC) + _DIGEST:]
        if head == _MAGIC and len(digest) == _DIGEST and hashlib.sha256(payload).digest() == digest:
            return payload
        path.unlink(missing_ok=True)
        return None

    def put(self, key: str, payload: bytes) -> bool:
        """Store `payload` under `key` atomically (a concurrent reader sees all of it or nothing).

        False if the file system refused (full, read-only, removed): a cache that cannot be
        written only costs compile time, so that is never an error for the caller.
        """
        try:
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        except OSError:
            return False
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_MAGIC + hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, self._path(key))
        except BaseException as error:
            Path(tmp).unlink(missing_ok=True)
            if isinstance(error, OSError):
                return False
            raise
        return True


def from_env() -> ObjectCache | None:
    """The cache GFJIT_CACHE_DIR names, if set and usable (a directory that cannot be made
    means no cache, with a warning: compiling still works)."""
    directory = os.environ.get("GFJIT_CACHE_DIR", "").strip()
    if not directory:
        return None
    try:
        return ObjectCache(directory)
    except OSError as error:
        warnings.warn(f"GFJIT_CACHE_DIR={directory!r} is not usable ({error}); compiling without a cache",
                      RuntimeWarning, stacklevel=2)
        return None
