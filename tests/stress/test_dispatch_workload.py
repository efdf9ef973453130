"""The `dispatch` workload: a short run, and hypothesis-generated concurrent defmethod/call programs."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from programs import concurrent_examples, run_programs, verdict
from stress.config import RunConfig
from stress.supervisor import supervise
from stress.workload import Findings, Settings, ThreadContext, thread_rng
from stress.workloads.dispatch_methods import SHAPES, DispatchWorker, DispatchWorkload

# (operation, slot, seed of the random choices the operation makes)
operation = st.tuples(
    st.sampled_from([op for _, op in DispatchWorker.MIX] + ["call", "call", "define"]),
    st.integers(0, len(SHAPES) - 1),
    st.integers(0, 2**16),
)


def perform(worker, op):
    name, slot, seed = op
    worker.ctx.rng.seed(seed)
    worker.run(name, slot)


@pytest.mark.timeout(120)
def test_a_short_dispatch_run_in_a_child_process_is_clean():
    report = supervise(RunConfig(workload="dispatch", threads=4, seed=11, ops=6000))
    assert report.status == "ok", report.render()
    assert report.ops_by_kind["dispatch.call"] > 0 and report.ops_by_kind["dispatch.temporary-class"] > 0
    assert report.counters["dispatcher compiles"] > 0


@pytest.mark.timeout(120)
@pytest.mark.filterwarnings("ignore::dispatch.MethodRedefinitionWarning")  # replacing methods is the point
@concurrent_examples(15)
@given(programs=st.lists(st.lists(operation, max_size=40), min_size=2, max_size=5))
def test_concurrent_defmethod_and_call_match_the_reference_model(programs):
    workload = DispatchWorkload(Settings(seed=0, threads=len(programs)))
    findings = run_programs(workload, programs, perform)
    assert findings.mismatches == findings.errors == 0, verdict(findings, f"programs={programs}")


def test_in_process_fault_injection_never_kills_the_shared_compile_worker():
    # In the child process of a run 5% of faults kill a worker; 200 faults here would all but
    # surely include one if the in-process default allowed it.
    workload = DispatchWorkload(Settings(seed=0, threads=1))
    worker = workload.worker(ThreadContext(0, thread_rng(0, 0), Findings()))
    kinds = {worker.run("fault", index % len(SHAPES)) for index in range(200)}
    assert kinds == {"dispatch.fault"}
    assert workload.counters()["dispatch compile workers killed"] == 0
