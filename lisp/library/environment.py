"""Time and the environment (CLHS 25): universal and internal time, ``sleep``, implementation
identification."""

from __future__ import annotations

import platform
import sys
import time
from fractions import Fraction
from typing import Any

from lisp.data import NIL, cl_symbol
from lisp.library.arguments import check
from lisp.namespace import builtin, proclaim_constant

# Universal time counts seconds from 1900-01-01T00:00:00Z; Unix time from 1970.
_UNIVERSAL_EPOCH_OFFSET = 2208988800
INTERNAL_TIME_UNITS_PER_SECOND = 1_000_000
proclaim_constant(cl_symbol("INTERNAL-TIME-UNITS-PER-SECOND"), INTERNAL_TIME_UNITS_PER_SECOND)


@builtin("GET-UNIVERSAL-TIME")
def get_universal_time() -> int:
    return int(time.time()) + _UNIVERSAL_EPOCH_OFFSET


@builtin("GET-INTERNAL-REAL-TIME")
def get_internal_real_time() -> int:
    return time.perf_counter_ns() // (1_000_000_000 // INTERNAL_TIME_UNITS_PER_SECOND)


@builtin("GET-INTERNAL-RUN-TIME")
def get_internal_run_time() -> int:
    return time.process_time_ns() // (1_000_000_000 // INTERNAL_TIME_UNITS_PER_SECOND)


@builtin("SLEEP")
def sleep(seconds: Any) -> Any:
    check(type(seconds) in (int, float, Fraction) and seconds >= 0, seconds, "REAL")
    time.sleep(float(seconds))
    return NIL


@builtin("LISP-IMPLEMENTATION-TYPE")
def lisp_implementation_type() -> str:
    return "gfjit"


@builtin("LISP-IMPLEMENTATION-VERSION")
def lisp_implementation_version() -> str:
    from jit import __version__

    return f"{__version__} on Python {sys.version.split()[0]}"


@builtin("MACHINE-TYPE")
def machine_type() -> str:
    return platform.machine()


@builtin("SOFTWARE-TYPE")
def software_type() -> str:
    return platform.system()
