"""The child process of a run dies with its supervisor, whatever signal ends the supervisor."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.usefixtures("toy_path"), pytest.mark.timeout(120)]

GONE_WITHIN = 30.0  # seconds: a bound on the kernel and a loaded machine, not a timing claim


def state(pid):
    """The process state letter of `pid` (R, S, Z...), None if there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return stat.rpartition(")")[2].split()[0]


def gone(pid):
    """Whether `pid` has ended (a zombie has: its reaper may be slow, or none in a container)."""
    return state(pid) in (None, "Z")


def eventually(condition, seconds):
    """Poll `condition()` until it holds or `seconds` have passed; whether it held."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def ends_within(pid, seconds):
    """Whether `pid` ends within `seconds`. Kills it if not, so that a failing test leaves
    nothing behind."""
    if eventually(lambda: gone(pid), seconds):
        return True
    os.kill(pid, signal.SIGKILL)
    return False


def children_of(pid):
    """The pids whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def python(code, **popen):
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], text=True, **popen)


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_the_child_of_a_run_dies_with_its_supervisor(signum, tmp_path, monkeypatch):
    # The child is stuck making its workload: it never writes to the supervisor again, so a
    # broken channel cannot end it; only its lifeline can.
    ready = tmp_path / "ready"
    monkeypatch.setenv("STRESS_TOY_READY", str(ready))
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "stress", "--workload", "toy_workloads:stuck_in_setup", "--seconds", "100", "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        assert eventually(ready.exists, 60)
        [child] = children_of(supervisor.pid)
        supervisor.send_signal(signum)
        supervisor.wait(timeout=30)
        assert ends_within(child, GONE_WITHIN)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
        supervisor.wait()


def test_end_of_file_on_the_lifeline_kills_the_process():
    process = python(
        """
        import threading
        from stress.lifeline import die_at_eof
        die_at_eof(0)
        print("watching", flush=True)
        threading.Event().wait()
        """,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )
    assert process.stdout.readline() == "watching\n"
    process.stdin.close()  # as when the parent dies: the write end is gone
    assert process.wait(timeout=GONE_WITHIN) == -signal.SIGKILL


GRANDCHILD = """
import os, threading
from stress.lifeline import die_with_parent
assert die_with_parent(os.getppid())
print(os.getpid(), flush=True)
threading.Event().wait()
"""


def test_the_parent_death_signal_kills_the_grandchild_when_its_parent_is_killed():
    # The middle process starts a grandchild that only has the kernel's signal (no lifeline pipe).
    middle = python(
        f"""
        import subprocess, sys
        grandchild = subprocess.Popen([sys.executable, "-c", {GRANDCHILD!r}], stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE, text=True)
        print(grandchild.stdout.readline(), end="", flush=True)
        grandchild.wait()
        """,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
    )
    grandchild = int(middle.stdout.readline())
    middle.kill()
    middle.wait()
    assert ends_within(grandchild, GONE_WITHIN)


def test_a_process_whose_parent_is_already_gone_dies_at_once():
    # A parent pid that is not ours stands for a parent that died before prctl could be called.
    process = python(
        """
        from stress.lifeline import die_with_parent
        die_with_parent(1)
        print("still running")
        """,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
    )
    out, _ = process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL and out == ""
