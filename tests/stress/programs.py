"""Run explicit per-thread programs of workload operations concurrently (for hypothesis tests)."""

from __future__ import annotations

import threading
import traceback

from hypothesis import HealthCheck, Phase, settings

from stress.workload import Findings, ThreadContext, thread_rng


def concurrent_examples(max_examples: int) -> settings:
    """Hypothesis settings for concurrent programs: no shrinking (each example runs threads, and
    shrinking a failure would rerun hundreds of them for minutes), one failure reported, with the
    blob that reproduces it."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        phases=(Phase.explicit, Phase.reuse, Phase.generate),
        report_multiple_bugs=False,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    )


def run_programs(workload, programs, perform, seed: int = 0) -> Findings:
    """Give each program a thread and a worker of `workload`; `perform(worker, op)` runs one op.
    All threads start together; returns the findings, end checks included."""
    findings = Findings()
    workers = [workload.worker(ThreadContext(i, thread_rng(seed, i), findings)) for i in range(len(programs))]
    go = threading.Barrier(len(programs))

    def main(worker, program):
        go.wait()
        for op in program:
            try:
                perform(worker, op)
            except Exception:
                findings.add("error", f"{op!r}: {traceback.format_exc()}")

    threads = [threading.Thread(target=main, args=pair) for pair in zip(workers, programs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    workload.finish(findings)
    return findings


def verdict(findings: Findings, repro: str) -> str:
    """The failure message: every finding kept, and how to repeat the run."""
    lines = [f"{findings.mismatches} mismatches, {findings.errors} errors; {repro}"]
    lines += [f"{finding.kind}: {finding.label()}" for finding in findings.details]
    return "\n".join(lines)
