"""Every example program in examples/ runs under `gfjit run` and prints exactly its NAME.out.

An example's arguments are given in its header, on a line ``;;;; Run: gfjit run examples/NAME.lisp
ARGS...``.
"""

import pathlib
import shlex
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"
PROGRAMS = sorted(EXAMPLES.glob("*.lisp"))


def arguments(program: pathlib.Path) -> list[str]:
    for line in program.read_text().splitlines():
        if line.startswith(";;;; Run: gfjit run "):
            return shlex.split(line.removeprefix(";;;; Run: gfjit run "))[1:]
    return []


def test_there_are_examples():
    assert len(PROGRAMS) >= 5


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.stem for p in PROGRAMS])
@pytest.mark.timeout(120)
def test_example_prints_its_expected_output(program):
    expected = program.with_suffix(".out")
    assert expected.exists(), f"{program.name} has no {expected.name}"
    done = subprocess.run([sys.executable, "-m", "lisp", "run", str(program), *arguments(program)],
                          capture_output=True, text=True, timeout=100)
    assert done.stderr == ""
    assert done.returncode == 0
    assert done.stdout == expected.read_text()
