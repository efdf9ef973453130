"""CodeHandle: a lease on one linked module of a JitPool (see `pool` for the reclamation rule)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Protocol

from .errors import HandleReleasedError, PoolClosedError, SymbolNotFound

if TYPE_CHECKING:
    from .shard import LinkedCode


class LeasingPool(Protocol):
    """What a handle needs of the JitPool that leased it (a protocol, so that this module does
    not import the pool, which imports it)."""

    @property
    def closed(self) -> bool: ...

    def _drop(self, code: LinkedCode, owner: bool) -> None: ...


class CodeHandle:
    """A lease on one linked module: its exported addresses stay valid until it is released.

    Release it explicitly (`release()`, idempotent), with `with`, or by dropping it (garbage
    collection releases it). Releasing the handle that `add` returned also withdraws the
    module's exports from the pool's symbol table.
    """

    __slots__ = ("_pool", "_state", "_owner", "name", "exports", "__weakref__")

    def __init__(self, pool: LeasingPool, code: LinkedCode, owner: bool) -> None:
        self._pool = pool
        self._state = [code]  # popped exactly once: list.pop is atomic
        self._owner = owner
        self.name = code.name
        self.exports = code.exports

    @property
    def released(self) -> bool:
        return not self._state

    def address(self, name: str) -> int:
        """The address of exported symbol `name`."""
        if not self._state:
            raise HandleReleasedError(f"handle of module {self.name!r} was released")
        if self._pool.closed:
            raise PoolClosedError(f"the JitPool of module {self.name!r} is closed")
        if name not in self.exports:
            raise SymbolNotFound(f"module {self.name!r} exports no symbol {name!r} "
                                 f"(it exports: {', '.join(self.exports) or 'nothing'})")
        try:
            return self._state[0].addresses[name]
        except IndexError:  # released by another thread just now
            raise HandleReleasedError(f"handle of module {self.name!r} was released") from None

    def release(self) -> None:
        """Give up this lease (idempotent, never blocks, safe from finalizers)."""
        try:
            code = self._state.pop()
        except IndexError:
            return
        self._pool._drop(code, self._owner)

    def __enter__(self) -> "CodeHandle":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __del__(self, _finalizing=sys.is_finalizing) -> None:
        if getattr(self, "_state", None) and not _finalizing():
            self.release()

    def __repr__(self) -> str:
        state = "released" if self.released else "live"
        return f"<CodeHandle {self.name!r} exports={list(self.exports)} {state}>"
