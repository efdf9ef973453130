"""The settings of one stress run, as the supervisor hands them to the child process."""

from __future__ import annotations

import json
import shlex
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class RunConfig:
    """One run: which workload, how many threads, for how long, with which seed.

    Exactly one of `ops` (total operations, split across threads) and `seconds` is set.
    With `soak`, resident memory is sampled every `sample_every` seconds and the run fails if it
    grows by more than `rss_growth_bound` bytes after `warmup` seconds.
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
    rss_growth_bound: int = 0

    def __post_init__(self) -> None:
        if self.threads < 1:
            raise ValueError(f"--threads must be at least 1, got {self.threads}")
        if (self.ops is None) == (self.seconds is None):
            raise ValueError("give exactly one of --ops and --seconds")
        if self.ops is not None and self.ops < 1:
            raise ValueError(f"--ops must be at least 1, got {self.ops}")
        if self.seconds is not None and self.seconds <= 0:
            raise ValueError(f"--seconds must be positive, got {self.seconds}")
        if self.soak and self.seconds is None:
            raise ValueError("--soak runs for a duration: give --seconds")

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
            words += ["--soak", "--warmup", f"{self.warmup:g}", "--rss-growth-mb", f"{self.rss_growth_bound / 2**20:g}"]
        return shlex.join(words)
