"""Numbers: arithmetic, comparison, division with two values, and the numeric functions of CL.

Representation (lisp.runtime.data): integers are ``int``, ratios :class:`lisp.runtime.ratio.Ratio` (a ``Fraction``
never with denominator 1: its own arithmetic returns an ``int`` then, and every ratio made here goes
through ``Ratio(...)`` or :func:`lisp.runtime.ratio.canonical`), floats are ``float`` (one float type, CL's
double-float), complexes ``complex`` (float parts only). Float contagion is Python's: a float
operand makes the result a float. Python's ``bool`` is not a Lisp number.
"""

from __future__ import annotations

import cmath
import math
import random as _random
import sys
from fractions import Fraction
from typing import Any

from lisp.library.arguments import check, expected, keywords, show, string_argument, truth
from lisp.library.limits import MOST_POSITIVE_FIXNUM
from lisp.runtime.condition_classes import (
    DivisionByZero,
    FloatingPointInvalidOperation,
    FloatingPointOverflow,
    ParseError,
)
from lisp.runtime.data import NIL, T, cl_symbol, make_list
from lisp.runtime.namespace import (
    builtin,
    proclaim_constant,
    proclaim_special,
    set_symbol_value,
    symbol_value,
)
from lisp.runtime.ratio import NUMBER_TYPES, RATIONAL_TYPES, REAL_TYPES, canonical
from lisp.runtime.signals import raise_error, type_error
from lisp.runtime.values import values

_NUMBER = expected("NUMBER")
_REAL = expected("REAL")
_RATIONAL = expected("RATIONAL")
_INTEGER = expected("INTEGER")


def _numbers(args: tuple[Any, ...]) -> None:
    for x in args:
        if type(x) not in NUMBER_TYPES:
            type_error(x, _NUMBER)


def _reals(args: tuple[Any, ...]) -> None:
    for x in args:
        if type(x) not in REAL_TYPES:
            type_error(x, _REAL)


def _integer(x: Any) -> int:
    if type(x) is not int:
        type_error(x, _INTEGER)
    return x


def _divide(a: Any, b: Any, operation: str) -> Any:
    """Exact division: integers and ratios give a ratio; a float operand gives a float."""
    if b == 0:
        raise_error(DivisionByZero(operation=cl_symbol(operation), operands=make_list([a, b])))
    if type(a) in RATIONAL_TYPES and type(b) in RATIONAL_TYPES:
        return canonical(Fraction(a) / b)
    return a / b


# -- arithmetic ------------------------------------------------------------------------------------


@builtin("+")
def add(*args: Any) -> Any:
    if len(args) == 2 and type(args[0]) is int and type(args[1]) is int:
        return args[0] + args[1]
    _numbers(args)
    result = 0
    for x in args:
        result = result + x
    return canonical(result)


@builtin("-")
def subtract(first: Any, *rest: Any) -> Any:
    _numbers((first, *rest))
    if not rest:
        return canonical(-first)
    for x in rest:
        first = first - x
    return canonical(first)


@builtin("*")
def multiply(*args: Any) -> Any:
    _numbers(args)
    result = 1
    for x in args:
        result = result * x
    return canonical(result)


@builtin("/")
def divide(first: Any, *rest: Any) -> Any:
    _numbers((first, *rest))
    if not rest:
        return _divide(1, first, "/")
    for x in rest:
        first = _divide(first, x, "/")
    return first


@builtin("1+")
def one_plus(x: Any) -> Any:
    if type(x) is int:
        return x + 1
    if type(x) not in NUMBER_TYPES:
        type_error(x, _NUMBER)
    return canonical(x + 1)


@builtin("1-")
def one_minus(x: Any) -> Any:
    if type(x) is int:
        return x - 1
    if type(x) not in NUMBER_TYPES:
        type_error(x, _NUMBER)
    return canonical(x - 1)


# -- comparison ------------------------------------------------------------------------------------


def _chain(args: tuple[Any, ...], op: Any, check_args: Any) -> Any:
    check_args(args)
    return truth(all(op(a, b) for a, b in zip(args, args[1:])))


@builtin("=")
def num_eq(first: Any, *rest: Any) -> Any:
    return _chain((first, *rest), lambda a, b: a == b, _numbers)


@builtin("/=")
def num_ne(first: Any, *rest: Any) -> Any:
    args = (first, *rest)
    _numbers(args)
    return truth(all(a != b for i, a in enumerate(args) for b in args[i + 1:]))


@builtin("<")
def num_lt(first: Any, *rest: Any) -> Any:
    return _chain((first, *rest), lambda a, b: a < b, _reals)


@builtin(">")
def num_gt(first: Any, *rest: Any) -> Any:
    return _chain((first, *rest), lambda a, b: a > b, _reals)


@builtin("<=")
def num_le(first: Any, *rest: Any) -> Any:
    return _chain((first, *rest), lambda a, b: a <= b, _reals)


@builtin(">=")
def num_ge(first: Any, *rest: Any) -> Any:
    return _chain((first, *rest), lambda a, b: a >= b, _reals)


@builtin("MAX")
def max_(first: Any, *rest: Any) -> Any:
    _reals((first, *rest))
    return max((first, *rest))


@builtin("MIN")
def min_(first: Any, *rest: Any) -> Any:
    _reals((first, *rest))
    return min((first, *rest))


# -- predicates ------------------------------------------------------------------------------------


@builtin("ZEROP")
def zerop(x: Any) -> Any:
    _numbers((x,))
    return truth(x == 0)


@builtin("PLUSP")
def plusp(x: Any) -> Any:
    _reals((x,))
    return truth(x > 0)


@builtin("MINUSP")
def minusp(x: Any) -> Any:
    _reals((x,))
    return truth(x < 0)


# EVENP and ODDP are native, made by lisp.runtime.native_cons: no Python frame when a list
# function calls them.


@builtin("NUMBERP")
def numberp(x: Any) -> Any:
    return truth(type(x) in NUMBER_TYPES)


@builtin("REALP")
def realp(x: Any) -> Any:
    return truth(type(x) in REAL_TYPES)


@builtin("RATIONALP")
def rationalp(x: Any) -> Any:
    return truth(type(x) in RATIONAL_TYPES)


@builtin("INTEGERP")
def integerp(x: Any) -> Any:
    return truth(type(x) is int)


@builtin("FLOATP")
def floatp(x: Any) -> Any:
    return truth(type(x) is float)


@builtin("COMPLEXP")
def complexp(x: Any) -> Any:
    return truth(type(x) is complex)


# -- division with two values ----------------------------------------------------------------------


def _quotient(rounding: Any, name: str, number: Any, divisor: Any) -> tuple[int, Any]:
    if type(number) is int and type(divisor) is int and divisor and rounding is math.floor:
        return divmod(number, divisor)  # Python's integer division is CL's floor
    _reals((number, divisor))
    if divisor == 0:
        raise_error(DivisionByZero(operation=cl_symbol(name), operands=make_list([number, divisor])))
    if type(number) in RATIONAL_TYPES and type(divisor) in RATIONAL_TYPES:
        q = rounding(Fraction(number) / divisor)
    else:
        ratio = number / divisor
        if math.isinf(ratio) or math.isnan(ratio):
            raise_error(FloatingPointInvalidOperation(
                f"{name}: {show(number)} / {show(divisor)} has no integer quotient",
                operation=cl_symbol(name), operands=make_list([number, divisor])))
        if rounding is math.floor:
            # Python's float divmod is right where number - floor(ratio) * divisor is not: a
            # quotient that underflows ((mod -5e-324 2) is 2.0, not -5e-324); a zero remainder
            # keeps CL's sign ((floor -0.0 2) is 0 and -0.0), which divmod gives the divisor's.
            fq, r = divmod(number, divisor)
            q = int(fq)
            return q, r if r else number - q * divisor
        q = rounding(ratio)
    return q, canonical(number - q * divisor)


def _round_half_even(x: Any) -> int:
    return round(x)


def _division(name: str, rounding: Any, float_result: bool) -> Any:
    def divide_rounding(number: Any, divisor: Any = 1) -> Any:
        q, r = _quotient(rounding, name, number, divisor)
        if float_result:
            return values(float(q), r)
        return values(q, r)

    divide_rounding.__name__ = name.lower()
    divide_rounding.__doc__ = f"``{name.lower()}``: the quotient and the remainder (two values)."
    return builtin(name)(divide_rounding)


floor = _division("FLOOR", math.floor, False)
ceiling = _division("CEILING", math.ceil, False)
truncate = _division("TRUNCATE", math.trunc, False)
round_ = _division("ROUND", _round_half_even, False)
ffloor = _division("FFLOOR", math.floor, True)
fceiling = _division("FCEILING", math.ceil, True)
ftruncate = _division("FTRUNCATE", math.trunc, True)
fround = _division("FROUND", _round_half_even, True)


@builtin("MOD")
def mod(number: Any, divisor: Any) -> Any:
    if type(number) is int and type(divisor) is int and divisor:
        return number % divisor
    return _quotient(math.floor, "MOD", number, divisor)[1]


@builtin("REM")
def rem(number: Any, divisor: Any) -> Any:
    return _quotient(math.trunc, "REM", number, divisor)[1]


# -- powers, roots, logarithms ---------------------------------------------------------------------


def _overflow(name: str, operands: tuple[Any, ...]) -> Any:
    """Signal FLOATING-POINT-OVERFLOW naming the operation and its operands: Python raised
    OverflowError ("math range error"...), the result is more than a float can hold. Each caller
    catches it in its own frame (no wrapper: one Python call less per call)."""
    return raise_error(FloatingPointOverflow(operation=cl_symbol(name), operands=make_list(operands)))


@builtin("EXPT")
def expt(base: Any, power: Any) -> Any:
    _numbers((base, power))
    if base == 0 and (type(power) is complex or power <= 0) and not (type(power) is int and power == 0):
        raise_error(DivisionByZero(operation=cl_symbol("EXPT"), operands=make_list([base, power])))
    try:
        if type(power) is int:
            if type(base) in RATIONAL_TYPES:
                return canonical(Fraction(base) ** power)
            return base ** power
        if base == 0:
            return 0.0 if type(base) is float or type(power) is float else 0
        return _float_result(complex(base) ** power if _negative_real(base) else base ** power)
    except OverflowError:
        return _overflow("EXPT", (base, power))


def _negative_real(x: Any) -> bool:
    return type(x) in REAL_TYPES and x < 0


def _float_result(x: Any) -> Any:
    if type(x) is complex:
        return x
    return float(x)


@builtin("SQRT")
def sqrt(x: Any) -> Any:
    _numbers((x,))
    if type(x) is complex or x < 0:
        return cmath.sqrt(x)
    return math.sqrt(x)


@builtin("ISQRT")
def isqrt(n: Any) -> int:
    check(type(n) is int and n >= 0, n, "UNSIGNED-BYTE")
    return math.isqrt(n)


@builtin("EXP")
def exp(x: Any) -> Any:
    _numbers((x,))
    try:
        return cmath.exp(x) if type(x) is complex else math.exp(x)
    except OverflowError:
        return _overflow("EXP", (x,))


@builtin("LOG")
def log(x: Any, base: Any = NIL) -> Any:
    _numbers((x,) if base is NIL else (x, base))
    if x == 0:
        raise_error(DivisionByZero(operation=cl_symbol("LOG"), operands=make_list([x])))
    if base is NIL:
        return _ln(x)
    return _divide(_ln(x), _ln(base), "LOG")


def _ln(x: Any) -> Any:
    if type(x) is complex or x < 0:
        return cmath.log(x)
    return math.log(x)


def _elementary(name: str, real_fn: Any, complex_fn: Any, domain: Any = None) -> Any:
    def apply(x: Any) -> Any:
        _numbers((x,))
        try:
            if type(x) is complex or (domain is not None and not domain(x)):
                return complex_fn(x)
            return real_fn(x)
        except OverflowError:
            return _overflow(name, (x,))

    apply.__name__ = name.lower()
    apply.__doc__ = f"``{name.lower()}``."
    return builtin(name)(apply)


sin = _elementary("SIN", math.sin, cmath.sin)
cos = _elementary("COS", math.cos, cmath.cos)
tan = _elementary("TAN", math.tan, cmath.tan)
asin = _elementary("ASIN", math.asin, cmath.asin, lambda x: -1 <= x <= 1)
acos = _elementary("ACOS", math.acos, cmath.acos, lambda x: -1 <= x <= 1)
sinh = _elementary("SINH", math.sinh, cmath.sinh)
cosh = _elementary("COSH", math.cosh, cmath.cosh)
tanh = _elementary("TANH", math.tanh, cmath.tanh)
asinh = _elementary("ASINH", math.asinh, cmath.asinh)
acosh = _elementary("ACOSH", math.acosh, cmath.acosh, lambda x: x >= 1)
atanh = _elementary("ATANH", math.atanh, cmath.atanh, lambda x: -1 < x < 1)


@builtin("ATAN")
def atan(y: Any, x: Any = NIL) -> Any:
    if x is NIL:
        _numbers((y,))
        return cmath.atan(y) if type(y) is complex else math.atan(y)
    _reals((y, x))
    return math.atan2(y, x)


# -- integers --------------------------------------------------------------------------------------


@builtin("GCD")
def gcd(*integers: Any) -> int:
    for n in integers:
        _integer(n)
    return math.gcd(*integers)


@builtin("LCM")
def lcm(*integers: Any) -> int:
    for n in integers:
        _integer(n)
    return abs(math.lcm(*integers)) if integers else 1


def _logical(name: str, op: Any, identity: int) -> Any:
    def combine(*integers: Any) -> int:
        result = identity
        for n in integers:
            result = op(result, _integer(n))
        return result

    combine.__name__ = name.lower()
    combine.__doc__ = f"``{name.lower()}``: bitwise, on two's-complement integers."
    return builtin(name)(combine)


logand = _logical("LOGAND", lambda a, b: a & b, -1)
logior = _logical("LOGIOR", lambda a, b: a | b, 0)
logxor = _logical("LOGXOR", lambda a, b: a ^ b, 0)
logeqv = _logical("LOGEQV", lambda a, b: ~(a ^ b), -1)

# The two-argument operations of BOOLE (CLHS 12.2, boole); each also has its own function.
_BOOLE_OPS: dict[str, Any] = {
    "CLR": lambda a, b: 0, "SET": lambda a, b: -1, "1": lambda a, b: a, "2": lambda a, b: b,
    "C1": lambda a, b: ~a, "C2": lambda a, b: ~b, "AND": lambda a, b: a & b, "IOR": lambda a, b: a | b,
    "XOR": lambda a, b: a ^ b, "EQV": lambda a, b: ~(a ^ b), "NAND": lambda a, b: ~(a & b),
    "NOR": lambda a, b: ~(a | b), "ANDC1": lambda a, b: ~a & b, "ANDC2": lambda a, b: a & ~b,
    "ORC1": lambda a, b: ~a | b, "ORC2": lambda a, b: a | ~b,
}
_BOOLE_CODES = list(_BOOLE_OPS)
for _code, _op_name in enumerate(_BOOLE_CODES):
    proclaim_constant(cl_symbol(f"BOOLE-{_op_name}"), _code)


def _two_integer_op(name: str, op: Any) -> None:
    def combine(a: Any, b: Any) -> int:
        return op(_integer(a), _integer(b))

    combine.__name__ = name.lower()
    combine.__doc__ = f"``{name.lower()}``."
    builtin(name)(combine)


for _op_name in ("NAND", "NOR", "ANDC1", "ANDC2", "ORC1", "ORC2"):
    _two_integer_op(f"LOG{_op_name}", _BOOLE_OPS[_op_name])


@builtin("BOOLE")
def boole(op: Any, a: Any, b: Any) -> int:
    check(type(op) is int and 0 <= op < len(_BOOLE_CODES), op, make_list([cl_symbol("MOD"), len(_BOOLE_CODES)]))
    return _BOOLE_OPS[_BOOLE_CODES[op]](_integer(a), _integer(b))


# -- byte specifiers -------------------------------------------------------------------------------


class ByteSpec:
    """A byte specifier: ``size`` bits starting at bit ``position``."""

    __slots__ = ("size", "position")

    def __init__(self, size: int, position: int) -> None:
        self.size = size
        self.position = position

    @property
    def mask(self) -> int:
        return ((1 << self.size) - 1) << self.position

    def __repr__(self) -> str:
        return f"#<BYTE {self.size} {self.position}>"


def _bytespec(spec: Any) -> ByteSpec:
    check(isinstance(spec, ByteSpec), spec, "BYTE-SPECIFIER")
    return spec


@builtin("BYTE")
def byte(size: Any, position: Any) -> ByteSpec:
    check(type(size) is int and size >= 0, size, "UNSIGNED-BYTE")
    check(type(position) is int and position >= 0, position, "UNSIGNED-BYTE")
    return ByteSpec(size, position)


@builtin("BYTE-SIZE")
def byte_size(spec: Any) -> int:
    return _bytespec(spec).size


@builtin("BYTE-POSITION")
def byte_position(spec: Any) -> int:
    return _bytespec(spec).position


@builtin("LDB")
def ldb(spec: Any, n: Any) -> int:
    spec = _bytespec(spec)
    return (_integer(n) & spec.mask) >> spec.position


@builtin("LDB-TEST")
def ldb_test(spec: Any, n: Any) -> Any:
    return truth(_integer(n) & _bytespec(spec).mask)


@builtin("MASK-FIELD")
def mask_field(spec: Any, n: Any) -> int:
    return _integer(n) & _bytespec(spec).mask


@builtin("DPB")
def dpb(new: Any, spec: Any, n: Any) -> int:
    spec = _bytespec(spec)
    return (_integer(n) & ~spec.mask) | ((_integer(new) << spec.position) & spec.mask)


@builtin("DEPOSIT-FIELD")
def deposit_field(new: Any, spec: Any, n: Any) -> int:
    spec = _bytespec(spec)
    return (_integer(n) & ~spec.mask) | (_integer(new) & spec.mask)


@builtin("LOGNOT")
def lognot(n: Any) -> int:
    return ~_integer(n)


@builtin("ASH")
def ash(n: Any, count: Any) -> int:
    _integer(n)
    _integer(count)
    return n << count if count >= 0 else n >> -count


@builtin("LOGBITP")
def logbitp(index: Any, n: Any) -> Any:
    check(type(index) is int and index >= 0, index, "UNSIGNED-BYTE")
    return truth((_integer(n) >> index) & 1)


@builtin("LOGTEST")
def logtest(a: Any, b: Any) -> Any:
    return truth(_integer(a) & _integer(b))


@builtin("LOGCOUNT")
def logcount(n: Any) -> int:
    n = _integer(n)
    return (~n if n < 0 else n).bit_count()


@builtin("INTEGER-LENGTH")
def integer_length(n: Any) -> int:
    n = _integer(n)
    return (~n if n < 0 else n).bit_length()


# -- conversions and parts -------------------------------------------------------------------------


@builtin("ABS")
def abs_(x: Any) -> Any:
    _numbers((x,))
    return canonical(abs(x))


@builtin("SIGNUM")
def signum(x: Any) -> Any:
    _numbers((x,))
    if type(x) is complex:
        return x if x == 0 else x / abs(x)
    if x == 0:
        return x
    one = 1.0 if type(x) is float else 1
    return one if x > 0 else -one


@builtin("FLOAT")
def float_(x: Any, prototype: Any = NIL) -> float:
    _reals((x,))
    if prototype is not NIL:
        check(type(prototype) is float, prototype, "FLOAT")
    try:
        return float(x)
    except OverflowError:
        return _overflow("FLOAT", (x,) if prototype is NIL else (x, prototype))


def _float(x: Any) -> float:
    check(type(x) is float, x, "FLOAT")
    return x


@builtin("DECODE-FLOAT")
def decode_float(x: Any) -> Any:
    """``decode-float``: significand in [1/2, 1), exponent and sign (three values)."""
    significand, exponent = math.frexp(abs(_float(x)))
    return values(significand, exponent, math.copysign(1.0, x))


@builtin("INTEGER-DECODE-FLOAT")
def integer_decode_float(x: Any) -> Any:
    significand, exponent = math.frexp(abs(_float(x)))
    if significand == 0:
        return values(0, 0, 1 if math.copysign(1.0, x) > 0 else -1)
    return values(int(significand * 2 ** 53), exponent - 53, 1 if x > 0 else -1)


@builtin("SCALE-FLOAT")
def scale_float(x: Any, k: Any) -> float:
    try:
        return math.ldexp(_float(x), _integer(k))
    except OverflowError:
        return _overflow("SCALE-FLOAT", (x, k))


@builtin("FLOAT-SIGN")
def float_sign(x: Any, magnitude: Any = NIL) -> float:
    size = 1.0 if magnitude is NIL else abs(_float(magnitude))
    return math.copysign(size, _float(x))


@builtin("FLOAT-RADIX")
def float_radix(x: Any) -> int:
    _float(x)
    return 2


@builtin("FLOAT-DIGITS")
def float_digits(x: Any) -> int:
    _float(x)
    return 53


@builtin("FLOAT-PRECISION")
def float_precision(x: Any) -> int:
    return 0 if _float(x) == 0 else 53


@builtin("RATIONAL")
def rational(x: Any) -> Any:
    _reals((x,))
    return canonical(Fraction(x))


@builtin("RATIONALIZE")
def rationalize(x: Any) -> Any:
    _reals((x,))
    if type(x) is float:
        # The shortest decimal that reads back as x gives the simplest rational within its precision.
        return canonical(Fraction(repr(x)))
    return x


@builtin("NUMERATOR")
def numerator(x: Any) -> int:
    check(type(x) in RATIONAL_TYPES, x, _RATIONAL)
    return x if type(x) is int else x.numerator


@builtin("DENOMINATOR")
def denominator(x: Any) -> int:
    check(type(x) in RATIONAL_TYPES, x, _RATIONAL)
    return 1 if type(x) is int else x.denominator


@builtin("COMPLEX")
def complex_(real: Any, imag: Any = 0) -> Any:
    _reals((real, imag))
    if type(imag) in RATIONAL_TYPES and imag == 0:
        return real
    return complex(real, imag)


@builtin("REALPART")
def realpart(z: Any) -> Any:
    _numbers((z,))
    return z.real if type(z) is complex else z


@builtin("IMAGPART")
def imagpart(z: Any) -> Any:
    _numbers((z,))
    if type(z) is complex:
        return z.imag
    return 0.0 if type(z) is float else 0


@builtin("CONJUGATE")
def conjugate(z: Any) -> Any:
    _numbers((z,))
    return z.conjugate() if type(z) is complex else z


@builtin("PHASE")
def phase(z: Any) -> Any:
    _numbers((z,))
    return cmath.phase(z)


@builtin("CIS")
def cis(theta: Any) -> complex:
    _reals((theta,))
    return cmath.exp(1j * theta)


@builtin("PARSE-INTEGER")
def parse_integer(string: Any, *args: Any) -> Any:
    """``parse-integer``: the integer and the index where parsing stopped (two values)."""
    string = string_argument(string)
    kw = keywords(args, ("START", "END", "RADIX", "JUNK-ALLOWED"), "PARSE-INTEGER")
    start, end = kw.get("START", 0), kw.get("END", NIL)
    end = len(string) if end is NIL else end
    radix = kw.get("RADIX", 10)
    junk_allowed = kw.get("JUNK-ALLOWED", NIL) is not NIL
    i = start
    while i < end and string[i].isspace():
        i += 1
    digits_start = i
    if i < end and string[i] in "+-":
        i += 1
    first_digit = i
    while i < end and _digit_value(string[i], radix) is not None:
        i += 1
    parsed = string[digits_start:i] if i > first_digit else None
    stop = i
    while i < end and string[i].isspace():
        i += 1
    if parsed is None or i < end:
        if junk_allowed:
            return values(int(parsed, radix) if parsed else NIL, stop)

        raise_error(ParseError(f"parse-integer: junk in {show(string)} at index {stop}"))
    return values(int(parsed, radix), i)


def _digit_value(ch: str, radix: int) -> int | None:
    value = int(ch, 36) if ch.isascii() and ch.isalnum() else None
    return value if value is not None and value < radix else None


# -- random numbers --------------------------------------------------------------------------------


class RandomState:
    """A RANDOM-STATE: an independent generator."""

    __slots__ = ("generator",)

    def __init__(self, generator: _random.Random) -> None:
        self.generator = generator

    def __repr__(self) -> str:
        return "#<RANDOM-STATE>"


_RANDOM_STATE = cl_symbol("*RANDOM-STATE*")
proclaim_special(_RANDOM_STATE)
set_symbol_value(_RANDOM_STATE, RandomState(_random.Random()))


@builtin("RANDOM")
def random(limit: Any, state: Any = NIL) -> Any:
    """``random``: an integer in [0, limit) for an integer limit, a float for a float limit."""
    state = symbol_value(_RANDOM_STATE) if state is NIL else state
    check(isinstance(state, RandomState), state, "RANDOM-STATE")
    if type(limit) is int and limit > 0:
        return state.generator.randrange(limit)
    if type(limit) is float and limit > 0:
        return state.generator.random() * limit
    return type_error(limit, make_list([cl_symbol("OR"), make_list([_INTEGER, 1, cl_symbol("*")]),
                                        make_list([cl_symbol("FLOAT"), 0.0, cl_symbol("*")])]))


@builtin("MAKE-RANDOM-STATE")
def make_random_state(state: Any = NIL) -> RandomState:
    """A copy of ``state`` (of the current state for NIL), or a freshly seeded one for T."""
    generator = _random.Random()
    if state is T:
        return RandomState(generator)
    source = symbol_value(_RANDOM_STATE) if state is NIL else state
    check(isinstance(source, RandomState), source, "RANDOM-STATE")
    generator.setstate(source.generator.getstate())
    return RandomState(generator)


@builtin("RANDOM-STATE-P")
def random_state_p(x: Any) -> Any:
    return truth(isinstance(x, RandomState))


# -- constants -------------------------------------------------------------------------------------

# There is one float type, Python's double (a documented deviation), so every float format's
# constants are the double's, as SBCL's DOUBLE-FLOAT ones are.
FLOAT_CONSTANTS = {
    "MOST-POSITIVE-{}-FLOAT": sys.float_info.max,
    "MOST-NEGATIVE-{}-FLOAT": -sys.float_info.max,
    "LEAST-POSITIVE-{}-FLOAT": math.ulp(0.0),
    "LEAST-NEGATIVE-{}-FLOAT": -math.ulp(0.0),
    "LEAST-POSITIVE-NORMALIZED-{}-FLOAT": sys.float_info.min,
    "LEAST-NEGATIVE-NORMALIZED-{}-FLOAT": -sys.float_info.min,
    # The smallest e with (/= (+ 1 e) 1) and (/= (- 1 e) 1) (CLHS 12.1.4.1: rounding to even).
    "{}-FLOAT-EPSILON": math.ulp(1.0) / 2 * (1 + math.ulp(1.0)),
    "{}-FLOAT-NEGATIVE-EPSILON": math.ulp(1.0) / 4 * (1 + math.ulp(1.0)),
}
for _name, _value in (("PI", math.pi), ("MOST-POSITIVE-FIXNUM", MOST_POSITIVE_FIXNUM),
                      ("MOST-NEGATIVE-FIXNUM", -MOST_POSITIVE_FIXNUM - 1),
                      *((_pattern.format(_format), _float) for _pattern, _float in FLOAT_CONSTANTS.items()
                        for _format in ("SHORT", "SINGLE", "DOUBLE", "LONG"))):
    proclaim_constant(cl_symbol(_name), _value)
