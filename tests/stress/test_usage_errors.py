"""Every bad command-line value is a usage error: exit status 2, one line naming the flag and the fault.

Each case runs `python -m stress` as people do; none of them may start a run.
"""

import subprocess
import sys

import pytest

from stress.report import EXIT_USAGE

pytestmark = pytest.mark.usefixtures("toy_path")

TOY = ["--workload", "toy_workloads:counting", "--quiet"]
SOAK = ["--soak", "--seconds", "10"]

CASES = {
    "seconds-nan": (["--seconds", "nan"], "--seconds nan: must be a finite number of seconds, above 0"),
    "seconds-inf": (["--seconds", "inf"], "--seconds inf: must be a finite number of seconds, above 0"),
    "seconds-zero": (["--seconds", "0"], "--seconds 0: must be a finite number of seconds, above 0"),
    "seconds-negative": (["--seconds", "-1"], "--seconds -1: must be a finite number of seconds, above 0"),
    "threads-zero": (["--threads", "0", "--ops", "5"], "--threads 0: must be from 1 to 1024"),
    "threads-too-many": (["--threads", "30000", "--ops", "5"], "--threads 30000: must be from 1 to 1024"),
    "ops-zero": (["--ops", "0"], "--ops 0: must be at least 1"),
    "seed-negative": (["--seed", "-1", "--ops", "5"], "--seed -1: must be from 0 to 2**64-1"),
    "seed-too-big": (["--seed", str(2**64), "--ops", "5"], f"--seed {2**64}: must be from 0 to 2**64-1"),
    "hang-after-zero": (["--hang-after", "0", "--ops", "5"], "--hang-after 0: must be a finite number of seconds, at least 1"),
    "hang-after-negative": (["--hang-after", "-1", "--ops", "5"], "--hang-after -1: must be a finite number of seconds, at least 1"),
    "hang-after-below-a-tick": (["--hang-after", "0.4", "--ops", "5"], "--hang-after 0.4: must be a finite number of seconds, at least 1"),
    "hang-after-nan": (["--hang-after", "nan", "--ops", "5"], "--hang-after nan: must be a finite number of seconds, at least 1"),
    "warmup-negative": ([*SOAK, "--warmup", "-1"], "--warmup -1: must be a finite number of seconds, at least 0"),
    "warmup-nan": ([*SOAK, "--warmup", "nan"], "--warmup nan: must be a finite number of seconds, at least 0"),
    "warmup-as-long-as-the-run": ([*SOAK, "--warmup", "10"], "--warmup 10: must be shorter than the run (--seconds 10)"),
    "warmup-longer-than-the-run": ([*SOAK, "--warmup", "60"], "--warmup 60: must be shorter than the run (--seconds 10)"),
    "warmup-without-soak": (["--warmup", "1", "--ops", "5"], "--warmup: only a --soak run samples memory"),
    "sample-every-zero": ([*SOAK, "--sample-every", "0"], "--sample-every 0: must be a finite number of seconds, above 0"),
    "sample-every-inf": ([*SOAK, "--sample-every", "inf"], "--sample-every inf: must be a finite number of seconds, above 0"),
    "sample-every-without-soak": (["--sample-every", "1", "--ops", "5"], "--sample-every: only a --soak run samples memory"),
    "rss-growth-zero": ([*SOAK, "--rss-growth-mb", "0"], "--rss-growth-mb 0: must be a finite number of MB above 0"),
    "rss-growth-nan": ([*SOAK, "--rss-growth-mb", "nan"], "--rss-growth-mb nan: must be a finite number of MB above 0"),
    "rss-growth-without-soak": (["--rss-growth-mb", "8", "--ops", "5"], "--rss-growth-mb: only a --soak run samples memory"),
    "soak-without-seconds": (["--soak", "--ops", "5"], "--soak runs for a duration: give --seconds"),
    "seconds-and-ops": (["--seconds", "1", "--ops", "5"], "argument --ops: not allowed with argument --seconds"),
    "threads-not-a-number": (["--threads", "many"], "argument --threads: invalid int value: 'many'"),
    "unknown-option": (["--bogus"], "unrecognized arguments: --bogus"),
}


def usage_error(argv):
    """Run `python -m stress argv`; its exit status, and its stderr's last line (none of stdout)."""
    done = subprocess.run([sys.executable, "-m", "stress", *TOY, *argv], capture_output=True, text=True, timeout=60)
    assert done.stdout == "" and "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stderr.rstrip("\n").splitlines()[-1]


@pytest.mark.parametrize("argv, message", CASES.values(), ids=CASES.keys())
def test_a_bad_value_is_a_one_line_usage_error_naming_the_flag(argv, message):
    assert usage_error(argv) == (EXIT_USAGE, f"gfjit stress: error: {message}")


def test_a_run_dir_that_cannot_be_made_is_a_usage_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    status, line = usage_error(["--ops", "5", "--run-dir", str(blocker / "run")])
    assert status == EXIT_USAGE
    assert line == f"gfjit stress: error: --run-dir {blocker / 'run'}: cannot write there: Not a directory"


def test_a_run_dir_that_is_a_file_is_a_usage_error(tmp_path):
    target = tmp_path / "a-file"
    target.write_text("")
    status, line = usage_error(["--ops", "5", "--run-dir", str(target)])
    assert status == EXIT_USAGE and line == f"gfjit stress: error: --run-dir {target}: cannot write there: File exists"


def test_a_missing_run_dir_is_made_and_kept(tmp_path):
    target = tmp_path / "new" / "run"
    done = subprocess.run([sys.executable, "-m", "stress", *TOY, "--ops", "50", "--run-dir", str(target)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (target / "ring.log").exists()
