"""The Lisp toplevel's parts (the entry points are in :mod:`lisp.toplevel`).

- :mod:`~lisp.repl.worker`: the evaluation thread (deep stack, Ctrl-C, the channel back to the
  thread that waits for it).
- :mod:`~lisp.repl.forms`: input text split into complete forms, with session positions.
- :mod:`~lisp.repl.session`: evaluate forms, print values, keep ``* ** *** + / -``.
- :mod:`~lisp.repl.commands`: ``:help :quit :time :pytrace :dispatch``.
- :mod:`~lisp.repl.report` and :mod:`~lisp.repl.backtrace`: what an error prints.
- :mod:`~lisp.repl.debugger`: the debugger's machinery (a stopped computation's frames, locals,
  evaluation in a frame, restarts), for any front end; :mod:`~lisp.repl.debug_level`: the
  debugger on a terminal (a nested session per level).
- :mod:`~lisp.repl.pipe` (no line editor) and :mod:`~lisp.repl.interactive` (prompt_toolkit),
  with :mod:`~lisp.repl.prompt`, :mod:`~lisp.repl.lexer` (highlighting) and
  :mod:`~lisp.repl.completion` (symbol names).
"""
