"""The debugger and the interactive tools at the REPL on a pseudo-terminal, driven with pexpect as a
person types: restarts by number, the frame commands, nested levels, Ctrl-C, the stuck input."""

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios

import pexpect
import pexpect.fdpexpect
import pytest

_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][0-9A-Za-z]|\x1b[=>]|\r")
WAIT = 60  # seconds: the longest any expected text may take (a loaded machine starts slowly)
TOP, LEVEL_1, LEVEL_2, STEP, INSPECT = "\nCL-USER>", "\n1]", "\n2]", "\nstep>", "\n>"


class Repl:
    """``python -m lisp`` on a pty; :meth:`expect` reads the screen output with escapes removed.

    The child is started by ``subprocess`` (no Python runs between fork and exec: the test process
    has threads) under ``setsid --ctty``, which makes the pty its controlling terminal, so that
    Ctrl-C typed there sends it SIGINT; pexpect reads and waits on the pty's master side.

    The line editor draws a prompt and moves the cursor past it (no space is written after it), and
    redraws the prompt line with what is typed: a new prompt is the one after a newline
    (``"\nCL-USER>"``, ``"\n1]"``).
    """

    def __init__(self, home, *args, env=None):
        environment = {**os.environ, "TERM": "xterm", "HOME": str(home), "PROMPT_TOOLKIT_NO_CPR": "1",
                       **(env or {})}
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 200, 0, 0))
        self.process = subprocess.Popen(["setsid", "--ctty", sys.executable, "-m", "lisp", *args], stdin=slave,
                                        stdout=slave, stderr=slave, env=environment, close_fds=True)
        os.close(slave)
        self.child = pexpect.fdpexpect.fdspawn(master, encoding="utf-8", timeout=WAIT)
        self.seen = ""

    def type(self, text):
        self.child.send(text)

    def line(self, text):
        self.child.send(text + "\r")

    def expect(self, text):
        """Read until ``text`` appears after what earlier calls consumed; return what came before it."""
        while text not in self.seen:
            try:
                chunk = self.child.read_nonblocking(65536, timeout=WAIT)
            except pexpect.TIMEOUT:
                pytest.fail(f"timed out waiting for {text!r}; saw {self.seen[-3000:]!r}")
            except pexpect.EOF:
                pytest.fail(f"the REPL ended while waiting for {text!r}; saw {self.seen[-3000:]!r}")
            self.seen += _ESCAPES.sub("", chunk)
        before, _, self.seen = self.seen.partition(text)
        return before

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=WAIT)
        self.child.close()


@pytest.fixture
def repl(tmp_path):
    session = Repl(tmp_path)
    try:
        session.expect(TOP)
        yield session
    finally:
        session.close()


def _error_in_f(repl):
    repl.line("(defun f (x) (let ((y (* x 2))) (/ y 0)))")
    repl.expect(TOP)
    repl.line("(f 3)")
    repl.expect(LEVEL_1)


@pytest.mark.timeout(180)
def test_bare_gfjit_greets_with_a_banner_naming_help_and_how_to_leave(tmp_path):
    session = Repl(tmp_path)
    try:
        banner = session.expect(TOP)
        assert re.search(r"gfjit \S+, Common Lisp on Python .*:help.*\(quit\) or Ctrl-D", banner)
    finally:
        session.close()


@pytest.mark.timeout(180)
def test_quiet_starts_without_the_banner(tmp_path):
    session = Repl(tmp_path, "--quiet")
    try:
        assert "gfjit" not in session.expect("CL-USER>")  # (the first thing shown: no newline before)
    finally:
        session.close()


@pytest.mark.timeout(180)
def test_an_error_stops_in_the_debugger_before_anything_unwinds(repl):
    repl.line('(unwind-protect (error "stop here") (print :cleanup))')
    assert ":CLEANUP" not in repl.expect(LEVEL_1)
    repl.line(":top")
    assert ":CLEANUP" in repl.expect(TOP)


@pytest.mark.timeout(180)
def test_the_debugger_report_lists_calls_with_arguments_and_the_restarts_numbered(repl):
    repl.line("(defun f (x) (let ((y (* x 2))) (/ y 0)))")
    repl.expect(TOP)
    repl.line("(f 3)")
    report = repl.expect(LEVEL_1)
    assert "  1: (F 3) at <repl>:1:33\n" in report
    assert "Restarts:\n  0: [ABORT] Return to the toplevel.\n" in report


@pytest.mark.timeout(180)
def test_a_restart_chosen_by_number_returns_its_value_to_the_toplevel(repl):
    repl.line('(restart-case (error "no") (retry () :report "Use 42." 42))')
    repl.expect("  0: [RETRY] Use 42.")
    repl.expect(LEVEL_1)
    repl.line("0")
    assert repl.expect(TOP).strip().endswith("42")


@pytest.mark.timeout(180)
def test_store_value_asks_for_a_form_and_uses_its_value(repl):
    repl.line("(let ((x 1)) (check-type x string) x)")
    repl.expect("[STORE-VALUE]")
    repl.expect(LEVEL_1)
    repl.line("0")
    repl.expect("Enter a form to evaluate for STORE-VALUE:")
    repl.line('(string-upcase "new")')
    assert repl.expect(TOP).strip().endswith('"NEW"')


@pytest.mark.timeout(180)
def test_frame_shows_the_call_and_its_local_variables(repl):
    _error_in_f(repl)
    repl.line(":frame 1")
    assert "1: (F 3) at <repl>:1:33\n  X = 3\n  Y = 6" in repl.expect(LEVEL_1)


@pytest.mark.timeout(180)
def test_eval_sees_the_variables_of_the_current_frame(repl):
    _error_in_f(repl)
    repl.line(":eval (list x y (* x y))")
    assert "(3 6 18)" in repl.expect(LEVEL_1)


@pytest.mark.timeout(180)
def test_backtrace_with_a_count_shows_that_many_frames(repl):
    _error_in_f(repl)
    repl.line(":backtrace 2")
    shown = repl.expect(LEVEL_1)
    assert "  0: (/ 6 0)" in shown and "  1: (F 3)" in shown
    assert "  ... 1 more" in shown


@pytest.mark.timeout(180)
def test_source_shows_the_line_of_the_current_frame_with_its_column_marked(repl):
    _error_in_f(repl)
    repl.line(":source")
    shown = repl.expect(LEVEL_1)
    assert "1 | (defun f (x) (let ((y (* x 2))) (/ y 0)))\n  |                                 ^\n" in shown


@pytest.mark.timeout(180)
def test_an_error_at_a_debugger_level_makes_a_deeper_level_and_abort_goes_back_one(repl):
    _error_in_f(repl)
    repl.line("(car 5)")
    report = repl.expect(LEVEL_2)
    assert "  0: [ABORT] Return to debugger level 1.\n  1: [ABORT] Return to the toplevel.\n" in report
    repl.line(":abort")
    repl.expect(LEVEL_1)
    repl.line(":top")
    repl.expect(TOP)


@pytest.mark.timeout(180)
def test_ctrl_d_at_the_debugger_prompt_is_abort(repl):
    _error_in_f(repl)
    repl.type("\x04")
    repl.expect(TOP)


@pytest.mark.timeout(180)
def test_a_form_at_the_debugger_runs_in_the_dynamic_environment_of_the_error(repl):
    repl.line('(defvar *where* :global)')
    repl.expect(TOP)
    repl.line('(let ((*where* :inside)) (error "stop"))')
    repl.expect(LEVEL_1)
    repl.line("*where*")
    assert ":INSIDE" in repl.expect(LEVEL_1)


@pytest.mark.timeout(180)
def test_ctrl_c_stops_in_the_debugger_and_continue_resumes_the_evaluation(repl):
    repl.line("(defvar *go* t)")
    repl.expect(TOP)
    repl.line('(progn (print :started) (finish-output) (loop while *go*) :resumed)')
    repl.expect(":STARTED")
    repl.type("\x03")
    assert "  0: [CONTINUE] Continue the interrupted evaluation." in repl.expect(LEVEL_1)
    repl.line("(setf *go* nil)")
    repl.expect(LEVEL_1)
    repl.line(":continue")
    assert repl.expect(TOP).strip().endswith(":RESUMED")


@pytest.mark.timeout(180)
def test_ctrl_c_after_an_unfinished_string_sent_with_escape_enter_clears_the_input(repl):
    repl.type('(format t "oops')
    repl.type("\x1b\r")  # Esc then Enter: sent unfinished
    repl.expect("........")
    repl.type("\x03")
    repl.expect(TOP)
    repl.line("(+ 1 2)")
    assert repl.expect(TOP).strip().endswith("3")


@pytest.mark.timeout(180)
def test_a_debugger_hook_is_called_instead_of_the_debugger(repl):
    repl.line('(setf *debugger-hook* (lambda (c h) (declare (ignore h)) (format t "hooked: ~a~%" c) (abort)))')
    repl.expect(TOP)
    repl.line('(error "boom")')
    shown = repl.expect(TOP)
    assert "hooked: boom" in shown
    assert "1]" not in shown


@pytest.mark.timeout(180)
def test_break_stops_with_a_continue_restart_that_returns_nil(repl):
    repl.line('(list (break "pause ~a" 1) :after)')
    shown = repl.expect(LEVEL_1)
    assert "pause 1" in shown and "[CONTINUE] Return from BREAK." in shown
    repl.line("0")
    assert repl.expect(TOP).strip().endswith("(NIL :AFTER)")


@pytest.mark.timeout(180)
def test_step_stops_at_each_call_and_steps_over_on_n(repl):
    repl.line("(defun fib (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))")
    repl.expect(TOP)
    repl.line("(step (fib 2))")
    assert "step 1] (FIB 2)" in repl.expect(STEP)
    repl.line("s")
    assert "step 2] (FIB 1)" in repl.expect(STEP)
    repl.line("n")
    shown = repl.expect(STEP)
    assert "step 2 => 1" in shown and "step 3] (FIB 0)" in shown
    repl.line("c")
    assert repl.expect(TOP).strip().endswith("1")


@pytest.mark.timeout(180)
def test_inspect_walks_into_a_part_and_returns_the_object_on_q(repl):
    repl.line('(inspect (list 1 (vector 2 3)))')
    assert "The object is a proper list of length 2." in repl.expect(INSPECT)
    repl.line("1")
    assert "0. 0: 2\n1. 1: 3" in repl.expect(INSPECT)
    repl.line("q")
    assert repl.expect(TOP).strip().endswith("#(2 3)")


@pytest.mark.timeout(180)
def test_ed_runs_the_editor_on_the_file_of_a_definition_at_its_line(tmp_path):
    editor = tmp_path / "editor.sh"
    editor.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/edited\n')
    editor.chmod(0o755)
    source = tmp_path / "defs.lisp"
    source.write_text("\n\n(defun edited-fn () 1)\n")
    session = Repl(tmp_path, "--load", str(source), env={"EDITOR": str(editor), "VISUAL": ""})
    try:
        session.expect(TOP)
        session.line("(ed 'edited-fn)")
        session.expect(TOP)
        assert (tmp_path / "edited").read_text() == f"+3 {source}\n"
    finally:
        session.close()


@pytest.mark.timeout(180)
def test_a_dumb_terminal_gets_the_debugger_with_plain_prompts(tmp_path):
    session = Repl(tmp_path, env={"TERM": "dumb"})
    try:
        session.expect("CL-USER> ")
        session.line("(car 5)")
        assert "Error (TYPE-ERROR) at <repl>:1:1:" in session.expect("1] ")
        session.line(":top")
        session.expect("CL-USER> ")
    finally:
        session.close()


@pytest.mark.timeout(180)
def test_use_value_takes_nil_as_a_value(repl):
    repl.line('(restart-case (error "none") (use-value (v) (list :got v)))')
    repl.expect(LEVEL_1)
    repl.line("0")
    repl.expect("Enter a form to evaluate for USE-VALUE:")
    repl.line("nil")
    assert repl.expect(TOP).strip().endswith("(:GOT NIL)")
