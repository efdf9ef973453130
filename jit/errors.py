"""The exceptions of the JIT layer: one class per thing that can be wrong, all under JitError."""

from __future__ import annotations


class JitError(Exception):
    """Base class of every error raised by the jit package."""


class IRSyntaxError(JitError):
    """LLVM could not parse the IR text.

    `line` and `column` are 1-based positions in the IR; `source_line` is that line's text.
    """

    def __init__(self, message: str, line: int | None, column: int | None,
                 source_line: str | None, module: str = "") -> None:
        where = f"{module}:{line}:{column}" if line is not None else module or "<ir>"
        text = f"{where}: {message}"
        if source_line is not None:
            text += f"\n  {source_line}"
            if column is not None:
                text += "\n  " + " " * (column - 1) + "^"
        super().__init__(text)
        self.message = message
        self.line = line
        self.column = column
        self.source_line = source_line
        self.module = module


class IRVerifyError(JitError):
    """The IR parsed but is not valid LLVM IR (the LLVM verifier rejected it)."""


class UndefinedSymbolError(JitError):
    """The module refers to external symbols that neither `imports` nor the process define."""

    def __init__(self, module: str, names: list[str]) -> None:
        super().__init__(
            f"module {module!r} refers to undefined symbol(s) {', '.join(sorted(names))}: "
            "pass their addresses in imports={name: address} (jit.capi.address() gives "
            "CPython C-API functions)")
        self.names = sorted(names)


class MissingExportError(JitError):
    """An export was requested that the module does not define as a global symbol."""

    def __init__(self, module: str, names: list[str], defined: list[str]) -> None:
        super().__init__(
            f"module {module!r} does not define exported symbol(s) {', '.join(sorted(names))} "
            f"(it defines: {', '.join(sorted(defined)) or 'nothing global'})")
        self.names = sorted(names)


class DuplicateSymbolError(JitError):
    """An exported name is already live in the pool, or listed twice in one add."""


class SymbolNotFound(JitError, KeyError):
    """No live code exports this name (never added, or released)."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class HandleReleasedError(JitError):
    """A released code handle was used."""


class PoolClosedError(JitError):
    """A closed JitPool (or a handle of one) was used."""


class LinkError(JitError):
    """LLVM's JIT linker rejected an object it was given (message from LLVM)."""


class UnsafeFileError(JitError):
    """A file or directory the JIT would trust could have been written by someone else (another
    owner, writable by group or others, a link, not a regular file), or is too large to read."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class CacheDirectoryError(JitError, ValueError):
    """The object-cache directory given to a JitPool cannot be used (not a directory, cannot be
    made, or not private to this user)."""


class CompileWorkerError(JitError):
    """A compile worker process failed a request: it crashed (`cause` "signal" or "exit"), did not
    answer in time ("timeout"), ran out of its memory cap ("memory"), could not start ("start"), or
    broke the protocol ("protocol"). The worker was killed and will be replaced.
    """

    def __init__(self, module: str, pid: int | None, cause: str, detail: str) -> None:
        worker = f"worker process {pid}" if pid is not None else "a worker process"
        super().__init__(f"compiling module {module!r} in {worker} failed ({cause}): {detail}")
        self.module = module
        self.pid = pid
        self.cause = cause
        self.detail = detail
