"""The REPL on a pseudo-terminal: the prompt_toolkit line editor as a person uses it."""

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

import pytest

_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][0-9A-Za-z]|\x1b[=>]|\r")


def _controlling_terminal():
    # The child leads a new session with the pty as its controlling terminal, so that Ctrl-C
    # typed on the terminal sends it SIGINT.
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """A ``python -m lisp`` REPL on a pty, read and typed into like a person would."""

    def __init__(self, home, term="xterm"):
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
        env = {**os.environ, "TERM": term, "HOME": str(home), "PROMPT_TOOLKIT_NO_CPR": "1"}
        self.process = subprocess.Popen([sys.executable, "-m", "lisp"], stdin=slave, stdout=slave, stderr=slave,
                                        env=env, preexec_fn=_controlling_terminal, close_fds=True)
        os.close(slave)
        self.seen = ""  # everything shown so far, escape sequences removed

    def type(self, keys):
        os.write(self.master, keys.encode())

    def wait_for(self, text, timeout=60):
        """Read until ``text`` appears in the screen output after what was already consumed."""
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"timed out waiting for {text!r}; saw {self.seen[-2000:]!r}"
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the child closed the terminal
                    chunk = b""
                assert chunk, f"the REPL ended while waiting for {text!r}; saw {self.seen[-2000:]!r}"
                self.seen += _ESCAPES.sub("", chunk.decode(errors="replace"))
        consumed = self.seen.index(text) + len(text)
        shown, self.seen = self.seen[:consumed], self.seen[consumed:]
        return shown

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)
        os.close(self.master)


@pytest.fixture
def terminal(tmp_path):
    term = Terminal(tmp_path)
    term.wait_for("CL-USER>")
    yield term
    term.close()


@pytest.mark.timeout(120)
def test_a_form_typed_at_the_prompt_is_evaluated_and_printed(terminal):
    terminal.type("(+ 1 2)\r")
    terminal.wait_for("\n3\n")
    terminal.wait_for("CL-USER>")


@pytest.mark.timeout(120)
def test_enter_inside_an_unfinished_form_continues_it_on_a_new_line(terminal):
    terminal.type("(list 1\r")
    terminal.type("2)\r")
    terminal.wait_for("\n(1 2)\n")


@pytest.mark.timeout(120)
def test_an_error_enters_the_debugger_and_top_brings_the_prompt_back(terminal):
    terminal.type('(error "oops ~a" 1)\r')
    terminal.wait_for("Error (SIMPLE-ERROR) at <repl>:1:1:\n  oops 1\n")
    terminal.wait_for("1]")
    terminal.type(":top\r")
    terminal.wait_for("CL-USER>")
    terminal.type("(+ 2 2)\r")
    terminal.wait_for("\n4\n")


@pytest.mark.timeout(120)
def test_tab_completes_a_symbol_name(terminal):
    terminal.type("(symbol-nam\t")
    terminal.type(" 'abc)\r")
    terminal.wait_for('\n"ABC"\n')


@pytest.mark.timeout(120)
def test_ctrl_c_stops_an_evaluation_in_the_debugger_and_abort_brings_the_prompt_back(terminal):
    terminal.type("(progn (print :started) (finish-output) (loop))\r")
    terminal.wait_for(":STARTED")
    terminal.type("\x03")
    terminal.wait_for("Interactive interrupt (Ctrl-C).")
    terminal.wait_for("1]")
    terminal.type(":abort\r")
    terminal.wait_for("CL-USER>")
    terminal.type("(+ 1 2)\r")
    terminal.wait_for("\n3\n")


@pytest.mark.timeout(120)
def test_ctrl_d_on_an_empty_line_leaves_with_status_0(terminal):
    terminal.type("\x04")
    assert terminal.process.wait(timeout=60) == 0


@pytest.mark.timeout(120)
def test_forms_are_kept_in_the_history_file_of_the_home_directory(terminal, tmp_path):
    terminal.type("(+ 40 2)\r")
    terminal.wait_for("\n42\n")
    terminal.wait_for("CL-USER>")  # keys typed before the editor is back would reach the tty
    terminal.type(":quit\r")
    assert terminal.process.wait(timeout=60) == 0
    assert "+(+ 40 2)" in (tmp_path / ".gfjit_history").read_text()


@pytest.mark.timeout(120)
def test_a_dumb_terminal_gets_plain_lines_with_prompts_as_emacs_inferior_lisp_wants(tmp_path):
    term = Terminal(tmp_path, term="dumb")
    try:
        term.wait_for("CL-USER> ")
        term.type("(list 1\n 2)\n")
        term.wait_for("(1 2)\nCL-USER> ")
        assert not (tmp_path / ".gfjit_history").exists()  # no line editor ran
    finally:
        term.close()


@pytest.mark.timeout(120)
def test_a_home_that_cannot_hold_the_history_file_gives_a_history_for_the_session_only(tmp_path):
    home = tmp_path / "no-such-directory"
    term = Terminal(home)
    try:
        term.wait_for("CL-USER>")
        term.type("(+ 1 2)\r")
        term.wait_for("\n3\n")
        term.wait_for("CL-USER>")
        term.type("\x04")
        assert term.process.wait(timeout=60) == 0
    finally:
        term.close()
