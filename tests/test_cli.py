import os
import pathlib
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
