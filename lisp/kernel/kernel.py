"""The gfjit kernel on ipykernel's machinery.

ipykernel does the messaging (the shell, control, iopub and stdin channels, the heartbeat), makes
``sys.stdout`` and ``sys.stderr`` publish to the notebook (``*standard-output*`` writes to
``sys.stdout``) and turns an interrupt request into SIGINT. The kernel evaluates in the REPL's
evaluation thread (:class:`~lisp.repl.worker.EvalThread`: a deep stack, interrupts), waiting for
it in the main thread, which handles ipykernel's shell messages; SIGINT while it waits interrupts
the evaluation, as Ctrl-C at the terminal does.
"""

from __future__ import annotations

import sys
from typing import Any

from ipykernel.kernelbase import Kernel

from jit import __version__
from lisp.kernel.cells import CellOutcome, CellSession, completions, inspection
from lisp.repl.worker import EvalThread

LANGUAGE_INFO = {
    "name": "common-lisp",
    "mimetype": "text/x-common-lisp",
    "file_extension": ".lisp",
    "codemirror_mode": "commonlisp",
    "pygments_lexer": "common-lisp",
}


class LispKernel(Kernel):
    """A notebook's Lisp; see the module docstring."""

    implementation = "gfjit"
    implementation_version = __version__
    language_info = LANGUAGE_INFO
    banner = f"gfjit {__version__}: Common Lisp on CPython, generic functions with JIT-compiled dispatchers"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._worker = EvalThread(name="lisp-kernel")
        self._allow_stdin = False
        self._cells: CellSession = self._worker.call(CellSession, self._read_line)

    def set_parent(self, ident: Any, parent: dict[str, Any], channel: str = "shell") -> None:
        super().set_parent(ident, parent, channel)
        if channel == "shell":
            # The output of the evaluation thread goes with the request being served: ipykernel's
            # streams fall back to their global parent in a thread that has set none.
            for stream in (sys.stdout, sys.stderr):
                if hasattr(stream, "set_parent"):
                    stream.set_parent(parent)

    def _read_line(self) -> str | None:
        """A line the person types in the notebook's input box (asked in the main thread, which
        talks to the notebook); None when the cell was run without one (end of input)."""
        if not self._allow_stdin:
            return None
        return self._worker.ask(self.raw_input, "") + "\n"

    async def do_execute(self, code: str, silent: bool, store_history: bool = True,
                         user_expressions: dict[str, Any] | None = None, allow_stdin: bool = False,
                         **_cell: Any) -> dict[str, Any]:
        self._allow_stdin = allow_stdin
        outcome: CellOutcome = self._worker.call(self._cells.run, code, self.execution_count)
        sys.stdout.flush()  # what the cell printed comes before its result or error
        sys.stderr.flush()
        if outcome.error is not None:
            error = {"ename": outcome.error.ename, "evalue": outcome.error.evalue,
                     "traceback": outcome.error.traceback}
            if not silent:
                self.send_response(self.iopub_socket, "error", error)
            return {"status": "error", "execution_count": self.execution_count, **error}
        if outcome.result is not None and not silent:
            self.send_response(self.iopub_socket, "execute_result", {
                "execution_count": self.execution_count, "data": {"text/plain": outcome.result}, "metadata": {}})
        return {"status": "ok", "execution_count": self.execution_count, "payload": [], "user_expressions": {}}

    async def do_complete(self, code: str, cursor_pos: int | None) -> dict[str, Any]:
        cursor = len(code) if cursor_pos is None else cursor_pos
        start, matches = self._worker.call(completions, code, cursor)
        return {"status": "ok", "matches": matches, "cursor_start": start, "cursor_end": cursor, "metadata": {}}

    async def do_inspect(self, code: str, cursor_pos: int | None, detail_level: int = 0,
                         omit_sections: Any = ()) -> dict[str, Any]:
        text = self._worker.call(inspection, code, len(code) if cursor_pos is None else cursor_pos)
        return {"status": "ok", "found": text is not None,
                "data": {} if text is None else {"text/plain": text}, "metadata": {}}

    async def do_is_complete(self, code: str) -> dict[str, Any]:
        return {"status": "unknown"}


def serve(connection_file: str) -> None:
    """Run the kernel on ``connection_file`` (as Jupyter starts it) until Jupyter shuts it down;
    the Lisp is booted first."""
    from ipykernel.kernelapp import IPKernelApp

    from lisp.repl.worker import allow_deep_recursion
    from lisp.toplevel import boot_for_programs

    boot_for_programs()
    allow_deep_recursion()  # safe: the main thread of the kernel runs no Lisp
    IPKernelApp.launch_instance(argv=["-f", connection_file], kernel_class=LispKernel)
