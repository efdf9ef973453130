"""The child process of a stress run: `python -m stress.child CONFIG_JSON CHANNEL_FD RING_PATH CRASH_PATH PARENT_PID`.

It runs the workload and speaks JSON lines on CHANNEL_FD: `progress` every tick, `mismatch` and
`error` findings as soon as they are found, and a final `report` (or `setup_error`) that carries
the findings again, identical ones grouped with their count. The supervisor
reads them; whatever happens to this process, the ring log at RING_PATH and the Python stacks that
faulthandler writes to CRASH_PATH (on a fatal signal, or on SIGUSR1 when the supervisor sees a
hang) are still there to read. It dies with its parent, the supervisor (`stress.lifeline`;
standard input is the supervisor's pipe).
"""

from __future__ import annotations

import faulthandler
import json
import os
import signal
import sys
import threading
import traceback
from dataclasses import asdict

from stress import workloads
from stress.config import RunConfig
from stress.lifeline import die_at_eof, die_with_parent
from stress.memory import peak_rss_bytes, rss_bytes
from stress.ringlog import RingLog
from stress.runner import Snapshot, run_threads
from stress.workload import Findings, Settings

TICK = 0.5


class Channel:
    """JSON lines to the supervisor, one writer at a time (workers report findings concurrently)."""

    def __init__(self, fd: int) -> None:
        self._file = os.fdopen(fd, "w", buffering=1)
        self._lock = threading.Lock()

    def send(self, kind: str, /, **fields: object) -> None:
        line = json.dumps({"type": kind, **fields})
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()


def _state(snapshot: Snapshot, findings: Findings) -> dict:
    # Counts only: the texts go once each, as found, and grouped in the final report.
    return asdict(snapshot) | {"mismatches": findings.mismatches, "errors": findings.errors}


def main(argv: list[str]) -> int:
    config_json, channel_fd, ring_path, crash_path, parent_pid = argv
    die_with_parent(int(parent_pid))
    die_at_eof(sys.stdin.fileno())
    config = RunConfig.from_json(config_json)
    channel = Channel(int(channel_fd))
    crash_file = open(crash_path, "w")  # kept open for faulthandler until the process ends
    faulthandler.enable(crash_file, all_threads=True)
    faulthandler.register(signal.SIGUSR1, crash_file, all_threads=True)
    stop = threading.Event()
    interrupted = threading.Event()

    def interrupt(*_: object) -> None:
        interrupted.set()
        stop.set()

    # Ctrl-C (the terminal signals the whole process group) and SIGTERM end the run cleanly:
    # threads finish the operation in flight and the report is still written.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, interrupt)

    rss_start = rss_bytes()
    findings = Findings(on_detail=lambda finding: channel.send(finding.kind, **asdict(finding)))
    try:
        workload = workloads.make(config.workload, Settings(config.seed, config.threads, config.faults, process_faults=config.faults, hang_after=config.hang_after))
    except Exception as error:
        # A name that leads nowhere says so in one line; a factory that fails shows where.
        text = str(error) if isinstance(error, workloads.WorkloadNotFound) else traceback.format_exc()
        channel.send("setup_error", text=text)
        return 2
    channel.send("start", pid=os.getpid(), rss=rss_start)

    samples: list[tuple[float, int]] = []

    def on_tick(snapshot: Snapshot) -> None:
        rss = rss_bytes()
        if config.soak and (not samples or snapshot.elapsed - samples[-1][0] >= config.sample_every):
            samples.append((snapshot.elapsed, rss))
        channel.send("progress", **_state(snapshot, findings), rss=rss)

    ring_log = RingLog(ring_path, config.threads)
    last = run_threads(
        workload,
        threads=config.threads,
        seed=config.seed,
        findings=findings,
        ops=config.ops,
        seconds=config.seconds,
        stop=stop,
        ring_log=ring_log,
        on_tick=on_tick,
        tick=TICK,
    )
    rss_end = rss_bytes()
    if config.soak:
        samples.append((last.elapsed, rss_end))
    channel.send(
        "report",
        **_state(last, findings),
        interrupted=interrupted.is_set(),
        rss_start=rss_start,
        rss_peak=peak_rss_bytes(),
        rss_end=rss_end,
        rss_samples=samples,
        counters=workload.counters(),
        details=[asdict(finding) for finding in findings.details],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
