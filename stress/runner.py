"""Run a workload's threads in this process until an operation budget or a duration is spent.

The child process of a stress run uses this, and so do the in-process stress tests. The caller's
thread monitors: every `tick` seconds it hands a `Snapshot` to `on_tick`, and it sets the stop
flag when the duration is over. Threads check the flag between operations, so stopping (also on
Ctrl-C) lets every operation in flight finish.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from stress.ringlog import RingLog
from stress.workload import Findings, ThreadContext, Workload, thread_rng


@dataclass(frozen=True)
class Snapshot:
    """Where a run stands: seconds since its threads started, operations by kind and by thread."""

    elapsed: float
    ops_by_kind: dict[str, int]
    ops_by_thread: list[int]
    alive_by_thread: list[bool]


def split_ops(ops: int, threads: int) -> list[int]:
    """An operation budget split across threads as evenly as possible, the first threads taking the rest."""
    share, rest = divmod(ops, threads)
    return [share + (1 if index < rest else 0) for index in range(threads)]


class _Thread:
    def __init__(
        self, ctx: ThreadContext, workload: Workload, quota: int | None, go: threading.Event, stop: threading.Event,
        ended: threading.Semaphore,
    ) -> None:
        self.ctx = ctx
        self.go = go
        self.ended = ended
        self.worker = workload.worker(ctx)
        self.quota = quota
        self.stop = stop
        self.kinds: Counter[str] = Counter()
        self.done = 0
        self.thread = threading.Thread(target=self._main, name=ctx.name, daemon=True)

    def _main(self) -> None:
        try:
            self._loop()
        except Exception:  # outside a step (a workload's bad kind, a finding that could not be sent)
            self.ctx.findings.add("error", f"thread stopped before the end of the run\n{traceback.format_exc()}", self.ctx.name)
        finally:
            self.ended.release()  # wakes the monitor without waiting for its next tick

    def _loop(self) -> None:
        self.go.wait()  # all threads start together, so their first operations race
        while not self.stop.is_set() and (self.quota is None or self.done < self.quota):
            try:
                kind = self.worker.step()
            except Exception:
                self.ctx.findings.add("error", f"unexpected exception\n{traceback.format_exc()}", self.ctx.name)
                kind = "error"
            self.kinds[kind] += 1
            self.done += 1


def run_threads(
    workload: Workload,
    *,
    threads: int,
    seed: int,
    findings: Findings,
    ops: int | None = None,
    seconds: float | None = None,
    stop: threading.Event | None = None,
    ring_log: RingLog | None = None,
    on_tick: Callable[[Snapshot], None] | None = None,
    tick: float = 0.5,
) -> Snapshot:
    """Run `threads` workers of `workload` until `ops` operations in total are done, `seconds`
    have passed, or `stop` is set; then run the workload's end checks. Returns the last snapshot."""
    if threads < 1:
        raise ValueError(f"a run needs at least one thread, got {threads}")
    if ops is None and seconds is None:
        raise ValueError("a run needs an operation budget or a duration")
    stop = stop or threading.Event()
    quotas = split_ops(ops, threads) if ops is not None else [None] * threads
    go = threading.Event()
    ended = threading.Semaphore(0)
    runners = []
    for index in range(threads):
        ring = ring_log.ring(index, f"thread-{index}") if ring_log is not None else None
        ctx = ThreadContext(index, thread_rng(seed, index), findings, note=ring.note if ring else (lambda text: None))
        runners.append(_Thread(ctx, workload, quotas[index], go, stop, ended))
    for runner in runners:
        runner.thread.start()
    started = time.monotonic()
    go.set()

    def snapshot() -> Snapshot:
        kinds: Counter[str] = Counter()
        for runner in runners:
            kinds.update(runner.kinds.copy())
        return Snapshot(
            elapsed=time.monotonic() - started,
            ops_by_kind=dict(sorted(kinds.items())),
            ops_by_thread=[runner.done for runner in runners],
            alive_by_thread=[runner.thread.is_alive() for runner in runners],
        )

    finished = 0
    while any(runner.thread.is_alive() for runner in runners):
        remaining = tick if seconds is None else min(tick, max(0.0, started + seconds - time.monotonic()))
        if finished == threads:  # every thread has left its loop: only its exit remains
            for runner in runners:
                runner.thread.join()
        elif ended.acquire(timeout=remaining):
            finished += 1
        if seconds is not None and time.monotonic() - started >= seconds:
            stop.set()
        if stop.is_set():
            for runner in runners:
                runner.thread.join(tick)
        if on_tick is not None:
            on_tick(snapshot())
    last = snapshot()
    workload.finish(findings)
    return last
