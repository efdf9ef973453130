"""Compile workers: processes that turn IR into object code for a JitPool, so that a crash, a hang
or a leak in LLVM costs one request instead of the program.

A worker is a fresh interpreter running `jit.compile_worker`, started with `subprocess` (fork and
exec at once, with no Python code in between: never a forked copy of this threaded process), with
its own LLVM and its address space capped (RLIMIT_AS). It serves one request at a time over a pair
of pipes (`wire`): IR and options out, the object file's bytes back, the very bytes an in-process
compile makes (a worker says at start which target it compiles for; one that differs from ours is
refused).

Faults: every exchange has a deadline, and pipes are read and written with poll, so the parent
never blocks for ever on a dead or wedged worker. A worker that dies, misses its deadline, runs out
of memory or breaks the protocol is killed (SIGKILL), reaped and dropped; its request raises
CompileWorkerError naming the module and what happened; the next request starts a new worker.
After `recycle_after` compiles a worker is retired and replaced, which sheds whatever LLVM leaked.

No orphans: a worker ends itself when its stdin reaches end-of-file, which happens when the pool
closes it and when this process dies in any way (the kernel closes a dead process's pipes, even
after SIGKILL); `close()` kills every worker, busy or not. A child made by `os.fork()` forgets its
parent's workers (closing its copies of their pipes) and starts its own.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import llvmlite

from . import compiler, dumps, forksafe
from .errors import (CompileWorkerError, IRSyntaxError, IRVerifyError, JitError,
                     PoolClosedError)
from .notice import warn_once
from .wire import Channel, ProtocolError

FAULTS = ("sigkill", "sigsegv", "hang", "memory", "exit")
_REAP_WAIT = 5.0  # seconds a worker may take to exit once told to, before it is killed
_TAIL = 2000  # characters of a dead worker's stderr quoted in its error
_MEMORY_SIGNS = ("out of memory", "bad_alloc", "MemoryError", "Cannot allocate memory",
                 "Allocation failed")
# tempfile finds its directory on first use under a module lock; a fork while another thread held
# it left the child's copy held for good, and the child's first worker start hung (1 fork in 10
# under load). Found once here, before any worker starts, it is never looked up again.
_TEMP_DIR = tempfile.gettempdir()
_BOOT = ("import sys; sys.path.insert(0, {path!r}); "
         "from jit.compile_worker import main; main(sys.argv[1:])")


@dataclass(frozen=True)
class WorkerLimits:
    """What a compile worker may take: `timeout` seconds per compile, `memory` bytes of address
    space (RLIMIT_AS; 0: no cap), `recycle_after` compiles before it is replaced, `start_timeout`
    seconds to start."""

    timeout: float = 60.0
    memory: int = 1 << 30
    recycle_after: int = 1000
    start_timeout: float = 60.0

    def __post_init__(self) -> None:
        for field in ("timeout", "start_timeout"):
            value = getattr(self, field)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0 \
                    or value == float("inf"):
                raise ValueError(f"WorkerLimits.{field} must be a positive number of seconds, "
                                 f"not {value!r}")
        for field, least in (("memory", 0), ("recycle_after", 1)):
            value = getattr(self, field)
            if not isinstance(value, int) or isinstance(value, bool) or value < least:
                raise ValueError(f"WorkerLimits.{field} must be an int >= {least}, not {value!r}")


class _Worker:
    """One worker process and this process's ends of its pipes. A busy worker belongs to the one
    thread whose request it serves; an idle one to the pool's lock."""

    def __init__(self, process: subprocess.Popen, errors: BinaryIO) -> None:
        self.process = process
        self.pid = process.pid
        self.errors = errors  # its stderr: an unlinked temporary file, read when it fails
        self.last_output = ""  # the end of its stderr, kept when this process lets go of it
        self.compiles = 0
        self.owner = os.getpid()
        os.set_blocking(process.stdin.fileno(), False)
        os.set_blocking(process.stdout.fileno(), False)
        self.channel = Channel(process.stdout.fileno(), process.stdin.fileno())

    def end(self, kill: bool) -> int | None:
        """Stop the process (kill it, or close its stdin so it exits), reap it and close this
        process's ends; its exit status (negative: the signal that ended it)."""
        if self.owner != os.getpid():  # a forked child's copy: the process is its parent's
            self.forget(keep_output=False)
            return None
        if kill:
            self.kill()
        else:
            self.process.stdin.close()
        try:
            status = self.process.wait(timeout=_REAP_WAIT)
        except subprocess.TimeoutExpired:
            self.kill()
            status = self.process.wait()
        self.forget()
        return status

    def kill(self) -> None:
        """Send SIGKILL (safe from any thread; the worker's own thread reaps it)."""
        if self.owner == os.getpid():
            try:
                self.process.kill()
            except ProcessLookupError:
                pass

    def forget(self, keep_output: bool = True) -> None:
        """Close this process's ends of the pipes and of the stderr file, keeping the end of what
        the worker wrote if `keep_output` (not in a forked child: the file's offset is shared with
        the parent and the live worker)."""
        if keep_output:
            try:
                self.errors.seek(0, os.SEEK_END)
                self.errors.seek(max(0, self.errors.tell() - _TAIL))
                self.last_output = self.errors.read().decode("utf-8", "replace").strip()
            except (OSError, ValueError):  # closed already
                pass
        for f in (self.process.stdin, self.process.stdout, self.errors):
            try:
                f.close()
            except OSError:
                pass


class WorkerPool:
    """Up to `workers` compile worker processes, started on demand. Thread-safe."""

    def __init__(self, workers: int, limits: WorkerLimits) -> None:
        if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
            raise ValueError(f"workers must be a positive int, not {workers!r}")
        self.workers = workers
        self.limits = limits
        self._cond = threading.Condition(threading.Lock())
        self._idle: list[_Worker] = []
        self._live: set[_Worker] = set()  # idle and busy
        self._starting = 0
        self._lost = 0  # workers dropped after a fault and not yet replaced
        self._faults: dict[str | None, str] = {}
        self._closed = False
        self._counts: collections.Counter[str] = collections.Counter()
        forksafe.register(forksafe.RANK_WORKERS, self)
        weakref.finalize(self, _kill_all, self._live)

    # -- requests -------------------------------------------------------------------------------

    def compile(self, source: bytes, name: str, opt_level: int, ir_passes: bool,
                dump: dumps.DumpConfig) -> bytes:
        """The object code of IR `source` (UTF-8) compiled in a worker. Raises IRSyntaxError,
        IRVerifyError or JitError as an in-process compile would, CompileWorkerError if the
        worker failed, PoolClosedError if the pool was closed meanwhile."""
        header = {"name": name, "opt_level": opt_level, "ir_passes": ir_passes,
                  "dump": _dump_spec(dump), "fault": self._take_fault(name)}
        worker = self._checkout(name)
        try:
            reply, data = self._exchange(worker, header, source)
        except BaseException:
            if worker in self._live:  # an interrupt mid-exchange: its state is unknown
                self._drop(worker, kill=True)
            raise
        if reply.get("error") in ("memory", "internal"):
            self._failed(worker, reply["error"], kill=True)
            cause = "memory" if reply["error"] == "memory" else "protocol"
            raise CompileWorkerError(name, worker.pid, cause, reply.get("message", ""))
        self._checkin(worker)
        for text in reply.get("warnings", ()):
            warn_once(str(text).removeprefix("gfjit: "))
        return _result(reply, data, name)

    def inject_fault(self, kind: str, module: str | None = None) -> None:
        """Make the next compile of `module` (None: of any module) die in its worker by `kind`:
        "sigkill", "sigsegv" (a real invalid read), "hang" (until the deadline kills it),
        "memory" (allocates past a memory cap) or "exit". For tests and stress runs."""
        if kind not in FAULTS:
            raise ValueError(f"unknown worker fault {kind!r}; known: {', '.join(FAULTS)}")
        with self._cond:
            self._faults[module] = kind

    def _take_fault(self, name: str) -> str | None:
        with self._cond:
            return self._faults.pop(name, None) or self._faults.pop(None, None)

    def _exchange(self, worker: _Worker, header: dict[str, Any], source: bytes
                  ) -> tuple[dict[str, Any], bytes]:
        name = header["name"]
        deadline = time.monotonic() + self.limits.timeout
        try:
            worker.channel.send(header, source, deadline)
            return worker.channel.receive(deadline)
        except TimeoutError:
            self._failed(worker, "timeout", kill=True)
            detail = f"no answer within {self.limits.timeout:g} s; killed"
            raise CompileWorkerError(name, worker.pid, "timeout", detail) from None
        except ProtocolError as error:
            self._failed(worker, "protocol", kill=True)
            raise CompileWorkerError(name, worker.pid, "protocol", str(error)) from None
        except (EOFError, OSError):  # it died: reap it and say how
            status = self._failed(worker, None, kill=False)
            if self._closed:
                raise PoolClosedError(f"the JitPool was closed while module {name!r} "
                                      "compiled") from None
            cause, detail = _how_it_died(status, worker.last_output)
            with self._cond:
                self._counts[f"fault_{cause}"] += 1
            raise CompileWorkerError(name, worker.pid, cause, detail) from None

    # -- the workers ----------------------------------------------------------------------------

    def _checkout(self, name: str) -> _Worker:
        with self._cond:
            while True:  # bounded: every busy worker comes back or dies within its deadline
                if self._closed:
                    raise PoolClosedError("the JitPool is closed")
                if self._idle:
                    return self._idle.pop()
                if len(self._live) + self._starting < self.workers:
                    self._starting += 1
                    break
                self._cond.wait()
        try:
            worker = self._start(name)
        except BaseException:
            with self._cond:
                self._starting -= 1
                self._cond.notify()
            raise
        with self._cond:
            self._starting -= 1
            self._live.add(worker)
            self._counts["started"] += 1
            if self._lost:
                self._lost -= 1
                self._counts["restarts"] += 1
            if not self._closed:
                return worker
        self._drop(worker, kill=True)
        raise PoolClosedError("the JitPool is closed")

    def _start(self, name: str) -> _Worker:
        errors = tempfile.TemporaryFile(prefix="gfjit-worker-", dir=_TEMP_DIR)
        try:
            process = subprocess.Popen(
                [sys.executable, "-c", _BOOT.format(path=str(Path(__file__).parent.parent)),
                 str(self.limits.memory)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, close_fds=True)
        except BaseException:
            errors.close()
            raise
        worker = _Worker(process, errors)
        try:
            hello, _ = worker.channel.receive(time.monotonic() + self.limits.start_timeout)
            _check_hello(hello)
        except (TimeoutError, EOFError, OSError, ProtocolError, JitError) as error:
            status = worker.end(kill=True)
            detail = f"{error or type(error).__name__}; exit status {status}"
            tail = worker.last_output
            raise CompileWorkerError(name, worker.pid, "start",
                                     detail + (f"; its output: {tail}" if tail else "")) from None
        except BaseException:
            worker.end(kill=True)
            raise
        return worker

    def _checkin(self, worker: _Worker) -> None:
        worker.compiles += 1
        with self._cond:
            self._counts["compiles"] += 1
            if worker.compiles < self.limits.recycle_after and not self._closed:
                self._idle.append(worker)
                self._cond.notify()
                return
            self._counts["recycles"] += 1
        self._drop(worker, kill=False)

    def _failed(self, worker: _Worker, cause: str | None, kill: bool) -> int | None:
        """Drop a worker that failed a request (counted under `cause` unless None: the caller
        counts once it knows); it will be replaced. Its exit status."""
        with self._cond:
            self._lost += 1
            if cause is not None:
                self._counts[f"fault_{cause}"] += 1
        return self._drop(worker, kill)

    def _drop(self, worker: _Worker, kill: bool) -> int | None:
        with self._cond:
            self._live.discard(worker)
            self._cond.notify()
        return worker.end(kill)

    # -- the pool as a whole --------------------------------------------------------------------

    def close(self) -> None:
        """Kill every worker, busy or not (a busy one's request raises PoolClosedError).
        Idempotent."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            idle, self._idle = self._idle, []
            busy = [w for w in self._live if w not in idle]
            self._live.difference_update(idle)
            self._cond.notify_all()
        for worker in idle:
            worker.end(kill=True)
        for worker in busy:  # its requesting thread sees the pipe close and reaps it
            worker.kill()

    def stats(self) -> dict[str, Any]:
        with self._cond:
            faults = {k.removeprefix("fault_"): v for k, v in self._counts.items()
                      if k.startswith("fault_")}
            return {"workers": self.workers, "workers_live": len(self._live),
                    "worker_pids": sorted(w.pid for w in self._live),
                    "workers_started": self._counts["started"],
                    "worker_restarts": self._counts["restarts"],
                    "worker_recycles": self._counts["recycles"],
                    "worker_compiles": self._counts["compiles"],
                    "worker_faults": faults}

    # -- fork (see forksafe) --------------------------------------------------------------------

    def fork_acquire(self) -> None:
        self._cond.acquire()

    def fork_release(self, child: bool) -> None:
        if not child:
            self._cond.release()
            return
        for worker in self._live:  # its parent's: close our copies of the pipes, no more
            worker.forget(keep_output=False)
        self._cond = threading.Condition(threading.Lock())
        self._idle, self._live, self._starting, self._lost = [], set(), 0, 0
        weakref.finalize(self, _kill_all, self._live)


def _kill_all(live: set[_Worker]) -> None:
    for worker in list(live):
        worker.kill()


def _dump_spec(dump: dumps.DumpConfig) -> dict[str, Any] | None:
    kinds = sorted(k for k in dump.kinds if dump.wants(k))
    return {"kinds": kinds, "directory": os.path.abspath(dump.directory)} if kinds else None


def _check_hello(hello: dict[str, Any]) -> None:
    host = compiler.host_target()
    ours = [host.triple, host.cpu, host.features]
    if not hello.get("ready") or hello.get("target") != ours or \
            hello.get("llvmlite") != llvmlite.__version__:
        raise JitError(f"the worker compiles for {hello.get('target')} with llvmlite "
                       f"{hello.get('llvmlite')}, not for {ours} with {llvmlite.__version__}")


def _result(reply: dict[str, Any], data: bytes, name: str) -> bytes:
    if reply.get("ok"):
        return data
    error, message = reply.get("error"), str(reply.get("message", ""))
    if error == "syntax":
        raise IRSyntaxError(message, reply.get("line"), reply.get("column"),
                            reply.get("source_line"), name)
    if error == "verify":
        raise IRVerifyError(message)
    raise JitError(message)


def _how_it_died(status: int | None, tail: str) -> tuple[str, str]:
    said = f"; its last output: {tail[-_TAIL:]}" if tail else ""
    if any(sign in tail for sign in _MEMORY_SIGNS):
        cause = "memory"
    elif status is not None and status < 0:
        cause = "signal"
    else:
        cause = "exit"
    if status is not None and status < 0:
        try:
            what = f"killed by {signal.Signals(-status).name}"
        except ValueError:
            what = f"killed by signal {-status}"
    else:
        what = f"exited with status {status}"
    return cause, what + said
