"""The stress harness on toy workloads: reports, exit statuses, crash isolation, Ctrl-C, soak."""

import io
import json
import os
import signal
import subprocess
import sys

import pytest

from stress import cli
from stress.config import RunConfig
from stress.memory import MB, soak_verdict
from stress.progress import Progress, progress_text
from stress.report import EXIT_CRASHED, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from stress.ringlog import RingLog, read_rings
from stress.runner import run_threads, split_ops
from stress.supervisor import supervise
from stress.workload import DETAILS_KEPT, Finding, Findings

pytestmark = pytest.mark.usefixtures("toy_path")


def run(workload, threads=2, **options):
    return supervise(RunConfig(workload=f"toy_workloads:{workload}", threads=threads, seed=1, **options))


@pytest.mark.timeout(60)
def test_a_clean_run_reports_every_operation_and_exits_0():
    report = run("counting", ops=1000)
    assert report.status == "ok" and report.exit_status == EXIT_OK
    assert report.total_ops == 1000
    assert report.ops_by_kind == {"add": 500, "add.odd": 500}
    assert report.counters == {"steps counted by the workload": 1000}


@pytest.mark.timeout(60)
def test_the_ops_budget_is_split_across_threads():
    assert run("counting", ops=1001, threads=3).ops_by_thread == [334, 334, 333]


@pytest.mark.timeout(60)
def test_a_mismatch_fails_the_run_with_its_text():
    report = run("mismatching", ops=100)
    assert report.exit_status == EXIT_FAILED and report.mismatches == 1
    assert report.details[0].threads == ["thread-0"] and "expected" in report.details[0].text


@pytest.mark.timeout(60)
def test_an_exception_escaping_a_step_is_an_unexpected_error():
    report = run("raising", ops=10)
    assert report.exit_status == EXIT_FAILED and report.errors == 10
    assert "RuntimeError: a step that raises" in report.details[0].text


@pytest.mark.timeout(60)
def test_identical_findings_of_every_thread_are_reported_once_with_their_count():
    report = run("raising", ops=10)
    [finding] = report.details
    assert finding.count == 10 and sorted(finding.threads) == ["thread-0", "thread-1"]
    assert "[10 times]" in report.render() and "more findings not shown" not in report.render()


def test_findings_group_by_kind_and_text_and_keep_the_first_distinct_ones():
    findings = Findings()
    for index in range(DETAILS_KEPT + 5):
        findings.add("mismatch", f"text {index}", "thread-0")
    findings.add("mismatch", "text 0", "thread-1")
    findings.add("error", "text 0", "thread-1")
    kept = findings.details
    assert findings.mismatches == DETAILS_KEPT + 6 and findings.errors == 1
    assert len(kept) == DETAILS_KEPT and kept[0] == Finding("mismatch", "text 0", 2, ["thread-0", "thread-1"])


@pytest.mark.timeout(60)
def test_a_workload_that_cannot_be_made_is_a_setup_error():
    report = run("broken", ops=10)
    assert report.status == "setup-error" and report.exit_status == EXIT_FAILED
    assert "this workload cannot be made" in report.setup_error


@pytest.mark.timeout(60)
def test_an_unknown_workload_is_a_setup_error_naming_it_in_one_line():
    report = supervise(RunConfig(workload="no-such-workload", threads=1, seed=1, ops=1))
    assert report.status == "setup-error" and "no-such-workload" in report.setup_error
    assert "Traceback" not in report.setup_error


@pytest.mark.timeout(60)
def test_a_segfault_is_reported_with_signal_last_operations_and_stacks():
    report = run("segfaulting", seconds=30)
    assert report.status == "crashed" and report.exit_status == EXIT_CRASHED
    assert report.crash.signal_name == "SIGSEGV"
    assert report.crash.rings["thread-0"][-1].text == "about to segfault"
    assert "toy_workloads.py" in report.crash.stacks
    text = report.render()
    assert "KILLED BY SIGSEGV" in text and "--seed 1" in text


@pytest.mark.timeout(60)
def test_an_abort_is_reported_as_sigabrt():
    report = run("aborting", seconds=30)
    assert report.crash.signal_name == "SIGABRT" and report.exit_status == EXIT_CRASHED


@pytest.mark.timeout(60)
def test_a_child_exiting_without_a_report_is_a_crash():
    report = run("exiting", seconds=30)
    assert report.crash.reason == "exit" and report.crash.returncode == 7
    assert report.exit_status == EXIT_CRASHED


@pytest.mark.timeout(60)
def test_a_thread_without_progress_is_reported_as_a_hang_with_its_stack():
    report = run("hanging", seconds=30, hang_after=2.0)
    assert report.status == "hung" and report.exit_status == EXIT_CRASHED
    assert report.crash.rings["thread-0"][-1].text == "about to hang"
    assert "toy_workloads.py" in report.crash.stacks


@pytest.mark.timeout(60)
@pytest.mark.parametrize("whole_group", [False, True], ids=["supervisor-only", "terminal-process-group"])
def test_ctrl_c_ends_the_run_with_its_report_and_status_130(tmp_path, whole_group):
    out = tmp_path / "report.json"
    child = subprocess.Popen(
        [sys.executable, "-m", "stress", "--workload", "toy_workloads:counting", "--seconds", "50", "--json", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    # Wait for the first progress line on stderr (non-tty: printed at once), then interrupt:
    # a terminal's Ctrl-C signals the whole process group, `kill -INT` only the supervisor.
    child.stderr.readline()
    if whole_group:
        os.killpg(child.pid, signal.SIGINT)
    else:
        child.send_signal(signal.SIGINT)
    stdout, _ = child.communicate(timeout=40)
    assert child.returncode == EXIT_INTERRUPTED
    assert "INTERRUPTED" in stdout
    data = json.loads(out.read_text())
    assert data["interrupted"] and data["ops_total"] > 0 and data["mismatches"] == 0


@pytest.mark.timeout(60)
def test_json_report_carries_the_table_figures(tmp_path):
    out = tmp_path / "r.json"
    status = cli.main(["--workload", "toy_workloads:counting", "--ops", "200", "--seed", "5", "--quiet", "--json", str(out)])
    data = json.loads(out.read_text())
    assert status == EXIT_OK and data["status"] == "ok"
    assert data["ops_total"] == 200 and data["config"]["seed"] == 5
    assert set(data["rss"]) == {"start", "peak", "end"} and data["crashes"] == 0


@pytest.mark.parametrize("workload", ["nope", "no_such_module:make"])
def test_an_unknown_workload_on_the_command_line_is_a_usage_error_listing_the_workloads(workload, capsys):
    assert cli.main(["--workload", workload, "--ops", "5", "--quiet"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "Traceback" not in err and workload.partition(":")[0] in err
    if ":" not in workload:
        assert "jit, dispatch, lisp, mixed" in err


def test_an_unwritable_json_file_is_a_usage_error_before_the_run(tmp_path, capsys):
    target = tmp_path / "missing-dir" / "r.json"
    assert cli.main(["--workload", "toy_workloads:counting", "--ops", "5", "--quiet", "--json", str(target)]) == EXIT_USAGE
    captured = capsys.readouterr()
    assert str(target) in captured.err and captured.out == ""  # no run happened


@pytest.mark.timeout(60)
def test_json_on_stdout_is_the_only_thing_on_stdout(capsys):
    status = cli.main(["--workload", "toy_workloads:counting", "--ops", "50", "--quiet", "--json", "-"])
    captured = capsys.readouterr()
    assert status == EXIT_OK and json.loads(captured.out)["ops_total"] == 50
    assert "toy_workloads:counting" in captured.err and "OK" in captured.err


@pytest.mark.timeout(60)
def test_a_soak_run_samples_memory_and_passes_within_its_bound():
    report = run("counting", seconds=2, soak=True, warmup=0.5, sample_every=0.2, rss_growth_mb=64)
    assert report.soak is not None and report.soak.samples >= 3
    assert report.status == "ok"
    assert len(report.as_dict()["soak"]["rss_samples"]) == report.soak.samples


def test_soak_verdict_fails_on_growth_after_warmup():
    samples = [(t, 100 * MB + (t > 5) * t * MB) for t in range(20)]
    verdict = soak_verdict(samples, warmup_seconds=5, bound=10 * MB)
    assert not verdict.ok and verdict.growth == 19 * MB and verdict.slope_mb_per_min > 0


def test_soak_verdict_ignores_growth_during_warmup():
    samples = [(t, (10 + 50 * (t >= 3)) * MB) for t in range(10)]
    assert soak_verdict(samples, warmup_seconds=4, bound=1 * MB).ok


def test_ring_log_keeps_the_last_notes_of_each_thread(tmp_path):
    log = RingLog(str(tmp_path / "ring"), threads=2, slots=4)
    first, second = log.ring(0, "a"), log.ring(1, "b")
    for i in range(10):
        first.note(f"op {i}")
    second.note("x" * 500)
    rings = read_rings(str(tmp_path / "ring"))
    assert [note.text for note in rings["a"]] == ["op 6", "op 7", "op 8", "op 9"]
    assert rings["b"][0].text == "x" * 112


def test_split_ops_gives_the_remainder_to_the_first_threads():
    assert split_ops(10, 4) == [3, 3, 2, 2]


@pytest.mark.timeout(60)
def test_run_threads_in_process_counts_and_runs_end_checks():
    import toy_workloads
    from stress.workload import Settings

    findings = Findings()
    snapshot = run_threads(toy_workloads.mismatching(Settings(1, 2)), threads=2, seed=1, findings=findings, ops=50)
    assert sum(snapshot.ops_by_thread) == 50 and findings.mismatches == 1


@pytest.mark.timeout(60)
def test_a_thread_that_stops_outside_a_step_is_an_unexpected_error_of_the_run():
    import toy_workloads
    from stress.workload import Settings

    findings = Findings()
    snapshot = run_threads(toy_workloads.misreporting(Settings(1, 2)), threads=2, seed=1, findings=findings, ops=50)
    assert snapshot.ops_by_thread == [0, 25] and findings.errors == 1
    [finding] = findings.details
    assert finding.threads == ["thread-0"] and "thread stopped before the end of the run" in finding.text


def test_repeat_command_names_seed_and_budget():
    config = RunConfig(workload="jit", threads=8, seed=42, seconds=60)
    assert config.command() == "gfjit stress --workload jit --threads 8 --seed 42 --seconds 60"


def _progress_message(elapsed, ops):
    return {"elapsed": elapsed, "ops_by_kind": {"a": ops}, "mismatches": 0, "errors": 0, "rss": 50 * MB}


def test_progress_line_shows_budget_operations_rate_findings_and_memory():
    config = RunConfig(workload="jit", threads=2, seed=1, seconds=60)
    text = progress_text(config, _progress_message(12.5, 25000), rate=2000.0)
    assert text == "[jit] 12.5/60 s  25,000 ops  2,000 ops/s  mismatches 0  errors 0  rss 50 MB"


def test_plain_progress_off_a_terminal_prints_at_most_one_line_per_interval():
    stream = io.StringIO()
    with Progress(RunConfig(workload="jit", threads=2, seed=1, ops=100), stream=stream) as progress:
        for tick in range(5):
            progress.update(_progress_message(tick * 0.5, tick * 10))
    assert stream.getvalue().count("\n") == 1 and "/100 ops" in stream.getvalue()
