"""Common Lisp compiled to Python bytecode, with native generic functions.

The Python API (the first use boots the Lisp; see :mod:`lisp.evaluator`)::

    import lisp
    lisp.eval_string("(defun fib (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))")
    lisp.function("fib")(20)                  # 6765
    lisp.load("program.lisp")
    lisp.prin1_to_string(lisp.read_from_string("(a \\"b\\" #\\\\c)"))

Layers, lowest first (:data:`LAYERS`). A module imports only modules of its own layer or of the
layers below it, and no two modules import each other, directly or round a circle, counting
imports made inside functions (``tests/test_layers.py`` checks it). Where a lower layer needs
something of a higher one (the printer for a condition's report, the evaluator for ``#.``), the
higher one registers a hook at import (:mod:`lisp.runtime.hooks`).

1. ``runtime``: Lisp data, the values register, dynamic bindings and function cells, streams,
   condition classes, host-error translation, signalling, native conses.
2. ``syntax``: the reader, the printer, the pretty printer, ``format``.
3. ``compiler``: Lisp forms to Python code objects; macros; ``eval`` and ``load``.
4. ``library``: the standard functions, CLOS, threads, Python interop.
5. ``toplevel``: booting, the REPL, the editor server (``lisp.swank``) and the notebook kernel
   (``lisp.kernel``), the ``gfjit`` command.
"""

from __future__ import annotations

from typing import Any

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("runtime", ("lisp.runtime",)),
    ("syntax", ("lisp.syntax",)),
    ("compiler", ("lisp.compiler",)),
    ("library", ("lisp.library", "lisp.clos", "lisp.threads", "lisp.pyinterop")),
    ("toplevel", ("lisp.evaluator", "lisp.toplevel", "lisp.repl", "lisp.swank", "lisp.kernel", "lisp.cli",
                  "lisp.__main__", "lisp")),
)
"""Each layer's name and the modules and packages it holds (a module belongs to the layer of the
longest of these names it starts with)."""

_API = ("eval_string", "load", "function", "prin1_to_string", "read_from_string")
__all__ = list(_API)


def __getattr__(name: str) -> Any:
    # Lazy, so that `import lisp.runtime.data` (or the gfjit CLI's --help) does not boot the whole Lisp.
    if name in _API:
        from lisp import evaluator

        return getattr(evaluator, name)
    raise AttributeError(f"module 'lisp' has no attribute {name!r}")
