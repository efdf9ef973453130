"""A Lisp user's everyday forms print what SBCL prints (issue 4: "where it has a feature, it behaves
as the standard says").

The forms and SBCL's answers are in standard_forms.lisp, next to this file. The whole file runs in one
``gfjit run`` child process (so its definitions cannot disturb other tests), each form printing a
marker with its number and then the ``prin1`` of its list of values; each form is then its own test. When ``sbcl`` is
installed, one more test runs the same program under SBCL and checks that the recorded answers are
still SBCL's, so the table cannot drift from the standard's behaviour.
"""

from __future__ import annotations

import pathlib
import re
import shutil
import subprocess
import sys
from typing import NamedTuple

import pytest

FORMS = pathlib.Path(__file__).with_name("standard_forms.lisp")
CASES_MARK = ";;; cases"
ANSWER_PREFIX = ";=> "
MARK = "@@"
ANSWER = re.compile(rf"^{MARK}(?P<number>\d+){MARK}(?P<answer>.*)$", re.MULTILINE)


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
    """Definitions, then per case a marker line: its number, then its values or ERROR and the
    condition type (markers keep the cases apart even if one prints output of its own)."""
    printers = (f'(format t "~&{MARK}{number}{MARK}~a~%" (handler-case (prin1-to-string'
                f' (multiple-value-list {case.form})) (error (c) (format nil "ERROR ~a" (type-of c)))))'
                for number, case in enumerate(CASES))
    return DEFINITIONS + "\n" + "\n".join(printers) + "\n"


def run_answers(command: list[str], path: pathlib.Path) -> dict[int, str]:
    """What the program printed for each case number, run by ``command``."""
    done = subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=240)
    answers = {int(found["number"]): found["answer"] for found in ANSWER.finditer(done.stdout)}
    assert len(answers) == len(CASES), (f"{command[0]} answered {len(answers)} of {len(CASES)} "
                                        f"cases; stderr: {done.stderr[-2000:]}")
    return answers


@pytest.fixture(scope="module")
def program_file(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    path = tmp_path_factory.mktemp("standard") / "forms.lisp"
    path.write_text(program())
    return path


@pytest.fixture(scope="module")
def gfjit_answers(program_file: pathlib.Path) -> dict[int, str]:
    return run_answers([sys.executable, "-m", "lisp", "run"], program_file)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("number", range(len(CASES)), ids=[f"line{c.line}" for c in CASES])
def test_form_prints_what_sbcl_prints(number: int, gfjit_answers: dict[int, str]):
    case = CASES[number]
    assert gfjit_answers[number] == case.expected, case.form


@pytest.mark.timeout(300)
@pytest.mark.skipif(shutil.which("sbcl") is None, reason="sbcl is not installed")
def test_recorded_answers_are_what_sbcl_prints(program_file: pathlib.Path):
    sbcl = run_answers(["sbcl", "--script"], program_file)
    drifted = [f"{case.form}\n  recorded {case.expected}\n  sbcl     {sbcl[number]}"
               for number, case in enumerate(CASES) if sbcl[number] != case.expected]
    assert not drifted, "\n".join(drifted)
