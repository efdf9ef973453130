"""Workloads that exercise the stress harness itself (loaded by the child as `toy_workloads:NAME`)."""

from __future__ import annotations

import ctypes
import os
import threading
from pathlib import Path

from stress.workload import Findings, Settings, ThreadContext


class _Counting:
    """Adds two numbers and checks the sum; `fail_at` makes one thread see a wrong sum."""

    def __init__(self, settings: Settings, fail_at: int | None = None) -> None:
        self.settings = settings
        self.fail_at = fail_at
        self.steps = 0
        self.lock = threading.Lock()

    def worker(self, ctx: ThreadContext):
        workload = self

        class Worker:
            count = 0

            def step(self) -> str:
                self.count += 1
                a, b = ctx.rng.randrange(100), ctx.rng.randrange(100)
                ctx.note(f"add {a} {b}")
                got = a + b + (1 if ctx.index == 0 and self.count == workload.fail_at else 0)
                if got != a + b:
                    ctx.mismatch(f"{a} + {b}", a + b, got)
                with workload.lock:
                    workload.steps += 1
                return "add" if self.count % 2 else "add.odd"

        return Worker()

    def finish(self, findings: Findings) -> None:
        pass

    def counters(self) -> dict[str, int]:
        return {"steps counted by the workload": self.steps}


def counting(settings: Settings) -> _Counting:
    return _Counting(settings)


def mismatching(settings: Settings) -> _Counting:
    return _Counting(settings, fail_at=3)


class _Crashing(_Counting):
    """Thread 0 dies on its 50th step, by `how`, after noting what it is about to do."""

    def __init__(self, settings: Settings, how: str) -> None:
        super().__init__(settings)
        self.how = how

    def worker(self, ctx: ThreadContext):
        inner = super().worker(ctx)
        how = self.how

        class Worker:
            count = 0

            def step(self) -> str:
                self.count += 1
                if ctx.index == 0 and self.count == 50:
                    ctx.note(f"about to {how}")
                    if how == "segfault":
                        ctypes.string_at(0)  # reads address 0: SIGSEGV in the child
                    elif how == "abort":
                        os.abort()
                    elif how == "exit":
                        os._exit(7)
                    elif how == "hang":
                        threading.Event().wait()  # never set: this thread stops making progress
                return inner.step()

        return Worker()


def segfaulting(settings: Settings) -> _Crashing:
    return _Crashing(settings, "segfault")


def aborting(settings: Settings) -> _Crashing:
    return _Crashing(settings, "abort")


def exiting(settings: Settings) -> _Crashing:
    return _Crashing(settings, "exit")


def hanging(settings: Settings) -> _Crashing:
    return _Crashing(settings, "hang")


def raising(settings: Settings) -> _Raising:
    return _Raising(settings)


class _Raising(_Counting):
    def worker(self, ctx: ThreadContext):
        class Worker:
            def step(self) -> str:
                raise RuntimeError("a step that raises")

        return Worker()


def misreporting(settings: Settings) -> _Misreporting:
    return _Misreporting(settings)


class _Misreporting(_Counting):
    """Thread 0's steps return an unhashable kind, which the runner cannot count (a workload bug)."""

    def worker(self, ctx: ThreadContext):
        counting = super().worker(ctx)

        class Worker:
            def step(self):
                kind = counting.step()
                return [kind] if ctx.index == 0 else kind

        return Worker()


def broken(settings: Settings):
    raise RuntimeError("this workload cannot be made")


def stuck_in_setup(settings: Settings):
    """A workload whose making never ends, after touching the file named by $STRESS_TOY_READY:
    its child process never writes to the supervisor again, so only its lifeline can end it."""
    Path(os.environ["STRESS_TOY_READY"]).touch()
    threading.Event().wait()
