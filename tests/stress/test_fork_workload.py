"""The `fork` workload: forked children that must neither hang nor fail, and how their ends are judged."""

import faulthandler
import json
import os
import signal
import threading

import pytest

from stress.config import RunConfig
from stress.supervisor import supervise
from stress.workloads.fork_children import CHILD_FAILED, wait_for_child

# The pytest process may have threads of earlier tests (compile workers): the children below run
# only code that takes no lock another thread could hold at the fork, so Python 3.12+'s warning
# about forking a multi-threaded process does not apply to them.
pytestmark = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded, use of fork:DeprecationWarning")


@pytest.mark.timeout(240)
def test_forked_children_neither_hang_nor_fail_while_other_threads_define_methods_and_compile():
    # Needs dispatch's and the JIT's fork handlers (locks and the compile pool put back in order
    # in the child); without them most children hang.
    report = supervise(RunConfig(workload="fork", threads=4, seed=31, seconds=20))
    counters = report.counters
    assert counters["fork children"] > 0
    assert (counters["fork children hung"], counters["fork children failed"]) == (0, 0), report.render()
    assert report.status == "ok", report.render()


def fork(body):
    """Fork a child that runs `body(out)` (`out`: its report pipe) and exits with what it returns."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        status = 1
        try:
            os.close(read_fd)
            status = body(os.fdopen(write_fd, "w", buffering=1)) or 0
        finally:
            os._exit(status)
    os.close(write_fd)
    return pid, read_fd


def ends(body, seconds):
    pid, read_fd = fork(body)
    try:
        return wait_for_child(pid, read_fd, seconds)
    finally:
        os.close(read_fd)


def report(out, **message):
    out.write(json.dumps(message) + "\n")


def stuck_for_ever():
    threading.Event().wait()


@pytest.mark.timeout(60)
def test_a_child_that_never_ends_is_killed_at_the_deadline_and_counts_as_hung_at_its_stage():
    def body(out):
        report(out, at="somewhere")
        stuck_for_ever()

    end = ends(body, 0.5)
    assert end.killed and end.hung and end.stage == "at somewhere"
    assert os.waitstatus_to_exitcode(end.status) == -signal.SIGKILL


@pytest.mark.timeout(60)
def test_a_child_whose_watchdog_fires_counts_as_hung_with_its_stacks():
    def body(out):
        faulthandler.dump_traceback_later(0.2, exit=True, file=out)
        stuck_for_ever()

    end = ends(body, 30)
    assert end.hung and not end.killed
    assert "stuck_for_ever" in end.stacks


@pytest.mark.timeout(60)
def test_a_child_that_finds_something_wrong_has_failed_with_the_finding():
    def body(out):
        report(out, at="checking")
        report(out, finding="gf0: expected 1, got 2")
        return CHILD_FAILED

    end = ends(body, 30)
    assert not end.ok and not end.hung
    assert end.findings == ["gf0: expected 1, got 2"] and end.stage == "at checking"


@pytest.mark.timeout(60)
def test_a_child_killed_by_a_signal_has_failed():
    def body(out):
        os.kill(os.getpid(), signal.SIGTERM)

    end = ends(body, 30)
    assert not end.ok and not end.hung and os.waitstatus_to_exitcode(end.status) == -signal.SIGTERM


@pytest.mark.timeout(60)
def test_a_child_that_exits_0_without_findings_is_ok():
    end = ends(lambda out: report(out, at="done"), 30)
    assert end.ok and not end.hung
