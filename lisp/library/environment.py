"""Time and the environment (CLHS 25): universal and internal time, ``sleep``, ``time``,
implementation identification."""

from __future__ import annotations

import calendar
import gc
import platform
import resource
import sys
import time
import tracemalloc
from fractions import Fraction
from typing import Any

from lisp.compiler.macros import macro
from lisp.library.arguments import check
from lisp.runtime.condition_classes import ProgramError
from lisp.runtime.data import NIL, SYSTEM, T, cl_symbol, make_list, source_pos
from lisp.runtime.extensions import extension_symbol
from lisp.runtime.namespace import (
    builtin,
    proclaim_constant,
    proclaim_special,
    set_symbol_value,
    symbol_value,
)
from lisp.runtime.ratio import RATIONAL_TYPES, REAL_TYPES, canonical
from lisp.runtime.streams import output_stream
from lisp.runtime.values import clear, take, values

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


TIME_CONSES = extension_symbol("*TIME-CONSES*")
proclaim_special(TIME_CONSES)
set_symbol_value(TIME_CONSES, NIL)


@builtin("%TIME", SYSTEM)
def time_thunk(thunk: Any) -> Any:
    """``time``: run ``thunk`` and return its values, reporting on ``*trace-output*`` its real and
    run time and the garbage collections it caused, and the bytes it allocated if allocations are
    traced: while ``tracemalloc`` traces them, or around this evaluation when
    ``gfjit-ext:*time-conses*`` is true (tracing them makes the evaluation about twice as slow, so
    the times are then those of a traced evaluation)."""
    trace_now = symbol_value(TIME_CONSES) is not NIL and not tracemalloc.is_tracing()
    if trace_now:
        tracemalloc.start()
    traced = tracemalloc.is_tracing()
    if traced:
        tracemalloc.reset_peak()
    kept_before = tracemalloc.get_traced_memory()[0] if traced else 0
    collections = _collections()
    usage, real = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    try:
        clear()
        results = take(thunk())
    finally:
        real, after = time.perf_counter() - real, resource.getrusage(resource.RUSAGE_SELF)
        kept, peak = tracemalloc.get_traced_memory() if traced else (0, 0)
        if trace_now:
            tracemalloc.stop()
    user, system = after.ru_utime - usage.ru_utime, after.ru_stime - usage.ru_stime
    lines = ["Evaluation took:", f"  {real:.6f} seconds of real time",
             f"  {user + system:.6f} seconds of total run time ({user:.6f} user, {system:.6f} system)",
             f"  {100 * (user + system) / real if real > 0 else 0:.2f}% CPU",
             f"  {_collections() - collections:,} garbage collections"]
    if traced:
        lines.append(f"  {peak - kept_before:,} bytes consed at the peak, {kept - kept_before:,} of them kept "
                     f"(tracemalloc)")
    else:
        lines.append("  bytes consed: not measured (set GFJIT-EXT:*TIME-CONSES* to T to trace allocations)")
    stream = output_stream(symbol_value(cl_symbol("*TRACE-OUTPUT*")))
    stream.fresh_line()
    stream.write_string("\n".join(lines) + "\n")
    return values(*results)


def _collections() -> int:
    return sum(generation["collections"] for generation in gc.get_stats())


def thunk_call(form: Any, function: str) -> Any:
    """``(time form)`` as ``(sys::%time (lambda () form))``: the expansion of a macro of one form
    whose function ``function`` (a GFJIT-SYSTEM name) takes that form as a thunk."""
    body = list(form.cdr) if form.cdr is not NIL else []
    if len(body) != 1:
        raise ProgramError(f"{form.car.name} takes exactly one form", source_pos(form))
    return make_list([SYSTEM.intern(function), make_list([cl_symbol("LAMBDA"), NIL, body[0]])])


@macro("TIME")
def time_(form: Any, env: Any) -> Any:
    return thunk_call(form, "%TIME")
