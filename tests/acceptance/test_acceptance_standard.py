"""A Lisp user's everyday forms print what SBCL prints (issue 4: "where it has a feature, it behaves
as the standard says").

The forms and SBCL's answers are in standard_forms.lisp, next to this file. The whole file runs in one
``gfjit run`` child process (so its definitions cannot disturb other tests), each form printing the
``prin1`` of its list of values on one line; each form is then its own test. When ``sbcl`` is
installed, one more test runs the same program under SBCL and checks that the recorded answers are
still SBCL's, so the table cannot drift from the standard's behaviour.
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys
from typing import NamedTuple

import pytest

FORMS = pathlib.Path(__file__).with_name("standard_forms.lisp")
CASES_MARK = ";;; cases"
ANSWER_PREFIX = ";=> "


class Case(NamedTuple):
    line: int
    form: str
    expected: str


def read_table() -> tuple[str, list[Case]]:
    """The definitions before ``;;; cases`` and the (form, SBCL's answer) pairs after it."""
    lines = FORMS.read_text().splitlines()
    start = lines.index(CASES_MARK)
    cases = []
    for index in range(start + 1, len(lines), 2):
        form, answer = lines[index], lines[index + 1]
        assert answer.startswith(ANSWER_PREFIX), f"{FORMS.name}:{index + 2}: expected a ;=> line"
        cases.append(Case(index + 1, form, answer.removeprefix(ANSWER_PREFIX)))
    return "\n".join(lines[:start]), cases


DEFINITIONS, CASES = read_table()


def program() -> str:
    """Definitions, then one line of output per case: its values, or ERROR and the condition type."""
    printers = (f'(write-line (handler-case (prin1-to-string (multiple-value-list {case.form}))'
                f' (error (c) (format nil "ERROR ~a" (type-of c)))))' for case in CASES)
    return DEFINITIONS + "\n" + "\n".join(printers) + "\n"


def run_lines(command: list[str], path: pathlib.Path) -> list[str]:
    done = subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=240)
    lines = done.stdout.splitlines()
    assert len(lines) == len(CASES), (f"{command[0]} printed {len(lines)} of {len(CASES)} lines; "
                                      f"stderr: {done.stderr[-2000:]}")
    return lines


@pytest.fixture(scope="module")
def program_file(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    path = tmp_path_factory.mktemp("standard") / "forms.lisp"
    path.write_text(program())
    return path


@pytest.fixture(scope="module")
def gfjit_answers(program_file: pathlib.Path) -> list[str]:
    return run_lines([sys.executable, "-m", "lisp", "run"], program_file)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("number", range(len(CASES)), ids=[f"line{c.line}" for c in CASES])
def test_form_prints_what_sbcl_prints(number: int, gfjit_answers: list[str]):
    case = CASES[number]
    assert gfjit_answers[number] == case.expected, case.form


@pytest.mark.timeout(300)
@pytest.mark.skipif(shutil.which("sbcl") is None, reason="sbcl is not installed")
def test_recorded_answers_are_what_sbcl_prints(program_file: pathlib.Path):
    sbcl = run_lines(["sbcl", "--script"], program_file)
    drifted = [f"{case.form}\n  recorded {case.expected}\n  sbcl     {answer}"
               for case, answer in zip(CASES, sbcl) if answer != case.expected]
    assert not drifted, "\n".join(drifted)
