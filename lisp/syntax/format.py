"""``format``: the control-string language of CLHS 22.3.

API: :func:`format_` ``(destination, control, *args)`` is CL ``format`` (destination NIL returns the
string; T is ``*standard-output*``; else an output stream); :func:`format_to_string`
``(control, args)``; :func:`format_to_stream` ``(stream, control, args)``; :func:`formatter`
``(control)`` is CL ``formatter``. ``control`` is a string
or a function, called as ``(fn stream *args)`` (what ``formatter`` makes). A control string is
parsed once into a tree of :class:`Directive` and cached.

Directives: ``~A ~S ~W ~D ~B ~O ~X ~R`` (radix, English cardinals and ordinals, Roman numerals),
``~P ~C ~F ~E ~G ~$ ~% ~& ~| ~~ ~<newline> ~T ~* ~? ~( ~) ~[ ~; ~] ~{ ~} ~^``, ``~<...~>``
(justification, with ``~:;`` for the text printed before it when it does not fit on the line), the
pretty printer's ``~<...~:>`` (a logical block over a list argument, ``~@;`` for a per-line prefix,
``~:@>`` putting a fill newline after each run of blanks), ``~_ ~I ~:T`` (and ``~T`` on a pretty
stream: CLHS 22.3.5, 22.3.6), ``~/name/`` (a function named with or without its package), with
``V`` and ``#`` parameters and the ``:``/``@`` modifiers. Floats with ``~F``/``~E``/``~$`` round the exact binary
value half away from zero when the cut falls inside the shortest digits that identify the float, as
SBCL does. Errors are :class:`~lisp.runtime.condition_classes.FormatError` conditions whose report shows the
control string with a caret under the offending directive.

Deviations: rationals given to ``~F``/``~E``/``~G``/``~$`` become Python floats (doubles, where
SBCL uses single floats); the exponent marker is ``e`` unless ``exptchar`` is given.
"""

from __future__ import annotations

import functools
import math
import re
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
from lisp.syntax import logical_blocks
from lisp.syntax.pretty import PrettyStream
from lisp.syntax.printer import char_name, integer_text, write, write_to_string


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
                close = directive.close
                if directive.char == "<" and close is not None and close.colon and close.at:
                    body = 1 if directive.separators else 0
                    directive.clauses[body] = _fill_newlines(directive.clauses[body])
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


def _fill_newlines(nodes: list[Any]) -> list[Any]:
    """``~<...~:@>``: a fill-style conditional newline after each run of blanks of the text
    (CLHS 22.3.5.2), inside the directives it holds too."""
    out: list[Any] = []
    for node in nodes:
        if isinstance(node, str):
            for piece in re.findall(r"[^ ]*(?: +|$)", node):
                if piece:
                    out.append(piece)
                    if piece.endswith(" "):
                        out.append(Directive("_", [], True, False, -1, -1))
        else:
            node.clauses = [_fill_newlines(clause) for clause in node.clauses]
            out.append(node)
    return out


@functools.lru_cache(maxsize=512)
def parse_control(control: str) -> list[Any]:
    """The directive tree of a control string (cached)."""
    clauses, _, _ = _Parser(control).parse()
    _check_pretty_directives(clauses[0], control)
    return clauses[0]


def _is_pretty(directive: Directive) -> bool:
    """``~W ~_ ~I ~:T`` and ``~<...~:>``: the directives that need a pretty stream."""
    return (directive.char in "W_I" or (directive.char == "T" and directive.colon)
            or (directive.char == "<" and directive.close is not None and directive.close.colon))


def _check_pretty_directives(nodes: list[Any], control: str) -> None:
    """CLHS 22.3.5.2: no pretty-printing directive inside a ``~<...~>`` justification, nor anywhere
    in a control string that uses ``~<...~:;...~>``."""
    directives = _directives_in(nodes)
    justifications = [d for d in directives if d.char == "<" and not _is_pretty(d)]
    for justification in justifications:
        inside = next((d for clause in justification.clauses for d in _directives_in(clause) if _is_pretty(d)), None)
        if inside is not None:
            raise format_error(f"~{inside.char} is not allowed inside a ~<...~> justification (CLHS 22.3.5.2)",
                               control, inside.start)
    if any(j.separators and j.separators[0].colon for j in justifications):
        pretty = next((d for d in directives if _is_pretty(d)), None)
        if pretty is not None:
            raise format_error(f"~{pretty.char} is not allowed in a control string that uses ~<...~:;...~> "
                               "(CLHS 22.3.5.2)", control, pretty.start)


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


class _BlockArgs(_Args):
    """The arguments of a ``~<...~:>`` logical block: its list, taken with ``pprint-pop`` (so
    ``*print-length*`` and ``*print-circle*`` apply and a dotted tail ends the block)."""

    def __init__(self, items: logical_blocks.BlockItems, control: str) -> None:
        super().__init__([], control)
        self.block = items

    def next(self, directive: Directive) -> Any:
        if self.pos >= len(self.items) and self.block.rest is NIL:
            raise format_error("no more arguments", self.control, directive.start)
        item = self.block.pop()
        if self.pos == len(self.items):
            self.items.append(item)
        self.pos += 1
        return self.items[self.pos - 1]

    def remaining(self) -> int:
        count = 0
        seen = set()
        rest = self.block.rest
        while isinstance(rest, Cons) and id(rest) not in seen:
            seen.add(id(rest))
            count += 1
            rest = rest.cdr
        if rest is not NIL and not isinstance(rest, Cons):
            count += 1  # a dotted tail is one more argument: taking it prints ". tail"
        return len(self.items) - self.pos + count


def _list_argument(lst: Any, what: str) -> list[Any]:
    """The elements of a list argument (``~{``): a TYPE-ERROR naming what is not a list (the
    argument, or the tail of a dotted list)."""
    items = []
    rest = lst
    while isinstance(rest, Cons):
        items.append(rest.car)
        rest = rest.cdr
    if rest is not NIL:
        raise LispTypeError(f"{what} needs a list, not {write_to_string(lst)}", datum=rest,
                            expected_type=cl_symbol("LIST"))
    return items


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
    elif not d.params:  # printed on the stream itself: on a pretty stream, laid out in its block
        write(arg, run.stream, escape=T if escape else NIL, readably=NIL)
        return
    else:
        text = write_to_string(arg, column=run.stream.column, escape=T if escape else NIL, readably=NIL)
    if not d.params:
        run.stream.write_string(text)
        return
    # A negative minpad counts as none (SBCL).
    minpad = max(run.integer_param(minpad, d, "minpad", minimum=None), 0)
    run.stream.write_string(_pad(text, run.integer_param(mincol, d, "mincol"), run.integer_param(colinc, d, "colinc"),
                                 minpad, run.char_param(padchar, d, "padchar"), d.at))


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
    write(args.next(d), run.stream, **options)


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
        run.stream.write_string(char_name(arg.char) or arg.char)
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
    if d.colon or isinstance(run.stream, PrettyStream):
        # ~:T tabs in the logical block's section; on a pretty stream ~T tabs in its line.
        kind = ("section" if d.colon else "line") + ("-relative" if d.at else "")
        logical_blocks.tab(kind, first, colinc, run.stream)
        return
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


def _call_formatter(function: Any, run: _Interpreter, args: _Args, d: Directive) -> None:
    """Call a function made by ``formatter`` on the remaining ``args``; it returns those it left."""
    rest = function(run.stream, *args.items[args.pos:])
    args.pos = len(args.items) - (len(_lisp_list_items(rest, "a formatter's result", run.control, d))
                                  if isinstance(rest, Cons) else 0)


def _run_control(run: _Interpreter, control: Any, args: _Args, d: Directive) -> None:
    """Run a sub-control string (or function) against ``args``, on the current stream."""
    control = _control_text(control)
    if is_function(control):
        _call_formatter(control, run, args, d)
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
    control, body, function = run.control, d.clauses[0], None
    if d.close is not None and d.close.start == d.end:  # ~{~}: the body is the next argument
        given = _control_text(args.next(d))
        if isinstance(given, str):
            control, body = given, parse_control(given)
        elif is_function(given):
            function = given
        else:
            raise run.error(f"~{{~}} needs a control string or a function (FORMATTER), not {write_to_string(given)}", d)
    inner = _Interpreter(control, run.stream) if control is not run.control else run
    at_least_once = d.close is not None and d.close.colon
    source = args if d.at else _Args(_list_argument(args.next(d), "~{"), control)
    count = 0
    while limit is None or count < limit:
        if source.remaining() == 0 and not (at_least_once and count == 0):
            break
        count += 1
        step = _Args(_list_argument(source.next(d), "~:{"), control, source) if d.colon else source
        try:
            if function is not None:
                _call_formatter(function, run, step, d)
            else:
                inner.run(body, step)
        except _Escape as escape:
            if escape.whole or not d.colon:
                break


def _directive_caret(run: _Interpreter, d: Directive, args: _Args) -> None:
    # Characters compare as characters ('x and #\x are one parameter value).
    given = [v.char if isinstance(v, Char) else v for v in run.params(d, args, (None, None, None)) if v is not None]
    if len(given) == 0:
        source = args.outer if d.colon else args
        stop = source is not None and source.remaining() == 0
    elif len(given) == 1:
        stop = given[0] == 0
    elif len(given) == 2:
        stop = given[0] == given[1]
    elif all(isinstance(v, int) for v in given) or all(isinstance(v, str) for v in given):
        stop = given[0] <= given[1] <= given[2]
    else:
        raise run.error("~^ compares three integers or three characters", d)
    if d.colon and args.outer is None and not given:
        raise run.error("~:^ is only allowed inside ~:{...~}", d)
    if stop:
        raise _Escape(d.colon)


def _directive_angle(run: _Interpreter, d: Directive, args: _Args) -> None:
    if d.close is not None and d.close.colon:
        _logical_block(run, d, args)
        return
    if d.close is not None and d.close.at:
        raise run.error("~@> is not allowed: only ~> or ~:> close ~<", d.close)
    mincol, colinc, minpad, padchar = run.params(d, args, (0, 1, 0, " "))
    mincol, colinc, minpad = (run.integer_param(value, d, name) for value, name in
                              ((mincol, "mincol"), (colinc, "colinc"), (minpad, "minpad")))
    padchar = run.char_param(padchar, d, "padchar")
    clauses = d.clauses
    overflow = None
    if d.separators and d.separators[0].colon:
        extra, width = run.params(d.separators[0], args, (0, _JUSTIFY_LINE_WIDTH))
        prefix_text, escaped = run.capture(clauses[0], args)
        overflow = (prefix_text, run.integer_param(extra, d, "spare"), run.integer_param(width, d, "line width"))
        clauses = clauses[1:]
    segments = []
    for clause in clauses:
        text, escaped = run.capture(clause, args)
        if escaped:
            break
        segments.append(text)
    _justify(run.stream, segments, overflow, mincol, colinc, minpad, padchar, d.colon, d.at)


_JUSTIFY_LINE_WIDTH = 72  # ~:; when the stream does not say how wide its lines are (CLHS 22.3.6.2)


def _directives_in(nodes: list[Any]) -> list[Directive]:
    """Every directive among ``nodes``, those inside bracketing directives too."""
    found = []
    for node in nodes:
        if isinstance(node, Directive):
            found.append(node)
            for clause in node.clauses:
                found.extend(_directives_in(clause))
    return found


def _justify(stream: OutputStream, segments: list[str], overflow: tuple[str, int, int] | None, mincol: int,
             colinc: int, minpad: int, pad: str, before: bool, after: bool) -> None:
    """CLHS 22.3.6.2, as SBCL's FORMAT-JUSTIFICATION: the segments spread over at least ``mincol``
    columns (more by steps of ``colinc``), padding between them (and before and after); a single
    segment is right-justified. ``overflow`` (text, spare, width) is written first when the result
    would pass column ``width - spare``."""
    gaps = len(segments) - 1 + before + after
    chars = gaps * minpad + sum(map(len, segments))
    length = mincol + -(-(chars - mincol) // colinc) * colinc if chars > mincol and colinc > 0 else max(mincol, chars)
    padding = length - chars + gaps * minpad
    if overflow is not None and stream.column + length + overflow[1] > overflow[2]:
        stream.write_string(overflow[0])

    def fill() -> None:
        nonlocal padding, gaps
        amount = padding if gaps == 0 else int(padding / gaps)
        padding -= amount
        gaps -= 1
        stream.write_string(pad * amount)

    if before or (not after and len(segments) == 1):
        fill()
    for i, segment in enumerate(segments):
        if i:
            fill()
        stream.write_string(segment)
    if after:
        fill()


def _logical_block(run: _Interpreter, d: Directive, args: _Args) -> None:
    """``~<prefix~;body~;suffix~:>``: the body printed in a logical block over the list argument
    (over the remaining arguments with ``@``), its arguments taken with ``pprint-pop``."""
    if d.params:
        raise run.error("~<...~:> takes no parameters", d)
    parts = d.clauses
    if len(parts) > 3:
        raise run.error("~<...~:> takes at most three clauses", d)
    if len(parts) == 1:
        prefix, body, suffix = ("(", parts[0], ")") if d.colon else ("", parts[0], "")
    else:
        for piece in (parts[0], parts[2] if len(parts) == 3 else []):
            if any(not isinstance(p, str) for p in piece):
                raise run.error("the prefix and suffix of ~<...~:> must be plain text", d)
        prefix, body = "".join(parts[0]), parts[1]
        suffix = "".join(parts[2]) if len(parts) == 3 else (")" if d.colon else "")
    per_line = bool(d.separators) and d.separators[0].at
    if d.at:
        obj = make_list(args.items[args.pos:])
        args.pos = len(args.items)
    else:
        obj = args.next(d)

    def print_body(items: logical_blocks.BlockItems, stream: PrettyStream) -> None:
        try:
            _Interpreter(run.control, stream).run(body, _BlockArgs(items, run.control))
        except _Escape:
            pass

    logical_blocks.logical_block(run.stream, obj, print_body, prefix=prefix, per_line=per_line, suffix=suffix)


def _directive_slash(run: _Interpreter, d: Directive, args: _Args) -> None:
    """``~/name/``: call the function ``name`` names (upcased; ``pkg:name`` or ``pkg::name``, else
    in COMMON-LISP-USER) with the stream, the argument, the modifiers and the parameters."""
    name = d.clauses[0][0].upper()
    package_name, colon, symbol_name = name.partition(":")
    if colon:
        package = find_package(package_name)
        if package is None:
            raise run.error(f"~/{d.clauses[0][0]}/ names the package {package_name}, which does not exist", d)
        symbol_name = symbol_name[1:] if symbol_name.startswith(":") else symbol_name
    else:
        package, symbol_name = COMMON_LISP_USER, name
    function = get_function(package.intern(symbol_name))
    params = run.params(d, args, (None,) * len(d.params))
    function(run.stream, args.next(d), T if d.colon else NIL, T if d.at else NIL, *params)


def _directive_underscore(run: _Interpreter, d: Directive, args: _Args) -> None:
    """``~_``: a conditional newline, linear (``~:_`` fill, ``~@_`` miser, ``~:@_`` mandatory)."""
    run.params(d, args, ())
    kind = ("mandatory" if d.at else "fill") if d.colon else ("miser" if d.at else "linear")
    logical_blocks.newline(kind, run.stream)


def _directive_i(run: _Interpreter, d: Directive, args: _Args) -> None:
    """``~nI``: indent the logical block's lines by n (``~:nI``: from the current column)."""
    if d.at:
        raise run.error("~I takes no @ modifier", d)
    (n,) = run.params(d, args, (0,))
    logical_blocks.indent("current" if d.colon else "block", run.integer_param(n, d, "indentation", minimum=None),
                          run.stream)


_DIRECTIVES: dict[str, Callable[[_Interpreter, Directive, _Args], None]] = {
    "A": _directive_a, "S": _directive_s, "W": _directive_w, "D": _fixed_radix(10), "B": _fixed_radix(2),
    "O": _fixed_radix(8), "X": _fixed_radix(16), "R": _directive_r, "P": _directive_p, "C": _directive_c,
    "F": _directive_f, "E": _directive_e, "G": _directive_g, "$": _directive_dollar,
    "%": _repeat("\n"), "|": _repeat("\f"), "~": _repeat("~"), "&": _directive_ampersand,
    "T": _directive_t, "*": _directive_star, "?": _directive_question, "(": _directive_paren,
    "[": _directive_bracket, "{": _directive_brace, "^": _directive_caret, "<": _directive_angle,
    "/": _directive_slash, "_": _directive_underscore, "I": _directive_i,
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
