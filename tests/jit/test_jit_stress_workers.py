"""The `jit` stress workload with compiles in worker processes (`gfjit stress --workload jit
--compile-in process`): workers killed mid-compile are faults the oracle expects, and the report
counts worker restarts."""

import random

import pytest

from stress.config import RunConfig
from stress.supervisor import supervise
from stress.workload import Findings, Settings, ThreadContext
from stress.workloads.jit_modules import WORKER_FAULT_SHARE, WORKER_FAULTS, JitWorkload

pytestmark = pytest.mark.timeout(240)


def test_every_kind_of_worker_death_is_the_compile_worker_error_the_oracle_expects(monkeypatch):
    monkeypatch.setenv("GFJIT_COMPILE_IN", "process")
    monkeypatch.setenv("GFJIT_COMPILE_WORKERS", "1")
    workload = JitWorkload(Settings(seed=0, threads=1, process_faults=True), shards=1)
    findings = Findings()
    worker = workload.worker(ThreadContext(0, random.Random(0), findings))
    kinds = [worker.kill_worker(0, WORKER_FAULT_SHARE * k) for k in range(len(WORKER_FAULTS))]
    assert worker.add(0, 5) == "jit.add"  # the pool carries on
    workload.finish(findings)
    assert kinds == ["jit.worker-fault"] * len(WORKER_FAULTS)
    assert (findings.mismatches, findings.errors) == (0, 0), findings.details
    counters = workload.counters()
    assert counters["jit worker faults raised as expected"] == len(WORKER_FAULTS)
    assert (counters["jit workers started"], counters["jit worker restarts"]) == \
        (len(WORKER_FAULTS) + 1, len(WORKER_FAULTS))


def test_a_run_in_thread_mode_injects_no_worker_faults(monkeypatch):
    monkeypatch.delenv("GFJIT_COMPILE_IN", raising=False)
    workload = JitWorkload(Settings(seed=0, threads=1, process_faults=True), shards=1)
    try:
        assert not workload.worker_faults
        assert "jit workers started" not in workload.counters()
    finally:
        workload.finish(Findings())


def test_a_short_run_compiling_in_processes_is_clean_and_counts_its_workers(monkeypatch):
    monkeypatch.setenv("GFJIT_COMPILE_IN", "process")
    report = supervise(RunConfig(workload="jit", threads=3, seed=7, ops=900))
    assert report.status == "ok", report.render()
    assert report.counters["jit modules live"] == 0
    assert report.counters["jit workers started"] >= 1
    assert {"jit worker restarts", "jit worker faults raised as expected"} <= \
        report.counters.keys()
