"""The `jit` workload: a short run, and hypothesis-generated concurrent programs of add/lookup/call/release."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from programs import concurrent_examples, run_programs, verdict
from stress.config import RunConfig
from stress.supervisor import supervise
from stress.workload import Settings
import jit
from stress.workloads.jit_modules import NAMES, JitWorkload, call_vectorcall, module_exports, module_ir, route_targets

operation = st.tuples(st.sampled_from(["lookup", "own", "fault"]), st.integers(0, NAMES - 1), st.integers(-1000, 1000))


@pytest.mark.timeout(120)
def test_a_short_jit_run_in_a_child_process_is_clean():
    report = supervise(RunConfig(workload="jit", threads=4, seed=7, ops=1200))
    assert report.status == "ok", report.render()
    assert report.counters["jit modules live"] == 0
    assert report.counters["jit modules added"] == report.counters["jit modules freed"] > 0
    assert report.ops_by_kind["jit.fault"] > 0 and report.ops_by_kind["jit.lookup-call"] > 0


@pytest.mark.timeout(120)
@concurrent_examples(12)
@given(programs=st.lists(st.lists(operation, max_size=25), min_size=2, max_size=6), shards=st.integers(1, 3))
def test_concurrent_add_lookup_call_release_always_match_the_arithmetic(programs, shards):
    workload = JitWorkload(Settings(seed=0, threads=len(programs)), shards=shards)
    findings = run_programs(workload, programs, lambda worker, op: worker.run(*op))
    assert findings.mismatches == findings.errors == 0, verdict(findings, f"shards={shards}, programs={programs}")



@pytest.mark.parametrize(
    "args, route",
    [((5,), "int"), (("5",), "other"), ((True,), "other"), ((5, "5"), "count"), ((), "count")],
    ids=["int", "str", "bool-is-not-exactly-int", "two", "none"],
)
@pytest.mark.parametrize("offset_flag", [False, True], ids=["plain", "offset-flag"])
def test_a_vectorcall_module_routes_by_count_and_exact_type_into_its_own_callables(args, route, offset_flag):
    targets = route_targets(41)
    with jit.JitPool(shards=1) as pool, pool.add(module_ir("vc_probe", 3, 41, targets), exports=module_exports("vc_probe")) as handle:
        got = call_vectorcall(handle.address("vc_probe_vc"), args, offset_flag)
    assert got == (41, route, args)
