"""``gfjit kernel install [--user] [--prefix DIR]`` (write the kernelspec) and ``gfjit kernel run
-f CONNECTION_FILE`` (what Jupyter runs, as the kernelspec says)."""

from __future__ import annotations

import importlib.util
import sys

from lisp.toplevel import EXIT_ERROR, EXIT_OK

_NEEDED = ("ipykernel", "jupyter_client")


def run(action: str, *, user: bool = False, prefix: str | None = None, connection_file: str | None = None) -> int:
    """Do ``action`` (``install`` or ``run``); the exit status. Without the optional dependencies,
    a message saying how to get them and status 1."""
    missing = [name for name in _NEEDED if importlib.util.find_spec(name) is None]
    if missing:
        print(f"gfjit kernel: {' and '.join(missing)} not installed (pip install 'gfjit[jupyter]')", file=sys.stderr)
        return EXIT_ERROR
    if action == "install":
        from lisp.kernel.spec import KERNEL_NAME, install

        try:
            where = install(user, prefix)
        except OSError as error:
            print(f"gfjit kernel: cannot install the kernelspec: {error} (try --user)", file=sys.stderr)
            return EXIT_ERROR
        print(f"Installed the {KERNEL_NAME} kernelspec in {where}")
        return EXIT_OK
    from lisp.kernel.kernel import serve

    assert connection_file is not None  # the parser requires -f for run
    serve(connection_file)
    return EXIT_OK
