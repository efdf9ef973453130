"""The compile worker process: IR in, object code out, one request at a time, on its own LLVM.

`workers` starts it as `python -c BOOT <memory cap>`. Requests arrive on stdin, replies leave on
the process's original stdout (`wire` frames); fd 1 is then pointed at stderr, so nothing printed
by accident can corrupt a reply. After LLVM is initialized the address space is capped
(RLIMIT_AS) and the worker says it is ready, with the target it compiles for.

The main thread reads a request, compiles, replies. Another thread only watches stdin: when its
last writer is gone (the parent closed it, exited, or died: the kernel closes a dead process's
pipes, even after SIGKILL) it ends the process at once, in the middle of a compile if need be. So a
worker never outlives its parent, and a request costs no hand-over between threads.

A request may carry a fault to inject (`workers.FAULTS`), for tests and stress runs: the worker
then dies by that fault while its parent waits for the object.
"""

from __future__ import annotations

import ctypes
import mmap
import os
import resource
import select
import signal
import sys
import threading
import warnings
from pathlib import Path
from typing import Any

import llvmlite

from . import compiler, dumps
from .errors import IRSyntaxError, IRVerifyError, JitError
from .llvm_unlocked import initialize
from .wire import Channel, ProtocolError

_HOG_CHUNK = 16 << 20
_HOG_ROOM = 64 << 20  # the "memory" fault caps the worker this far above what it uses


def main(argv: list[str]) -> None:
    memory = int(argv[0])
    channel = Channel(0, os.dup(1))
    os.dup2(2, 1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C at a terminal is the parent's to handle
    initialize()
    host = compiler.host_target()
    threading.Thread(target=_end_with_the_parent, daemon=True).start()
    if memory:  # after the watcher's stack is mapped: the cap is for compiling
        resource.setrlimit(resource.RLIMIT_AS, (memory, resource.getrlimit(resource.RLIMIT_AS)[1]))
    channel.send({"ready": True, "pid": os.getpid(), "llvmlite": llvmlite.__version__,
                  "target": [host.triple, host.cpu, host.features]})
    while True:
        try:
            header, payload = channel.receive()
        except (EOFError, OSError, ProtocolError):
            os._exit(0)
        reply, data = _serve(header, payload)
        channel.send(reply, data)
        if reply.get("error") == "memory":  # its heap is suspect: the parent replaces it
            os._exit(0)


def _end_with_the_parent() -> None:
    watch = select.poll()
    watch.register(0, 0)  # no events asked for: poll returns only when stdin hangs up
    while not watch.poll():
        pass
    os._exit(0)


def _serve(header: dict[str, Any], payload: bytes) -> tuple[dict[str, Any], bytes]:
    name = header["name"]
    try:
        if header.get("fault"):
            _fault(header["fault"])
        with warnings.catch_warnings(record=True) as caught:  # the only compiling thread
            warnings.simplefilter("always")
            code = compiler.compile(payload.decode("utf-8"), name, opt_level=header["opt_level"],
                                    ir_passes=header["ir_passes"], dump=_dump(header.get("dump")))
        return {"ok": True, "warnings": [str(w.message) for w in caught]}, code.data
    except IRSyntaxError as error:
        return {"ok": False, "error": "syntax", "message": error.message, "line": error.line,
                "column": error.column, "source_line": error.source_line}, b""
    except IRVerifyError as error:
        return {"ok": False, "error": "verify", "message": str(error)}, b""
    except JitError as error:
        return {"ok": False, "error": "jit", "message": str(error)}, b""
    except MemoryError:
        return {"ok": False, "error": "memory", "message": "out of memory (MemoryError)"}, b""
    except Exception as error:  # noqa: BLE001 - reported to the parent, which replaces us
        message = f"{type(error).__name__}: {error}"
        return {"ok": False, "error": "internal", "message": message}, b""


def _dump(spec: dict[str, Any] | None) -> dumps.DumpConfig:
    if not spec:
        return dumps.NO_DUMP
    return dumps.DumpConfig(frozenset(spec["kinds"]), Path(spec["directory"]))


def _fault(kind: str) -> None:
    if kind == "sigkill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif kind == "sigsegv":
        ctypes.c_char.from_address(_inaccessible_page()).value  # a real invalid read
    elif kind == "hang":
        threading.Event().wait()
    elif kind == "exit":
        os._exit(3)
    elif kind == "memory":
        resource.setrlimit(resource.RLIMIT_AS, (_address_space() + _HOG_ROOM,
                                                resource.getrlimit(resource.RLIMIT_AS)[1]))
        hog = []
        while True:
            hog.append(bytearray(_HOG_CHUNK))


def _inaccessible_page() -> int:
    """The address of a new page that no access is allowed to (PROT_NONE)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]
    address = libc.mmap(None, mmap.PAGESIZE, 0, mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS, -1, 0)
    if address in (None, ctypes.c_void_p(-1).value):
        raise OSError(ctypes.get_errno(), "mmap of an inaccessible page failed")
    return address


def _address_space() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


if __name__ == "__main__":
    main(sys.argv[1:])
