"""The gfjit command sets the process's garbage collector up for Lisp programs after boot."""

import subprocess
import sys

import pytest

from lisp import toplevel

_PROBE = """
import gc
from lisp import toplevel
toplevel.boot_for_programs()
print(gc.get_threshold(), gc.get_freeze_count() > 0)
"""


@pytest.mark.timeout(120)
def test_boot_freezes_the_boot_heap_and_sets_the_lisp_thresholds():
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=100)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == f"{toplevel.GC_THRESHOLDS} True"


_EMBEDDED_PROBE = """
import gc
import lisp
before = gc.get_threshold()
assert lisp.eval_string("(+ 1 2)") == 3
print(gc.get_threshold() == before, gc.get_freeze_count())
"""


@pytest.mark.timeout(120)
def test_embedding_the_lisp_leaves_the_collector_alone():
    done = subprocess.run([sys.executable, "-c", _EMBEDDED_PROBE], capture_output=True, text=True, timeout=100)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == "True 0"


_STRESS_PROBE = """
import gc
from lisp import toplevel
toplevel.boot()
print(gc.get_freeze_count())
"""


@pytest.mark.timeout(120)
def test_plain_boot_freezes_nothing():
    # A stress run boots the Lisp while other threads run: freezing then would keep their garbage.
    done = subprocess.run([sys.executable, "-c", _STRESS_PROBE], capture_output=True, text=True, timeout=100)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == "0"
