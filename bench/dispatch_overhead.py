"""Dispatch overhead: ns per call of gfjit (native and Python) and its peers, against a direct call
of the same method measured in the same run; plus miss-to-native latency, parallel compilation
and the decision-tree strategies.

    python bench/dispatch_overhead.py [--quick] [--no-plot] [--instructions]

Times are CPU time of the calling thread (the machine may be shared). Prints markdown tables
(medians; ratio = time / direct call time; overhead = time - direct) and
writes bench/results/dispatch_overhead.png with its figures in dispatch_overhead.json
(`--replot` redraws the plot from them). Peers (``pip install '.[bench]'``): ovld, plum,
multipledispatch, multimethod, functools.singledispatch; a missing peer is reported and skipped.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import numbers
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import dispatch  # noqa: E402
from dispatch import jitlink  # noqa: E402
from dispatch.dispatcher import set_tree_strategy  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from callgrind import CALLGRIND_OUT, Callgrind, run_under_callgrind  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
UNROLL = 10


# -- methods and classes ---------------------------------------------------------------------

def method_function(name: str, nargs: int, types: Sequence[type]) -> Callable[..., Any]:
    """A trivial method ``def name(a0, ...): return a0`` annotated with ``types``."""
    params = ", ".join(f"a{i}" for i in range(nargs))
    ns: dict[str, Any] = {}
    exec(f"def {name}({params}):\n    return a0\n", ns)
    fn = ns[name]
    fn.__annotations__ = {f"a{i}": t for i, t in enumerate(types)}
    return fn


def hierarchy(n: int, prefix: str) -> list[type]:
    return [type(f"{prefix}{i}", (), {}) for i in range(n)]


# -- implementations -------------------------------------------------------------------------

class Impl:
    """One dispatch library: build a function with methods, return the callable."""

    name = ""
    one_arg_only = False

    def build(self, fname: str, nargs: int,
              methods: Sequence[tuple[tuple[type, ...], Callable[..., Any]]],
              qualified: Sequence[tuple[str, Callable[..., Any]]] = ()) -> Callable[..., Any]:
        raise NotImplementedError


class Gfjit(Impl):
    def __init__(self, native: bool) -> None:
        self.native = native
        self.name = "gfjit native" if native else "gfjit python"

    def build(self, fname, nargs, methods, qualified=()):
        gf = dispatch.make_generic(fname, [f"a{i}" for i in range(nargs)], native=self.native)
        for types, fn in methods:
            gf.add_method(dispatch.Method(fn, types))
        for qualifier, fn in qualified:
            gf.add_method(dispatch.Method(fn, methods[0][0], (qualifier,), wants_next=qualifier == "around"))
        return gf


class SingleDispatch(Impl):
    name = "singledispatch"
    one_arg_only = True

    def build(self, fname, nargs, methods, qualified=()):
        sd = functools.singledispatch(lambda a0: None)
        for (t,), fn in methods:
            sd.register(t, fn)
        return sd


class Plum(Impl):
    name = "plum"

    def build(self, fname, nargs, methods, qualified=()):
        from plum import Dispatcher
        d = Dispatcher()
        f = None
        for types, fn in methods:
            fn.__name__ = fname
            f = d(fn)
        return f


class MultipleDispatch(Impl):
    name = "multipledispatch"

    def build(self, fname, nargs, methods, qualified=()):
        from multipledispatch import Dispatcher
        d = Dispatcher(fname)
        for types, fn in methods:
            d.add(types, fn)
        return d


class MultiMethod(Impl):
    name = "multimethod"

    def build(self, fname, nargs, methods, qualified=()):
        from multimethod import multimethod
        mm = None
        for types, fn in methods:
            fn.__name__ = fname
            mm = multimethod(fn) if mm is None else (mm.register(fn) and mm)
        return mm


class Ovld(Impl):
    name = "ovld"

    def build(self, fname, nargs, methods, qualified=()):
        from ovld import Ovld
        o = Ovld()
        for types, fn in methods:
            fn.__name__ = fname
            o.register(fn)
        return o.dispatch


def implementations() -> tuple[list[Impl], list[str]]:
    impls: list[Impl] = [Gfjit(True), Gfjit(False), SingleDispatch()]
    missing = []
    for cls, module in ((Ovld, "ovld"), (Plum, "plum"), (MultipleDispatch, "multipledispatch"),
                        (MultiMethod, "multimethod")):
        try:
            __import__(module)
            impls.append(cls())
        except ImportError:
            missing.append(module)
    return impls, missing


# -- timing ----------------------------------------------------------------------------------

def _runner(nargs: int) -> Callable[[list[tuple[Any, ...]], int], float]:
    """A loop calling ``row[0](*row[1:])`` for each row, unrolled ``UNROLL`` times; returns
    CPU seconds per call (thread time: the machine may be shared, and time spent descheduled
    is not the code's)."""
    lines = ["def run(rows, loops):", "    n = len(rows)", "    t0 = clock()",
             "    for _ in range(loops):", f"        for k in range(0, n, {UNROLL}):"]
    for j in range(UNROLL):
        xs = ", ".join(f"x{j}_{i}" for i in range(nargs))
        lines.append(f"            f{j}, {xs}, = rows[k + {j}]")
    for j in range(UNROLL):
        xs = ", ".join(f"x{j}_{i}" for i in range(nargs))
        lines.append(f"            f{j}({xs})")
    lines.append("    return (clock() - t0) / (loops * n)")
    ns: dict[str, Any] = {"clock": time.thread_time}
    exec("\n".join(lines), ns)
    return ns["run"]


def ns_per_call_in_turns(variants: dict[str, tuple[list[tuple[Any, ...]], int]], calls: int,
                         repeats: int) -> dict[str, float]:
    """Median ns per call of each variant (``name -> (rows, nargs)``; each row ``(callable,
    *args)``, the number of rows a multiple of UNROLL).

    The variants take turns within each repetition, so a slow patch of a shared machine (the
    clock, a neighbour) falls on all of them instead of on whichever happened to run then.
    """
    runs = {name: (_runner(nargs), rows, max(1, calls // len(rows))) for name, (rows, nargs) in variants.items()}
    for run, rows, _ in runs.values():
        run(rows, 1)
    samples: dict[str, list[float]] = {name: [] for name in runs}
    gc.disable()
    try:
        for _ in range(repeats):
            for name, (run, rows, loops) in runs.items():
                samples[name].append(run(rows, loops))
    finally:
        gc.enable()
    return {name: statistics.median(times) * 1e9 for name, times in samples.items()}


# -- cases -----------------------------------------------------------------------------------

class Case:
    def __init__(self, name: str, nargs: int, methods, calls, qualified=(), peer_method=None):
        self.name, self.nargs = name, nargs
        self.methods = methods          # [(types, fn)]
        self.calls = calls              # [(fn it must reach, args)]
        # Qualified methods on the first method's specializers [(qualifier, fn)], and what the
        # peers (which have none) define instead: one method doing what the effective method does.
        self.qualified, self.peer_method = list(qualified), peer_method
        self.around = next((fn for qualifier, fn in self.qualified if qualifier == "around"), None)


def _simple_case(name: str, nargs: int, nclasses: int = 4) -> Case:
    classes = hierarchy(nclasses, f"{name[:1]}C")
    methods = []
    for i, c in enumerate(classes):
        types = (c,) * nargs
        methods.append((types, method_function(f"m{i}", nargs, types)))
    target = methods[1]
    obj = classes[1]()
    return Case(name, nargs, methods, [(target[1], (obj,) * nargs)])


def _inheritance_case() -> Case:
    base = type("Base", (), {})
    mid = type("Mid", (base,), {})
    leaf = type("Leaf", (mid,), {})
    others = hierarchy(3, "Other")
    methods = [((c,), method_function(f"m_{c.__name__}", 1, (c,))) for c in [base, *others]]
    return Case("inheritance hit (3 levels)", 1, methods, [(methods[0][1], (leaf(),))])


def _many_case(rng: random.Random) -> Case:
    classes = hierarchy(100, "M")
    pairs = set()
    while len(pairs) < 1000:
        pairs.add((rng.randrange(100), rng.randrange(100)))
    methods = []
    for i, (a, b) in enumerate(sorted(pairs)):
        types = (classes[a], classes[b])
        methods.append((types, method_function(f"m{i}", 2, types)))
    objs = [c() for c in classes]
    chosen = rng.sample(methods, 200)
    calls = [(fn, (objs[classes.index(t[0])], objs[classes.index(t[1])])) for t, fn in chosen]
    return Case("1000 methods / 100 classes, random mix", 2, methods, calls)


def _around_case() -> Case:
    c = type("Ar", (), {})
    inner = method_function("inner", 1, (c,))

    def around(next_method, a0):
        return next_method()

    def around_direct(a0):
        return inner(a0)
    around_direct.__annotations__ = {"a0": c}
    return Case("around calling next_method", 1, [((c,), inner)], [(around_direct, (c(),))],
                qualified=[("around", around)], peer_method=around_direct)


def _before_after_case() -> Case:
    c = type("Ba", (), {})
    inner = method_function("inner", 1, (c,))
    before, after = method_function("before", 1, (c,)), method_function("after", 1, (c,))

    def before_after_direct(a0):
        before(a0)
        result = inner(a0)
        after(a0)
        return result
    before_after_direct.__annotations__ = {"a0": c}
    return Case("before + primary + after", 1, [((c,), inner)], [(before_after_direct, (c(),))],
                qualified=[("before", before), ("after", after)],
                peer_method=before_after_direct)


def _abc_case() -> Case:
    methods = [((t,), method_function(f"m_{t.__name__}", 1, (t,)))
               for t in (numbers.Number, str, dict, list)]
    return Case("ABC hit (int on a Number method)", 1, methods, [(methods[0][1], (7,))])


def _trivial_case() -> Case:
    """The shape of ovld's "trivial" benchmark: Number, str, dict, list and a class hierarchy."""
    a = type("TA", (), {})
    b = type("TB", (a,), {})
    c = type("TC", (b,), {})
    types = (numbers.Number, str, dict, list, a, b, c)
    methods = [((t,), method_function(f"m_{t.__name__}", 1, (t,))) for t in types]
    objs = (1, "x", {}, [], a(), b(), c())
    return Case("ovld 'trivial' shape (mix)", 1, methods,
                [(fn, (o,)) for (_, fn), o in zip(methods, objs)])


def cases(rng: random.Random) -> list[Case]:
    return [_simple_case("1 arg", 1), _simple_case("2 args", 2), _simple_case("3 args", 3),
            _inheritance_case(), _many_case(rng), _around_case(), _before_after_case(), _abc_case(),
            _trivial_case()]


def variants_for(case: Case, impls: list[Impl]) -> tuple[dict[str, tuple[list[tuple[Any, ...]], int]],
                                                         list[str]]:
    """The rows each variant of ``case`` calls (``name -> (rows, nargs)``, checked to reach the
    right method), and the implementations that cannot run it."""
    def rows_for(callables: list[Callable[..., Any]]) -> list[tuple[Any, ...]]:
        rows = [(g, *args) for g, (_, args) in zip(callables, case.calls)]
        return (rows * UNROLL)[:max(UNROLL, len(rows) // UNROLL * UNROLL)] if len(rows) % UNROLL \
            else rows

    variants: dict[str, tuple[list[tuple[Any, ...]], int]] = {
        "direct": (rows_for([fn for fn, _ in case.calls]), case.nargs)}
    if case.around is not None:
        # The floor of any next_method protocol: the around method called with a next_method
        # made in advance (no dispatch, no allocation), which still calls through one more object.
        (_, inner), = case.methods
        made = [(case.around, functools.partial(inner, *args), *args) for _, args in case.calls]
        variants["around floor"] = ((made * UNROLL)[:UNROLL] if len(made) < UNROLL else made, case.nargs + 1)
    unable = []
    for impl in impls:
        if impl.one_arg_only and case.nargs != 1:
            unable.append(impl.name)
            continue
        if case.qualified and not isinstance(impl, Gfjit):
            # Peers have no qualified methods: their one method does what the chain does.
            f = impl.build("f", case.nargs, [(case.methods[0][0], case.peer_method)])
        else:
            f = impl.build("f", case.nargs, case.methods, case.qualified)
        for _, args in case.calls:
            f(*args)
        if isinstance(f, dispatch.GenericFunction) and f.native:
            f.compile()
        for fn, args in case.calls:
            expect = fn(*args)
            got = f(*args)
            assert got is expect, f"{impl.name} {case.name}: wrong result"
        variants[impl.name] = (rows_for([f] * len(case.calls)), case.nargs)
    return variants, unable


def measure_case(case: Case, impls: list[Impl], calls: int, repeats: int) -> dict[str, float | None]:
    variants, unable = variants_for(case, impls)
    out: dict[str, float | None] = dict.fromkeys(unable)
    out.update(ns_per_call_in_turns(variants, calls, repeats))
    print(f"  {case.name}: " + ", ".join(f"{name} {ns:.0f} ns" for name, ns in out.items() if ns is not None),
          file=sys.stderr, flush=True)
    return out


# -- instruction counts (callgrind) ------------------------------------------------------------

def events_per_call(callgrind: Callgrind, variants: dict[str, tuple[list[tuple[Any, ...]], int]],
                    calls: int) -> dict[str, dict[str, float]]:
    """Callgrind's events per call of each variant: the counts for ``2 L`` loops minus those for
    ``L`` loops, over ``L`` loops' calls, so the fixed costs (the requests, the clock, the loop
    set-up) cancel out; the loop's own per-call cost is in the direct call's. Each count is that
    of the run with the fewest instructions of three: idle threads waking up (the compile
    pool's) add some."""
    def least(loops: int) -> dict[str, int]:
        return min((callgrind.events(lambda: run(rows, loops)) for _ in range(3)),
                   key=lambda counts: counts["Ir"])

    out = {}
    dispatch.wait_for_compiles()  # a background compile would be counted
    gc.disable()
    try:
        for name, (rows, nargs) in variants.items():
            run = _runner(nargs)
            loops = max(1, calls // len(rows))
            run(rows, loops)  # warm: specialization, caches
            once, twice = least(loops), least(2 * loops)
            out[name] = {event: (twice[event] - once[event]) / (loops * len(rows)) for event in once}
    finally:
        gc.enable()
    return out


def instruction_report(out_file: str, calls: int) -> None:
    callgrind = Callgrind(out_file)
    impls, missing = implementations()
    if missing:
        print(f"peers not installed (skipped): {', '.join(missing)}")
    instructions: dict[str, dict[str, float | None]] = {}
    mispredicted: dict[str, dict[str, float | None]] = {}
    for case in cases(random.Random(42)):
        variants, unable = variants_for(case, impls)
        counts = events_per_call(callgrind, variants, calls)
        instructions[case.name] = {**dict.fromkeys(unable), **{n: c["Ir"] for n, c in counts.items()}}
        mispredicted[case.name] = {**dict.fromkeys(unable),
                                   **{n: c["Bcm"] + c["Bim"] for n, c in counts.items()}}
        print(f"  {case.name}: " + ", ".join(f"{name} {c['Ir']:.0f}" for name, c in counts.items()),
              file=sys.stderr, flush=True)
    print("## Dispatch overhead in instructions per call (callgrind, all threads; ratio to a "
          "direct call)\n")
    print(table(instructions, impls, unit="instr"))
    print("\n## Mispredicted branches per call, conditional + indirect (callgrind's simple "
          "predictor model, not a real CPU's)\n")
    print(table(mispredicted, impls, unit="", digits=1))
    for case, row in instructions.items():
        if row.get("around floor") is not None:
            print(f"\n{case}: floor of any next_method protocol {row['around floor']:.0f} instr, "
                  f"gfjit native {row['gfjit native']:.0f} instr, direct {row['direct']:.0f} instr")


# -- other measurements ------------------------------------------------------------------------

def miss_to_native(samples: int) -> tuple[float, float]:
    """ms from the first call with a new class to an installed dispatcher covering it."""
    f = dispatch.make_generic("latency", ["a0"], native=True)
    f.add_method(dispatch.Method(lambda a0: 1, (object,)))
    f.add_method(dispatch.Method(lambda a0: 2, (int,)))
    dispatch.wait_for_compiles()
    out = []
    keep = []  # a dying class would swap the dispatcher out mid-sample (I2): keep them all
    for i in range(samples):
        obj = type(f"L{i}", (), {})()
        keep.append(obj)
        t0 = time.perf_counter()
        f(obj)
        while not _covers(f, type(obj)):
            # A class of an earlier sample may have died meanwhile and swapped the dispatcher
            # out; the next call through the slow path asks for a new one.
            dispatch.wait_for_compiles()
            f(obj)
        out.append((time.perf_counter() - t0) * 1e3)
    out.sort()
    return statistics.median(out), out[min(len(out) - 1, int(len(out) * 0.99))]


def _covers(f: Any, cls: type) -> bool:
    compiled = f._gf_state.compiled
    return compiled is not None and id(cls) in compiled.class_ids and \
        dispatch.native.load_pointer(f, dispatch.native.VECTORCALL_OFFSET) == compiled.address


def parallel_compile(workers: int, nfuncs: int = 50, nclasses: int = 20) -> float:
    """Seconds for ``nfuncs`` generic functions with ``nclasses`` class tuples each to get their
    dispatchers through the background pool with ``workers`` workers."""
    dispatch.configure_compiler(workers=workers)
    classes = hierarchy(nclasses, "P")
    objs = [c() for c in classes]
    gfs = []
    for i in range(nfuncs):
        f = dispatch.make_generic(f"par{i}", ["a0"], native=True)
        for j, c in enumerate(classes):
            f.add_method(dispatch.Method(method_function(f"m{j}", 1, (c,)), (c,)))
        gfs.append(f)
    t0 = time.perf_counter()
    for f in gfs:
        for o in objs:
            f(o)
    dispatch.wait_for_compiles()
    dt = time.perf_counter() - t0
    assert all(f.stats.installs >= 1 for f in gfs)
    dispatch.configure_compiler()
    return dt


CODEGEN = ((0, "bisect"), (0, "switch"), (2, "switch"), (2, "bisect"))


def strategies(calls: int, repeats: int) -> list[tuple[int, float, list[float]]]:
    """(classes, direct ns, ns per :data:`CODEGEN` setting) for a call mix over all classes."""
    rows_out = []
    default_level = jitlink.opt_level()
    for n in (2, 20, 200):
        classes = hierarchy(n, "S")
        methods = [((c,), method_function(f"m{i}", 1, (c,))) for i, c in enumerate(classes)]
        objs = [c() for c in classes]
        order = list(range(n)) * max(1, 200 // n)
        random.Random(n).shuffle(order)
        order = order[:len(order) // UNROLL * UNROLL]
        variants = {"direct": ([(methods[i][1], objs[i]) for i in order], 1)}
        for level, strategy in CODEGEN:
            jitlink.set_opt_level(level)
            set_tree_strategy(strategy)
            f = Gfjit(True).build("s", 1, methods)
            for o in objs:
                f(o)
            f.compile()
            variants[f"O{level} {strategy}"] = ([(f, objs[i]) for i in order], 1)
        jitlink.set_opt_level(default_level)
        set_tree_strategy(CODEGEN[0][1])
        times = ns_per_call_in_turns(variants, calls, repeats)
        rows_out.append((n, times["direct"], [times[f"O{level} {strategy}"] for level, strategy in CODEGEN]))
    return rows_out


# -- report ----------------------------------------------------------------------------------

def table(results: dict[str, dict[str, float | None]], impls: list[Impl], unit: str = "ns",
          digits: int = 0) -> str:
    names = ["direct"] + [i.name for i in impls]
    lines = ["| case | " + " | ".join(names) + " | gfjit overhead / fastest peer's |",
             "|---" * (len(names) + 2) + "|"]
    peers = [i.name for i in impls if not isinstance(i, Gfjit)]
    for case, row in results.items():
        d = row["direct"]
        cells = []
        for n in names:
            v = row.get(n)
            value = f"{v:.{digits}f} {unit}".rstrip() if v is not None else "n/a"
            cells.append(value if v is None or n == "direct" or d <= 0 else f"{value} ({v / d:.2f}x)")
        peer_over = [row[p] - d for p in peers if row.get(p) is not None]
        ours = row["gfjit native"] - d
        ratio = f"{ours / min(peer_over):.2f}" if peer_over and min(peer_over) > 0 else "n/a"
        lines.append(f"| {case} | " + " | ".join(cells) + f" | {ratio} |")
    return "\n".join(lines)


def plot(results: dict[str, dict[str, float | None]], names: list[str], path: Path,
         caption: str) -> None:
    """One panel a case, one horizontal bar an implementation with its ratio written beside it, on
    a linear axis (so 1.2x and 1.5x are told apart); ``caption`` names the machine and the date."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    cases_ = list(results)
    columns = 3
    rows = -(-len(cases_) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(15, 3.1 * rows + 0.9), squeeze=False)
    colors = {n: ("#1f6fb4" if n.startswith("gfjit") else "#9a9a9a") for n in names}
    for ax, case in zip(axes.flat, cases_):
        shown = [n for n in names if results[case].get(n) is not None]
        ratios = [results[case][n] / results[case]["direct"] for n in shown]
        bars = ax.barh(range(len(shown)), ratios, color=[colors[n] for n in shown])
        ax.bar_label(bars, [f"{r:.2f}x" for r in ratios], padding=3, fontsize=8)
        ax.set_yticks(range(len(shown)), shown, fontsize=8)
        ax.invert_yaxis()
        ax.axvline(1.0, color="black", linewidth=0.8)
        ax.set_xlim(0, max(ratios) * 1.18)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 2.5, 5, 10]))
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="x", linewidth=0.4, alpha=0.5)
        ax.set_title(case, fontsize=10)
    for ax in list(axes.flat)[len(cases_):]:
        ax.set_visible(False)
    fig.suptitle("Time per call / a direct call of the same method (lower is better; 1.0 = no overhead)",
                 fontsize=12)
    fig.text(0.5, 0.01, caption, ha="center", fontsize=9)
    fig.tight_layout(rect=(0, 0.03, 1, 0.97))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)


def machine_caption() -> str:
    """The date, Python version and processor of this run, for the plot's caption."""
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, {cpu}, "
            f"{os.cpu_count()} cores; median of the run's repetitions")


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer calls and repeats (noisier)")
    p.add_argument("--no-plot", action="store_true")
    p.add_argument("--replot", metavar="JSON", type=Path,
                   help="redraw the plot from the results a run saved, measuring nothing")
    p.add_argument("--instructions", action="store_true",
                   help="count instructions per call under callgrind instead of timing (deterministic, "
                        "no noise from other processes; only the dispatch table)")
    args = p.parse_args(argv)
    if args.instructions:
        out_file = os.environ.get(CALLGRIND_OUT)
        if out_file is None:
            sys.exit(run_under_callgrind(__file__, sys.argv[1:] if argv is None else list(argv)))
        instruction_report(out_file, 500 if args.quick else 2_000)
        return
    if args.replot:
        saved = json.loads(args.replot.read_text())
        plot(saved["results"], saved["names"], RESULTS / "dispatch_overhead.png", saved["caption"])
        return
    calls, repeats = (20_000, 5) if args.quick else (200_000, 11)
    impls, missing = implementations()
    if missing:
        print(f"peers not installed (skipped): {', '.join(missing)}")
    results = {}
    for case in cases(random.Random(42)):
        results[case.name] = measure_case(case, impls, calls, repeats)
    print(f"## Dispatch overhead (ns per call, median of {repeats}; ratio to a direct call)\n")
    print(table(results, impls))
    for case, row in results.items():
        if row.get("around floor") is not None:
            floor, direct = row["around floor"], row["direct"]
            peers = [row[i.name] - direct for i in impls if not isinstance(i, Gfjit) and row.get(i.name) is not None]
            share = f", {(floor - direct) / min(peers):.2f} of the fastest peer's overhead" if peers else ""
            print(f"\n{case}: floor of any next_method protocol (the around method called directly with a "
                  f"next_method made in advance) {floor:.0f} ns, overhead {floor - direct:.0f} ns{share}")
    samples = 20 if args.quick else 100
    default_level = jitlink.opt_level()
    for level in (default_level, 2):
        jitlink.set_opt_level(level)
        med, p99 = miss_to_native(samples)
        one, two = parallel_compile(1), parallel_compile(2)
        print(f"\nLLVM codegen level O{level}: miss-to-native latency median {med:.2f} ms, "
              f"p99 {p99:.2f} ms; 50 generic functions (20 classes each) compiled in the "
              f"background: 1 worker {one * 1e3:.0f} ms, 2 workers {two * 1e3:.0f} ms "
              f"({one / two:.2f}x)")
    jitlink.set_opt_level(default_level)
    print("\n## Decision-tree strategy (ns per call over a mix of all classes)\n")
    heads = " | ".join(f"O{level} {strategy}" for level, strategy in CODEGEN)
    print(f"| classes | direct | {heads} |\n|---" + "|---" * (len(CODEGEN) + 1) + "|")
    for n, d, res in strategies(calls, repeats):
        cells = " | ".join(f"{v:.0f} ns ({v / d:.2f}x)" for v in res)
        print(f"| {n} | {d:.0f} ns | {cells} |")
    if not args.no_plot:
        path = RESULTS / "dispatch_overhead.png"
        saved = {"results": results, "names": [i.name for i in impls], "caption": machine_caption()}
        path.with_suffix(".json").write_text(json.dumps(saved, indent=1))
        plot(saved["results"], saved["names"], path, saved["caption"])
        print(f"\nplot: {path} (its figures: {path.with_suffix('.json')})")


if __name__ == "__main__":
    main()
