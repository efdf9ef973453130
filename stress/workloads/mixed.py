"""The `mixed` workload: the jit, dispatch and (when the Lisp can run it) lisp workloads at once.

Every thread has a worker of each part and picks one per step, so JIT modules churn while
dispatchers compile into the same process-wide pool and Lisp code defines methods. Each part
keeps its own oracle and end checks; operation kinds keep their part's prefix.
"""

from __future__ import annotations

from stress.workload import Findings, Settings, ThreadContext, Workload
from stress.workloads import dispatch_methods, jit_modules, lisp_programs

# Share of steps per part (normalised over the parts present).
WEIGHTS = {"jit": 0.3, "dispatch": 0.5, "lisp": 0.2}


class MixedWorkload:
    def __init__(self, settings: Settings) -> None:
        self.parts: dict[str, Workload] = {
            "jit": jit_modules.make(settings),
            "dispatch": dispatch_methods.make(settings),
        }
        self.lisp_unavailable = lisp_programs.unavailable()
        if self.lisp_unavailable is None:
            self.parts["lisp"] = lisp_programs.make(settings)

    def worker(self, ctx: ThreadContext) -> MixedWorker:
        return MixedWorker(ctx, {name: part.worker(ctx) for name, part in self.parts.items()})

    def finish(self, findings: Findings) -> None:
        for part in self.parts.values():
            part.finish(findings)

    def counters(self) -> dict[str, int]:
        merged = {"mixed: lisp part included": int("lisp" in self.parts)}
        for part in self.parts.values():
            merged |= part.counters()
        return merged


class MixedWorker:
    def __init__(self, ctx: ThreadContext, workers: dict) -> None:
        self.ctx = ctx
        self.workers = list(workers.values())
        self.weights = [WEIGHTS[name] for name in workers]

    def step(self) -> str:
        return self.ctx.rng.choices(self.workers, self.weights)[0].step()


def make(settings: Settings) -> MixedWorkload:
    return MixedWorkload(settings)
