"""A Common-Lisp-style language compiled to Python bytecode, with native generic functions.

The Python API (the first use boots the Lisp; see :mod:`lisp.evaluator`)::

    import lisp
    lisp.eval_string("(defun fib (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))")
    lisp.function("fib")(20)                  # 6765
    lisp.load("program.lisp")
    lisp.prin1_to_string(lisp.read_from_string("(a \\"b\\" #\\\\c)"))
"""

from __future__ import annotations

from typing import Any

_API = ("eval_string", "load", "function", "prin1_to_string", "read_from_string")
__all__ = list(_API)


def __getattr__(name: str) -> Any:
    # Lazy, so that `import lisp.data` (or the gfjit CLI's --help) does not boot the whole Lisp.
    if name in _API:
        from lisp import evaluator

        return getattr(evaluator, name)
    raise AttributeError(f"module 'lisp' has no attribute {name!r}")
