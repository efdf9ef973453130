"""Start-up: ``gfjit eval "(+ 1 2)"`` against ``hy -c "(+ 1 2)"`` and ``python -c "1+2"``, in one run.

Each command runs to its end ``--repeat`` times (default 9), the three in turn (gfjit, hy,
python, gfjit, ...) so that a change of the machine's load falls on all of them alike. The table
gives the median wall-clock and CPU (user + system of the child) milliseconds and their ratios to
Hy and to Python. On a loaded machine the wall clock mostly measures waiting for a core: compare
CPU. Modules load from cached bytecode, as after ``pip install`` (one run of each command first
writes it), even where PYTHONDONTWRITEBYTECODE is set for development; the JIT's object cache is
the per-user one, as for a user.

Run: ``python bench/startup.py [--repeat N]``. Hy is looked for next to this Python, then on
PATH; a missing Hy is shown as ``-``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# As after `pip install`: bytecode cached (the first run writes it) and this checkout importable.
INSTALLED_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
INSTALLED_ENV["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p)


def process_times(command: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one run of ``command`` to its end."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=INSTALLED_ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def median_times(commands: dict[str, list[str]], repeat: int) -> dict[str, tuple[float, float]]:
    """Median wall-clock and CPU seconds of each command, the commands run in turn ``repeat``
    times after one run each that is not counted (it writes the bytecode caches)."""
    for command in commands.values():
        process_times(command)
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            runs[name].append(process_times(command))
    return {name: (statistics.median(w for w, _c in times), statistics.median(c for _w, c in times))
            for name, times in runs.items()}


def hy_command() -> str | None:
    """The ``hy`` of this Python's environment, else the one on PATH, else None."""
    beside = os.path.join(os.path.dirname(sys.executable), "hy")
    return beside if os.access(beside, os.X_OK) else shutil.which("hy")


def commands() -> dict[str, list[str]]:
    """The commands timed, by the name the table gives them."""
    found = {"gfjit eval": [sys.executable, "-m", "lisp", "eval", "(+ 1 2)"]}
    hy = hy_command()
    if hy is not None:
        found["hy -c"] = [hy, "-c", "(+ 1 2)"]
    found["python -c"] = [sys.executable, "-c", "1+2"]
    return found


def _ratio(value: float, base: tuple[float, float] | None, index: int) -> str:
    return "-" if base is None else f"{value / base[index]:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=9, help="runs of each command (default 9)")
    args = parser.parse_args(argv)
    timed = commands()
    check = subprocess.run(timed["gfjit eval"], capture_output=True, text=True, env=INSTALLED_ENV)
    if check.stdout.strip() != "3":
        raise SystemExit(f"gfjit eval printed {check.stdout!r} {check.stderr!r}")
    medians = median_times(timed, args.repeat)
    hy, python = medians.get("hy -c"), medians["python -c"]
    print(f"Python {sys.version.split()[0]}, median of {args.repeat} runs each (in turn), {time.strftime('%Y-%m-%d')}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}\n")
    print("| command | wall ms | CPU ms | wall / Hy | CPU / Hy | wall / Python | CPU / Python |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, (wall, cpu) in medians.items():
        print(f"| `{name}` | {wall * 1000:.0f} | {cpu * 1000:.0f} | {_ratio(wall, hy, 0)} | {_ratio(cpu, hy, 1)} "
              f"| {_ratio(wall, python, 0)} | {_ratio(cpu, python, 1)} |")
    if hy is None:
        print("\n(Hy not found: `-`)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
