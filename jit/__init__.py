"""gfjit's JIT layer: per-thread LLVM compilers, a sharded LLJIT pool, safe code removal.

Knows nothing of dispatch or Lisp.
"""

__version__ = "0.1.0"
