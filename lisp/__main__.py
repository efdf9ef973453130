"""``python -m lisp``: the REPL, or any ``gfjit`` subcommand (``python -m lisp run FILE``)."""

import sys

from lisp.cli import main

sys.exit(main(sys.argv[1:]))
