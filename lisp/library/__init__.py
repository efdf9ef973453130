"""The library of standard functions, one module per area (lists, sequences, numbers, characters,
strings, symbols, hash tables, equality, types, functions, the condition system).

Each module registers its functions with ``@builtin`` when imported; ``lisp.evaluator`` imports
every module of this package at start-up. The conventions they share (calling convention, argument
checks, designators, :test/:key) are in :mod:`lisp.library.arguments`.
"""
