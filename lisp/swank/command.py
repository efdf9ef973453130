"""``gfjit swank [--port 4005] [--host 127.0.0.1]``: boot the Lisp, serve Emacs until the Lisp
is asked to exit (``(exit)``, ``,quit`` in SLIME) or the process is interrupted."""

from __future__ import annotations

import sys

from lisp.toplevel import EXIT_ERROR, EXIT_INTERRUPTED, boot_for_programs


def run(host: str, port: int) -> int:
    """Serve on ``host``:``port`` (0: any free port); the exit status. The port is announced on
    standard output as swank does: ``;; Swank started at port: 4005.``"""
    from lisp.repl.worker import allow_deep_recursion
    from lisp.swank import (  # noqa: F401 - importing them registers what Emacs may call
        arglists,
        compiling,
        completing,
        definitions,
        documenting,
        listener,
        session_info,
        sldb,
    )
    from lisp.swank.server import Server, SwankError

    boot_for_programs()
    allow_deep_recursion()  # safe: the main thread of the server runs no Lisp
    try:
        server = Server(host, port)
    except SwankError as error:
        print(f"gfjit swank: {error}", file=sys.stderr)
        return EXIT_ERROR
    print(f";; Swank started at port: {server.port}.", flush=True)
    try:
        return server.serve_forever()
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    finally:
        server.close()
