import subprocess
import sys

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
