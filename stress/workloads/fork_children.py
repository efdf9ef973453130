"""The `fork` workload: one thread forks, again and again, while the others define methods and call.

Threads 1.. run the `dispatch` workload: methods added, replaced and removed, generic functions
redefined, dispatchers compiled in the background, every call checked against the CLOS oracle.
Thread 0 forks. A forked child has only the forking thread, and every lock as the fork found it:
one that another thread held stays held for ever unless dispatch and the JIT put their locks and
the compile pool back in order at the fork (`os.register_at_fork`). Each child then

1. calls generic functions of the parent on known argument classes;
2. calls them on classes made in the child, a miss: the slow path (the generic function's lock)
   and a request to the background compile pool;
3. waits for the compile pool, and checks that it compiled for every generic function it asked;
4. compiles a dispatcher itself (`gf.compile()`: the JIT's shard and pool locks);
5. calls again;

and checks every result against the oracle. It must exit 0 within its deadline (a quarter of
`--hang-after`, at most `MAX_CHILD_SECONDS`). A child still running then dumps its Python stacks
and exits (faulthandler's watchdog), and counts as hung, with the stage it was at and its
stacks; if even that fails, the parent kills it at twice the deadline. A child that exits
otherwise than 0, or finds a wrong result, counts as failed. Hung and failed children are
findings of the run: both must be 0.
"""

from __future__ import annotations

import faulthandler
import gc
import json
import os
import random
import re
import select
import signal
import time
import traceback
from dataclasses import dataclass, field
from typing import TextIO

import dispatch
from stress.lifeline import die_with_parent
from stress.report import signal_name
from stress.workload import Findings, Settings, Tally, ThreadContext
from stress.workloads.dispatch_methods import ARGUMENTS, CLASSES, DispatchWorker, DispatchWorkload, Slot

MAX_CHILD_SECONDS = 5.0
SLOTS_PER_CHILD = 3
CALLS_PER_SLOT = 4
CHILD_FAILED = 2  # the child's exit status when it found something wrong (faulthandler's watchdog exits 1)

# The stages of a child, as it reports them; a hang is reported with the stage it was at.
NOTHING_YET = "before its first report (the fork's child handlers)"
KNOWN_CLASSES = "calling generic functions on known classes"
NEW_CLASSES = "calling generic functions on classes made in the child (slow path)"
COMPILE_POOL = "waiting for the background compile pool"
COMPILE = "compiling a dispatcher itself (gf.compile)"
AFTER_COMPILE = "calling after the compiles"

WATCHDOG_MARK = "Timeout ("  # how faulthandler's dump_traceback_later starts its report


@dataclass
class ChildEnd:
    """How a forked child ended: its wait status, the last stage it reported, what it found
    wrong, and the rest of what it wrote (faulthandler's stacks)."""

    status: int
    stage: str = NOTHING_YET
    findings: list[str] = field(default_factory=list)
    stacks: str = ""
    killed: bool = False  # the parent killed it at twice the deadline

    @property
    def hung(self) -> bool:
        return self.killed or WATCHDOG_MARK in self.stacks

    @property
    def ok(self) -> bool:
        return os.waitstatus_to_exitcode(self.status) == 0 and not self.findings


class ForkWorkload:
    """The dispatch workload's state, shared with the children; thread 0 forks."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dispatch = DispatchWorkload(settings)
        self.child_seconds = min(MAX_CHILD_SECONDS, settings.hang_after / 4)
        self.tally = Tally("fork children", "fork children ok", "fork children hung", "fork children failed")

    def worker(self, ctx: ThreadContext) -> ForkingWorker | DispatchWorker:
        return ForkingWorker(self, ctx) if ctx.index == 0 else self.dispatch.worker(ctx)

    def finish(self, findings: Findings) -> None:
        self.dispatch.finish(findings)

    def counters(self) -> dict[str, int]:
        return self.dispatch.counters() | self.tally.as_dict()


class ForkingWorker:
    """Thread 0: each step forks one child and waits for its end."""

    def __init__(self, workload: ForkWorkload, ctx: ThreadContext) -> None:
        self.w = workload
        self.ctx = ctx
        self.children = 0

    def step(self) -> str:
        self.children += 1
        seed = self.ctx.rng.getrandbits(64)
        self.ctx.note(f"fork child {self.children} (seed {seed})")
        end = self._fork(seed)
        self._judge(end)
        return "fork.child"

    def _fork(self, seed: int) -> ChildEnd:
        read_fd, write_fd = os.pipe()
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            raise
        if pid == 0:
            os.close(read_fd)
            _child_main(self.w, write_fd, parent, seed)  # never returns
        os.close(write_fd)
        try:
            return wait_for_child(pid, read_fd, 2 * self.w.child_seconds)
        finally:
            os.close(read_fd)

    def _judge(self, end: ChildEnd) -> None:
        tally = self.w.tally
        tally.add("fork children")
        if end.hung:
            tally.add("fork children hung")
            seconds = self.w.child_seconds
            how = f"killed by its parent after {2 * seconds:g} s" if end.killed else f"stacks dumped after {seconds:g} s"
            self.ctx.failure(f"fork child hung {end.stage}: {how}\n{_same_text(end.stacks)}".rstrip())
        elif not end.ok:
            tally.add("fork children failed")
            code = os.waitstatus_to_exitcode(end.status)
            how = f"killed by {signal_name(-code)}" if code < 0 else f"exit status {code}"
            found = "".join(f"\n  {text}" for text in end.findings)
            self.ctx.failure(f"fork child failed {end.stage}: {how}{found}\n{_same_text(end.stacks)}".rstrip())
        else:
            tally.add("fork children ok")


def _same_text(stacks: str) -> str:
    """Stacks with thread ids blanked, so that the same hang in two children reads the same."""
    return re.sub(r"0x[0-9a-f]+", "0x...", stacks).rstrip()


def wait_for_child(pid: int, read_fd: int, seconds: float) -> ChildEnd:
    """Read what child `pid` writes until it ends; kill it after `seconds`. Reaps it."""
    deadline = time.monotonic() + seconds
    output = bytearray()
    killed = False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 and not killed:
            os.kill(pid, signal.SIGKILL)  # then its end of the pipe closes: read to the end
            killed = True
        ready, _, _ = select.select([read_fd], [], [], max(remaining, 0.0) if not killed else None)
        if ready:
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            output += chunk
    _, status = os.waitpid(pid, 0)
    end = ChildEnd(status, killed=killed)
    stacks = []
    for line in output.decode(errors="replace").splitlines(keepends=True):
        message = _message(line)
        if message is None:
            stacks.append(line)
        elif "at" in message:
            end.stage = f"at {message['at']}"
        else:
            end.findings.append(message["finding"])
    end.stacks = "".join(stacks)
    return end


def _message(line: str) -> dict | None:
    """The child's report on `line`, None for other text (faulthandler's, or a report cut short
    by a kill)."""
    if not line.startswith("{"):
        return None
    try:
        return json.loads(line)
    except ValueError:
        return None


def _child_main(workload: ForkWorkload, write_fd: int, parent: int, seed: int) -> None:
    """The forked child: runs its stages, then exits without returning (and without running the
    parent's exit handlers or flushing the parent's buffers)."""
    status = CHILD_FAILED
    try:
        die_with_parent(parent)
        out = os.fdopen(write_fd, "w", buffering=1)
        faulthandler.enable(out, all_threads=True)
        faulthandler.dump_traceback_later(workload.child_seconds, exit=True, file=out)
        status = ForkedChild(workload, out, seed).run()
    except BaseException:  # noqa: BLE001 - whatever happens, the child must end here
        try:
            os.write(write_fd, (json.dumps({"finding": traceback.format_exc()}) + "\n").encode())
        finally:
            os._exit(CHILD_FAILED)
    os._exit(status)


class ForkedChild:
    """What a forked child does (see the module's docstring), reporting on `out`."""

    def __init__(self, workload: ForkWorkload, out: TextIO, seed: int) -> None:
        self.out = out
        self.rng = random.Random(seed)
        self.findings = Findings(on_detail=lambda finding: self._send(finding=finding.text))
        # Thread 0 never calls in the parent, so its reader slot is free for the child.
        self.ctx = ThreadContext(0, self.rng, self.findings)
        self.caller = DispatchWorker(workload.dispatch, self.ctx)
        self.slots = self.rng.sample(workload.dispatch.slots, SLOTS_PER_CHILD)

    def _send(self, **message: str) -> None:
        self.out.write(json.dumps(message) + "\n")

    def run(self) -> int:
        self._send(at=KNOWN_CLASSES)
        for slot in self.slots:
            for _ in range(CALLS_PER_SLOT):
                self.caller.call(slot, tuple(self.rng.choice(ARGUMENTS) for _ in range(slot.arity)))
        self._send(at=NEW_CLASSES)
        before = {slot.index: slot.now().gf.stats for slot in self.slots}
        new_args = {slot.index: self._new_classes(slot) for slot in self.slots}
        for slot in self.slots:
            self.caller.call(slot, new_args[slot.index])
        self._send(at=COMPILE_POOL)
        dispatch.wait_for_compiles()
        for slot in self.slots:
            stats, old = slot.now().gf.stats, before[slot.index]
            # A miss (none if the generic function specializes no argument) asks for a compile.
            if stats.native and stats.misses > old.misses and stats.compiles == old.compiles:
                self.ctx.failure(f"gf{slot.index}: the compile pool compiled nothing for the child's miss")
        self._send(at=COMPILE)
        # Classes the parent dropped die in the child's collections; one dying during the compile
        # would make it (rightly) discard its dispatcher; after this collection none dies (the child
        # drops no class).
        gc.collect()
        gf = self.slots[0].now().gf
        if gf.native and not gf.compile():
            self.ctx.failure(f"gf{self.slots[0].index}.compile() installed no dispatcher in the child")
        self._send(at=AFTER_COMPILE)
        for slot in self.slots:
            self.caller.call(slot, new_args[slot.index])
        return 0 if self.findings.mismatches == self.findings.errors == 0 else CHILD_FAILED

    def _new_classes(self, slot: Slot) -> tuple:
        """Arguments for `slot`, each an instance of a class made now, in the child: whichever
        arguments the generic function specializes, the call is a miss."""
        return tuple(type(f"ForkChild{index}", (self.rng.choice(CLASSES),), {})() for index in range(slot.arity))


def make(settings: Settings) -> ForkWorkload:
    return ForkWorkload(settings)
