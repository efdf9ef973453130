"""SLIME itself, in ``emacs --batch``, connected to a ``gfjit swank`` started on a free loopback
port: what a person does at the REPL and in a Lisp buffer, with SLIME's own commands
(``slime_driver.el`` does them and prints a result line for each; each test checks one)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from swank_client import start_server, stop_server

HERE = Path(__file__).resolve().parent
EMACS_TIMEOUT = 240


def slime_directory() -> str | None:
    """Where slime.el is: $GFJIT_SLIME_DIR, or Debian's package (``apt-get install slime``), or
    an ELPA installation of the user."""
    candidates = [os.environ.get("GFJIT_SLIME_DIR", ""),
                  *sorted(glob.glob("/usr/share/emacs/site-lisp/elpa/slime-*")),
                  *sorted(glob.glob(os.path.expanduser("~/.emacs.d/elpa/slime-*")))]
    return next((c for c in candidates if c and os.path.isfile(os.path.join(c, "slime.el"))), None)


_missing = ("emacs is not installed (apt-get install emacs-nox)" if shutil.which("emacs") is None else
            "SLIME is not installed (apt-get install slime, or set GFJIT_SLIME_DIR)" if slime_directory() is None
            else None)
pytestmark = [pytest.mark.skipif(_missing is not None, reason=_missing or ""), pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def slime_results(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("home")
    work = tmp_path_factory.mktemp("work")
    env = {**os.environ, "HOME": str(home)}
    process, port = start_server(env=env)
    try:
        done = subprocess.run(["emacs", "--batch", "-Q", "-l", str(HERE / "slime_driver.el")],
                              capture_output=True, text=True, timeout=EMACS_TIMEOUT,
                              env={**env, "GFJIT_SLIME_DIR": slime_directory() or "", "GFJIT_SWANK_PORT": str(port),
                                   "GFJIT_WORK_DIR": str(work)})
    finally:
        server_log = stop_server(process)
    results = {}
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            name, _, text = line[len("RESULT "):].partition(" ")
            results[name] = text.replace("\\n", "\n")
    assert "DONE" in done.stdout, f"emacs stopped early:\n{done.stdout}\n{done.stderr}\n{server_log}"
    yield results


def test_slime_connects_and_gets_a_repl_in_cl_user(slime_results: dict[str, str]) -> None:
    assert slime_results["connect"] == "gfjit COMMON-LISP-USER"


def test_the_first_evaluation_at_the_repl_answers(slime_results: dict[str, str]) -> None:
    assert slime_results["first-eval"].startswith("3\nCL-USER>")


def test_the_repl_shows_output_then_each_value(slime_results: dict[str, str]) -> None:
    assert slime_results["repl-output"].startswith("hello4\n5\nCL-USER>")


def test_the_repl_keeps_star_and_star_star(slime_results: dict[str, str]) -> None:
    assert slime_results["repl-star"].startswith("(4 3 NIL)")


def test_c_x_c_e_shows_the_value_in_the_echo_area(slime_results: dict[str, str]) -> None:
    assert slime_results["interactive-eval"] == "=> 42 (6 bits, #x2A, #o52, #b101010)"


def test_c_c_c_c_compiles_a_definition_that_then_runs(slime_results: dict[str, str]) -> None:
    assert slime_results["compile-ok"] == "success=t notes=0"
    assert slime_results["call-compiled"].startswith("42\n")


def test_c_c_c_c_of_a_bad_definition_highlights_a_note_on_the_bad_line(slime_results: dict[str, str]) -> None:
    assert slime_results["compile-note"] == \
        "success=nil severity=:error message=1 is not a proper list, in (LET 1) highlighted-line=9"


def test_m_dot_goes_to_the_definition_in_its_file(slime_results: dict[str, str]) -> None:
    assert slime_results["edit-definition"] == "defs.lisp:3:(defun twice (x)"


def test_m_dot_on_a_function_written_in_python_opens_its_python_source(slime_results: dict[str, str]) -> None:
    assert slime_results["edit-definition-builtin"] == 'lists.py @builtin("MAPCAR")'


def test_completion_at_point_completes_a_symbol(slime_results: dict[str, str]) -> None:
    assert slime_results["complete-symbol"] == "(multiple-value-bind"


def test_completion_at_point_completes_a_compound_prefix(slime_results: dict[str, str]) -> None:
    assert slime_results["complete-compound"] == "(multiple-value-bind"


def test_autodoc_shows_the_argument_list_with_the_argument_at_point_highlighted(
        slime_results: dict[str, str]) -> None:
    assert slime_results["autodoc"] == "(twice [x])"


def test_a_restart_picked_in_sldb_gives_the_repl_its_value(slime_results: dict[str, str]) -> None:
    result = slime_results["sldb-restart"]
    assert result.startswith("condition=boom 7 restarts=(USE-42 ABORT *ABORT) ")
    assert result.endswith("\n42\nCL-USER>")


def test_sldb_shows_frames_their_locals_and_evaluates_in_a_frame(slime_results: dict[str, str]) -> None:
    assert slime_results["sldb-frame"] == ('frames=("(/ 10 0)" "(F 0)") locals=(((:name "N" :id 0 :value "0")) nil) '
                                           "eval==> 100 (7 bits, #x64, #o144, #b1100100)")


def test_c_c_c_c_at_the_repl_interrupts_an_evaluation_into_sldb(slime_results: dict[str, str]) -> None:
    assert slime_results["interrupt"] == "condition=Interactive interrupt (Ctrl-C). after=4\nCL-USER>"
