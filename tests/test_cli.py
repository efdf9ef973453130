import os
import pathlib
import signal
import subprocess
import sys

import pytest

import jit
from lisp import cli


def test_version_flag_prints_the_package_version(capsys):
    try:
        cli.main(["--version"])
    except SystemExit as exit_:
        assert exit_.code == 0
    assert capsys.readouterr().out.strip() == f"gfjit {jit.__version__}"


def test_help_lists_the_subcommands(capsys):
    try:
        cli.main(["--help"])
    except SystemExit as exit_:
        assert exit_.code == 0
    out = capsys.readouterr().out
    for command in ("repl", "run", "eval", "stress"):
        assert command in out


def test_console_module_runs_as_a_program():
    done = subprocess.run([sys.executable, "-m", "lisp.cli", "--version"], capture_output=True, text=True)
    assert done.returncode == 0
    assert done.stdout.startswith("gfjit ")


def _eval_in_child(env_changes: dict[str, str | None]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "GFJIT_CACHE_DIR"}
    env.update({k: v for k, v in env_changes.items() if v is not None})
    return subprocess.run([sys.executable, "-m", "lisp", "eval", "(+ 1 2)"], capture_output=True, text=True,
                          env=env, timeout=120)


def _objects(directory: pathlib.Path) -> list[pathlib.Path]:
    return list(directory.glob("*.o")) if directory.is_dir() else []


@pytest.mark.timeout(240)
def test_the_lisp_keeps_its_native_code_in_the_user_cache_directory(tmp_path):
    first = _eval_in_child({"XDG_CACHE_HOME": str(tmp_path)})
    assert (first.returncode, first.stdout) == (0, "3\n")
    cached = _objects(tmp_path / "gfjit")
    assert cached, "the first start filled the cache"
    second = _eval_in_child({"XDG_CACHE_HOME": str(tmp_path)})
    assert (second.returncode, second.stdout) == (0, "3\n")
    assert sorted(_objects(tmp_path / "gfjit")) == sorted(cached), "the second start compiled nothing new"


@pytest.mark.timeout(120)
def test_an_empty_gfjit_cache_dir_turns_the_cache_off(tmp_path):
    done = _eval_in_child({"XDG_CACHE_HOME": str(tmp_path), "GFJIT_CACHE_DIR": ""})
    assert (done.returncode, done.stdout) == (0, "3\n")
    assert not (tmp_path / "gfjit").exists()


# -- the REPL's options and the exit statuses (0, 1, 130; see lisp/toplevel.py) -------------------

LISP = [sys.executable, "-m", "lisp"]


def _gfjit(*args: str, stdin: str = "", timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LISP, *args], input=stdin, capture_output=True, text=True, timeout=timeout)


@pytest.mark.timeout(120)
def test_gfjit_alone_reads_forms_from_a_pipe_as_the_repl_does():
    done = _gfjit(stdin="(+ 1 2)\n")
    assert (done.returncode, done.stdout) == (0, "3\n")


@pytest.mark.timeout(120)
def test_a_pipe_exits_1_after_an_error_having_gone_on_to_the_next_form():
    done = _gfjit(stdin='(error "bad")\n(+ 1 2)\n')
    assert done.returncode == 1
    assert done.stdout.startswith("Error (SIMPLE-ERROR) at <repl>:1:1:\n  bad\n")
    assert done.stdout.endswith("3\n")


@pytest.mark.timeout(120)
def test_load_and_eval_options_run_in_order_before_the_repl(tmp_path):
    source = tmp_path / "first.lisp"
    source.write_text("(defvar *order* (list :load))")
    done = _gfjit("--load", str(source), "--eval", "(push :eval *order*)", stdin="*order*\n")
    assert (done.returncode, done.stdout) == (0, "(:EVAL :LOAD)\n")


@pytest.mark.timeout(120)
def test_non_interactive_exits_after_the_options_without_reading_standard_input():
    done = _gfjit("--non-interactive", "--eval", "(princ :done)", stdin="(princ :never)\n")
    assert (done.returncode, done.stdout) == (0, "DONE")


@pytest.mark.timeout(120)
def test_non_interactive_reports_an_error_on_stderr_and_exits_1_at_once():
    done = _gfjit("--non-interactive", "--eval", "(car 5)", "--eval", "(princ :after)")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("Error (TYPE-ERROR) at <eval>:1:1:")
    assert "Backtrace (innermost first):" in done.stderr


@pytest.mark.timeout(120)
def test_repl_options_after_another_command_are_refused():
    done = _gfjit("eval", "--quiet", "1")
    assert done.returncode == 2


@pytest.mark.timeout(120)
def test_run_dash_reads_the_program_from_standard_input():
    done = _gfjit("run", "-", "x", stdin="(print sb-ext:*posix-argv*)")
    assert (done.returncode, done.stdout) == (0, '\n("-" "x") ')


@pytest.mark.timeout(120)
def test_run_exits_with_the_code_given_to_exit_after_running_cleanups(tmp_path):
    script = tmp_path / "leaves.lisp"
    script.write_text("(unwind-protect (exit :code 3) (princ :cleanup))")
    done = _gfjit("run", str(script))
    assert (done.returncode, done.stdout) == (3, "CLEANUP")


@pytest.mark.timeout(120)
def test_exit_with_abort_skips_the_cleanups():
    done = _gfjit("eval", "(unwind-protect (sb-ext:exit :abort t :code 4) (princ :cleanup))")
    assert (done.returncode, done.stdout) == (4, "")


@pytest.mark.timeout(120)
def test_quit_takes_sbcl_s_unix_status():
    assert _gfjit("eval", "(quit :unix-status 5)").returncode == 5


@pytest.mark.timeout(120)
def test_exit_in_a_piped_repl_leaves_with_its_code():
    done = _gfjit(stdin="(+ 1 2)\n(exit :code 6)\n(+ 3 4)\n")
    assert (done.returncode, done.stdout) == (6, "3\n")


@pytest.mark.timeout(120)
def test_run_stopped_by_ctrl_c_exits_130(tmp_path):
    script = tmp_path / "spins.lisp"
    script.write_text("(princ :started) (terpri) (finish-output) (loop)")
    run = subprocess.Popen([*LISP, "run", str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert run.stdout.readline() == "STARTED\n"
        run.send_signal(signal.SIGINT)
        assert run.wait(timeout=60) == 130
        assert "Interrupted (Ctrl-C)." in run.stderr.read()
    finally:
        run.kill()
        run.wait()


@pytest.mark.timeout(120)
def test_the_posix_argv_of_a_script_is_the_same_symbol_under_sys_and_sb_ext(tmp_path):
    script = tmp_path / "argv.lisp"
    script.write_text("(princ (eq 'sys:*posix-argv* 'sb-ext:*posix-argv*)) (princ (second sys:*posix-argv*))")
    done = _gfjit("run", str(script), "one")
    assert (done.returncode, done.stdout) == (0, "Tone")


def test_the_readme_s_script_line_runs_gfjit_run_through_env():
    readme = (pathlib.Path(__file__).resolve().parent.parent / "README.md").read_text()
    lines = [line.strip() for line in readme.splitlines() if line.strip().startswith("#!")]
    assert lines == ["#!/usr/bin/env -S gfjit run"]


@pytest.mark.timeout(120)
def test_a_script_with_an_interpreter_line_runs(tmp_path):
    script = tmp_path / "hello.lisp"
    script.write_text("#!/usr/bin/env -S gfjit run\n(princ :hello)\n")
    done = _gfjit("run", str(script))
    assert (done.returncode, done.stdout) == (0, "HELLO")
