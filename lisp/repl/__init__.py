"""The Lisp toplevel's parts (the entry points are in :mod:`lisp.toplevel`).

- :mod:`~lisp.repl.worker`: the evaluation thread (deep stack, Ctrl-C forwarded into it).
- :mod:`~lisp.repl.forms`: input text split into complete forms, with session positions.
- :mod:`~lisp.repl.session`: evaluate forms, print values, keep ``* ** *** + / -``.
- :mod:`~lisp.repl.commands`: ``:help :quit :time :pytrace :dispatch``.
- :mod:`~lisp.repl.report` and :mod:`~lisp.repl.backtrace`: what an error prints.
- :mod:`~lisp.repl.pipe` (no line editor) and :mod:`~lisp.repl.interactive` (prompt_toolkit),
  with :mod:`~lisp.repl.prompt`, :mod:`~lisp.repl.lexer` (highlighting) and
  :mod:`~lisp.repl.completion` (symbol names).
"""
