"""The swank server: SLIME (Emacs) talking to gfjit, as it talks to SBCL.

- :mod:`~lisp.swank.wire`: the protocol's messages (length-prefixed s-expressions).
- :mod:`~lisp.swank.server`, :mod:`~lisp.swank.connection`: listening, a connection's reader
  and its routing of messages; :mod:`~lisp.swank.agent`: the Lisp threads that serve requests;
  :mod:`~lisp.swank.streams`: output to and input from Emacs.
- :mod:`~lisp.swank.rpc`: the table of what Emacs may call, filled by the modules that answer:
  :mod:`~lisp.swank.session_info` (connection, packages), :mod:`~lisp.swank.listener` (the REPL,
  evaluation), :mod:`~lisp.swank.sldb` (the debugger), :mod:`~lisp.swank.compiling`
  (``C-c C-c``, ``C-c C-k``, loading), :mod:`~lisp.swank.completing`, :mod:`~lisp.swank.arglists`
  (the echo area's argument lists), :mod:`~lisp.swank.documenting` (describe, apropos,
  macroexpansion), :mod:`~lisp.swank.definitions` (``M-.``, who-calls).
- :mod:`~lisp.swank.command`: ``gfjit swank``.

It reuses the REPL's evaluator, session, debugger interface, completion and documentation
(:mod:`lisp.repl`, :mod:`lisp.library.describing`): what the terminal does, Emacs does the same way.
"""
