"""Concurrency stress runs of the JIT, dispatch and Lisp layers, checked against an oracle."""
