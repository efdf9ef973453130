"""The `dispatch` workload: methods added, replaced and removed while other threads call.

Several generic functions (standard and operator combinations, one to three dispatched
arguments, one with a reversed argument precedence order) live in slots. Threads add, replace and
remove methods of every qualifier with class and eql specializers, redefine a slot's generic
function with another combination, create temporary classes that get methods, calls and are then
dropped, force compiles, and call. Method bodies note their id in a per-thread trace and return
values that name them, so a call's value and trace show exactly which methods ran.

Checking, with `stress.clos_oracle` (which shares nothing with dispatch's code): each slot keeps
its versions, the method sets it has had. A writer publishes version k+1 *before* it changes the
generic function and marks it current after; so a call that starts at current version `lo` and
ends when `hi` is the newest must behave as some version in [lo, hi] of the function it called.
Per thread and slot, the matched version never goes down (no older method set after a newer one).

Faults: bodies that raise, definitions that must be refused (wrong number of specializers, a
qualifier the combination does not accept) leaving the function unchanged, and once per run a
background compile worker killed by an asynchronous SystemExit.
"""

from __future__ import annotations

import collections
import ctypes
import gc
import inspect
import itertools
import sys
import threading
import time
import types
import weakref
from dataclasses import dataclass, field

import dispatch
from stress.clos_oracle import (
    STANDARD,
    EqlSpec,
    Expected,
    MethodSpec,
    Raised,
    expected_call,
    operator_value,
    with_method,
)
from stress.workload import Findings, Settings, Tally, ThreadContext


class Named:
    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class A(Named): ...
class B(A): ...
class C(A): ...
class D(B, C): ...
class E(D): ...
class F(C): ...
class G(Named): ...


CLASSES = (A, B, C, D, E, F, G)
SENTINELS = (A(), D())  # identity eql specializers
EQL_VALUES = (0, 1, 7, "x", *SENTINELS)
ARGUMENTS = tuple(cls() for cls in CLASSES) + (0, 1, 2, 7, "x", "y", *SENTINELS)
MAX_METHODS = 24
CALLS_PER_TEMPORARY = 4
DECORATED = 0.3  # share of definitions made with `gf.method` and annotations
KILL_ATTEMPTS = 250  # looks for an idle compile worker, 2 ms apart


@dataclass(frozen=True)
class Shape:
    """How a slot's generic function is made."""

    arity: int
    combination: str = STANDARD
    most_specific_last: bool = False
    reversed_order: bool = False

    def order(self) -> list[int] | None:
        return list(reversed(range(self.arity))) if self.reversed_order else None

    def qualifiers(self) -> tuple[str | None, ...]:
        if self.combination == STANDARD:
            return (None, None, "before", "after", "around")
        return (self.combination, self.combination, "around")


SHAPES = (
    Shape(1),
    Shape(2),
    Shape(2, reversed_order=True),
    Shape(3),
    Shape(2, "+"),
    Shape(1, "and", most_specific_last=True),
    Shape(1, "list"),
    Shape(2, "append"),
)
# What a slot may be redefined as, for each arity.
REDEFINITIONS = {
    1: (Shape(1), Shape(1, "or"), Shape(1, "max"), Shape(1, "progn"), Shape(1, "nconc")),
    2: (Shape(2), Shape(2, "min"), Shape(2, "+", most_specific_last=True)),
    3: (Shape(3), Shape(3, reversed_order=True)),
}


class MethodRaised(Exception):
    """Raised on purpose by a method body whose behaviour is "raise"."""


class Trace(threading.local):
    """Per thread: the ids of the bodies that ran in the current call, and the extra (not
    dispatched) arguments the call passed, which every body must receive unchanged."""

    def __init__(self) -> None:
        self.ran: list[str] = []
        self.extra: tuple = ()
        self.keywords: dict = {}

    def enter(self, ident: str, arity: int, args: tuple, keywords: dict) -> None:
        self.ran.append(ident)
        if args[arity:] != self.extra or keywords != self.keywords:
            self.ran.append(f"{ident} got extra arguments {args[arity:]!r} {keywords!r}")


def method_function(spec: MethodSpec, combination: str, trace: Trace) -> tuple[object, bool]:
    """A body doing what `spec` says (see `stress.clos_oracle`), and whether it takes next_method."""
    ident, behaviour, qualifier = spec.ident, spec.behaviour, spec.qualifier
    arity = len(spec.specializers)
    if qualifier in ("before", "after") or (combination != STANDARD and qualifier == combination):
        result = None if qualifier in ("before", "after") else spec

        def simple(*args: object, **keywords: object) -> object:
            trace.enter(ident, arity, args, keywords)
            if behaviour == "raise":
                raise MethodRaised(ident)
            return None if result is None else operator_value(result, combination)

        return simple, False
    tag = "around" if qualifier == "around" else "p"
    if behaviour in ("next", "next-if"):
        def chained(next_method: object, *args: object, **keywords: object) -> object:
            trace.enter(ident, arity, args, keywords)
            if behaviour == "next-if" and not next_method:
                return (tag, ident, None)
            return (tag, ident, next_method())

        return chained, True

    def plain(*args: object, **keywords: object) -> object:
        trace.enter(ident, arity, args, keywords)
        if behaviour == "raise":
            raise MethodRaised(ident)
        return (tag, ident)

    return plain, False


def _specializer(spec: object) -> object:
    return dispatch.Eql(spec.value) if isinstance(spec, EqlSpec) else spec


@dataclass(frozen=True)
class Version:
    """One method set of a slot: the generic function, its shape, the methods as the oracle sees
    them, and the dispatch Method objects by method id (to remove them)."""

    gf: object
    shape: Shape
    specs: tuple[MethodSpec, ...] = ()
    methods: dict[str, object] = field(default_factory=dict)

    def expected(self, args: tuple) -> Expected:
        shape = self.shape
        return expected_call(
            self.specs, args, shape.combination, order=shape.order(), most_specific_last=shape.most_specific_last
        )


def make_gf(name: str, shape: Shape) -> object:
    params = [f"a{index}" for index in range(shape.arity)]
    return dispatch.make_generic(
        name,
        params,
        combination=shape.combination,
        most_specific_last=shape.most_specific_last,
        argument_precedence_order=list(reversed(params)) if shape.reversed_order else None,
    )


class Slot:
    """A generic function's place in the workload: its versions, its writer lock, its readers.

    `readers[t]` is the version thread t's call started from (None when idle); a writer drops
    versions older than every reader's and the current one, so memory stays bounded.
    """

    def __init__(self, index: int, shape: Shape, threads: int) -> None:
        self.index = index
        self.arity = shape.arity  # redefinitions keep it
        self.lock = threading.Lock()
        self.versions = {0: Version(make_gf(f"stress_gf{index}", shape), shape)}
        self.current = 0
        self.latest = 0
        self.readers: list[int | None] = [None] * threads

    def now(self) -> Version:
        """The current version (for choosing what to do; calls use the reader protocol)."""
        while True:
            try:
                return self.versions[self.current]
            except KeyError:  # pruned between reading `current` and indexing: read again
                continue

    def publish(self, version: Version) -> int:
        """Make `version` the newest (pending) one; the caller holds the lock."""
        self.versions[self.latest + 1] = version
        self.latest += 1
        return self.latest

    def settle(self) -> None:
        """The pending version is now in force; drop versions no reader can still need."""
        self.current = self.latest
        keep_from = min([r for r in self.readers if r is not None] + [self.current])
        for old in [v for v in self.versions if v < keep_from]:
            del self.versions[old]


STATS = ("misses", "compiles", "installs", "discarded", "deopts")


class DroppedClasses:
    """Weak references to the last `KEPT` temporary classes the workload dropped (bounded, for soaks)."""

    KEPT = 2000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._refs: collections.deque[weakref.ref] = collections.deque(maxlen=self.KEPT)
        self.count = 0

    def add(self, cls: type) -> None:
        with self._lock:
            self._refs.append(weakref.ref(cls))
            self.count += 1

    def alive(self) -> list[type]:
        with self._lock:
            return [cls for ref in self._refs if (cls := ref()) is not None]


class DispatchWorkload:
    """Shared state of the `dispatch` workload."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.trace = Trace()
        self.slots = [Slot(index, shape, settings.threads) for index, shape in enumerate(SHAPES)]
        self.idents = itertools.count(1)
        self.retired = Tally()  # dispatcher counters of redefined (dropped) generic functions
        self.dropped = DroppedClasses()
        self.worker_killed = threading.Event()
        self.tally = Tally("dispatch definitions refused as expected", "dispatch compile workers killed")

    def worker(self, ctx: ThreadContext) -> DispatchWorker:
        return DispatchWorker(self, ctx)

    def finish(self, findings: Findings) -> None:
        dispatch.wait_for_compiles(timeout=10)
        for slot in self.slots:  # the last versions hold the last temporary classes' specs
            slot.versions = {slot.current: slot.versions[slot.current]}
        gc.collect()
        alive = self.dropped.alive()
        if alive:
            findings.add(
                "mismatch",
                f"dispatch: {len(alive)} of the last {DroppedClasses.KEPT} dropped temporary classes are "
                f"still alive after collection (e.g. {alive[0].__name__})",
            )

    def counters(self) -> dict[str, int]:
        retired = self.retired.as_dict()
        totals = {
            f"dispatcher {name}": retired.get(name, 0) + sum(getattr(slot.now().gf.stats, name) for slot in self.slots)
            for name in STATS
        }
        workers = sum(t.name.startswith("gfjit-compile-") and t.is_alive() for t in threading.enumerate())
        return totals | self.tally.as_dict() | {
            "dispatch temporary classes dropped": self.dropped.count,
            "dispatch compile workers alive": workers,
        }


class DispatchWorker:
    """One thread of the `dispatch` workload."""

    def __init__(self, workload: DispatchWorkload, ctx: ThreadContext) -> None:
        self.w = workload
        self.ctx = ctx
        self.floors = [0] * len(workload.slots)
        self.temporaries = itertools.count()

    # -- choosing ------------------------------------------------------------------------------

    # What a step does, by cumulative probability; faults only with Settings.faults.
    MIX = ((0.85, "call"), (0.92, "define"), (0.955, "remove"), (0.97, "temporary"), (0.975, "redefine"),
           (0.985, "compile"), (1.0, "fault"))

    def step(self) -> str:
        rng = self.ctx.rng
        slot = rng.randrange(len(self.w.slots))
        roll = rng.random()
        op = next(op for bound, op in self.MIX if roll < bound)
        return self.run("call" if op == "fault" and not self.w.settings.faults else op, slot)

    def run(self, op: str, slot_index: int) -> str:
        """Perform `op` (a name in MIX) on slot `slot_index`; returns the kind done."""
        slot = self.w.slots[slot_index]
        if op == "call":
            return self.call(slot, tuple(self.ctx.rng.choice(ARGUMENTS) for _ in range(slot.arity)))
        if op == "define":
            self.define(slot)
            return "dispatch.define"
        if op == "compile":
            self.ctx.note(f"compile gf{slot.index}")
            slot.now().gf.compile()
            return "dispatch.compile"
        return {"remove": self.remove, "temporary": self.temporary_class, "redefine": self.redefine,
                "fault": self.fault}[op](slot)

    def random_spec(self, shape: Shape) -> MethodSpec:
        rng = self.ctx.rng
        specializers = tuple(
            EqlSpec(rng.choice(EQL_VALUES)) if rng.random() < 0.15 else rng.choice((object, *CLASSES))
            for _ in range(shape.arity)
        )
        qualifier = rng.choice(shape.qualifiers())
        behaviour = rng.choice(("return", "next", "next-if", "raise", "return", "next-if"))
        return MethodSpec(f"m{next(self.w.idents)}", specializers, qualifier, behaviour, rng.randrange(-5, 20))

    # -- writing -------------------------------------------------------------------------------

    def define(self, slot: Slot, pin: tuple[int, type] | None = None) -> str:
        """Add a random method (replacing one when the slot is full); `pin` = (position, class)
        puts that class at that position. Returns the new method's id."""
        with slot.lock:
            old = slot.versions[slot.latest]
            spec = self.random_spec(old.shape)
            if len(old.specs) >= MAX_METHODS:
                spec = MethodSpec(spec.ident, old.specs[0].specializers, old.specs[0].qualifier, spec.behaviour, spec.value)
            if pin is not None:
                position, cls = pin
                specializers = spec.specializers[:position] + (cls,) + spec.specializers[position + 1 :]
                spec = MethodSpec(spec.ident, specializers, spec.qualifier, spec.behaviour, spec.value)
            function, wants_next = method_function(spec, old.shape.combination, self.w.trace)
            if self.ctx.rng.random() < DECORATED:
                specs, change, method = self._decorated(old, spec, function, wants_next)
            else:
                qualifiers = () if spec.qualifier is None else (spec.qualifier,)
                method = dispatch.Method(function, tuple(map(_specializer, spec.specializers)), qualifiers, wants_next)
                specs = with_method(old.specs, spec)
                change = lambda: old.gf.add_method(method)  # noqa: E731
            kept = {s.ident for s in specs}
            methods = {ident: m for ident, m in old.methods.items() if ident in kept} | {spec.ident: method}
            self.ctx.note(f"define gf{slot.index} {specs[-1]}")
            self._apply(slot, old, Version(old.gf, old.shape, specs, methods), change)
        return spec.ident

    def _decorated(self, old: Version, spec: MethodSpec, function: object, wants_next: bool) -> tuple:
        """Define through `gf.method` and annotations, as Python users do; one position may be a
        union of two classes, which defines one method per class (sharing the body and its id).
        Returns the new specs, the change to make, and what `remove_method` takes (the function)."""
        rng = self.ctx.rng
        annotations: list[object] = [_specializer(s) for s in spec.specializers]
        variants = [spec]
        position = rng.randrange(len(annotations))
        if rng.random() < 0.5 and isinstance(spec.specializers[position], type):
            other = rng.choice(CLASSES)
            # `A | B`, not typing.Union[A, B]: typing caches unions, which would keep temporary classes alive
            annotations[position] = spec.specializers[position] | other
            specializers = spec.specializers[:position] + (other,) + spec.specializers[position + 1 :]
            variants.append(MethodSpec(spec.ident, specializers, spec.qualifier, spec.behaviour, spec.value))
        parameters = [inspect.Parameter("next_method", inspect.Parameter.POSITIONAL_OR_KEYWORD)] if wants_next else []
        parameters += [
            inspect.Parameter(f"a{index}", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=annotation)
            for index, annotation in enumerate(annotations)
        ]
        function.__signature__ = inspect.Signature(parameters)
        specs = old.specs
        for variant in variants:
            specs = with_method(specs, variant)
        return specs, lambda: old.gf.method(function, qualifier=spec.qualifier), function

    def remove(self, slot: Slot, ident: str | None = None) -> str:
        """Remove method `ident` (or a random one); nothing if it is gone already (replaced,
        removed, or its generic function redefined)."""
        with slot.lock:
            old = slot.versions[slot.latest]
            if ident is None and old.specs:
                ident = self.ctx.rng.choice(old.specs).ident
            if ident not in old.methods:
                return "dispatch.remove-none"
            specs = tuple(s for s in old.specs if s.ident != ident)
            methods = {i: m for i, m in old.methods.items() if i != ident}
            self.ctx.note(f"remove gf{slot.index} {ident}")
            self._apply(slot, old, Version(old.gf, old.shape, specs, methods), lambda: old.gf.remove_method(old.methods[ident]))
        return "dispatch.remove"

    def redefine(self, slot: Slot) -> str:
        """Replace the slot's generic function by a new one, maybe of another combination."""
        with slot.lock:
            old = slot.versions[slot.latest]
            shape = self.ctx.rng.choice(REDEFINITIONS[old.shape.arity])
            self.ctx.note(f"redefine gf{slot.index} as {shape}")
            new = Version(make_gf(f"stress_gf{slot.index}", shape), shape)
            self._apply(slot, old, new, lambda: None)
            stats = old.gf.stats
            for name in STATS:
                self.w.retired.add(name, getattr(stats, name))
        return "dispatch.redefine"

    def _apply(self, slot: Slot, old: Version, new: Version, change: object) -> None:
        """Publish `new`, make the change in dispatch, settle. If dispatch refuses, the function
        must be unchanged: the old method set is published again (calls may have seen `new` pending)."""
        slot.publish(new)
        try:
            change()
        except Exception as error:
            self.ctx.mismatch(f"changing gf{slot.index}", "success", f"{type(error).__name__}: {error}")
            slot.publish(old)
        slot.settle()

    # -- calling -------------------------------------------------------------------------------

    def call(self, slot: Slot, args: tuple) -> str:
        index = self.ctx.index
        slot.readers[index] = slot.current
        try:
            lo = slot.current  # re-read after announcing: see Slot
            gf = slot.versions[lo].gf
            self.ctx.note(f"call gf{slot.index}{args!r} from version {lo}")
            outcome = self._outcome(gf, args)
            hi = slot.latest
            self._check(slot, gf, args, outcome, lo, hi)
        finally:
            slot.readers[index] = None
        return "dispatch.call"

    def _outcome(self, gf: object, args: tuple) -> Expected:
        """Call `gf` on `args`, sometimes with extra positional and keyword arguments that must
        pass through to every method; the value (or the error) and the trace."""
        rng, trace = self.ctx.rng, self.w.trace
        trace.ran = []
        trace.extra = ("extra",) if rng.random() < 0.2 else ()
        trace.keywords = {"keyword": 1} if rng.random() < 0.1 else {}
        try:
            value = gf(*args, *trace.extra, **trace.keywords)
        except MethodRaised:
            value = Raised("method-raised")
        except dispatch.NoNextMethod:
            value = Raised("no-next-method")
        except dispatch.NoPrimaryMethod:
            value = Raised("no-primary-method")
        except dispatch.NoApplicableMethod:
            value = Raised("no-applicable-method")
        return Expected(value, tuple(trace.ran))

    def _check(self, slot: Slot, gf: object, args: tuple, got: Expected, lo: int, hi: int) -> None:
        floor = self.floors[slot.index]
        candidates = [v for v in range(lo, hi + 1) if slot.versions[v].gf is gf]
        for version in candidates:
            if version >= floor and slot.versions[version].expected(args) == got:
                self.floors[slot.index] = version
                return
        older = [v for v in candidates if v < floor and slot.versions[v].expected(args) == got]
        if older:
            self.ctx.failure(f"gf{slot.index}{args!r} behaved as version {older[-1]} after version {floor} was seen")
        else:
            self.ctx.mismatch(f"gf{slot.index}{args!r} (versions {lo}..{hi})", slot.versions[hi].expected(args), got)

    # -- temporary classes and faults ----------------------------------------------------------

    def temporary_class(self, slot: Slot) -> str:
        """A new subclass gets a method and calls, then its method goes and the class is dropped."""
        rng = self.ctx.rng
        cls = type(f"Temp{self.ctx.index}_{next(self.temporaries)}", (rng.choice(CLASSES),), {})
        position = rng.randrange(slot.arity)
        ident = self.define(slot, (position, cls))
        for _ in range(CALLS_PER_TEMPORARY):
            self.call(slot, tuple(cls() if i == position else rng.choice(ARGUMENTS) for i in range(slot.arity)))
        self.remove(slot, ident)
        self.w.dropped.add(cls)
        return "dispatch.temporary-class"

    def fault(self, slot: Slot) -> str:
        rng = self.ctx.rng
        if self.w.settings.process_faults and not self.w.worker_killed.is_set() and rng.random() < 0.05:
            return self.kill_compile_worker()
        version = slot.now()
        arity = slot.arity
        if rng.random() < 0.5:
            bad = dispatch.Method(lambda *args: None, (object,) * (arity + 1))
            what = f"a method with {arity + 1} specializers"
        else:
            bad = dispatch.Method(lambda *args: None, (object,) * arity, ("frobnicate",))
            what = "a method qualified 'frobnicate'"
        self.ctx.note(f"fault gf{slot.index}: {what}")
        try:
            version.gf.add_method(bad)
        except dispatch.InvalidMethodError:
            self.w.tally.add("dispatch definitions refused as expected")
        else:
            self.ctx.mismatch(f"adding {what} to gf{slot.index}", "InvalidMethodError", "accepted")
        return "dispatch.fault"

    def kill_compile_worker(self) -> str:
        """End one idle background compile worker with an asynchronous SystemExit (not an
        Exception, so it is not taken for a failed compile). Workers are found by their thread
        names. Only a worker waiting for work is hit: an asynchronous exception that lands while
        a worker holds a lock (the jit pool's table lock, the compile queue's condition) leaves
        that lock held and deadlocks the process, which Python code cannot generally prevent.
        A worker that wakes between the check and the delivery is a residual risk."""
        for _ in range(KILL_ATTEMPTS):  # workers are busy most of the time: look for a while
            if self.w.worker_killed.is_set():
                break
            frames = sys._current_frames()
            for thread in threading.enumerate():
                frame = frames.get(thread.ident)
                if thread.name.startswith("gfjit-compile-") and frame is not None and _waiting_for_work(frame):
                    self.w.worker_killed.set()
                    self.ctx.note(f"kill idle compile worker {thread.name}")
                    if ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(SystemExit)):
                        self.w.tally.add("dispatch compile workers killed")
                    break
            time.sleep(0.002)
        return "dispatch.kill-compile-worker"


def _waiting_for_work(frame: types.FrameType) -> bool:
    """Whether a compile worker's innermost frames are a condition wait inside its `_next`."""
    names = []
    while frame is not None and len(names) < 4:
        names.append(frame.f_code.co_name)
        frame = frame.f_back
    return names[:1] == ["wait"] and "_next" in names


def make(settings: Settings) -> DispatchWorkload:
    return DispatchWorkload(settings)
