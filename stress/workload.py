"""What a stress workload is, and what its threads are given.

A workload is made once per run by a factory `factory(settings: Settings) -> Workload`. Each
thread of the run asks it for a `Worker` and calls `worker.step()` until the run ends; a step
performs one operation, checks what it observed against the workload's oracle, and returns the
operation's kind (the report counts operations by kind). After every thread has stopped, the
runner calls `workload.finish()` for end-of-run checks, then `workload.counters()`.

Steps report wrong results through `ThreadContext.mismatch` and never raise for them: an exception
escaping `step` is counted as an unexpected error of the run, which is also a failure.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from stress.config import DEFAULT_HANG_AFTER

# How many distinct mismatch and error texts a run keeps; beyond that it only counts them.
DETAILS_KEPT = 20


@dataclass(frozen=True)
class Settings:
    """What every workload factory receives."""

    seed: int
    threads: int
    faults: bool = True  # inject faults (bad IR, raising methods, refused definitions)
    # Faults that damage process-wide state (killing a dispatch compile worker): only in the
    # child process of a run, never in a test process other tests share.
    process_faults: bool = False
    # Seconds without progress after which a thread counts as hung: a workload that waits on
    # something of its own (a forked child) must give up well before that.
    hang_after: float = DEFAULT_HANG_AFTER


@dataclass
class Finding:
    """One distinct finding: its kind ("mismatch" or "error"), its text, how often it was made
    and by which threads (none for end-of-run checks)."""

    kind: str
    text: str
    count: int = 1
    threads: list[str] = field(default_factory=list)

    def label(self) -> str:
        """The text as people read it: who found it, what, and how often."""
        who = f"{', '.join(self.threads)}: " if self.threads else ""
        times = f" [{self.count} times]" if self.count > 1 else ""
        return f"{who}{self.text.rstrip()}{times}"


class Findings:
    """Mismatches and unexpected errors of a run, counted in full; the first few distinct ones
    kept as `Finding`s, identical ones (same kind and text, from any thread) grouped.

    Thread-safe. `on_detail(finding)` is called when a new distinct finding is kept, as soon as it
    is found, so that it survives a crash that comes after it.
    """

    def __init__(self, on_detail: Callable[[Finding], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._on_detail = on_detail
        self.mismatches = 0
        self.errors = 0
        self._kept: dict[tuple[str, str], Finding] = {}

    @property
    def details(self) -> list[Finding]:
        """The distinct findings kept, in the order they were first made."""
        with self._lock:
            return [Finding(f.kind, f.text, f.count, list(f.threads)) for f in self._kept.values()]

    def add(self, kind: str, text: str, thread: str | None = None) -> None:
        """Record a finding of `kind` ("mismatch" or "error"), made by `thread` if a thread's."""
        new = None
        with self._lock:
            if kind == "mismatch":
                self.mismatches += 1
            else:
                self.errors += 1
            finding = self._kept.get((kind, text))
            if finding is not None:
                finding.count += 1
                if thread is not None and thread not in finding.threads:
                    finding.threads.append(thread)
            elif len(self._kept) < DETAILS_KEPT:
                new = self._kept[kind, text] = Finding(kind, text, threads=[thread] if thread is not None else [])
        if new is not None and self._on_detail is not None:
            self._on_detail(new)


class Tally:
    """Named counters that threads may bump concurrently (`+=` on shared ints can lose updates)."""

    def __init__(self, *names: str) -> None:
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(names, 0)

    def add(self, name: str, count: int = 1) -> None:
        with self._lock:
            self._counts[name] = self._counts.get(name, 0) + count

    def as_dict(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)


@dataclass
class ThreadContext:
    """What one thread of a run is given: its index, its own random generator, its note ring."""

    index: int
    rng: random.Random
    findings: Findings
    note: Callable[[str], None] = field(default=lambda text: None)

    @property
    def name(self) -> str:
        return f"thread-{self.index}"

    def mismatch(self, what: str, expected: object, got: object) -> None:
        """Report that `what` gave `got` where the oracle says `expected`."""
        self.findings.add("mismatch", f"{what}: expected {expected!r}, got {got!r}", self.name)

    def failure(self, text: str) -> None:
        """Report a broken invariant that is not a wrong value (e.g. an older version seen after a newer)."""
        self.findings.add("mismatch", text, self.name)


def thread_rng(seed: int, index: int, salt: str = "") -> random.Random:
    """The random generator of thread `index` in a run with `seed`: the same on every run."""
    return random.Random(f"{seed}:{index}:{salt}")


class Worker(Protocol):
    def step(self) -> str:
        """Perform one operation, check it, and return its kind."""


class Workload(Protocol):
    def worker(self, ctx: ThreadContext) -> Worker:
        """The worker for the thread described by `ctx`."""

    def finish(self, findings: Findings) -> None:
        """End-of-run checks, once every thread has stopped; also releases what the run made."""

    def counters(self) -> dict[str, int]:
        """Totals for the report (modules added/live/freed, dispatcher compiles, ...)."""
