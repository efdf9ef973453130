"""Run one stress run in a child process and turn whatever happens to it into a `Report`.

The child (`stress.child`) can crash, abort, hang or be interrupted; the supervisor survives all
of them. It reads the child's JSON lines, watches for threads that stop making progress, forwards
Ctrl-C, and after a crash reads the child's ring log and faulthandler stacks from the run directory.
The child dies with the supervisor (`stress.lifeline`): its standard input is a pipe the
supervisor holds open and never writes to.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from stress.config import RunConfig
from stress.memory import soak_verdict
from stress.report import Crash, Report
from stress.ringlog import read_rings
from stress.workload import Finding

# Seconds the child gets to write its report after Ctrl-C, and to dump its stacks when hung.
INTERRUPT_GRACE = 30.0
STACK_DUMP_GRACE = 2.0
STDERR_TAIL = 4000


class _Watch:
    """Per-thread progress from the child's messages: which live thread has stalled, and since when."""

    def __init__(self, hang_after: float) -> None:
        self.hang_after = hang_after
        self.last_message = time.monotonic()
        self._seen: dict[int, tuple[int, float]] = {}

    def saw(self, message: dict) -> None:
        now = time.monotonic()
        self.last_message = now
        for index, (ops, alive) in enumerate(zip(message["ops_by_thread"], message["alive_by_thread"])):
            if not alive:
                self._seen.pop(index, None)
            elif self._seen.get(index, (None, 0.0))[0] != ops:
                self._seen[index] = (ops, now)

    def hung(self) -> bool:
        now = time.monotonic()
        if now - self.last_message > self.hang_after:
            return True
        return any(now - since > self.hang_after for _, since in self._seen.values())


def prepare_run_dir(path: str) -> Path:
    """Make the run directory `path` if need be and check that files can be made in it; a
    `ValueError` naming `--run-dir` says why not."""
    directory = Path(path)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as error:
        raise ValueError(f"--run-dir {path}: cannot write there: {error.strerror or error}") from error
    return directory


def supervise(
    config: RunConfig,
    *,
    on_progress: Callable[[dict], None] = lambda message: None,
    run_dir: str | None = None,
) -> Report:
    """Run `config` in a child process and report. A live thread without progress for
    `config.hang_after` seconds counts as a hang. The run directory (ring log, stacks, child's
    stderr) is kept only if the run did not end ok. The child dies with the thread calling this."""
    own_dir = run_dir is None
    directory = Path(tempfile.mkdtemp(prefix="gfjit-stress-")) if own_dir else prepare_run_dir(run_dir)
    ring_path, crash_path, stderr_path = directory / "ring.log", directory / "stacks.txt", directory / "stderr.txt"
    read_fd, write_fd = os.pipe()
    with open(stderr_path, "wb") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-m", "stress.child", config.to_json(), str(write_fd), str(ring_path), str(crash_path),
             str(os.getpid())],
            pass_fds=(write_fd,),
            stdin=subprocess.PIPE,  # the lifeline: never written, closed when this process ends
            stdout=stderr,
            stderr=stderr,
        )
    os.close(write_fd)
    report = Report(config)
    try:
        _follow(child, read_fd, report, on_progress, _Watch(config.hang_after))
    finally:
        os.close(read_fd)
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdin.close()
    if report.crash is not None:
        report.crash.rings = read_rings(str(ring_path)) if ring_path.exists() and ring_path.stat().st_size else {}
        report.crash.stacks = crash_path.read_text(errors="replace") if crash_path.exists() else ""
        report.crash.stderr_tail = stderr_path.read_bytes()[-STDERR_TAIL:].decode(errors="replace")
    if report.status == "ok" and own_dir:
        for path in (ring_path, crash_path, stderr_path):
            path.unlink(missing_ok=True)
        directory.rmdir()
    return report


class _Interrupts:
    """Ctrl-C while a run is in progress: the first asks the child to stop and report (SIGINT),
    a second one kills it. A signal handler, not KeyboardInterrupt, so that no exception can
    land in the middle of the supervisor's own bookkeeping. Only the main thread can install it."""

    def __init__(self, child: subprocess.Popen) -> None:
        self.child = child
        self.deadline: float | None = None
        self.killed = False  # we killed the child on a second Ctrl-C or after the grace period
        self._previous = None

    def __enter__(self) -> _Interrupts:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _handle(self, signum: int, frame: object) -> None:
        if self.child.poll() is not None:
            return
        if self.deadline is None:
            self.deadline = time.monotonic() + INTERRUPT_GRACE
            self.child.send_signal(signal.SIGINT)  # also when only we got it (not a terminal's Ctrl-C)
        else:
            self.kill()

    def kill(self) -> None:
        self.killed = True
        self.child.kill()


def _follow(child: subprocess.Popen, read_fd: int, report: Report, on_progress: Callable[[dict], None], watch: _Watch) -> None:
    """Read the child's messages into `report` until the child's channel closes or the child is
    gone, then classify its end."""
    buffer = b""
    got_report = False
    hang = False
    with _Interrupts(child) as interrupts:
        while True:
            ready, _, _ = select.select([read_fd], [], [], 0.25)
            if ready:
                chunk = os.read(read_fd, 65536)
                if not chunk:
                    break
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    message = json.loads(line)
                    got_report |= message["type"] in ("report", "setup_error")
                    _absorb(message, report, watch, on_progress)
            elif child.poll() is not None:
                break  # gone, and all it wrote is read: a process it forked may still hold the channel
            if interrupts.deadline is not None:
                report.interrupted = True
                if time.monotonic() > interrupts.deadline:
                    interrupts.kill()
            elif watch.hung():
                hang = True
                _take_stacks_and_kill(child)
        returncode = child.wait()
    if hang:
        report.crash = Crash("hang", returncode, {}, "", "")
    elif interrupts.killed:
        pass  # interrupted twice (or the report did not come in time): a partial report
    elif returncode < 0:
        report.crash = Crash("signal", returncode, {}, "", "")
    elif not got_report:
        report.crash = Crash("exit", returncode, {}, "", "")


def _absorb(message: dict, report: Report, watch: _Watch, on_progress: Callable[[dict], None]) -> None:
    kind = message["type"]
    if kind == "start":
        report.rss_start = report.rss_peak = report.rss_end = message["rss"]
    elif kind == "progress":
        watch.saw(message)
        report.elapsed = message["elapsed"]
        report.ops_by_kind = message["ops_by_kind"]
        report.ops_by_thread = message["ops_by_thread"]
        report.mismatches = message["mismatches"]
        report.errors = message["errors"]
        report.rss_end = message["rss"]
        report.rss_peak = max(report.rss_peak, message["rss"])
        on_progress(message)
    elif kind in ("mismatch", "error"):
        report.details.append(_finding(message))
    elif kind == "setup_error":
        report.setup_error = message["text"]
    elif kind == "report":
        for name in ("elapsed", "ops_by_kind", "ops_by_thread", "mismatches", "errors"):
            setattr(report, name, message[name])
        report.rss_start, report.rss_peak, report.rss_end = message["rss_start"], message["rss_peak"], message["rss_end"]
        report.counters = message["counters"]
        report.details = [_finding(finding) for finding in message["details"]]
        report.interrupted |= message["interrupted"]
        config = report.config
        if config.soak:
            report.rss_samples = [(elapsed, rss) for elapsed, rss in message["rss_samples"]]
            report.soak = soak_verdict(report.rss_samples, config.warmup, config.rss_growth_bound)


def _finding(message: dict) -> Finding:
    return Finding(message["kind"], message["text"], message["count"], message["threads"])


def _take_stacks_and_kill(child: subprocess.Popen) -> None:
    """Ask the hung child for its Python stacks (faulthandler on SIGUSR1), then kill it."""
    if child.poll() is None:
        child.send_signal(signal.SIGUSR1)
        try:
            child.wait(STACK_DUMP_GRACE)
        except subprocess.TimeoutExpired:
            child.kill()
