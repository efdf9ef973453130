"""The on-disk object cache: object code by a hash of its IR, trusted only if this user wrote it.

An entry is named by a SHA-256 of the IR and of everything else that decides the object code
(triple, CPU, CPU features, optimization level, llvmlite version). Anyone can compute that name,
so it proves nothing: an entry is machine code the JIT will run, and it is trusted only if

- the directory and the entry are private to this user (owner, mode, a regular file reached
  without a link, a bounded size: `safefiles`), and
- its HMAC verifies: made with this user's key (`cachekey`), kept outside the cache, over the
  entry's name and payload, so an entry can be neither forged nor moved to another name.

Anything else (damaged, forged, planted, too large, a FIFO or a device) is dropped and the IR
recompiled: a cache never costs more than a compile, and never runs what it cannot vouch for.
Entries are written whole to a temporary file and renamed into place, so a reader never sees half
an entry.

Where: `JitPool(cache_dir=...)`, else GFJIT_CACHE_DIR; the default pool uses the per-user
`default_cache_dir()`. GFJIT_CACHE=0 or an empty GFJIT_CACHE_DIR turns the cache off.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from . import cachekey
from .errors import CacheDirectoryError, UnsafeFileError
from .notice import warn_once
from .safefiles import open_private_directory, read_private, replace_private

_MAGIC = b"GFJITOBJ2\n"
_TAG = 32  # HMAC-SHA256
MAX_ENTRY = 64 * 2**20  # far above any module the JIT compiles; bounds what a read can cost
_OFF = ("0", "false", "no", "off")


class RejectedEntry(Exception):
    """An entry was present but not trusted (it has been removed; the caller recompiles)."""


class ObjectCache:
    """Object files in private directory `directory`, by key, signed with `key`. The directory
    is checked at every use (`for_pool` makes it); an unusable one only means no hits."""

    def __init__(self, directory: str | os.PathLike[str], key: bytes) -> None:
        self.directory = Path(directory)
        self._key = key

    @staticmethod
    def key(ir: str, parts: tuple[str, ...]) -> str:
        h = hashlib.sha256()
        for part in (*parts, ir):
            data = part.encode("utf-8")
            h.update(len(data).to_bytes(8, "little"))
            h.update(data)
        return h.hexdigest()

    def _tag(self, name: str, payload: bytes) -> bytes:
        signed = _MAGIC + name.encode() + b"\0" + payload
        return hmac.new(self._key, signed, hashlib.sha256).digest()

    def get(self, key: str) -> bytes | None:
        """The object stored under `key`, or None if there is none (or the cache directory cannot
        be read). Raises RejectedEntry if an entry was there but is not trusted."""
        name = f"{key}.o"
        dir_fd = self._open_directory()
        if dir_fd is None:
            return None
        try:
            try:
                blob = read_private(dir_fd, name, len(_MAGIC) + _TAG + MAX_ENTRY,
                                    self.directory / name)
            except FileNotFoundError:
                return None
            except UnsafeFileError as error:
                _remove(dir_fd, name)
                warn_once(f"object cache: refused {error} (recompiled; later refusals in this "
                          f"cache are counted in JitPool.stats()['cache_rejected'])",
                          key=("refused entry", self.directory))
                raise RejectedEntry(str(error)) from None
            except OSError:  # unreadable: the caller compiles
                return None
            head, tag = blob[:len(_MAGIC)], blob[len(_MAGIC):len(_MAGIC) + _TAG]
            payload = blob[len(_MAGIC) + _TAG:]
            if head == _MAGIC and hmac.compare_digest(tag, self._tag(name, payload)):
                return payload
            _remove(dir_fd, name)
            raise RejectedEntry(f"{self.directory / name}: damaged, or not signed with this "
                                "user's key")
        finally:
            os.close(dir_fd)

    def put(self, key: str, payload: bytes) -> bool:
        """Store `payload` under `key` atomically (a concurrent reader sees all of it or nothing).

        False if the file system refused (full, read-only, removed, no longer private): a cache
        that cannot be written only costs compile time, so that is never an error for the caller.
        """
        name = f"{key}.o"
        dir_fd = self._open_directory()
        if dir_fd is None:
            return False
        try:
            replace_private(dir_fd, name, _MAGIC + self._tag(name, payload) + payload)
            return True
        except OSError:
            return False
        finally:
            os.close(dir_fd)

    def _open_directory(self) -> int | None:
        """The directory, checked private again at every use (its mode may have changed)."""
        try:
            return open_private_directory(self.directory, create=False)
        except UnsafeFileError as error:
            warn_once(f"object cache refused: {error}; compiling without it",
                      key=("refused directory", self.directory))
        except OSError:
            pass
        return None


def _remove(dir_fd: int, name: str) -> None:
    try:
        os.unlink(name, dir_fd=dir_fd)
    except OSError:  # gone already, or a directory: the next put replaces or fails
        pass


def default_cache_dir() -> Path | None:
    """The per-user cache directory: GFJIT_CACHE_DIR if set (empty: none), else
    `$XDG_CACHE_HOME/gfjit` or `~/.cache/gfjit`; None if GFJIT_CACHE=0."""
    if _turned_off():
        return None
    if "GFJIT_CACHE_DIR" in os.environ:
        return _env_dir()
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG spec: a relative value is to be ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gfjit"


def _turned_off() -> bool:
    return os.environ.get("GFJIT_CACHE", "1").strip().lower() in _OFF


def _env_dir() -> Path | None:
    directory = os.environ.get("GFJIT_CACHE_DIR", "").strip()
    return Path(directory) if directory else None


class _UserDefault:
    def __repr__(self) -> str:
        return "jit.objcache.USER_DEFAULT"


USER_DEFAULT = _UserDefault()
"""`JitPool(cache_dir=USER_DEFAULT)`: the per-user cache of `default_cache_dir()` (the default
pool's choice)."""


def for_pool(cache_dir: str | os.PathLike[str] | _UserDefault | None) -> ObjectCache | None:
    """The cache a JitPool given `cache_dir` uses: None means GFJIT_CACHE_DIR (no cache if
    unset), "" no cache, USER_DEFAULT the per-user cache, a path that directory. An explicit
    directory that cannot be used raises CacheDirectoryError; one from the environment or the
    per-user default is refused with one warning. A missing or unsafe key turns the cache off
    with one warning."""
    if cache_dir is USER_DEFAULT:
        directory = default_cache_dir()
    elif cache_dir is None:
        directory = None if _turned_off() else _env_dir()
    elif os.fspath(cache_dir) == "":
        return None
    else:
        return _open(Path(cache_dir), strict=True)
    return None if directory is None else _open(directory, strict=False)


def _open(directory: Path, strict: bool) -> ObjectCache | None:
    try:
        os.close(open_private_directory(directory, create=True))
    except (OSError, UnsafeFileError) as error:
        reason = error.reason if isinstance(error, UnsafeFileError) else \
            f"{error.strerror or error}"
        message = f"object cache directory {str(directory)!r} is not usable ({reason})"
        if strict:
            raise CacheDirectoryError(message) from None
        warn_once(f"{message}; compiling without a cache")
        return None
    try:
        key = cachekey.user_key()
    except (OSError, UnsafeFileError) as error:
        warn_once(f"the object cache is off: its key {cachekey.key_path()} cannot be used "
                  f"({error})")
        return None
    return ObjectCache(directory, key)
