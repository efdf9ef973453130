"""Short runs of the `lisp` and `mixed` workloads in a child process."""

import pytest

from stress.config import RunConfig
from stress.supervisor import supervise
from stress.workloads.lisp_programs import unavailable


@pytest.mark.timeout(120)
def test_a_short_mixed_run_exercises_every_part_cleanly():
    report = supervise(RunConfig(workload="mixed", threads=4, seed=3, ops=1500))
    assert report.status == "ok", report.render()
    parts = {kind.partition(".")[0] for kind in report.ops_by_kind}
    assert parts == ({"jit", "dispatch"} if unavailable() else {"jit", "dispatch", "lisp"})
    assert report.counters["jit modules live"] == 0


@pytest.mark.timeout(120)
def test_a_short_lisp_run_checks_every_call():
    reason = unavailable()
    if reason is not None:
        pytest.skip(f"defclass/defmethod cannot run from Lisp source yet: {reason}")
    report = supervise(RunConfig(workload="lisp", threads=3, seed=5, ops=300))
    assert report.status == "ok", report.render()
    assert report.ops_by_kind["lisp.call"] > 0


@pytest.mark.timeout(120)
def test_the_lisp_workload_without_clos_is_a_setup_error_saying_why():
    reason = unavailable()
    if reason is None:
        pytest.skip("CLOS runs from Lisp source: nothing to report")
    report = supervise(RunConfig(workload="lisp", threads=1, seed=5, ops=10))
    assert report.status == "setup-error" and "defclass/defgeneric/defmethod" in report.setup_error
