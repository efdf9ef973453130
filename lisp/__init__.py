"""A Common-Lisp-style language compiled to Python bytecode, with native generic functions."""
