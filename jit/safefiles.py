"""Files only this user could have written, and files made without following anyone's links.

The JIT trusts two kinds of file: object-cache entries (machine code it will run) and the key that
signs them (a secret). It trusts one only if it is *private*: owned by this user (the effective
uid), not writable by group or others (for a secret: not readable either), reached without
following a link at its last component, and of the expected type. Files are opened with
O_NONBLOCK, so a FIFO planted under a trusted name cannot block the open, and the type is checked
on the open descriptor (fstat) before a byte is read, so a device (`/dev/zero`) or a FIFO is
refused, never read; reads stop at a size bound. Directories are checked the same way on their
open descriptor, and entries are opened relative to that descriptor, so the directory checked is
the one read from even if its path is swapped meanwhile.

Files the JIT writes where someone else may have planted a link (dumps, the perf map) are created
with O_CREAT|O_EXCL|O_NOFOLLOW: a new file or nothing.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

from .errors import UnsafeFileError

_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_WRITABLE_BY_OTHERS = 0o022
_READABLE_OR_WRITABLE_BY_OTHERS = 0o077


def check_private(where: object, st: os.stat_result, is_kind: Callable[[int], bool], kind: str,
                  secret: bool = False) -> None:
    """Raise UnsafeFileError unless `st` is a `kind` owned by this user that group and others
    cannot write (if `secret`: nor read)."""
    if not is_kind(st.st_mode):
        raise UnsafeFileError(where, f"not a {kind}")
    me = os.geteuid()
    if st.st_uid != me:
        raise UnsafeFileError(where, f"owned by uid {st.st_uid}, not by this user (uid {me})")
    loose = st.st_mode & (_READABLE_OR_WRITABLE_BY_OTHERS if secret else _WRITABLE_BY_OTHERS)
    if loose:
        allowed = "read or write" if secret else "write"
        raise UnsafeFileError(where, f"mode {stat.S_IMODE(st.st_mode):04o} lets group or others "
                                     f"{allowed} it (chmod go-rwx {where} if it is yours)")


def open_private_directory(path: Path, create: bool) -> int:
    """A descriptor of directory `path`, made with mode 0700 (and its parents) if `create` and
    absent, after checking it is private. Raises OSError (FileNotFoundError, NotADirectoryError,
    FileExistsError, ...) or UnsafeFileError. The caller closes the descriptor."""
    if create:
        os.makedirs(path, mode=0o700, exist_ok=True)
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        check_private(path, os.fstat(fd), stat.S_ISDIR, "directory")
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_private(dir_fd: int, name: str, limit: int, where: object, secret: bool = False) -> bytes:
    """The bytes of private regular file `name` in directory `dir_fd`, at most `limit` of them.
    Raises FileNotFoundError if it is absent, UnsafeFileError if it is not private, not a regular
    file, a link, or larger than `limit`; other OSErrors as they come."""
    try:
        fd = os.open(name, _READ, dir_fd=dir_fd)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UnsafeFileError(where, "a symbolic link") from None
        raise
    try:
        st = os.fstat(fd)
        check_private(where, st, stat.S_ISREG, "regular file", secret)
        if st.st_size > limit:
            raise UnsafeFileError(where, f"{st.st_size} bytes, more than the {limit} allowed")
        chunks, left = [], limit + 1  # one byte more than allowed shows a file that grew
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise UnsafeFileError(where, f"grew past the {limit} bytes allowed while read")
    return data


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def create_new(name: str | os.PathLike[str], data: bytes, mode: int = 0o600,
               dir_fd: int | None = None) -> None:
    """Create file `name` holding `data`; never follows a link, never opens an existing file
    (FileExistsError). A file left half-written by an error is removed."""
    fd = os.open(name, _CREATE, mode, dir_fd=dir_fd)
    try:
        write_all(fd, data)
    except BaseException:
        os.close(fd)
        os.unlink(name, dir_fd=dir_fd)
        raise
    os.close(fd)


def _temporary_name(name: str) -> str:
    return f".tmp-{name}-{secrets.token_hex(8)}"


def replace_private(dir_fd: int, name: str, data: bytes) -> None:
    """Make `name` in directory `dir_fd` a new mode-0600 file holding `data`, atomically: a reader
    sees the old file or all of the new one (whatever `name` was, link or file, is replaced)."""
    temporary = _temporary_name(name)
    create_new(temporary, data, dir_fd=dir_fd)
    try:
        os.replace(temporary, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        os.unlink(temporary, dir_fd=dir_fd)
        raise


def create_private_once(dir_fd: int, name: str, data: bytes) -> bool:
    """Create `name` in `dir_fd` holding `data` (mode 0600) unless it exists; atomic (a hard link
    of a complete file), so concurrent creators agree on one content. False if it existed."""
    temporary = _temporary_name(name)
    create_new(temporary, data, dir_fd=dir_fd)
    try:
        os.link(temporary, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(temporary, dir_fd=dir_fd)
