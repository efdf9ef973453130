"""`python -m stress`: the same as `gfjit stress`."""

import sys

from stress.cli import main

sys.exit(main())
