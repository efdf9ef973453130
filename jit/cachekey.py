"""The per-user secret that signs object-cache entries.

Cache entries are named by a hash anyone can compute from the IR, so a file's name says nothing
about who wrote it. Each entry therefore carries an HMAC made with this key, which lives outside
the cache (`$XDG_CONFIG_HOME/gfjit/cache.key`, default `~/.config/gfjit/cache.key`) in a private
directory, mode 0600: whoever can read the key is this user (or root), so an entry that verifies
was written by one of this user's processes. The key is created on first use, atomically, so
processes starting together agree on it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from .errors import UnsafeFileError
from .safefiles import create_private_once, open_private_directory, read_private

KEY_BYTES = 32
_FILE = "cache.key"
_loaded: dict[Path, bytes] = {}  # get and setdefault are atomic under the GIL: no lock to fork


def key_path() -> Path:
    """Where this user's cache key is kept."""
    base = os.environ.get("XDG_CONFIG_HOME", "")
    if not os.path.isabs(base):  # the XDG spec: a relative value is to be ignored
        base = os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "gfjit" / _FILE


def user_key() -> bytes:
    """This user's cache key, read (or made) once per process. Raises UnsafeFileError if the key
    or its directory is not private or the key is malformed, OSError if it cannot be made."""
    path = key_path()
    key = _loaded.get(path)
    if key is None:
        key = _loaded.setdefault(path, _load_or_create(path))
    return key


def _load_or_create(path: Path) -> bytes:
    dir_fd = open_private_directory(path.parent, create=True)
    try:
        try:
            key = read_private(dir_fd, _FILE, KEY_BYTES, path, secret=True)
        except FileNotFoundError:
            create_private_once(dir_fd, _FILE, secrets.token_bytes(KEY_BYTES))
            key = read_private(dir_fd, _FILE, KEY_BYTES, path, secret=True)  # ours or a racer's
    finally:
        os.close(dir_fd)
    if len(key) != KEY_BYTES:
        raise UnsafeFileError(path, f"{len(key)} bytes, not a {KEY_BYTES}-byte key")
    return key
