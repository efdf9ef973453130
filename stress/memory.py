"""Resident memory of this process, and the soak verdict on a series of samples."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass

_PAGE = os.sysconf("SC_PAGE_SIZE")
MB = 1024 * 1024


def rss_bytes() -> int:
    """Current resident set size of this process (Linux /proc)."""
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[1]) * _PAGE


def peak_rss_bytes() -> int:
    """Highest resident set size this process has had (VmHWM)."""
    with open("/proc/self/status", "rb") as status:
        for line in status:
            if line.startswith(b"VmHWM:"):
                return int(line.split()[1]) * 1024
    return rss_bytes()


@dataclass(frozen=True)
class SoakVerdict:
    """Resident memory after warm-up: where it stood, how far it grew, how fast, and the bound."""

    warmup_seconds: float
    rss_after_warmup: int
    rss_max_after_warmup: int
    rss_end: int
    growth: int
    slope_mb_per_min: float
    bound: int
    samples: int

    @property
    def ok(self) -> bool:
        return self.growth <= self.bound

    def as_dict(self) -> dict:
        return asdict(self) | {"ok": self.ok}


def soak_verdict(samples: list[tuple[float, int]], warmup_seconds: float, bound: int) -> SoakVerdict:
    """Judge `(elapsed seconds, rss bytes)` samples: growth is the highest RSS after warm-up
    minus the RSS at the end of warm-up; the slope (least squares) shows a steady leak."""
    if not samples:
        raise ValueError("a soak verdict needs at least one memory sample")
    after = [sample for sample in samples if sample[0] >= warmup_seconds] or samples[-1:]
    base = after[0][1]
    growth = max(rss for _, rss in after) - base
    return SoakVerdict(
        warmup_seconds=warmup_seconds,
        rss_after_warmup=base,
        rss_max_after_warmup=max(rss for _, rss in after),
        rss_end=samples[-1][1],
        growth=growth,
        slope_mb_per_min=_slope(after) * 60 / MB,
        bound=bound,
        samples=len(samples),
    )


def _slope(samples: list[tuple[float, int]]) -> float:
    """Least-squares slope of rss over time, in bytes per second (0 for fewer than two samples)."""
    n = len(samples)
    if n < 2:
        return 0.0
    mean_t = sum(t for t, _ in samples) / n
    mean_r = sum(r for _, r in samples) / n
    var = sum((t - mean_t) ** 2 for t, _ in samples)
    if var == 0:
        return 0.0
    return sum((t - mean_t) * (r - mean_r) for t, r in samples) / var
