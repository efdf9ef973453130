"""The REPL and the CLI driven as processes, through pipes: what scripts and Emacs see."""

import ctypes
import signal
import subprocess
import sys

import pytest

LISP = [sys.executable, "-m", "lisp"]
_PR_SET_PDEATHSIG = 1


def _die_with_the_test_process():
    """In the child: be killed when pytest dies, even by SIGKILL (no orphan left looping)."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def run_repl(text, *command, status=0):
    done = subprocess.run([*LISP, *command], input=text, capture_output=True, text=True, timeout=120,
                          preexec_fn=_die_with_the_test_process)
    assert done.returncode == status, done.stderr
    return done.stdout


def start_repl():
    return subprocess.Popen([*LISP, "repl"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, bufsize=1, preexec_fn=_die_with_the_test_process)


@pytest.mark.timeout(120)
def test_python_dash_m_lisp_reads_forms_from_a_pipe_and_prints_values_without_prompts():
    assert run_repl("(+ 1 2)\n(list 'a \"b\")\n") == '3\n(A "b")\n'


@pytest.mark.timeout(120)
def test_gfjit_repl_reads_a_pipe_like_python_dash_m_lisp():
    assert run_repl("(* 6 7)\n", "repl") == "42\n"


@pytest.mark.timeout(120)
def test_a_form_is_evaluated_as_soon_as_its_last_line_arrives():
    repl = start_repl()
    try:
        repl.stdin.write("(+ 1\n")
        repl.stdin.write("2)\n")
        repl.stdin.flush()
        assert repl.stdout.readline() == "3\n"  # stdin is still open
    finally:
        repl.kill()


@pytest.mark.timeout(120)
def test_ctrl_c_interrupts_an_evaluation_runs_its_cleanup_and_the_repl_goes_on():
    repl = start_repl()
    try:
        repl.stdin.write('(unwind-protect (progn (print :looping) (terpri) (finish-output) (loop)) (print :cleanup))\n')
        repl.stdin.flush()
        assert repl.stdout.readline() == "\n"
        assert repl.stdout.readline() == ":LOOPING \n"
        repl.send_signal(signal.SIGINT)
        repl.stdin.write("(+ 1 2)\n")
        repl.stdin.close()
        out = repl.stdout.read()
        repl.wait(timeout=60)
    finally:
        repl.kill()
    assert out.startswith("\n:CLEANUP ")
    assert "Interrupted (Ctrl-C)." in out
    assert out.endswith("3\n")
    assert repl.returncode == 1  # an evaluation did not finish


@pytest.mark.timeout(120)
def test_deep_recursion_is_a_condition_and_the_repl_goes_on():
    out = run_repl("(defun deep (n) (if (= n 0) 0 (+ 1 (deep (- n 1)))))\n(deep 10000000)\n(+ 1 2)\n", status=1)
    assert "Error (GFJIT-SYSTEM::STACK-EXHAUSTED)" in out
    assert out.endswith("3\n")


@pytest.mark.timeout(120)
def test_recursion_fifty_thousand_deep_works():
    assert run_repl("(defun deep (n) (if (= n 0) 0 (+ 1 (deep (- n 1)))))\n(deep 50000)\n") == "DEEP\n50000\n"


# -- gfjit run -------------------------------------------------------------------------------

def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.mark.timeout(120)
def test_run_gives_the_script_its_arguments(tmp_path):
    script = write(tmp_path, "args.lisp", '(format t "~{~a~%~}" sys:*posix-argv*)')
    done = subprocess.run([*LISP, "run", script, "a", "--b"], capture_output=True, text=True, timeout=100)
    assert done.stdout == f"{script}\na\n--b\n"


@pytest.mark.timeout(120)
def test_run_reports_an_unhandled_error_on_stderr_with_exit_status_1(tmp_path):
    script = write(tmp_path, "fails.lisp", '(print :before)\n(defun f (x) (error "bad ~a" x))\n(f 7)\n(print :after)\n')
    done = subprocess.run([*LISP, "run", script], capture_output=True, text=True, timeout=100)
    assert done.returncode == 1
    assert done.stdout == "\n:BEFORE "
    assert done.stderr.startswith(f"Error (SIMPLE-ERROR) at {script}:2:14:\n  bad 7\n")
    assert f"  0: (F 7) at {script}:2:14\n  1: (top-level form) at {script}:3:1\n" in done.stderr


@pytest.mark.timeout(120)
def test_run_of_a_missing_file_is_an_error(tmp_path):
    done = subprocess.run([*LISP, "run", str(tmp_path / "nope.lisp")], capture_output=True, text=True, timeout=100)
    assert (done.returncode, done.stderr) == (1, f"gfjit run: {tmp_path / 'nope.lisp'}: no such file\n")


@pytest.mark.timeout(120)
def test_run_of_a_directory_says_it_is_a_directory(tmp_path):
    done = subprocess.run([*LISP, "run", str(tmp_path)], capture_output=True, text=True, timeout=100)
    assert (done.returncode, done.stderr) == (1, f"gfjit run: {tmp_path}: is a directory\n")


@pytest.mark.timeout(120)
def test_run_of_an_empty_device_runs_nothing_and_succeeds():
    done = subprocess.run([*LISP, "run", "/dev/null"], capture_output=True, text=True, timeout=100)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


@pytest.mark.timeout(120)
def test_run_reads_a_script_from_a_pipe_given_as_a_file_name():
    done = subprocess.run(["bash", "-c", f"{sys.executable} -m lisp run <(echo '(princ (* 6 7))')"],
                          capture_output=True, text=True, timeout=100)
    assert (done.returncode, done.stdout) == (0, "42")


@pytest.mark.timeout(120)
def test_run_of_a_file_that_is_not_utf8_names_the_line_column_and_byte(tmp_path):
    script = tmp_path / "latin1.lisp"
    script.write_bytes(b'(princ 1)\n(princ "caf\xe9")\n')
    done = subprocess.run([*LISP, "run", str(script)], capture_output=True, text=True, timeout=100)
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error (FILE-ERROR) at {script}:2:12:\n  {script} is not UTF-8: "
                                  "byte 0xe9 at offset 21 cannot be decoded")


@pytest.mark.timeout(120)
def test_run_with_no_read_eval_refuses_sharp_dot_in_data_the_script_reads(tmp_path):
    script = tmp_path / "reads.lisp"
    script.write_text('(princ (handler-case (read-from-string "#.(+ 1 2)") (reader-error () :refused)))')
    plain = subprocess.run([*LISP, "run", str(script)], capture_output=True, text=True, timeout=100)
    guarded = subprocess.run([*LISP, "run", "--no-read-eval", str(script)], capture_output=True, text=True,
                             timeout=100)
    assert (plain.stdout, guarded.stdout) == ("3", "REFUSED")


# -- gfjit eval ------------------------------------------------------------------------------

@pytest.mark.timeout(120)
def test_eval_prints_the_values_of_the_last_form():
    done = subprocess.run([*LISP, "eval", "(defvar *x* 20) (values (+ *x* 1) 2)"], capture_output=True,
                          text=True, timeout=100)
    assert (done.returncode, done.stdout) == (0, "21\n2\n")


@pytest.mark.timeout(120)
def test_eval_of_a_failing_form_reports_on_stderr_with_exit_status_1():
    done = subprocess.run([*LISP, "eval", "(car 5)"], capture_output=True, text=True, timeout=100)
    assert done.returncode == 1
    assert done.stderr.startswith("Error (TYPE-ERROR) at <eval>:1:1:")


@pytest.mark.timeout(120)
def test_eval_of_an_unfinished_form_is_an_end_of_file_error():
    done = subprocess.run([*LISP, "eval", "(+ 1"], capture_output=True, text=True, timeout=100)
    assert done.returncode == 1
    assert done.stderr.startswith("Error (END-OF-FILE) at <eval>:1:1:")


@pytest.mark.timeout(120)
def test_output_to_a_closed_pipe_stops_the_run_quietly(tmp_path):
    script = write(tmp_path, "many.lisp", "(dotimes (i 1000000) (print i))")
    run = subprocess.Popen([*LISP, "run", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           preexec_fn=_die_with_the_test_process)
    try:
        run.stdout.readline()
        run.stdout.close()
        stderr = run.stderr.read()
        assert (run.wait(timeout=100), stderr) == (1, "")
    finally:
        run.kill()


@pytest.mark.timeout(120)
def test_a_value_too_deeply_nested_to_print_is_a_condition_and_the_repl_goes_on():
    out = run_repl("(let ((x nil)) (dotimes (i 200000) (setq x (list x))) x)\n(+ 1 2)\n", status=1)
    assert "Error (GFJIT-SYSTEM::STACK-EXHAUSTED)" in out
    assert out.endswith("3\n")
