"""The outcome of a stress run: the table people read, the JSON machines read, the exit status."""

from __future__ import annotations

import json
import signal
from dataclasses import asdict, dataclass, field

from stress.config import RunConfig
from stress.memory import MB, SoakVerdict
from stress.ringlog import Note
from stress.workload import Finding

# Exit statuses of `gfjit stress`.
EXIT_OK = 0
EXIT_FAILED = 1  # mismatches, unexpected errors, soak bound exceeded, workload could not start
EXIT_USAGE = 2  # bad command line
EXIT_CRASHED = 3  # the child died of a signal, exited without a report, or hung
EXIT_INTERRUPTED = 130  # Ctrl-C: the run ended early but cleanly, with its report

# Notes per thread shown in a crash report (the ring keeps more; --json has them all).
NOTES_SHOWN = 8


def signal_name(signum: int) -> str:
    """"SIGSEGV" for 11, and so on; "signal N" for a number without a name."""
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


@dataclass
class Crash:
    """How the child process ended badly, and what it was doing."""

    reason: str  # "signal", "exit", "hang"
    returncode: int | None
    rings: dict[str, list[Note]]
    stacks: str  # faulthandler's Python stacks of every thread, if it could write them
    stderr_tail: str

    @property
    def signal_name(self) -> str | None:
        if self.returncode is None or self.returncode >= 0:
            return None
        return signal_name(-self.returncode)

    def describe(self) -> str:
        if self.reason == "signal":
            return f"killed by {self.signal_name}"
        if self.reason == "hang":
            return "hung: a thread made no progress (stacks taken with SIGUSR1, then killed)"
        return f"exited with status {self.returncode} without a report"


@dataclass
class Report:
    """Everything a run found. `status` is ok, failed, crashed, hung, interrupted or setup-error."""

    config: RunConfig
    elapsed: float = 0.0
    ops_by_kind: dict[str, int] = field(default_factory=dict)
    ops_by_thread: list[int] = field(default_factory=list)
    mismatches: int = 0
    errors: int = 0
    details: list[Finding] = field(default_factory=list)  # distinct findings, identical ones grouped
    interrupted: bool = False
    rss_start: int = 0
    rss_peak: int = 0
    rss_end: int = 0
    counters: dict[str, int] = field(default_factory=dict)
    soak: SoakVerdict | None = None
    rss_samples: list[tuple[float, int]] = field(default_factory=list)  # (seconds, bytes), soak only
    crash: Crash | None = None
    setup_error: str | None = None

    @property
    def total_ops(self) -> int:
        return sum(self.ops_by_kind.values())

    @property
    def status(self) -> str:
        if self.setup_error is not None:
            return "setup-error"
        if self.crash is not None:
            return "hung" if self.crash.reason == "hang" else "crashed"
        if self.mismatches or self.errors or (self.soak is not None and not self.soak.ok):
            return "failed"
        return "interrupted" if self.interrupted else "ok"

    @property
    def exit_status(self) -> int:
        return {
            "ok": EXIT_OK,
            "failed": EXIT_FAILED,
            "setup-error": EXIT_FAILED,
            "crashed": EXIT_CRASHED,
            "hung": EXIT_CRASHED,
            "interrupted": EXIT_INTERRUPTED,
        }[self.status]

    def rate(self, count: int) -> float:
        return count / self.elapsed if self.elapsed > 0 else 0.0

    def as_dict(self) -> dict:
        """The report for machines (`--json`): every figure of the table, plus the details."""
        data = {
            "status": self.status,
            "exit_status": self.exit_status,
            "command": self.config.command(),
            "config": asdict(self.config),
            "elapsed": self.elapsed,
            "ops_total": self.total_ops,
            "ops_by_kind": self.ops_by_kind,
            "ops_per_second": {kind: self.rate(count) for kind, count in self.ops_by_kind.items()},
            "ops_by_thread": self.ops_by_thread,
            "mismatches": self.mismatches,
            "errors": self.errors,
            "crashes": int(self.crash is not None and self.crash.reason != "hang"),
            "hangs": int(self.crash is not None and self.crash.reason == "hang"),
            "details": [asdict(finding) for finding in self.details],
            "interrupted": self.interrupted,
            "rss": {"start": self.rss_start, "peak": self.rss_peak, "end": self.rss_end},
            "counters": self.counters,
            "soak": self.soak.as_dict() | {"rss_samples": self.rss_samples} if self.soak is not None else None,
            "crash": None,
            "setup_error": self.setup_error,
        }
        if self.crash is not None:
            data["crash"] = {
                "reason": self.crash.reason,
                "returncode": self.crash.returncode,
                "signal": self.crash.signal_name,
                "last_operations": {
                    label: [asdict(note) for note in notes] for label, notes in self.crash.rings.items()
                },
                "stacks": self.crash.stacks,
                "stderr_tail": self.crash.stderr_tail,
            }
        return data

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2)

    def render(self) -> str:
        """The report as people read it: a header, the table, then what went wrong."""
        cfg = self.config
        lines = [
            f"gfjit stress: workload {cfg.workload}, {cfg.threads} threads, seed {cfg.seed}, "
            f"{self.elapsed:.1f} s: {self.status.upper()}",
        ]
        if self.setup_error is not None:
            lines += ["the workload could not start:", self.setup_error.rstrip()]
            return "\n".join(lines)
        width = max([len("operation"), *map(len, self.ops_by_kind)])
        lines.append(f"  {'operation':<{width}} {'count':>12} {'ops/s':>12}")
        for kind, count in self.ops_by_kind.items():
            lines.append(f"  {kind:<{width}} {count:>12,} {self.rate(count):>12,.0f}")
        lines.append(f"  {'total':<{width}} {self.total_ops:>12,} {self.rate(self.total_ops):>12,.0f}")
        crashes = int(self.crash is not None)
        lines.append(f"  mismatches {self.mismatches}   unexpected errors {self.errors}   crashes {crashes}")
        lines.append(
            f"  resident memory: start {self.rss_start / MB:.1f} MB, peak {self.rss_peak / MB:.1f} MB, "
            f"end {self.rss_end / MB:.1f} MB"
        )
        for name, value in self.counters.items():
            lines.append(f"  {name}: {value:,}")
        if self.soak is not None:
            soak = self.soak
            lines.append(
                f"  soak: after {soak.warmup_seconds:g} s warm-up RSS {soak.rss_after_warmup / MB:.1f} MB, "
                f"max {soak.rss_max_after_warmup / MB:.1f} MB, growth {soak.growth / MB:.1f} MB "
                f"(bound {soak.bound / MB:g} MB), slope {soak.slope_mb_per_min:+.2f} MB/min, "
                f"{soak.samples} samples: {'ok' if soak.ok else 'GREW PAST THE BOUND'}"
            )
        for finding in self.details:
            lines.append(f"  {finding.kind}: {finding.label()}")
        unshown = self.mismatches + self.errors - sum(finding.count for finding in self.details)
        if unshown > 0:
            lines.append(f"  ({unshown} more findings not shown)")
        if self.crash is not None:
            lines += self._render_crash(self.crash)
        if self.status != "ok":
            lines.append(f"repeat with: {cfg.command()}")
        return "\n".join(lines)

    @staticmethod
    def _render_crash(crash: Crash) -> list[str]:
        lines = [f"CHILD PROCESS {crash.describe().upper()}", "last operations of each thread (oldest first):"]
        for label, notes in crash.rings.items():
            lines.append(f"  {label}:")
            for note in notes[-NOTES_SHOWN:]:
                lines.append(f"    #{note.seq} {note.text}")
        if crash.stacks.strip():
            lines += ["Python stacks at the time (faulthandler):", crash.stacks.rstrip()]
        if crash.stderr_tail.strip():
            lines += ["child's stderr (tail):", crash.stderr_tail.rstrip()]
        return lines
