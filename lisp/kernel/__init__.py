"""The Jupyter kernel: notebooks talking to gfjit (``gfjit kernel install``, then a "gfjit" kernel
in Jupyter).

- :mod:`~lisp.kernel.cells`: a cell evaluated as the REPL evaluates what is typed (the REPL's
  :class:`~lisp.repl.session.Session`), its values, output and error kept for the notebook;
  completion and inspection of the symbol at the cursor.
- :mod:`~lisp.kernel.kernel`: the kernel on ipykernel's machinery (messages, streams, interrupts),
  evaluating in the REPL's evaluation thread (:class:`~lisp.repl.worker.EvalThread`).
- :mod:`~lisp.kernel.spec`: the kernelspec and its installation; :mod:`~lisp.kernel.command`:
  ``gfjit kernel install [--user] [--prefix DIR]`` and ``gfjit kernel run -f FILE``.

ipykernel and jupyter_client are optional (``pip install gfjit[jupyter]``): only
:mod:`~lisp.kernel.kernel` and :mod:`~lisp.kernel.spec` import them, when the command runs.
"""
