"""The `jit` workload: threads add, look up, call and release JIT modules of known arithmetic.

A small set of shared names is reused all the time, so lookups race the adds and releases of the
same names, across the pool's shards. Every module is unique: module number `n` exports
`NAME(x) = a*x + n`, `NAME_sw(x)`, a 50-way switch whose values also encode `n`, and `NAME_vc`,
shaped like a native dispatcher: the vectorcall signature, a branch on the argument count and on
the type of the first argument, and a `musttail` call of `PyObject_Vectorcall` into one of three
Python callables of module `n` whose addresses are compiled in. A caller identifies the module it
reached by calling `NAME(0)` and then checks the arithmetic. The checks:

- a call computes exactly the module's arithmetic, and a vectorcall reaches the module's callable
  for the argument count and type, with the arguments it was given (no wrong or freed code ran);
- a lookup never returns a module whose release had completed before the lookup began, nor a
  module of another name;
- a lookup never misses a module that was live for the whole lookup;
- every injected fault (bad IR, IR that fails verification, an undefined symbol, a missing
  export, a duplicate export) raises its specific `jit` error, and the pool carries on;
- when the pool compiles in worker processes (`gfjit stress --compile-in process`, i.e.
  GFJIT_COMPILE_IN=process) and the run may damage its process (in the child of a run), some faults
  make the worker compiling a module die (SIGKILL, SIGSEGV, a hang past the deadline, memory, an
  exit): that add must raise CompileWorkerError naming the module and the cause, the worker is
  replaced, and the next add of the name succeeds;
- at the end, once every handle is released, no module is live.

Each name has an owner lock: only its holder adds or releases modules of that name; everyone
looks them up. `clock` orders the events (a shared counter, incremented under the GIL).
"""

from __future__ import annotations

import collections
import ctypes
import functools
import itertools
import threading
from dataclasses import dataclass

import jit
from stress.workload import Findings, Settings, Tally, ThreadContext

NAMES = 16
# Links per LLJIT before a shard renews it: far below the pool's default, so runs renew LLJITs
# (and dispose retired ones whose last module goes) while lookups hold modules of old ones.
RETIRE_AFTER = 40
SWITCH_CASES = 50
HISTORY = 8  # past modules kept per name for the missed-lookup check
# Released modules stay identifiable for this many further releases, so that memory stays
# bounded in a soak; a lookup stalled longer than that is counted as unverifiable, not checked.
REMEMBERED = 4096
_FUNCTION = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_int64)
# The vectorcall signature; PYFUNCTYPE keeps the GIL across the call, as a vectorcall needs.
_VECTORCALL = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p)
VECTORCALL_ARGUMENTS_OFFSET = 1 << 63
# Py_TYPE(obj) is the word after the reference count (a standard, not free-threaded, build).
OB_TYPE_OFFSET = ctypes.sizeof(ctypes.c_ssize_t)
# Where NAME_vc sends a call: one argument that is exactly an int, one of another type, any other count.
ROUTES = ("int", "other", "count")

# The kinds of fault an add can inject, and the jit error each must raise.
FAULTS = {
    "syntax": jit.IRSyntaxError,
    "verify": jit.IRVerifyError,
    "undefined": jit.UndefinedSymbolError,
    "missing-export": jit.MissingExportError,
}
# Worker faults (process mode only): how a worker dies, and the cause CompileWorkerError must give.
WORKER_FAULTS = {"sigkill": "signal", "sigsegv": "signal", "hang": "timeout", "memory": "memory",
                 "exit": "exit"}
WORKER_FAULT_SHARE = 4  # one injected fault in this many kills a worker, when that is allowed
# A hung worker costs its thread this long; far below the run's --hang-after.
WORKER_TIMEOUT = 5.0


def switch_value(serial: int, case: int) -> int:
    return serial * 1000 + case * 7 + 1


def routed(serial: int, route: str, *args: object) -> tuple:
    """What the Python callable of module `serial` for `route` returns when NAME_vc reaches it."""
    return serial, route, args


def route_targets(serial: int) -> dict[str, functools.partial]:
    """The Python callables whose addresses module `serial` embeds; whoever may call the module's
    NAME_vc must keep them alive."""
    return {route: functools.partial(routed, serial, route) for route in ROUTES}


def expected_route(args: tuple) -> str:
    if len(args) != 1:
        return "count"
    return "int" if type(args[0]) is int else "other"


def call_vectorcall(address: int, args: tuple, offset_flag: bool) -> object:
    """Call the vectorcall function at `address` with `args`, no keywords, and with
    PY_VECTORCALL_ARGUMENTS_OFFSET set if `offset_flag`."""
    # With the flag the callee may borrow args[-1]: the array has a slot before the arguments.
    array = (ctypes.py_object * (len(args) + 1))(None, *args)
    nargsf = len(args) | (VECTORCALL_ARGUMENTS_OFFSET if offset_flag else 0)
    return _VECTORCALL(address)(None, ctypes.addressof(array) + ctypes.sizeof(ctypes.py_object), nargsf, None)


def module_exports(name: str) -> list[str]:
    return [name, f"{name}_sw", f"{name}_vc"]


def module_ir(name: str, a: int, serial: int, targets: dict[str, object]) -> str:
    """IR of module `serial`: `name(x) = a*x + serial`, `name_sw(x)`, a switch over 0..49, and
    `name_vc`, a vectorcall routed to `targets` (kept alive by the caller)."""
    cases = " ".join(f"i64 {case}, label %c{case}" for case in range(SWITCH_CASES))
    blocks = "\n".join(f"c{case}:\n  ret i64 {switch_value(serial, case)}" for case in range(SWITCH_CASES))
    tails = "\n".join(
        f"{route}:\n  %r_{route} = musttail call ptr @PyObject_Vectorcall(ptr inttoptr (i64 {id(target)} to ptr), "
        f"ptr %args, i64 %nargsf, ptr %kwnames)\n  ret ptr %r_{route}"
        for route, target in targets.items()
    )
    return f"""
declare ptr @PyObject_Vectorcall(ptr, ptr, i64, ptr)

define ptr @{name}_vc(ptr %callable, ptr %args, i64 %nargsf, ptr %kwnames) {{
entry:
  %n = and i64 %nargsf, {VECTORCALL_ARGUMENTS_OFFSET - 1}
  %one = icmp eq i64 %n, 1
  br i1 %one, label %typed, label %count
typed:
  %arg = load ptr, ptr %args, align 8
  %type_slot = getelementptr i8, ptr %arg, i64 {OB_TYPE_OFFSET}
  %type = load ptr, ptr %type_slot, align 8
  %is_int = icmp eq ptr %type, inttoptr (i64 {id(int)} to ptr)
  br i1 %is_int, label %int, label %other
{tails}
}}

define i64 @{name}(i64 %x) {{
entry:
  %m = mul i64 %x, {a}
  %r = add i64 %m, {serial}
  ret i64 %r
}}

define i64 @{name}_sw(i64 %x) {{
entry:
  switch i64 %x, label %other [ {cases} ]
{blocks}
other:
  ret i64 -1
}}
"""


def faulty_ir(kind: str, name: str) -> tuple[str, list[str]]:
    """IR and exports of an add that must fail with the error `FAULTS[kind]`."""
    if kind == "syntax":
        return f"define i64 @{name}(i64 %x) {{\nentry:\n  %r = frobnicate i64 %x\n  ret i64 %r\n}}\n", [name]
    if kind == "verify":  # %r is used before it is defined: the verifier rejects the function
        return f"define i64 @{name}(i64 %x) {{\nentry:\n  %s = add i64 %r, 1\n  %r = add i64 %x, 1\n  ret i64 %s\n}}\n", [name]
    if kind == "undefined":
        ir = f"declare i64 @gfjit_stress_nowhere(i64)\ndefine i64 @{name}(i64 %x) {{\nentry:\n  %r = call i64 @gfjit_stress_nowhere(i64 %x)\n  ret i64 %r\n}}\n"
        return ir, [name]
    return f"define i64 @{name}_other(i64 %x) {{\nentry:\n  ret i64 %x\n}}\n", [name]


@dataclass(eq=False)
class Module:
    """One added module and the clock readings of its life."""

    name: str
    serial: int
    a: int
    targets: dict[str, functools.partial]  # embedded in the module's code: alive while it may run
    handle: object = None
    added: int | None = None  # clock after add returned
    releasing: int | None = None  # clock before release was called
    released: int | None = None  # clock after release returned


class JitWorkload:
    """Shared state of the `jit` workload: the pool, the owner locks, every module ever added."""

    def __init__(self, settings: Settings, shards: int | None = None) -> None:
        self.settings = settings
        # No object cache: every module is new IR (its callables' addresses are compiled in).
        self.pool = jit.JitPool(shards=shards, retire_after=RETIRE_AFTER, cache_dir="",
                                worker_limits=jit.WorkerLimits(timeout=WORKER_TIMEOUT))
        self.worker_faults = settings.process_faults and self.pool.compile_in == "process"
        self.clock = itertools.count(1)
        self.serials = itertools.count(1)
        self.names = [f"gfjit_stress_{index}" for index in range(NAMES)]
        self.owners = [threading.Lock() for _ in self.names]
        self.live: list[Module | None] = [None] * NAMES
        self.history = [collections.deque(maxlen=HISTORY) for _ in self.names]
        self.modules: dict[int, Module] = {}
        self.released_order: collections.deque[int] = collections.deque()
        self.forgotten_below = 0  # every released module numbered below this is forgotten
        worker_counter = ("jit worker faults raised as expected",) if self.worker_faults else ()
        self.tally = Tally("jit faults raised as expected", "jit calls unverifiable (module forgotten)", *worker_counter)

    def forget_old(self) -> None:
        """Drop the oldest released modules from memory beyond `REMEMBERED`."""
        while len(self.released_order) > REMEMBERED:
            try:
                serial = self.released_order.popleft()
            except IndexError:  # another thread emptied it meanwhile
                break
            self.modules.pop(serial, None)
            self.forgotten_below = max(self.forgotten_below, serial + 1)

    def worker(self, ctx: ThreadContext) -> JitWorker:
        return JitWorker(self, ctx)

    def finish(self, findings: Findings) -> None:
        for index, module in enumerate(self.live):
            if module is not None:
                module.handle.release()
                self.live[index] = None
        live = self.pool.stats()["modules_live"]
        if live:
            findings.add("mismatch", f"jit: {live} module(s) still live after every handle was released")
        self.pool.close()

    def counters(self) -> dict[str, int]:
        stats = self.pool.stats()
        workers = {
            "jit workers started": stats["workers_started"],
            "jit worker restarts": stats["worker_restarts"],
            "jit worker recycles": stats["worker_recycles"],
        } if self.pool.compile_in == "process" else {}
        return {
            "jit modules added": stats["modules_added"],
            "jit modules live": stats["modules_live"],
            "jit modules freed": stats["modules_freed"],
            "jit LLJITs created": stats["lljits_created"],
            "jit LLJITs disposed": stats["lljits_disposed"],
        } | workers | self.tally.as_dict()


class JitWorker:
    """One thread of the `jit` workload. `step` draws an operation; `run` performs a given one."""

    def __init__(self, workload: JitWorkload, ctx: ThreadContext) -> None:
        self.w = workload
        self.ctx = ctx

    def step(self) -> str:
        rng = self.ctx.rng
        roll = rng.random()
        op = "lookup" if roll < 0.55 else "own" if roll < 0.95 or not self.w.settings.faults else "fault"
        return self.run(op, rng.randrange(NAMES), rng.randrange(-1000, 1000))

    def run(self, op: str, slot: int, x: int) -> str:
        """Perform `op` ("lookup", "own" or "fault") on name number `slot`; returns the kind done."""
        if op == "lookup":
            return self.lookup_and_call(slot, x)
        owner = self.w.owners[slot]
        if not owner.acquire(blocking=False):
            return self.lookup_and_call(slot, x)
        try:
            if op == "fault":
                return self.inject_fault(slot, x)
            if self.w.live[slot] is None:
                return self.add(slot, x)
            # Live names mostly stay live, so that lookups find something to call.
            return self.release(slot) if x % 3 == 0 else self.lookup_and_call(slot, x)
        finally:
            owner.release()

    def add(self, slot: int, x: int) -> str:
        w = self.w
        name = w.names[slot]
        serial = next(w.serials)
        module = Module(name, serial, a=abs(x) % 97 + 1, targets=route_targets(serial))
        w.modules[module.serial] = module
        self.ctx.note(f"add {name} module {module.serial} a={module.a}")
        module.handle = w.pool.add(module_ir(name, module.a, module.serial, module.targets), exports=module_exports(name))
        module.added = next(w.clock)
        w.live[slot] = module
        w.history[slot].append(module)
        return "jit.add"

    def release(self, slot: int) -> str:
        w = self.w
        module = w.live[slot]
        self.ctx.note(f"release {module.name} module {module.serial}")
        w.live[slot] = None
        module.releasing = next(w.clock)
        module.handle.release()
        module.released = next(w.clock)
        w.released_order.append(module.serial)
        w.forget_old()
        return "jit.release"

    def inject_fault(self, slot: int, x: int) -> str:
        w = self.w
        name = w.names[slot]
        live = w.live[slot]
        if live is not None:  # we own the name and it is live: adding it again must be refused
            kind, expected = "duplicate", jit.DuplicateSymbolError
            ir, exports = module_ir(name, 1, 0, _REFUSED_TARGETS), module_exports(name)
        elif w.worker_faults and abs(x) % WORKER_FAULT_SHARE == 0:
            return self.kill_worker(slot, x)
        else:
            kind = sorted(FAULTS)[abs(x) % len(FAULTS)]
            expected = FAULTS[kind]
            ir, exports = faulty_ir(kind, name)
        self.ctx.note(f"fault {kind} on {name}")
        try:
            handle = w.pool.add(ir, exports=exports)
        except expected:
            w.tally.add("jit faults raised as expected")
            return "jit.fault"
        except jit.JitError as error:
            self.ctx.mismatch(f"{kind} fault on {name}", expected.__name__, f"{type(error).__name__}: {error}")
            return "jit.fault"
        handle.release()
        self.ctx.mismatch(f"{kind} fault on {name}", expected.__name__, "the add succeeded")
        return "jit.fault"

    def kill_worker(self, slot: int, x: int) -> str:
        """Add a module of free name `slot` whose compile kills its worker: the add must fail with
        the cause of that death, and the pool must carry on."""
        w = self.w
        name = w.names[slot]
        how = sorted(WORKER_FAULTS)[abs(x) // WORKER_FAULT_SHARE % len(WORKER_FAULTS)]
        self.ctx.note(f"worker fault {how} compiling {name}")
        w.pool.inject_worker_fault(how, module=name)
        try:
            handle = w.pool.add(module_ir(name, 1, 0, _REFUSED_TARGETS), exports=module_exports(name), name=name)
        except jit.CompileWorkerError as error:
            if (error.module, error.cause) == (name, WORKER_FAULTS[how]):
                w.tally.add("jit worker faults raised as expected")
            else:
                self.ctx.mismatch(f"worker fault {how} on {name}", f"CompileWorkerError({name!r}, {WORKER_FAULTS[how]!r})",
                                  f"CompileWorkerError({error.module!r}, {error.cause!r}): {error}")
            return "jit.worker-fault"
        handle.release()
        self.ctx.mismatch(f"worker fault {how} on {name}", "CompileWorkerError", "the add succeeded")
        return "jit.worker-fault"

    def lookup_and_call(self, slot: int, x: int) -> str:
        w = self.w
        name = w.names[slot]
        self.ctx.note(f"lookup {name}")
        start = next(w.clock)
        try:
            handle = w.pool.lookup(name)
        except jit.SymbolNotFound:
            self._check_not_missed(slot, start, next(w.clock))
            return "jit.lookup-miss"
        with handle:
            self.ctx.note(f"call {name}({x}) at {handle.address(name):#x}")
            self._check_call(name, handle, start, x)
        return "jit.lookup-call"

    def _check_call(self, name: str, handle: object, start: int, x: int) -> None:
        serial = _FUNCTION(handle.address(name))(0)
        module = self.w.modules.get(serial)
        if module is None and 0 < serial < self.w.forgotten_below:
            self.w.tally.add("jit calls unverifiable (module forgotten)")
            return
        if module is None or module.name != name:
            self.ctx.mismatch(f"{name}(0) through a looked-up handle", "the number of a module of that name", serial)
            return
        if module.released is not None and module.released < start:
            self.ctx.failure(f"lookup of {name} at clock {start} returned module {serial}, released at {module.released}")
        got = _FUNCTION(handle.address(name))(x)
        if got != module.a * x + serial:
            self.ctx.mismatch(f"module {serial} {name}({x})", module.a * x + serial, got)
        case = abs(x) % SWITCH_CASES
        got = _FUNCTION(handle.address(f"{name}_sw"))(case)
        if got != switch_value(serial, case):
            self.ctx.mismatch(f"module {serial} {name}_sw({case})", switch_value(serial, case), got)
        self._check_vectorcall(module, handle, x)

    def _check_vectorcall(self, module: Module, handle: object, x: int) -> None:
        """Call NAME_vc with one int, one str or two arguments, with and without the offset flag.
        `module` (held here) keeps the callables its code jumps to alive."""
        args = ((x,), (str(x),), (x, str(x)))[abs(x) % 3]
        got = call_vectorcall(handle.address(f"{module.name}_vc"), args, offset_flag=bool(x % 2))
        expected = routed(module.serial, expected_route(args), *args)
        if got != expected:
            self.ctx.mismatch(f"module {module.serial} {module.name}_vc{args!r}", expected, got)

    def _check_not_missed(self, slot: int, start: int, end: int) -> None:
        for module in list(self.w.history[slot]):
            if module.added is not None and module.added < start and (module.releasing is None or module.releasing > end):
                self.ctx.failure(
                    f"lookup of {module.name} between clock {start} and {end} found nothing, "
                    f"but module {module.serial} was live throughout (added at {module.added})"
                )


# A duplicate add is refused before its code can run, but its IR names callables all the same.
_REFUSED_TARGETS = route_targets(0)


def make(settings: Settings) -> JitWorkload:
    return JitWorkload(settings)
