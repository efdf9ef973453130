"""The expected outputs of the example programs written in standard Common Lisp are what SBCL prints.

tests/lisp/test_examples.py checks that gfjit prints each examples/NAME.out; this checks the .out
files themselves against SBCL, so an example's expected output cannot encode a deviation from the
standard. Examples using gfjit's own extensions (threads, sys:*posix-argv*) are left out.
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"
STANDARD_EXAMPLES = ["fib", "macros", "queens", "words", "conditions", "clos_shapes", "clos_visitor"]


@pytest.mark.timeout(120)
@pytest.mark.skipif(shutil.which("sbcl") is None, reason="sbcl is not installed")
@pytest.mark.parametrize("name", STANDARD_EXAMPLES)
def test_expected_output_of_a_standard_example_is_what_sbcl_prints(name: str):
    program = EXAMPLES / f"{name}.lisp"
    done = subprocess.run(["sbcl", "--script", str(program)], capture_output=True, text=True,
                          timeout=100)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == (EXAMPLES / f"{name}.out").read_text()
