"""One shard of a JitPool: an LLJIT (renewed as it ages), the lock that guards it, and the codes
linked into it.

LLJIT is not safe for concurrent use (concurrent links crashed): every call into a shard's LLJIT
(link, library disposal, LLJIT disposal) happens while its lock is held.

Bounded memory: llvmlite makes a JITDylib per link that disposal only clears (about 9.4 KB stays,
and link time grows with the number of libraries ever made). So a shard retires its LLJIT after
`retire_after` links, links into a fresh one, and disposes the retired one when its last code is
freed, then hands the freed heap back to the system.

Freeing rule: `free_soon` may be called from a garbage-collection finalizer, i.e. at any bytecode
boundary of any thread, possibly one that already holds this shard's lock (or is waiting for the
pool's table lock while another thread holds this one). So it never blocks: it queues the code and
frees the queue only if it can take the lock without waiting; otherwise the lock's holder frees the
queue before it lets go of the lock (`unlock` re-checks the queue after releasing, so nothing
queued is left behind by a race).
"""

from __future__ import annotations

import collections
import ctypes
import threading
import time
from dataclasses import dataclass

from . import forksafe, memory
from .errors import JitError, LinkError, PoolClosedError, UndefinedSymbolError
from .llvm_unlocked import fn, take_string

_link = fn("LLVMPY_LLJIT_Link")
_LinkElement = _link.argtypes[2]._type_
_SymbolAddress = _link.argtypes[4]._type_
_OBJECT_ELEMENT = 2  # llvmlite's element kind for an object-file image


@dataclass(eq=False)
class _Generation:
    """One LLJIT of a shard and how much it has been used."""

    lljit: object
    links: int = 0
    live: int = 0


@dataclass(eq=False)
class LinkedCode:
    """One linked module. `leases` belongs to the pool's table lock, `freed` to the shard lock;
    the rest is fixed once the module is published."""

    name: str
    shard: "Shard"
    generation: _Generation
    tracker: object
    addresses: dict[str, int]              # name -> address of every symbol looked up
    exports: tuple[str, ...] = ()          # the names the pool publishes
    leases: int = 1                        # the owning handle plus every looked-up handle
    freed: bool = False                    # set under the shard lock when the code is gone


class Shard:
    """An LLJIT behind a lock, renewed after `retire_after` links."""

    def __init__(self, index: int, retire_after: int) -> None:
        if retire_after < 1:
            raise ValueError(f"retire_after must be at least 1, not {retire_after!r}")
        self.index = index
        self.retire_after = retire_after
        self._lock = threading.Lock()
        self._holder: int | None = None
        self._current: _Generation | None = None
        self._retired: list[_Generation] = []
        self._live: set[LinkedCode] = set()
        self._to_free: collections.deque[LinkedCode] = collections.deque()
        self._libraries = 0
        self.closed = False
        # statistics (written under the lock, except the wait counters: under the GIL)
        self.lock_waits = 0
        self.wait_seconds = 0.0
        self.lljits_created = 0
        self.lljits_disposed = 0
        self.freed = 0
        self.free_errors = 0
        self.last_free_error = ""
        self._fork_took = False
        forksafe.register(forksafe.RANK_SHARDS, self)

    # -- the lock ---------------------------------------------------------------------------

    def try_lock(self) -> bool:
        if not self._lock.acquire(blocking=False):
            return False
        self._holder = threading.get_ident()
        return True

    def lock(self) -> None:
        """Take the lock, waiting if need be (never from a finalizer)."""
        if self.try_lock():
            return
        if self._holder == threading.get_ident():
            raise JitError(f"JIT shard {self.index} used re-entrantly (from a finalizer or "
                           "callback that ran while this thread was linking)")
        start = time.perf_counter()
        self._lock.acquire()
        self._holder = threading.get_ident()
        self.lock_waits += 1
        self.wait_seconds += time.perf_counter() - start

    def unlock(self) -> None:
        """Free what was queued, then let go of the lock; repeat if more was queued meanwhile."""
        while True:
            try:
                while self._to_free:
                    self._free(self._to_free.popleft())
            finally:
                self._holder = None
                self._lock.release()
            if not self._to_free or not self.try_lock():
                return

    def fork_acquire(self) -> None:
        """Hold the lock across a fork (see forksafe), unless this thread holds it already."""
        self._fork_took = self._holder != threading.get_ident()
        if self._fork_took:
            self._lock.acquire()
            self._holder = threading.get_ident()

    def fork_release(self, child: bool) -> None:
        if self._fork_took:
            self.unlock()  # frees what was queued meanwhile, as every holder does

    # -- linking and freeing (lock held) ------------------------------------------------------

    def link(self, name: str, data: bytes, imports: dict[str, int], exports: list[str]
             ) -> LinkedCode:
        """Link object `data` into this shard's LLJIT. The caller holds the lock."""
        if self.closed:
            raise PoolClosedError("the JitPool is closed")
        generation = self._generation_for_link()
        generation.links += 1
        self._libraries += 1
        library = f"gfjit{self._libraries}".encode()
        elements = (_LinkElement * 1)()
        elements[0].element_kind = _OBJECT_ELEMENT
        elements[0].value = data
        elements[0].value_len = len(data)
        imported = (_SymbolAddress * len(imports))()
        for i, (symbol, address) in enumerate(imports.items()):
            imported[i].name = symbol.encode("utf-8")
            imported[i].address = address
        exported = (_SymbolAddress * len(exports))()
        for i, symbol in enumerate(exports):
            exported[i].name = symbol.encode("utf-8")
        err = ctypes.c_char_p()
        tracker = _link(generation.lljit, library, elements, 1, imported, len(imports),
                        exported, len(exports), ctypes.byref(err))
        message = take_string(err)
        if not tracker:
            if "Symbols not found" in message:
                raise UndefinedSymbolError(name, [message])
            raise LinkError(f"linking module {name!r} failed: {message}")
        generation.live += 1
        code = LinkedCode(name, self, generation, tracker,
                          {symbol: exported[i].address for i, symbol in enumerate(exports)})
        self._live.add(code)
        return code

    def _generation_for_link(self) -> _Generation:
        current = self._current
        if current is not None and current.links < self.retire_after:
            return current
        if current is not None:
            self._retire(current)
        err = ctypes.c_char_p()
        lljit = fn("LLVMPY_CreateLLJITCompiler")(None, False, False, ctypes.byref(err))
        message = take_string(err)
        if not lljit:
            raise JitError(f"could not create an LLJIT for shard {self.index}: {message}")
        self.lljits_created += 1
        self._current = _Generation(lljit)
        return self._current

    def _retire(self, generation: _Generation) -> None:
        self._current = None
        if generation.live == 0:
            self._dispose(generation)
        else:
            self._retired.append(generation)

    def _dispose(self, generation: _Generation) -> None:
        fn("LLVMPY_LLJITDispose")(generation.lljit)
        self.lljits_disposed += 1
        memory.trim()

    def _free(self, code: LinkedCode) -> None:
        if code.freed:
            return
        code.freed = True
        self._live.discard(code)
        err = ctypes.c_char_p()
        if fn("LLVMPY_LLJIT_Dylib_Tracker_Dispose")(code.tracker, ctypes.byref(err)):
            self.free_errors += 1
            self.last_free_error = f"{code.name}: {take_string(err)}"
        else:
            take_string(err)
        self.freed += 1
        generation = code.generation
        generation.live -= 1
        if generation.live == 0 and generation in self._retired:
            self._retired.remove(generation)
            self._dispose(generation)

    # -- used by the pool ---------------------------------------------------------------------

    def free_soon(self, code: LinkedCode) -> None:
        """Free `code` now if the lock is free, else as soon as its holder lets go. Never blocks."""
        self._to_free.append(code)
        if self.try_lock():
            self.unlock()

    def free_now(self, code: LinkedCode) -> None:
        """Free `code` at once. The caller holds the lock."""
        self._free(code)

    def close(self) -> None:
        """Free every code and LLJIT of this shard. The caller holds the lock."""
        self.closed = True
        for code in list(self._live):
            self._free(code)
        self._to_free.clear()
        for generation in [*self._retired, *([self._current] if self._current else [])]:
            self._dispose(generation)
        self._retired.clear()
        self._current = None

    def stats(self) -> dict:
        return {"lock_waits": self.lock_waits, "wait_seconds": self.wait_seconds,
                "lljits_created": self.lljits_created, "lljits_disposed": self.lljits_disposed,
                "freed": self.freed, "free_errors": self.free_errors,
                "last_free_error": self.last_free_error}
