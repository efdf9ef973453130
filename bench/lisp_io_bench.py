"""Reader, printer and format speed against Python's nearest equivalents, measured in one run.

    python bench/lisp_io_bench.py [--items N] [--repeat K]

Rows: reading N nested list forms (baseline: ``ast.literal_eval`` of the same data as Python
literals), printing them with ``prin1-to-string`` (baseline: ``repr``), and N ``format`` calls
(baseline: ``%``-formatting of the same line). Times are medians of K runs of CPU time.
"""

from __future__ import annotations

import argparse
import ast
import statistics
import time
from collections.abc import Callable
from typing import Any


def median_seconds(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()

    import lisp.evaluator  # noqa: F401 - boot, so that reading CL names finds the CL symbols
    from lisp.syntax.format import format_to_string
    from lisp.syntax.printer import prin1_to_string
    from lisp.syntax.reader import read_all

    n = options.items
    lisp_text = "\n".join(f'(item {i} "name {i}" (x {i * 7} y) 1/3 2.5)' for i in range(n))
    python_text = "[" + ",".join(f'["item", {i}, "name {i}", ["x", {i * 7}, "y"], 0.333, 2.5]'
                                 for i in range(n)) + "]"
    forms = read_all(lisp_text)
    values = ast.literal_eval(python_text)
    numbers = lisp.evaluator.read_from_string("(1 2 3)")

    rows = [
        ("read", lambda: read_all(lisp_text), lambda: ast.literal_eval(python_text)),
        ("print", lambda: [prin1_to_string(f) for f in forms], lambda: [repr(v) for v in values]),
        ("format", lambda: [format_to_string("~a: ~{~a~^, ~} ~,2f~%", [i, numbers, 3.14159]) for i in range(n)],
         lambda: ["%s: %s %.2f\n" % (i, ", ".join(map(str, [1, 2, 3])), 3.14159) for i in range(n)]),
    ]
    print(f"{n} items, median of {options.repeat} runs (CPU time)")
    print(f"{'operation':<10}{'gfjit ms':>12}{'Python ms':>12}{'ratio':>8}")
    for name, ours, baseline in rows:
        mine = median_seconds(ours, options.repeat)
        theirs = median_seconds(baseline, options.repeat)
        print(f"{name:<10}{mine * 1000:>12.1f}{theirs * 1000:>12.1f}{mine / theirs:>7.1f}x")


if __name__ == "__main__":
    main()
