"""Time and the environment (CLHS 25): universal and internal time, ``sleep``, implementation
identification."""

from __future__ import annotations

import calendar
import platform
import sys
import time
from fractions import Fraction
from typing import Any

from lisp.compiler.macros import macro
from lisp.library.arguments import check
from lisp.runtime.condition_classes import ProgramError
from lisp.runtime.data import NIL, SYSTEM, T, cl_symbol, make_list, source_pos
from lisp.runtime.namespace import builtin, proclaim_constant, symbol_value
from lisp.runtime.ratio import RATIONAL_TYPES, REAL_TYPES, canonical
from lisp.runtime.streams import output_stream
from lisp.runtime.values import take, values

# Universal time counts seconds from 1900-01-01T00:00:00Z; Unix time from 1970.
_UNIVERSAL_EPOCH_OFFSET = 2208988800
INTERNAL_TIME_UNITS_PER_SECOND = 1_000_000
proclaim_constant(cl_symbol("INTERNAL-TIME-UNITS-PER-SECOND"), INTERNAL_TIME_UNITS_PER_SECOND)


@builtin("GET-UNIVERSAL-TIME")
def get_universal_time() -> int:
    return int(time.time()) + _UNIVERSAL_EPOCH_OFFSET


@builtin("DECODE-UNIVERSAL-TIME")
def decode_universal_time(universal_time: Any, time_zone: Any = NIL) -> Any:
    """Nine values: second minute hour date month year day-of-week daylight-p zone (hours west)."""
    check(type(universal_time) is int, universal_time, "INTEGER")
    unix = universal_time - _UNIVERSAL_EPOCH_OFFSET
    if time_zone is NIL:
        t = time.localtime(unix)
        daylight = t.tm_isdst > 0
        zone = Fraction(-(t.tm_gmtoff - (3600 if daylight else 0)), 3600)
    else:
        check(type(time_zone) in RATIONAL_TYPES and -24 <= time_zone <= 24, time_zone, "RATIONAL")
        t = time.gmtime(unix - int(time_zone * 3600))
        daylight, zone = False, time_zone
    return values(t.tm_sec, t.tm_min, t.tm_hour, t.tm_mday, t.tm_mon, t.tm_year, t.tm_wday,
                  T if daylight else NIL, canonical(zone))


@builtin("ENCODE-UNIVERSAL-TIME")
def encode_universal_time(second: Any, minute: Any, hour: Any, date: Any, month: Any, year: Any,
                          time_zone: Any = NIL) -> int:
    for part in (second, minute, hour, date, month, year):
        check(type(part) is int, part, "INTEGER")
    fields = (year, month, date, hour, minute, second, 0, 0, -1)
    if time_zone is NIL:
        unix = int(time.mktime(fields))
    else:
        check(type(time_zone) in RATIONAL_TYPES, time_zone, "RATIONAL")
        unix = calendar.timegm(fields) + int(time_zone * 3600)
    return unix + _UNIVERSAL_EPOCH_OFFSET


@builtin("GET-DECODED-TIME")
def get_decoded_time() -> Any:
    return decode_universal_time(get_universal_time())


@builtin("GET-INTERNAL-REAL-TIME")
def get_internal_real_time() -> int:
    return time.perf_counter_ns() // (1_000_000_000 // INTERNAL_TIME_UNITS_PER_SECOND)


@builtin("GET-INTERNAL-RUN-TIME")
def get_internal_run_time() -> int:
    return time.process_time_ns() // (1_000_000_000 // INTERNAL_TIME_UNITS_PER_SECOND)


# A KeyboardInterrupt sent to the evaluation thread (the REPL's Ctrl-C) lands only between
# bytecodes, so SLEEP waits in slices this long.
_SLEEP_SLICE = 0.05


@builtin("SLEEP")
def sleep(seconds: Any) -> Any:
    check(type(seconds) in REAL_TYPES and seconds >= 0, seconds, "REAL")
    deadline = time.monotonic() + float(seconds)
    while (remaining := deadline - time.monotonic()) > 0:
        time.sleep(min(remaining, _SLEEP_SLICE))
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


@builtin("%TIME", SYSTEM)
def time_thunk(thunk: Any) -> Any:
    """``time``: run ``thunk``, report real and run time on ``*trace-output*``, return its values."""

    real, run = time.perf_counter(), time.process_time()
    results = take(thunk())
    real, run = time.perf_counter() - real, time.process_time() - run
    stream = output_stream(symbol_value(cl_symbol("*TRACE-OUTPUT*")))
    stream.fresh_line()
    stream.write_string(f"Evaluation took:\n  {real:.6f} seconds of real time\n"
                        f"  {run:.6f} seconds of total run time\n")
    return values(*results)


@macro("TIME")
def time_(form: Any, env: Any) -> Any:
    body = list(form.cdr) if form.cdr is not NIL else []
    if len(body) != 1:
        raise ProgramError("TIME takes exactly one form", source_pos(form))
    return make_list([SYSTEM.intern("%TIME"), make_list([cl_symbol("LAMBDA"), NIL, body[0]])])
