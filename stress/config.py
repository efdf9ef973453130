"""The settings of one stress run, as the supervisor hands them to the child process, and their bounds.

Every bound is checked here, once, with a message that names the command-line flag; `gfjit stress`
turns the `ValueError` into a usage error, and the child process rebuilds the same config.
"""

from __future__ import annotations

import json
import math
import shlex
from dataclasses import asdict, dataclass

from stress.memory import MB

MAX_THREADS = 1024
MAX_SEED = 2**64 - 1
DEFAULT_HANG_AFTER = 60.0
DEFAULT_RSS_GROWTH_MB = 64.0
# The child reports every half second (`stress.child.TICK`): a shorter wait would take a healthy
# run for a hung one.
MIN_HANG_AFTER = 1.0


@dataclass(frozen=True)
class RunConfig:
    """One run: which workload, how many threads, for how long, with which seed.

    Exactly one of `ops` (total operations, split across threads) and `seconds` is set.
    With `soak`, resident memory is sampled every `sample_every` seconds and the run fails if it
    grows by more than `rss_growth_mb` after `warmup` seconds. A live thread that makes no
    progress for `hang_after` seconds is a hang.
    """

    workload: str
    threads: int
    seed: int
    ops: int | None = None
    seconds: float | None = None
    faults: bool = True
    soak: bool = False
    warmup: float = 0.0
    sample_every: float = 1.0
    rss_growth_mb: float = DEFAULT_RSS_GROWTH_MB
    hang_after: float = DEFAULT_HANG_AFTER

    def __post_init__(self) -> None:
        _require(1 <= self.threads <= MAX_THREADS, "--threads", self.threads, f"must be from 1 to {MAX_THREADS}")
        _require(0 <= self.seed <= MAX_SEED, "--seed", self.seed, "must be from 0 to 2**64-1")
        if (self.ops is None) == (self.seconds is None):
            raise ValueError("give exactly one of --ops and --seconds")
        if self.ops is not None:
            _require(self.ops >= 1, "--ops", self.ops, "must be at least 1")
        if self.seconds is not None:
            _require_seconds("--seconds", self.seconds, self.seconds > 0, "above 0")
        if self.soak and self.seconds is None:
            raise ValueError("--soak runs for a duration: give --seconds")
        _require_seconds("--warmup", self.warmup, self.warmup >= 0, "at least 0")
        if self.soak:
            _require(self.warmup < self.seconds, "--warmup", self.warmup, f"must be shorter than the run (--seconds {self.seconds:g})")
        _require_seconds("--sample-every", self.sample_every, self.sample_every > 0, "above 0")
        _require(
            math.isfinite(self.rss_growth_mb) and self.rss_growth_mb > 0,
            "--rss-growth-mb", self.rss_growth_mb, "must be a finite number of MB above 0",
        )
        _require_seconds("--hang-after", self.hang_after, self.hang_after >= MIN_HANG_AFTER, f"at least {MIN_HANG_AFTER:g}")

    @property
    def rss_growth_bound(self) -> int:
        """The soak's bound on resident-memory growth after warm-up, in bytes."""
        return int(self.rss_growth_mb * MB)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> RunConfig:
        return cls(**json.loads(text))

    def command(self) -> str:
        """The `gfjit stress` command line that repeats this run (same seed, same operations per thread)."""
        words = ["gfjit", "stress", "--workload", self.workload, "--threads", str(self.threads), "--seed", str(self.seed)]
        words += ["--ops", str(self.ops)] if self.ops is not None else ["--seconds", f"{self.seconds:g}"]
        if not self.faults:
            words.append("--no-faults")
        if self.soak:
            words += ["--soak", "--warmup", f"{self.warmup:g}", "--rss-growth-mb", f"{self.rss_growth_mb:g}"]
        if self.hang_after != DEFAULT_HANG_AFTER:
            words += ["--hang-after", f"{self.hang_after:g}"]
        return shlex.join(words)


def _require(ok: bool, flag: str, value: object, rule: str) -> None:
    """A usage error naming `flag` and its `value` unless `ok`."""
    if not ok:
        shown = f"{value:g}" if isinstance(value, float) else value
        raise ValueError(f"{flag} {shown}: {rule}")


def _require_seconds(flag: str, value: float, in_range: bool, range_text: str) -> None:
    _require(math.isfinite(value) and in_range, flag, value, f"must be a finite number of seconds, {range_text}")
