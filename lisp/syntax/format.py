"""``format``: the control-string language of CLHS 22.3.

API: :func:`format_` ``(destination, control, *args)`` is CL ``format`` (destination NIL returns the
string; T is ``*standard-output*``; else an output stream); :func:`format_to_string`
``(control, args)``; :func:`format_to_stream` ``(stream, control, args)``; :func:`formatter`
``(control)`` is CL ``formatter``. ``control`` is a string
or a function, called as ``(fn stream *args)`` (what ``formatter`` makes). A control string is
parsed once into a tree of :class:`Directive` and cached.

Directives: ``~A ~S ~W ~D ~B ~O ~X ~R`` (radix, English cardinals and ordinals, Roman numerals),
``~P ~C ~F ~E ~G ~$ ~% ~& ~| ~~ ~<newline> ~T ~* ~? ~( ~) ~[ ~; ~] ~{ ~} ~^ ~< ~>`` (justification;
``~:>`` logical blocks print their prefix, body and suffix), ``~/name/``, with ``V`` and ``#``
parameters and the ``:``/``@`` modifiers. Floats with ``~F``/``~E``/``~$`` round the exact binary
value half away from zero when the cut falls inside the shortest digits that identify the float, as
SBCL does. Errors are :class:`~lisp.runtime.condition_classes.FormatError` conditions whose report shows the
control string with a caret under the offending directive.

Deviations: no pretty printer, so ``~_`` and ``~I`` print nothing and ``~:>`` does not break lines;
``~<...~:;...~>`` (overflow line prefix) is refused; rationals given to ``~F``/``~E``/``~G``/``~$``
become Python floats (doubles, where SBCL uses single floats); the exponent marker is ``e`` unless
``exptchar`` is given.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from fractions import Fraction
from typing import Any

from lisp.runtime import hooks
from lisp.runtime.arrays import LispString, make_string
from lisp.runtime.condition_classes import FormatError, LispTypeError
from lisp.runtime.data import (
    COMMON_LISP_USER,
    NIL,
    Char,
    Cons,
    T,
    cl_symbol,
    find_package,
    is_function,
    iter_list,
    make_list,
)
from lisp.runtime.fill_pointer_stream import FillPointerOutputStream
from lisp.runtime.namespace import get_function
from lisp.runtime.streams import OutputStream, StringOutputStream, output_stream
from lisp.syntax.printer import integer_text, write_to_string


@dataclass
class Directive:
    """One ``~`` directive: its character, parameters, modifiers and, for the bracketing ones, the
    directives it encloses (``clauses``, split at ``~;``)."""

    char: str
    params: list[Any]
    colon: bool
    at: bool
    start: int
    end: int
    clauses: list[list[Any]] = field(default_factory=list)
    separators: list[Directive] = field(default_factory=list)  # the ``~;`` between clauses
    close: Directive | None = None  # the closing ``~]``, ``~}``, ``~)`` or ``~>``


_V, _COUNT = object(), object()  # the V and # parameters
_CLOSERS = {"[": "]", "{": "}", "(": ")", "<": ">"}


class _Parser:
    def __init__(self, control: str) -> None:
        self.control = control
        self.i = 0

    def error(self, message: str, index: int) -> FormatError:
        return format_error(message, self.control, index)

    def parse(self, closer: str | None = None, opener: Directive | None = None
              ) -> tuple[list[list[Any]], list[Directive], Directive | None]:
        """Nodes up to ``closer`` (a directive character), split into clauses at ``~;``."""
        clauses: list[list[Any]] = [[]]
        separators: list[Directive] = []
        text = self.control
        while self.i < len(text):
            tilde = text.find("~", self.i)
            if tilde < 0:
                clauses[-1].append(text[self.i:])
                self.i = len(text)
                break
            if tilde > self.i:
                clauses[-1].append(text[self.i:tilde])
            directive = self.directive(tilde)
            if directive.char == closer:
                return clauses, separators, directive
            if directive.char == ";":
                if closer is None or closer == ")" or closer == "}":
                    raise self.error("~; is only allowed inside ~[...~] and ~<...~>", tilde)
                separators.append(directive)
                clauses.append([])
            elif directive.char in ")]}>":
                raise self.error(f"~{directive.char} has no matching opening directive", tilde)
            elif directive.char in _CLOSERS:
                inside = self.parse(_CLOSERS[directive.char], directive)
                directive.clauses, directive.separators, directive.close = inside
                clauses[-1].append(directive)
            elif directive.char == "\n":
                self.skip_newline(directive, clauses[-1])
            else:
                clauses[-1].append(directive)
        if closer is not None:
            assert opener is not None
            raise self.error(f"~{opener.char} has no matching ~{closer}", opener.start)
        return clauses, separators, None

    def directive(self, tilde: int) -> Directive:
        text, i = self.control, tilde + 1
        params: list[Any] = []
        while True:
            before = i
            param, i = self.parameter(i, tilde)
            more = i < len(text) and text[i] == ","
            if more or i > before or params:
                params.append(param)
            if not more:
                break
            i += 1
        colon = at = False
        while i < len(text) and text[i] in ":@":
            if text[i] == ":":
                if colon:
                    raise self.error("two : modifiers on one directive", tilde)
                colon = True
            else:
                if at:
                    raise self.error("two @ modifiers on one directive", tilde)
                at = True
            i += 1
        if i >= len(text):
            raise self.error("the control string ends inside a directive", tilde)
        char = text[i]
        if char == "/":
            end = text.find("/", i + 1)
            if end < 0:
                raise self.error("~/ has no closing /", tilde)
            directive = Directive("/", params, colon, at, tilde, end + 1)
            directive.clauses = [[text[i + 1:end]]]
            self.i = end + 1
            return directive
        self.i = i + 1
        upper = char.upper()
        if upper not in _DIRECTIVES and upper not in ";)]}>\n":
            raise self.error(f"unknown directive ~{char}", tilde)
        return Directive(upper, params, colon, at, tilde, i + 1)

    def parameter(self, i: int, tilde: int) -> tuple[Any, int]:
        """The prefix parameter at ``i`` (None if there is none) and the index after it."""
        text = self.control
        if i >= len(text):
            raise self.error("the control string ends inside a directive", tilde)
        c = text[i]
        if c == "'":
            if i + 1 >= len(text):
                raise self.error("the control string ends inside a directive", tilde)
            return text[i + 1], i + 2
        if c in "vV":
            return _V, i + 1
        if c == "#":
            return _COUNT, i + 1
        j = i + 1 if c in "+-" else i
        k = j
        while k < len(text) and text[k].isdigit() and text[k].isascii():
            k += 1
        if k > j:
            return int(text[i:k]), k
        return None, i

    def skip_newline(self, directive: Directive, nodes: list[Any]) -> None:
        """``~<newline>``: drop the newline (unless @) and the whitespace after it (unless :)."""
        if directive.at:
            nodes.append("\n")
        if not directive.colon:
            while self.i < len(self.control) and self.control[self.i] in " \t":
                self.i += 1


@functools.lru_cache(maxsize=512)
def parse_control(control: str) -> list[Any]:
    """The directive tree of a control string (cached)."""
    clauses, _, _ = _Parser(control).parse()
    return clauses[0]


def format_error(message: str, control: str, index: int) -> FormatError:
    """A FORMAT-ERROR showing ``control`` with a caret under ``index``."""
    line_start = control.rfind("\n", 0, index) + 1
    line_end = control.find("\n", index)
    line = control[line_start:line_end if line_end >= 0 else len(control)]
    return FormatError(f"error in FORMAT: {message}\n  {line}\n  {' ' * (index - line_start)}^")


class _Escape(Exception):
    """``~^``: leave the enclosing iteration or justification (``whole`` for ``~:^``)."""

    def __init__(self, whole: bool) -> None:
        self.whole = whole


class _Args:
    """The arguments a (sub)control string consumes, with a cursor."""

    def __init__(self, items: list[Any], control: str, outer: _Args | None = None) -> None:
        self.items = items
        self.pos = 0
        self.control = control
        self.outer = outer  # for ~:^ inside ~:{: the list of sublists

    def next(self, directive: Directive) -> Any:
        if self.pos >= len(self.items):
            raise format_error("no more arguments", self.control, directive.start)
        self.pos += 1
        return self.items[self.pos - 1]

    def remaining(self) -> int:
        return len(self.items) - self.pos

    def goto(self, index: int, directive: Directive) -> None:
        if not 0 <= index <= len(self.items):
            raise format_error(f"cannot move to argument {index}: there are {len(self.items)}",
                               self.control, directive.start)
        self.pos = index


def _lisp_list_items(lst: Any, what: str, control: str, directive: Directive) -> list[Any]:
    try:
        return list(iter_list(lst))
    except TypeError:
        raise format_error(f"{what} needs a list, not {write_to_string(lst)}", control, directive.start) from None


class _Interpreter:
    """Runs a directive tree against arguments, writing to a stream."""

    def __init__(self, control: str, stream: OutputStream) -> None:
        self.control = control
        self.stream = stream

    def error(self, message: str, directive: Directive) -> FormatError:
        return format_error(message, self.control, directive.start)

    def run(self, nodes: list[Any], args: _Args) -> None:
        for node in nodes:
            if isinstance(node, str):
                self.stream.write_string(node)
            else:
                _DIRECTIVES[node.char](self, node, args)

    def params(self, directive: Directive, args: _Args, defaults: tuple[Any, ...]) -> list[Any]:
        """The directive's parameters, V and # resolved, missing ones from ``defaults``."""
        if not directive.params:
            return list(defaults)
        if len(directive.params) > len(defaults):
            raise self.error(f"~{directive.char} takes at most {len(defaults)} parameters", directive)
        values = []
        for k, default in enumerate(defaults):
            p = directive.params[k] if k < len(directive.params) else None
            if p is _V:
                p = args.next(directive)
            elif p is _COUNT:
                p = args.remaining()
            values.append(default if p is None else p)
        return values

    def integer_param(self, value: Any, directive: Directive, what: str, minimum: int | None = 0) -> int:
        """A parameter that must be an integer, at least ``minimum`` (most must not be negative)."""
        if not isinstance(value, int) or isinstance(value, bool) or (minimum is not None and value < minimum):
            kind = "an integer" if minimum is None else f"an integer >= {minimum}"
            raise self.error(f"the {what} parameter of ~{directive.char} must be {kind}, not {write_to_string(value)}",
                             directive)
        return value

    def char_param(self, value: Any, directive: Directive, what: str) -> str:
        if isinstance(value, Char):
            return value.char
        if not isinstance(value, str) or len(value) != 1:
            raise self.error(f"the {what} parameter of ~{directive.char} must be a character", directive)
        return value

    def sub_stream(self) -> StringOutputStream:
        return StringOutputStream(self.stream.column)

    def capture(self, nodes: list[Any], args: _Args) -> tuple[str, bool]:
        """Run ``nodes`` into a string; also whether ``~^`` cut them short."""
        saved = self.stream
        self.stream = self.sub_stream()
        try:
            self.run(nodes, args)
            escaped = False
        except _Escape:
            escaped = True
        text = self.stream.get_output_stream_string()
        self.stream = saved
        return text, escaped


# -- printing directives ---------------------------------------------------------------------------

def _pad(text: str, mincol: int, colinc: int, minpad: int, padchar: str, left: bool) -> str:
    """CLHS ~mincol,colinc,minpad,padcharA padding."""
    length = len(text) + minpad
    if length < mincol:
        length += -(-(mincol - length) // colinc) * colinc if colinc > 0 else mincol - length
    padding = padchar * (length - len(text))
    return padding + text if left else text + padding


def _ascii(run: _Interpreter, d: Directive, args: _Args, escape: bool) -> None:
    mincol, colinc, minpad, padchar = run.params(d, args, (0, 1, 0, " "))
    arg = args.next(d)
    if d.colon and arg is NIL:
        text = "()"
    else:
        text = write_to_string(arg, column=run.stream.column, escape=T if escape else NIL, readably=NIL)
    if not d.params:
        run.stream.write_string(text)
        return
    run.stream.write_string(_pad(text, run.integer_param(mincol, d, "mincol"), run.integer_param(colinc, d, "colinc"),
                                 run.integer_param(minpad, d, "minpad"), run.char_param(padchar, d, "padchar"), d.at))


def _directive_a(run: _Interpreter, d: Directive, args: _Args) -> None:
    _ascii(run, d, args, escape=False)


def _directive_s(run: _Interpreter, d: Directive, args: _Args) -> None:
    _ascii(run, d, args, escape=True)


def _directive_w(run: _Interpreter, d: Directive, args: _Args) -> None:
    run.params(d, args, ())
    options: dict[str, Any] = {}
    if d.colon:
        options["pretty"] = T
    if d.at:
        options.update(level=NIL, length=NIL)
    run.stream.write_string(write_to_string(args.next(d), **options))


def _integer(run: _Interpreter, d: Directive, args: _Args, base: int, params: list[Any]) -> None:
    mincol, padchar, commachar, interval = params
    arg = args.next(d)
    if not isinstance(arg, int) or isinstance(arg, bool):
        run.stream.write_string(write_to_string(arg, escape=NIL, readably=NIL, base=base, radix=NIL))
        return
    digits = integer_text(abs(arg), base)
    if d.colon:
        interval = run.integer_param(interval, d, "comma-interval", minimum=1)
        comma = run.char_param(commachar, d, "commachar")
        groups = []
        while len(digits) > interval > 0:
            groups.append(digits[-interval:])
            digits = digits[:-interval]
        digits = comma.join([digits] + groups[::-1])
    sign = "-" if arg < 0 else "+" if d.at else ""
    run.stream.write_string(_pad(sign + digits, run.integer_param(mincol, d, "mincol"), 1, 0,
                                 run.char_param(padchar, d, "padchar"), left=True))


def _fixed_radix(base: int) -> Callable[[_Interpreter, Directive, _Args], None]:
    def directive(run: _Interpreter, d: Directive, args: _Args) -> None:
        _integer(run, d, args, base, run.params(d, args, (0, " ", ",", 3)))

    return directive


def _directive_r(run: _Interpreter, d: Directive, args: _Args) -> None:
    # An omitted radix (also ~vR given NIL, which counts as omitted) means English or Roman.
    radix, *rest = run.params(d, args, (None, 0, " ", ",", 3))
    if radix is not None:
        if not isinstance(radix, int) or not 2 <= radix <= 36:
            raise run.error(f"the radix of ~R must be an integer from 2 to 36, not {write_to_string(radix)}", d)
        _integer(run, d, args, radix, rest)
        return
    arg = args.next(d)
    if not isinstance(arg, int) or isinstance(arg, bool):
        raise run.error(f"~R needs an integer, not {write_to_string(arg)}", d)
    if d.at:
        run.stream.write_string(_roman(arg, old=d.colon, run=run, d=d))
    else:
        run.stream.write_string(_english(arg, ordinal=d.colon, run=run, d=d))


_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
         "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ILLIONS = ["", " thousand", " million", " billion", " trillion", " quadrillion", " quintillion",
            " sextillion", " septillion", " octillion", " nonillion", " decillion", " undecillion",
            " duodecillion", " tredecillion", " quattuordecillion", " quindecillion", " sexdecillion",
            " septendecillion", " octodecillion", " novemdecillion", " vigintillion"]
_IRREGULAR_ORDINALS = {"one": "first", "two": "second", "three": "third", "five": "fifth",
                       "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}


def _below_thousand(n: int) -> str:
    words = []
    if n >= 100:
        words.append(_ONES[n // 100] + " hundred")
        n %= 100
    if n >= 20:
        words.append(_TENS[n // 10] + ("-" + _ONES[n % 10] if n % 10 else ""))
    elif n:
        words.append(_ONES[n])
    return " ".join(words)


def _english(n: int, ordinal: bool, run: _Interpreter, d: Directive) -> str:
    if abs(n) >= 1000 ** len(_ILLIONS):
        raise run.error(f"{n} is too large to print in English", d)
    if n == 0:
        return "zeroth" if ordinal else "zero"
    groups = []
    m = abs(n)
    for illion in _ILLIONS:
        m, group = divmod(m, 1000)
        if group:
            groups.append(_below_thousand(group) + illion)
        if not m:
            break
    text = ("negative " if n < 0 else "") + " ".join(reversed(groups))
    if not ordinal:
        return text
    head, sep, last = text.rpartition(" ")
    stem, hyphen, unit = last.rpartition("-")
    if unit in _IRREGULAR_ORDINALS:
        unit = _IRREGULAR_ORDINALS[unit]
    elif unit.endswith("y"):
        unit = unit[:-1] + "ieth"
    else:
        unit += "th"
    return head + sep + stem + hyphen + unit


_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
          (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def _roman(n: int, old: bool, run: _Interpreter, d: Directive) -> str:
    limit = 4999 if old else 3999
    if not 1 <= n <= limit:
        raise run.error(f"~{':' if old else ''}@R prints integers from 1 to {limit}, not {n}", d)
    out = []
    for value, letters in _ROMAN:
        if old and len(letters) == 2:
            continue
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


def _directive_p(run: _Interpreter, d: Directive, args: _Args) -> None:
    run.params(d, args, ())
    if d.colon:
        args.goto(args.pos - 1, d)
    arg = args.next(d)
    plural = not (isinstance(arg, (int, float, Fraction)) and arg == 1 and not isinstance(arg, float))
    if d.at:
        run.stream.write_string("ies" if plural else "y")
    elif plural:
        run.stream.write_string("s")


def _directive_c(run: _Interpreter, d: Directive, args: _Args) -> None:
    run.params(d, args, ())
    arg = args.next(d)
    if not isinstance(arg, Char):
        raise run.error(f"~C needs a character, not {write_to_string(arg)}", d)
    if d.colon:
        text = write_to_string(arg, escape=T)[2:]
        run.stream.write_string(text if len(text) > 1 or not arg.char.isprintable() else arg.char)
    elif d.at:
        run.stream.write_string(write_to_string(arg, escape=T))
    else:
        run.stream.write_string(arg.char)


# -- floats ----------------------------------------------------------------------------------------

def _float_arg(run: _Interpreter, d: Directive, arg: Any) -> float | None:
    """The float a ~F/~E/~G/~$ argument stands for, or None for a non-real (printed as ~A)."""
    if isinstance(arg, bool) or not isinstance(arg, (int, Fraction, float)):
        return None
    try:
        return float(arg)
    except OverflowError:
        raise run.error(f"{write_to_string(arg)} is too large for a float", d) from None


_DOUBLE_DIGITS = 800


def _decimal_digits(x: float, places: int | None, scale: int = 0) -> tuple[str, str]:
    """|x| * 10**scale as (integer digits, fraction digits), the fraction cut to ``places``.

    Without ``places`` the shortest digits that identify ``x`` are used. With ``places``, those
    digits are kept when they fit; otherwise the exact value is rounded half away from zero.
    """
    # Exact arithmetic: a double has at most 767 significant decimal digits (Python's default
    # context keeps 28, and quantize fails when the result needs more: (format nil "~3$" 1d25)).
    with localcontext(Context(prec=_DOUBLE_DIGITS + scale + (places or 0))):
        shortest = Decimal(repr(abs(x))).scaleb(scale)
        value = shortest
        if places is not None:
            if -shortest.normalize().as_tuple().exponent > places:  # type: ignore[operator]
                value = Decimal(abs(x)).scaleb(scale)
            value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{value:f}"
    whole, _, fraction = text.partition(".")
    if places is None:
        fraction = fraction.rstrip("0")
    return whole.lstrip("0"), fraction


def _fixed(x: float, w: int | None, d: int | None, k: int, overflow: str | None, pad: str, plus: bool) -> str:
    """CLHS 22.3.3.1 ~w,d,k,overflowchar,padcharF."""
    sign = "-" if x < 0 or (x == 0 and math.copysign(1, x) < 0) else "+" if plus else ""
    if d is None and w is not None:
        whole, _ = _decimal_digits(x, None, k)
        # A zero before the point is optional; some digit is printed even where w is too narrow.
        d = max(w - len(sign) - len(whole) - 1, 0 if whole else 1)
        whole, fraction = _decimal_digits(x, d, k)
        fraction = fraction.rstrip("0") if d else fraction
        if not fraction and (not whole or len(sign) + len(whole) + 1 < w):
            fraction = "0"
    else:
        whole, fraction = _decimal_digits(x, d, k)
        if d is None and not fraction:
            fraction = "0"
    body = f"{whole}.{fraction}"
    if not whole and (w is None or len(sign) + len(body) < w):
        body = "0" + body
    text = sign + body
    if w is not None and len(text) > w and overflow is not None:
        return overflow * w
    return text.rjust(w, pad) if w is not None else text


def _exponential(x: float, w: int | None, d: int | None, e: int | None, k: int, overflow: str | None,
                 pad: str, plus: bool, marker: str) -> str:
    """CLHS 22.3.3.2 ~w,d,e,k,overflowchar,padchar,exptcharE."""
    sign = "-" if x < 0 or (x == 0 and math.copysign(1, x) < 0) else "+" if plus else ""
    if x == 0:
        exponent = 0
    else:
        _, digits, exp = Decimal(repr(abs(x))).as_tuple()
        exponent = len(digits) + exp  # type: ignore[operator]  # |x| = 0.ddd * 10**exponent
    for _ in range(2):  # rounding may carry into a new digit: then once more with exponent + 1
        shift = k - exponent
        places = None if d is None else (d - k + 1 if k > 0 else d)
        whole, fraction = _decimal_digits(x, places, shift)
        if x != 0 and len(whole) > max(k, 1) and k > 0:
            exponent += 1
            continue
        break
    if k <= 0 and not whole:
        whole = ""
    if d is None and not fraction:
        fraction = "0"
    exp_value = exponent - k if x != 0 else 0
    exp_digits = str(abs(exp_value))
    if e is not None:
        if len(exp_digits) > e and overflow is not None:
            return overflow * (w or 1)
        exp_digits = exp_digits.rjust(e, "0")
    body = f"{whole}.{fraction}"
    if not whole and (w is None or len(sign) + len(body) + 2 + len(exp_digits) < w):
        body = "0" + body
    text = f"{sign}{body}{marker}{'-' if exp_value < 0 else '+'}{exp_digits}"
    if w is not None and len(text) > w and overflow is not None:
        return overflow * w
    return text.rjust(w, pad) if w is not None else text


def _float_params(run: _Interpreter, d: Directive, values: list[Any], names: tuple[str, ...]) -> list[Any]:
    out = []
    for value, name in zip(values, names):
        if value is None:
            out.append(None)
        elif name in ("overflowchar", "padchar", "exptchar"):
            out.append(run.char_param(value, d, name))
        else:
            out.append(run.integer_param(value, d, name, minimum=None if name == "k" else 0))
    return out


_FEG_PARAMS = ((None, None, None, 1, None, " ", "e"), ("w", "d", "e", "k", "overflowchar", "padchar", "exptchar"))


def _float_directive(run: _Interpreter, d: Directive, args: _Args, spec: tuple[tuple[Any, ...], tuple[str, ...]],
                     width_index: int) -> tuple[list[Any], float] | None:
    """The parameters and float argument of ~F/~E/~G/~$; None after printing a non-float as ~A."""
    defaults, names = spec
    params = _float_params(run, d, run.params(d, args, defaults), names)
    arg = args.next(d)
    x = _float_arg(run, d, arg)
    if x is None or not math.isfinite(x):
        text = write_to_string(arg, escape=NIL, readably=NIL, base=10, radix=NIL)
        width = params[width_index]
        run.stream.write_string(text.ljust(width) if width else text)
        return None
    return params, x


def _directive_f(run: _Interpreter, d: Directive, args: _Args) -> None:
    spec = ((None, None, 0, None, " "), ("w", "d", "k", "overflowchar", "padchar"))
    found = _float_directive(run, d, args, spec, 0)
    if found is not None:
        (w, dd, k, overflow, pad), x = found
        run.stream.write_string(_fixed(x, w, dd, k, overflow, pad, d.at))


def _directive_e(run: _Interpreter, d: Directive, args: _Args) -> None:
    found = _float_directive(run, d, args, _FEG_PARAMS, 0)
    if found is not None:
        (w, dd, e, k, overflow, pad, marker), x = found
        run.stream.write_string(_exponential(x, w, dd, e, k, overflow, pad, d.at, marker))


def _directive_g(run: _Interpreter, d: Directive, args: _Args) -> None:
    found = _float_directive(run, d, args, _FEG_PARAMS, 0)
    if found is None:
        return
    (w, dd, e, k, overflow, pad, marker), x = found
    # CLHS 22.3.3.3: n digits before the point; fixed notation when it needs no more than d digits.
    n = 0 if x == 0 else Decimal(repr(abs(x))).adjusted() + 1
    ee = 4 if e is None else e + 2
    ww = None if w is None else w - ee
    if dd is None:
        whole, fraction = _decimal_digits(x, None)
        dd = max(len(whole) + len(fraction), min(n, 7))
    fixed_places = dd - n
    if 0 <= fixed_places <= dd:
        run.stream.write_string(_fixed(x, ww, fixed_places, 0, overflow, pad, d.at) + " " * ee)
    else:
        run.stream.write_string(_exponential(x, w, dd, e, k, overflow, pad, d.at, marker))


def _directive_dollar(run: _Interpreter, d: Directive, args: _Args) -> None:
    found = _float_directive(run, d, args, ((2, 1, 0, " "), ("d", "n", "w", "padchar")), 2)
    if found is None:
        return
    (dd, n, w, pad), x = found
    whole, fraction = _decimal_digits(x, dd)
    sign = "-" if x < 0 else "+" if d.at else ""
    body = f"{whole.rjust(n, '0')}.{fraction}"
    padding = pad * max(w - len(sign) - len(body), 0)
    run.stream.write_string(sign + padding + body if d.colon else padding + sign + body)


# -- layout ----------------------------------------------------------------------------------------

def _repeat(text: str) -> Callable[[_Interpreter, Directive, _Args], None]:
    def directive(run: _Interpreter, d: Directive, args: _Args) -> None:
        (count,) = run.params(d, args, (1,))
        run.stream.write_string(text * run.integer_param(count, d, "count"))

    return directive


def _directive_ampersand(run: _Interpreter, d: Directive, args: _Args) -> None:
    (count,) = run.params(d, args, (1,))
    count = run.integer_param(count, d, "count")
    if count > 0:
        run.stream.fresh_line()
        run.stream.write_string("\n" * (count - 1))


def _directive_t(run: _Interpreter, d: Directive, args: _Args) -> None:
    first, colinc = (run.integer_param(p, d, "column") for p in run.params(d, args, (1, 1)))
    column = run.stream.column
    if d.at:
        target = column + first
        if colinc > 0:
            target = -(-target // colinc) * colinc
    elif column < first:
        target = first
    elif colinc > 0:
        target = first + ((column - first) // colinc + 1) * colinc
    else:
        target = column
    run.stream.write_string(" " * (target - column))


def _directive_star(run: _Interpreter, d: Directive, args: _Args) -> None:
    (n,) = run.params(d, args, (0 if d.at else 1,))
    n = run.integer_param(n, d, "count")
    if d.at:
        args.goto(n, d)
    elif d.colon:
        args.goto(args.pos - n, d)
    else:
        args.goto(args.pos + n, d)


def _directive_question(run: _Interpreter, d: Directive, args: _Args) -> None:
    run.params(d, args, ())
    control = _control_text(args.next(d))
    if d.at:
        _run_control(run, control, args, d)
    else:
        items = _lisp_list_items(args.next(d), "~?", run.control, d)
        _run_control(run, control, _Args(items, control if isinstance(control, str) else run.control), d)


def _run_control(run: _Interpreter, control: Any, args: _Args, d: Directive) -> None:
    """Run a sub-control string (or function) against ``args``, on the current stream."""
    control = _control_text(control)
    if is_function(control):
        rest = control(run.stream, *args.items[args.pos:])
        args.pos = len(args.items) - (len(_lisp_list_items(rest, "a formatter's result", run.control, d))
                                      if isinstance(rest, Cons) else 0)
        return
    if not isinstance(control, str):
        raise run.error(f"{write_to_string(control)} is not a format control", d)
    inner = _Interpreter(control, run.stream)
    saved = args.control
    args.control = control
    try:
        inner.run(parse_control(control), args)
    except _Escape:
        pass
    finally:
        args.control = saved


# -- case, conditionals, iteration, justification --------------------------------------------------

def _directive_paren(run: _Interpreter, d: Directive, args: _Args) -> None:
    run.params(d, args, ())
    text, escaped = run.capture(d.clauses[0], args)
    if d.colon and d.at:
        text = text.upper()
    elif d.colon:
        text = _capitalize_words(text, every=True)
    elif d.at:
        text = _capitalize_words(text, every=False)
    else:
        text = text.lower()
    run.stream.write_string(text)
    if escaped:
        raise _Escape(False)


def _capitalize_words(text: str, every: bool) -> str:
    out = []
    in_word = False
    first_done = False
    for c in text:
        if c.isalnum():
            if not in_word and (every or not first_done):
                out.append(c.upper())
                first_done = True
            else:
                out.append(c.lower())
            in_word = True
        else:
            out.append(c)
            in_word = False
    return "".join(out)


def _directive_bracket(run: _Interpreter, d: Directive, args: _Args) -> None:
    clauses = d.clauses
    if d.colon and d.at:
        raise run.error("~:@[ is not a valid directive", d)
    if d.colon:
        run.params(d, args, ())
        if len(clauses) != 2:
            raise run.error("~:[ needs exactly two clauses", d)
        run.run(clauses[1] if args.next(d) is not NIL else clauses[0], args)
        return
    if d.at:
        run.params(d, args, ())
        if len(clauses) != 1:
            raise run.error("~@[ takes exactly one clause", d)
        if args.next(d) is not NIL:
            args.goto(args.pos - 1, d)
            run.run(clauses[0], args)
        return
    (index,) = run.params(d, args, (None,))
    if index is None:
        index = args.next(d)
    if not isinstance(index, int) or isinstance(index, bool):
        raise run.error(f"~[ needs an integer to select a clause, not {write_to_string(index)}", d)
    has_default = bool(d.separators) and d.separators[-1].colon
    if 0 <= index < len(clauses) - (1 if has_default else 0):
        run.run(clauses[index], args)
    elif has_default:
        run.run(clauses[-1], args)


def _directive_brace(run: _Interpreter, d: Directive, args: _Args) -> None:
    (limit,) = run.params(d, args, (None,))
    body = d.clauses[0]
    control = run.control
    if not body:
        control = _control_text(args.next(d))
        if not isinstance(control, str):
            raise run.error("~{~} needs a control string argument", d)
        body = parse_control(control)
    inner = _Interpreter(control, run.stream) if control is not run.control else run
    at_least_once = d.close is not None and d.close.colon
    if d.at:
        source = args
    else:
        source = _Args(_lisp_list_items(args.next(d), "~{", run.control, d), control)
    count = 0
    while limit is None or count < limit:
        if source.remaining() == 0 and not (at_least_once and count == 0):
            break
        count += 1
        try:
            if d.colon:
                sublist = source.next(d)
                inner.run(body, _Args(_lisp_list_items(sublist, "~:{", run.control, d), control, source))
            else:
                inner.run(body, source)
        except _Escape as escape:
            if escape.whole or not d.colon:
                break


def _directive_caret(run: _Interpreter, d: Directive, args: _Args) -> None:
    given = [v for v in run.params(d, args, (None, None, None)) if v is not None]
    if len(given) == 0:
        source = args.outer if d.colon else args
        stop = source is not None and source.remaining() == 0
    elif len(given) == 1:
        stop = given[0] == 0
    elif len(given) == 2:
        stop = given[0] == given[1]
    else:
        stop = given[0] <= given[1] <= given[2]
    if d.colon and args.outer is None and not given:
        raise run.error("~:^ is only allowed inside ~:{...~}", d)
    if stop:
        raise _Escape(d.colon)


def _directive_angle(run: _Interpreter, d: Directive, args: _Args) -> None:
    if d.close is not None and d.close.colon:
        _logical_block(run, d, args)
        return
    if any(s.colon for s in d.separators):
        raise run.error("~<...~:;...~> (overflow line prefix) is not supported", d)
    mincol, colinc, minpad, padchar = run.params(d, args, (0, 1, 0, " "))
    mincol, colinc, minpad = (run.integer_param(value, d, name) for value, name in
                              ((mincol, "mincol"), (colinc, "colinc"), (minpad, "minpad")))
    padchar = run.char_param(padchar, d, "padchar")
    segments = []
    for clause in d.clauses:
        text, escaped = run.capture(clause, args)
        if escaped:
            break
        segments.append(text)
    run.stream.write_string(_justify(segments, mincol, colinc, minpad, padchar, d.colon, d.at))


def _justify(segments: list[str], mincol: int, colinc: int, minpad: int, pad: str, before: bool, after: bool) -> str:
    if len(segments) == 1 and not before and not after:
        before = True  # a single segment is right-justified
    gaps = max(len(segments) - 1, 0) + before + after
    total = sum(map(len, segments))
    width = mincol
    while total + gaps * minpad > width and colinc > 0:
        width += colinc
    padding = max(width - total, 0)
    if gaps == 0:
        return "".join(segments)
    each, extra = divmod(padding, gaps)
    fills = [each + (1 if k >= gaps - extra else 0) for k in range(gaps)]
    out = []
    k = 0
    if before:
        out.append(pad * fills[k])
        k += 1
    for i, segment in enumerate(segments):
        out.append(segment)
        if i < len(segments) - 1:
            out.append(pad * fills[k])
            k += 1
    if after:
        out.append(pad * fills[k])
    return "".join(out)


def _logical_block(run: _Interpreter, d: Directive, args: _Args) -> None:
    """``~<prefix~;body~;suffix~:>`` without line breaking: prefix, body over the list, suffix."""
    run.params(d, args, ())
    parts = d.clauses
    if len(parts) > 3:
        raise run.error("~<...~:> takes at most three clauses", d)
    if len(parts) == 1:
        prefix, body, suffix = (["("], parts[0], [")"]) if d.colon else ([], parts[0], [])
    else:
        prefix, body, suffix = parts[0], parts[1], parts[2] if len(parts) == 3 else []
    for piece in (prefix, suffix):
        if any(not isinstance(p, str) for p in piece):
            raise run.error("the prefix and suffix of ~<...~:> must be plain text", d)
    if d.at:
        source = args
    else:
        arg = args.next(d)
        if not isinstance(arg, Cons) and arg is not NIL:
            run.stream.write_string(write_to_string(arg, escape=NIL))
            return
        source = _Args(_lisp_list_items(arg, "~<...~:>", run.control, d), run.control)
    run.stream.write_string("".join(prefix))
    try:
        run.run(body, source)
    except _Escape:
        pass
    run.stream.write_string("".join(suffix))


def _directive_slash(run: _Interpreter, d: Directive, args: _Args) -> None:
    name = d.clauses[0][0]
    package_name, colons, symbol_name = name.upper().rpartition(":")
    package = find_package(package_name.rstrip(":")) if colons else COMMON_LISP_USER
    if package is None:
        raise run.error(f"~/{name}/ names a package that does not exist", d)
    symbol = package.intern(symbol_name)
    function = get_function(symbol)
    params = run.params(d, args, (None,) * len(d.params))
    function(run.stream, args.next(d), T if d.colon else NIL, T if d.at else NIL, *params)


def _ignored(run: _Interpreter, d: Directive, args: _Args) -> None:
    """``~_`` and ``~I``: pretty-printer layout, which this printer does not do."""
    run.params(d, args, (None, None, None, None))


_DIRECTIVES: dict[str, Callable[[_Interpreter, Directive, _Args], None]] = {
    "A": _directive_a, "S": _directive_s, "W": _directive_w, "D": _fixed_radix(10), "B": _fixed_radix(2),
    "O": _fixed_radix(8), "X": _fixed_radix(16), "R": _directive_r, "P": _directive_p, "C": _directive_c,
    "F": _directive_f, "E": _directive_e, "G": _directive_g, "$": _directive_dollar,
    "%": _repeat("\n"), "|": _repeat("\f"), "~": _repeat("~"), "&": _directive_ampersand,
    "T": _directive_t, "*": _directive_star, "?": _directive_question, "(": _directive_paren,
    "[": _directive_bracket, "{": _directive_brace, "^": _directive_caret, "<": _directive_angle,
    "/": _directive_slash, "_": _ignored, "I": _ignored,
}


# -- the API ---------------------------------------------------------------------------------------

def format_to_stream(stream: OutputStream, control: Any, args: list[Any]) -> None:
    """Run ``control`` (a string or a function of ``(stream *args)``) with ``args`` on ``stream``."""
    control = _control_text(control)
    if is_function(control):
        control(stream, *args)
        return
    if not isinstance(control, str):
        raise FormatError(f"{write_to_string(control)} is not a format control (a string or a function)")
    try:
        _Interpreter(control, stream).run(parse_control(control), _Args(args, control))
    except _Escape:
        pass


def formatter(control: str) -> Callable[..., Any]:
    """CL ``formatter``: a function of ``(stream *args)`` running ``control`` and returning the list
    of the arguments it did not use. The control string is parsed (and checked) now."""
    tree = parse_control(control)

    def run_formatter(stream: Any, *args: Any) -> Any:
        remaining = _Args(list(args), control)
        try:
            _Interpreter(control, output_stream(stream)).run(tree, remaining)
        except _Escape:
            pass
        return make_list(remaining.items[remaining.pos:])

    run_formatter.__name__ = run_formatter.__qualname__ = f"(FORMATTER {control!r})"
    return run_formatter


def format_to_string(control: Any, args: list[Any]) -> str:
    """What ``(format nil control args...)`` returns."""
    stream = StringOutputStream()
    format_to_stream(stream, control, args)
    return stream.get_output_stream_string()


def _control_text(control: Any) -> Any:
    """A control string as a ``str`` (a ``LispString`` made by the program); anything else as it is."""
    return control.text() if isinstance(control, LispString) else control


def format_(destination: Any, control: Any, *args: Any) -> Any:
    """CL ``format``: NIL returns the text as a new string; T, an output stream or a string with a
    fill pointer (to which the text is added) receive it, and NIL is returned."""
    if destination is NIL:
        return make_string(format_to_string(control, list(args)))
    if isinstance(destination, (str, LispString)):
        if not (isinstance(destination, LispString) and destination.fill_pointer is not None):
            raise LispTypeError(f"FORMAT: the destination string {write_to_string(destination)} has no fill pointer",
                                datum=destination, expected_type=cl_symbol("STRING"))
        format_to_stream(FillPointerOutputStream(destination), control, list(args))
        return NIL
    # FORMAT's T is *standard-output* (a stream designator's T would be *terminal-io*).
    format_to_stream(output_stream(NIL if destination is T else destination), control, list(args))
    return NIL


hooks.register("format_to_string", format_to_string)
