"""Lisp benchmark: gfjit against plain Python, Hy and SBCL on the same algorithms, in one run.

Workloads (each written once per language below, as the same algorithm):

- ``fib``: naive doubly recursive Fibonacci of 25.
- ``lists``: build a list of 100,000 integers, map a hash over it, keep the even results, sort.
- ``closures``: 100 counter closures, each called 1,000 times with a step (100,000 calls that
  update captured state).

Every workload runs ``--repeat`` times per implementation; the table shows the median time and its
ratio to plain Python measured in the same run. SBCL (compiled code, a reference point) runs in
its own process and times itself the same way. Also measured: the time to start
``gfjit eval "(+ 1 2)"`` against ``python -c "1+2"`` (median of ``--repeat`` processes, wall clock
and CPU time: on a loaded machine the wall clock mostly measures waiting for a core).

Run: ``python bench/lisp_bench.py [--repeat N] [--only WORKLOAD...] [--embedded] [--no-sbcl] [--no-startup]``;
``--instructions [--quick]`` counts instructions per run under callgrind instead (deterministic: it
settles differences of a few percent that the timing noise of a shared machine cannot).
By default the Lisp is set up as ``gfjit run`` sets it up (``lisp.toplevel.boot_for_programs``: the boot heap
frozen, a larger young generation); ``--embedded`` measures it with CPython's collector settings,
as a program calling ``lisp.eval_string`` gets it. Hy is in the ``bench`` extra; SBCL is used when
``sbcl`` is on PATH. A missing peer is shown as ``-``.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from callgrind import CALLGRIND_OUT, Callgrind, run_under_callgrind  # noqa: E402
from startup import INSTALLED_ENV, median_times  # noqa: E402

FIB_N = 25
LIST_N = 100_000
COUNTERS, ROUNDS = 100, 1_000

# -- the workloads, once per language ------------------------------------------------------------

LISP = f"""
(defun fib (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))

(defun lists-run ()
  (let* ((xs (loop for i below {LIST_N} collect i))
         (hashed (mapcar (lambda (x) (mod (* x 7919) 100003)) xs))
         (even (remove-if-not #'evenp hashed))
         (sorted (sort even #'<)))
    (+ (length sorted) (first sorted) (car (last sorted)))))

(defun make-counter (start)
  (let ((n start))
    (lambda (step) (setq n (+ n step)))))

(defun closures-run ()
  (let ((counters (loop for i below {COUNTERS} collect (make-counter i)))
        (total 0))
    (dotimes (k {ROUNDS})
      (dolist (c counters)
        (setq total (+ total (funcall c k)))))
    total))
"""


def py_fib(n: int) -> int:
    return n if n < 2 else py_fib(n - 1) + py_fib(n - 2)


def py_lists_run() -> int:
    xs = list(range(LIST_N))
    hashed = list(map(lambda x: x * 7919 % 100003, xs))
    even = list(filter(lambda x: x % 2 == 0, hashed))
    even.sort()
    return len(even) + even[0] + even[-1]


def py_make_counter(start: int) -> Callable[[int], int]:
    n = start

    def counter(step: int) -> int:
        nonlocal n
        n = n + step
        return n

    return counter


def py_closures_run() -> int:
    counters = [py_make_counter(i) for i in range(COUNTERS)]
    total = 0
    for k in range(ROUNDS):
        for c in counters:
            total = total + c(k)
    return total


HY = f"""
(defn fib [n] (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))

(defn lists-run []
  (setv xs (list (range {LIST_N})))
  (setv hashed (list (map (fn [x] (% (* x 7919) 100003)) xs)))
  (setv even (list (filter (fn [x] (= (% x 2) 0)) hashed)))
  (.sort even)
  (+ (len even) (get even 0) (get even -1)))

(defn make-counter [start]
  (setv n start)
  (fn [step] (nonlocal n) (setv n (+ n step)) n))

(defn closures-run []
  (setv counters (lfor i (range {COUNTERS}) (make-counter i)))
  (setv total 0)
  (for [k (range {ROUNDS})]
    (for [c counters]
      (setv total (+ total (c k)))))
  total)
"""

SBCL = LISP + """
(defun batch-time (thunk k)
  (let ((start (get-internal-real-time)))
    (dotimes (i k) (funcall thunk))
    (/ (- (get-internal-real-time) start) (float internal-time-units-per-second 1d0))))

;; SBCL's real-time clock ticks in milliseconds here: time batches of at least 0.1 s.
(defun median-time (thunk repeat)
  (let ((k 1))
    (loop while (< (batch-time thunk k) 0.1d0) do (setf k (* k 2)))
    (let ((times (loop repeat repeat collect (/ (batch-time thunk k) k))))
      (nth (floor repeat 2) (sort times #'<)))))

(let ((repeat (parse-integer (second sb-ext:*posix-argv*))))
  (format t "fib ~f~%" (median-time (lambda () (fib 25)) repeat))
  (format t "lists ~f~%" (median-time #'lists-run repeat))
  (format t "closures ~f~%" (median-time #'closures-run repeat)))
"""

WORKLOADS = ("fib", "lists", "closures")


def _calls(fib: Callable[[int], Any], lists: Callable[[], Any], closures: Callable[[], Any]
           ) -> dict[str, Callable[[], Any]]:
    return {"fib": lambda: fib(FIB_N), "lists": lists, "closures": closures}


def python_workloads() -> dict[str, Callable[[], Any]]:
    return _calls(py_fib, py_lists_run, py_closures_run)


def gfjit_workloads(embedded: bool) -> dict[str, Callable[[], Any]]:
    """The Lisp set up as `gfjit run` sets it up (its garbage-collector settings, see
    lisp.toplevel.boot_for_programs), or as a program embedding it with `lisp.eval_string` (CPython's)."""
    import lisp

    if not embedded:
        from lisp import toplevel

        toplevel.boot_for_programs()
    lisp.eval_string(LISP)
    return _calls(lisp.function("FIB"), lisp.function("LISTS-RUN"), lisp.function("CLOSURES-RUN"))


def hy_workloads() -> dict[str, Callable[[], Any]] | None:
    try:
        import hy
    except ImportError:
        return None
    module = types.ModuleType("hy_bench")
    hy.eval(hy.read_many(HY), module=module)
    return _calls(module.fib, getattr(module, "lists_run"), getattr(module, "closures_run"))


# -- measuring -----------------------------------------------------------------------------------

def measure(implementations: dict[str, dict[str, Callable[[], Any]]], workloads: list[str], repeat: int,
            expected: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Median seconds per implementation and workload.

    The implementations take turns within each repetition, so a slow patch of a noisy machine
    falls on all of them instead of on whichever happened to run then.
    """
    for impl, calls in implementations.items():
        for name in workloads:
            got = calls[name]()
            if got != expected[name]:
                raise SystemExit(f"{impl} {name}: got {got!r}, plain Python got {expected[name]!r}")
    times: dict[str, dict[str, list[float]]] = {impl: {name: [] for name in workloads} for impl in implementations}
    for name in workloads:
        for _ in range(repeat):
            for impl, calls in implementations.items():
                start = time.perf_counter()
                calls[name]()
                times[impl][name].append(time.perf_counter() - start)
    return {impl: {name: statistics.median(samples) for name, samples in by_name.items()}
            for impl, by_name in times.items()}


def sbcl_times(repeat: int) -> dict[str, float] | None:
    sbcl = shutil.which("sbcl")
    if sbcl is None:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".lisp", delete=False) as script:
        script.write(SBCL)
    try:
        done = subprocess.run([sbcl, "--script", script.name, str(repeat)], capture_output=True, text=True,
                              check=True)
    finally:
        os.unlink(script.name)
    return {name: float(value) for name, value in (line.split() for line in done.stdout.splitlines())}


def startup_times(repeat: int) -> dict[str, tuple[float, float]]:
    """Median wall-clock and CPU (user + system) seconds to run each command to its end."""
    commands = {"gfjit": [sys.executable, "-m", "lisp", "eval", "(+ 1 2)"], "python": [sys.executable, "-c", "1+2"]}
    check = subprocess.run(commands["gfjit"], capture_output=True, text=True, env=INSTALLED_ENV)
    if check.stdout.strip() != "3":
        raise SystemExit(f"gfjit eval printed {check.stdout!r} {check.stderr!r}")
    return median_times(commands, repeat)


def instructions_per_run(callgrind: Any, implementations: dict[str, dict[str, Callable[[], Any]]],
                         workloads: list[str], tries: int) -> dict[str, dict[str, float]]:
    """Instructions per run of each workload and implementation: the count of two runs minus that
    of one (fixed costs cancel), each the least of ``tries`` (a collection or an idle thread waking
    up adds some)."""
    def least(thunk: Callable[[], Any], runs: int) -> int:
        def work() -> None:
            for _ in range(runs):
                thunk()
        return min(callgrind.events(work)["Ir"] for _ in range(tries))

    out: dict[str, dict[str, float]] = {impl: {} for impl in implementations}
    for name in workloads:
        for impl, calls in implementations.items():
            thunk = calls[name]
            thunk()  # warm: specialization, caches, the freelists
            out[impl][name] = least(thunk, 2) - least(thunk, 1)
            print(f"  {name} {impl}: {out[impl][name] / 1e6:.1f} M", file=sys.stderr, flush=True)
    return out


def instruction_table(counts: dict[str, dict[str, float]], workloads: list[str]) -> str:
    rows = ["| workload | Python M instr | gfjit M instr | gfjit/Py | Hy M instr | Hy/Py |",
            "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name in workloads:
        base = counts["python"][name]
        cells = [f"{counts[impl][name] / 1e6:.1f} | {counts[impl][name] / base:.3f}x" if impl in counts else "- | -"
                 for impl in ("gfjit", "hy")]
        rows.append(f"| {name} | {base / 1e6:.1f} | {' | '.join(cells)} |")
    return "\n".join(rows)


# -- the table -----------------------------------------------------------------------------------

def _cell(times: dict[str, float] | None, name: str, base: float) -> str:
    if times is None:
        return "- | -"
    return f"{times[name] * 1000:.1f} | {times[name] / base:.2f}x"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per workload (median is shown)")
    parser.add_argument("--only", nargs="+", choices=WORKLOADS, default=list(WORKLOADS), metavar="WORKLOAD",
                        help=f"measure just these workloads (of {', '.join(WORKLOADS)})")
    parser.add_argument("--embedded", action="store_true",
                        help="the Lisp as a Python program embeds it (CPython's default collector settings) "
                             "instead of as `gfjit run` sets it up")
    parser.add_argument("--no-sbcl", dest="sbcl", action="store_false", help="skip the SBCL reference")
    parser.add_argument("--no-startup", dest="startup", action="store_false", help="skip the start-up times")
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions per run under callgrind instead of timing (deterministic; "
                             "valgrind required; SBCL and start-up are not measured)")
    parser.add_argument("--quick", action="store_true", help="with --instructions: one count per figure, not "
                                                             "the least of three")
    args = parser.parse_args(argv)
    out_file = os.environ.get(CALLGRIND_OUT)
    if args.instructions and out_file is None:
        return run_under_callgrind(__file__, sys.argv[1:] if argv is None else list(argv))

    python_calls = python_workloads()
    expected = {name: thunk() for name, thunk in python_calls.items()}
    implementations = {"python": python_calls, "gfjit": gfjit_workloads(args.embedded)}
    hy_calls = hy_workloads()
    if hy_calls is not None:
        implementations["hy"] = hy_calls
    setup = "embedded (CPython's collector settings)" if args.embedded else "as `gfjit run` sets it up"
    if args.instructions:
        counts = instructions_per_run(Callgrind(out_file), implementations, args.only, 1 if args.quick else 3)
        print(f"Python {sys.version.split()[0]}, instructions per run (callgrind), ratio to plain Python; "
              f"gfjit {setup}; gc thresholds {gc.get_threshold()}\n")
        print(instruction_table(counts, args.only))
        return 0
    results = measure(implementations, args.only, args.repeat, expected)
    python, gfjit, hy = results["python"], results["gfjit"], results.get("hy")
    sbcl = sbcl_times(args.repeat) if args.sbcl else None

    print(f"Python {sys.version.split()[0]}, median of {args.repeat} runs, times in ms, ratio to plain Python; "
          f"gfjit {setup}; gc thresholds {gc.get_threshold()}\n")
    print("| workload | Python ms | gfjit ms | gfjit/Py | Hy ms | Hy/Py | SBCL ms | SBCL/Py |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in args.only:
        base = python[name]
        print(f"| {name} | {base * 1000:.1f} | {_cell(gfjit, name, base)} | {_cell(hy, name, base)} "
              f"| {_cell(sbcl, name, base)} |")
    if not args.startup:
        return 0
    start = startup_times(args.repeat)
    print("\n| start-up | wall ms | CPU ms |\n| --- | ---: | ---: |")
    print(f"| `gfjit eval \"(+ 1 2)\"` | {start['gfjit'][0] * 1000:.0f} | {start['gfjit'][1] * 1000:.0f} |")
    print(f"| `python -c \"1+2\"` | {start['python'][0] * 1000:.0f} | {start['python'][1] * 1000:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
