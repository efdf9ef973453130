"""``subtypep`` by set algebra (CLHS 4.2.2): a type specifier becomes a :class:`Region`, the set of
objects it stands for, and ``sub`` is a subtype of ``sup`` when ``sub`` and not ``sup`` is empty.

A region is split along domains that share no object, each held in a form whose union,
intersection and complement are exact: integers, ratios and floats as unions of intervals (a float
interval tells -0.0 from 0.0, as ``member`` does); complexes, characters and symbols as categories
(keywords, standard characters ...) plus the finitely many objects whose membership differs from
their category's; conses as unions of clauses, a (car region x cdr region) product less some
products; and every other object
(arrays, functions, instances of classes ...) as a disjunction of conjunctions of *atoms* (an array
type, a class, a standard type name), decided with what is known of two atoms: one within the
other, or certainly disjoint. When that cannot decide, the answer is uncertain (``nil nil``), as
SBCL's is for two unrelated standard classes.

A specifier this algebra does not model (``satisfies``, ``values``, a function type, an unknown
name) raises :class:`Unmodelled`; :func:`lisp.library.types.subtype` then answers as it did
before this module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import product
from typing import Any, Callable, Iterable

from lisp.clos import classes
from lisp.clos.structures import StructureClass
from lisp.library.lists import list_items
from lisp.library.types import (
    _FIXNUM_MAX,
    _FIXNUM_MIN,
    _STANDARD_CHARS,
    _SUPERTYPES,
    ArrayType,
    Unmodelled,
    _ancestors,
    _array_type,
    _compound_head,
    _expand,
    _standard_name,
    type_predicate,
    use_algebra,
)
from lisp.runtime.condition_classes import Condition
from lisp.runtime.data import NIL, Char, Cons, Symbol, T, cl_symbol, make_list

STAR = cl_symbol("*")


# -- intervals: integers, ratios, floats -----------------------------------------------------------

# An interval is (low, low closed, high, high closed); a None bound is infinite (and open).
Interval = tuple[Any, bool, Any, bool]


def _lower_key(iv: Interval) -> tuple[Any, ...]:
    return (0,) if iv[0] is None else (1, iv[0], not iv[1])


def _is_empty_interval(iv: Interval) -> bool:
    low, low_closed, high, high_closed = iv
    return low is not None and high is not None and (low > high or (low == high and not (low_closed and high_closed)))


@dataclass(frozen=True)
class IntervalKind:
    """How one domain's intervals are made canonical: ``canon`` adjusts an interval's bounds, and
    ``joins(high, low)`` whether an interval up to ``high`` and the next from ``low`` leave no
    object between them."""

    canon: Callable[[Interval], Interval]
    joins: Callable[[Any, Any], bool]


def _integer_canon(iv: Interval) -> Interval:
    low, low_closed, high, high_closed = iv
    if low is not None and not low_closed:
        low = low + 1
    if high is not None and not high_closed:
        high = high - 1
    return low, low is not None, high, high is not None


def _ratio_canon(iv: Interval) -> Interval:
    # Integers are no ratios: a bound that is one is open either way.
    low, low_closed, high, high_closed = iv
    return (low, low_closed and (low is None or low.denominator != 1),
            high, high_closed and (high is None or high.denominator != 1))


# Float bounds are keys (value, 0), and (0, -1) for -0.0 and (0, 1) for 0.0 (no float lies between).
_MINUS_ZERO, _ZERO = (0, -1), (0, 1)


def _float_canon(iv: Interval) -> Interval:
    # Above -0.0 is from 0.0, below 0.0 up to -0.0: bounds there are closed, so the two zeros
    # next to each other join and nothing is left between them.
    low, low_closed, high, high_closed = iv
    if low == _MINUS_ZERO and not low_closed:
        low, low_closed = _ZERO, True
    if high == _ZERO and not high_closed:
        high, high_closed = _MINUS_ZERO, True
    return low, low_closed, high, high_closed


INTEGERS = IntervalKind(_integer_canon, lambda high, low: low == high + 1)
RATIOS = IntervalKind(_ratio_canon, lambda high, low: high == low and high.denominator == 1)
FLOATS = IntervalKind(_float_canon, lambda high, low: high == _MINUS_ZERO and low == _ZERO)


def normalize(intervals: Iterable[Interval], kind: IntervalKind) -> tuple[Interval, ...]:
    """The sorted, disjoint, merged form of a union of intervals."""
    items = sorted((kind.canon(iv) for iv in intervals), key=_lower_key)
    out: list[Interval] = []
    for iv in items:
        if _is_empty_interval(iv):
            continue
        if out:
            low, low_closed, high, high_closed = out[-1]
            if high is None or iv[0] is None or iv[0] < high or (iv[0] == high and (high_closed or iv[1])) or \
                    (high_closed == iv[1] and kind.joins(high, iv[0])):
                if high is not None and (iv[2] is None or iv[2] > high or (iv[2] == high and iv[3])):
                    out[-1] = (low, low_closed, iv[2], iv[3])
                continue
        out.append(iv)
    return tuple(out)


def _intersect_intervals(xs: tuple[Interval, ...], ys: tuple[Interval, ...], kind: IntervalKind) -> tuple[Interval, ...]:
    out = []
    for a, b in product(xs, ys):
        low, low_closed = max((a[0], a[1]), (b[0], b[1]), key=lambda bound: (
            (0,) if bound[0] is None else (1, bound[0], not bound[1])))
        high, high_closed = min((a[2], a[3]), (b[2], b[3]), key=lambda bound: (
            (1,) if bound[0] is None else (0, bound[0], bound[1])))
        out.append((low, low_closed, high, high_closed))
    return normalize(out, kind)


def _complement_intervals(xs: tuple[Interval, ...], kind: IntervalKind) -> tuple[Interval, ...]:
    out, low, low_closed = [], None, False
    for iv in xs:
        if iv[0] is not None:
            out.append((low, low_closed, iv[0], not iv[1]))
        if iv[2] is None:
            return normalize(out, kind)
        low, low_closed = iv[2], not iv[3]
    out.append((low, low_closed, None, False))
    return normalize(out, kind)


_ALL: tuple[Interval, ...] = ((None, False, None, False),)


# -- categories and exceptions: complexes, characters, symbols --------------------------------------


@dataclass(frozen=True)
class Categorized:
    """A set within a domain split into infinite categories: the categories it holds, and the
    objects (by key) whose membership is the opposite of their category's."""

    categories: frozenset[str]
    flipped: frozenset[Any]

    def contains(self, key: Any, category: Callable[[Any], str]) -> bool:
        return (category(key) in self.categories) != (key in self.flipped)


@dataclass(frozen=True)
class CategoryDomain:
    everything: frozenset[str]
    category: Callable[[Any], str]
    finite: frozenset[str] = frozenset()  # categories with finitely many members
    members: Callable[[str], frozenset[Any]] = lambda name: frozenset()

    def combine(self, x: Categorized, y: Categorized, op: Callable[[bool, bool], bool]) -> Categorized:
        cats = frozenset(c for c in self.everything if op(c in x.categories, c in y.categories))
        keys = x.flipped | y.flipped
        flipped = frozenset(k for k in keys if op(x.contains(k, self.category), y.contains(k, self.category))
                            != (self.category(k) in cats))
        return Categorized(cats, flipped)

    def complement(self, x: Categorized) -> Categorized:
        return Categorized(self.everything - x.categories, x.flipped)

    def is_empty(self, x: Categorized) -> bool:
        if any(k not in x.categories for k in map(self.category, x.flipped)):
            return False  # an object outside its category's set is held
        return all(c in self.finite and self.members(c) <= x.flipped for c in x.categories)


def _complex_category(z: Any) -> str:
    return "FLOAT" if isinstance(z, complex) else "RATIONAL"


def _symbol_category(s: Any) -> str:
    return "KEYWORD" if isinstance(s, Symbol) and s.is_keyword else "SYMBOL"


def _char_category(c: Any) -> str:
    return "STANDARD" if c.char in _STANDARD_CHARS else "OTHER"


COMPLEXES = CategoryDomain(frozenset({"FLOAT", "RATIONAL"}), _complex_category)
SYMBOLS = CategoryDomain(frozenset({"KEYWORD", "SYMBOL"}), _symbol_category)
CHARACTERS = CategoryDomain(frozenset({"STANDARD", "OTHER"}), _char_category, frozenset({"STANDARD"}),
                            lambda name: frozenset(Char(c) for c in _STANDARD_CHARS))
_NO = Categorized(frozenset(), frozenset())


# -- atoms: the objects of no other domain ---------------------------------------------------------


@dataclass(frozen=True)
class Atom:
    """A type of objects outside the other domains: an array type, a standard type name (a str),
    a class, or ``(eql object)`` (the key ("EQL", id)); ``spec`` is its type specifier."""

    key: Any
    spec: Any = field(compare=False)

    @property
    def kind(self) -> str:
        key = self.key
        if isinstance(key, ArrayType):
            return "array"
        if isinstance(key, str):
            return "function" if key in ("FUNCTION", "COMPILED-FUNCTION") else "builtin"
        if isinstance(key, tuple):
            return "eql"
        if isinstance(key, StructureClass):
            return "structure"
        if any(c.name is cl_symbol("CONDITION") for c in key.precedence_list):
            return "condition"
        return "standard"


def _class_names(cls: classes.LispClass) -> set[Any]:
    return {c.name for c in cls.precedence_list}


def atom_within(a: Atom, b: Atom) -> bool:
    """Whether every object of ``a`` is certainly of ``b``."""
    if a.key == b.key:
        return True
    kinds = (a.kind, b.kind)
    if kinds[0] == "eql":
        return bool(type_predicate(b.spec)(a.spec.cdr.car))
    if kinds[1] == "eql":
        return False
    if kinds == ("array", "array"):
        return a.key.within(b.key)
    if "array" in kinds:
        return False
    if isinstance(a.key, str) and isinstance(b.key, str):
        return b.key in _ancestors(a.key)
    if isinstance(a.key, classes.LispClass) and isinstance(b.key, classes.LispClass):
        return classes.subtypep(a.key, b.key)
    if isinstance(a.key, classes.LispClass):
        return cl_symbol(b.key) in _class_names(a.key)
    return False


def atoms_disjoint(a: Atom, b: Atom) -> bool:
    """Whether no object is certainly of both ``a`` and ``b``."""
    if atom_within(a, b) or atom_within(b, a):
        return False
    if a.kind == "eql" or b.kind == "eql":
        eql, other = (a, b) if a.kind == "eql" else (b, a)
        return not type_predicate(other.spec)(eql.spec.cdr.car)
    if a.kind == b.kind == "array":
        x, y = a.key, b.key
        if x.element is not None and y.element is not None and x.element is not y.element:
            return True
        if x.dims is None or y.dims is None:
            return False
        return len(x.dims) != len(y.dims) or any(p is not None and q is not None and p != q
                                                 for p, q in zip(x.dims, y.dims))
    if a.kind != b.kind:
        return {a.kind, b.kind} != {"function", "standard"}  # a generic function is both
    return a.kind in ("builtin", "structure")


# A conjunction of atoms: (those it is of, those it is not of); a disjunction is a frozenset of them.
Conjunction = tuple[frozenset[Atom], frozenset[Atom]]
_EVERY_OTHER: frozenset[Conjunction] = frozenset({(frozenset(), frozenset())})


def _conjoin(x: Conjunction, y: Conjunction) -> Conjunction | None:
    pos, neg = x[0] | y[0], x[1] | y[1]
    return None if pos & neg else (pos, neg)


def _and_others(xs: frozenset[Conjunction], ys: frozenset[Conjunction]) -> frozenset[Conjunction]:
    out = (_conjoin(x, y) for x, y in product(xs, ys))
    return frozenset(c for c in out if c is not None and conjunction_empty(c) != (True, True))


def _not_others(xs: frozenset[Conjunction]) -> frozenset[Conjunction]:
    result = _EVERY_OTHER
    for pos, neg in xs:
        negated = frozenset({(frozenset(), frozenset({p})) for p in pos} | {(frozenset({n}), frozenset()) for n in neg})
        result = _and_others(result, negated)
    return result


def conjunction_empty(c: Conjunction) -> tuple[bool, bool]:
    """(empty, certain) for a conjunction of atoms."""
    pos, neg = c
    if any(atoms_disjoint(p, q) for p in pos for q in pos if p is not q):
        return True, True
    if any(atom_within(p, n) for p in pos for n in neg):
        return True, True
    least = [p for p in pos if all(atom_within(p, q) for q in pos)]
    if not pos:
        return False, True  # no finite union of atoms covers every other object
    if least:
        return False, True  # its least atom less atoms not holding it, all taken to leave some
    return False, False


# -- regions ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class Region:
    """The set of objects a type specifier stands for, one part per domain. :data:`EVERYTHING`
    holds itself (any cons is of (cons t t)): the operations take it as given, not recursing."""

    integers: tuple[Interval, ...] = ()
    ratios: tuple[Interval, ...] = ()
    floats: tuple[Interval, ...] = ()
    complexes: Categorized = _NO
    characters: Categorized = _NO
    symbols: Categorized = _NO
    conses: tuple[Clause, ...] = ()
    others: frozenset[Conjunction] = frozenset()

    def __and__(self, other: Region) -> Region:
        if self is EVERYTHING or other is EVERYTHING:
            return other if self is EVERYTHING else self
        def meet(x: Categorized, y: Categorized, domain: CategoryDomain) -> Categorized:
            return domain.combine(x, y, lambda p, q: p and q)

        conses = (Clause(a.car & b.car, a.cdr & b.cdr, a.less + b.less) for a, b in product(self.conses, other.conses))
        return Region(_intersect_intervals(self.integers, other.integers, INTEGERS),
                      _intersect_intervals(self.ratios, other.ratios, RATIOS),
                      _intersect_intervals(self.floats, other.floats, FLOATS),
                      meet(self.complexes, other.complexes, COMPLEXES),
                      meet(self.characters, other.characters, CHARACTERS),
                      meet(self.symbols, other.symbols, SYMBOLS),
                      tuple(c for c in conses if not (_surely_empty(c.car) or _surely_empty(c.cdr))),
                      _and_others(self.others, other.others))

    def __or__(self, other: Region) -> Region:
        if self is EVERYTHING or other is EVERYTHING:
            return EVERYTHING
        def join(x: Categorized, y: Categorized, domain: CategoryDomain) -> Categorized:
            return domain.combine(x, y, lambda p, q: p or q)

        return Region(normalize(self.integers + other.integers, INTEGERS),
                      normalize(self.ratios + other.ratios, RATIOS),
                      normalize(self.floats + other.floats, FLOATS),
                      join(self.complexes, other.complexes, COMPLEXES),
                      join(self.characters, other.characters, CHARACTERS),
                      join(self.symbols, other.symbols, SYMBOLS),
                      self.conses + other.conses, self.others | other.others)

    def __invert__(self) -> Region:
        if self is EVERYTHING:
            return NOTHING
        # Less every product at once; not (A x B less Ps) is (not A) x T or T x (not B) or Ps.
        products = tuple((c.car, c.cdr) for c in self.conses if not c.less)
        conses = Region(conses=(Clause(EVERYTHING, EVERYTHING, products),))
        for c in self.conses:
            if c.less:
                outside = [*([Clause(~c.car, EVERYTHING, ())] if c.car is not EVERYTHING else []),
                           *([Clause(EVERYTHING, ~c.cdr, ())] if c.cdr is not EVERYTHING else []),
                           *(Clause(car, cdr, ()) for car, cdr in c.less)]
                conses = conses & Region(conses=tuple(outside))
        return Region(_complement_intervals(self.integers, INTEGERS),
                      _complement_intervals(self.ratios, RATIOS),
                      _complement_intervals(self.floats, FLOATS),
                      COMPLEXES.complement(self.complexes), CHARACTERS.complement(self.characters),
                      SYMBOLS.complement(self.symbols), conses.conses, _not_others(self.others))

    def is_empty(self) -> tuple[bool, bool]:
        """(empty, certain)."""
        if self.integers or self.ratios or self.floats or not COMPLEXES.is_empty(self.complexes) or \
                not CHARACTERS.is_empty(self.characters) or not SYMBOLS.is_empty(self.symbols):
            return False, True
        answers = [_covered(c.car, c.cdr, c.less) for c in self.conses] + [conjunction_empty(c) for c in self.others]
        if any(not empty and certain for empty, certain in answers):
            return False, True
        return True, all(certain for _, certain in answers)


@dataclass(frozen=True, eq=False, repr=False)
class Clause:
    """The conses of ``car`` x ``cdr`` less those of the (car, cdr) products in ``less``."""

    car: Region
    cdr: Region
    less: tuple[tuple[Region, Region], ...]


def _surely_empty(r: Region) -> bool:
    return r is not EVERYTHING and r.is_empty() == (True, True)


def _covered(car: Region, cdr: Region, less: tuple[tuple[Region, Region], ...]) -> tuple[bool, bool]:
    """(whether car x cdr lies within the union of the products ``less``, certain): as
    car x cdr less C x D is (car and not C) x cdr  or  (car and C) x (cdr and not D)."""
    car_empty, cdr_empty = car.is_empty(), cdr.is_empty()
    if car_empty == (True, True) or cdr_empty == (True, True):
        return True, True
    if not less:
        return False, car_empty[1] and cdr_empty[1]
    (c, d), rest = less[0], less[1:]
    if _surely_empty(car & c) or _surely_empty(cdr & d):
        return _covered(car, cdr, rest)
    first = _covered(car & ~c, cdr, rest)
    if first == (False, True):
        return first
    second = _covered(car & c, cdr & ~d, rest)
    return first[0] and second[0], first[1] and second[1]


def _cons_region(car: Region, cdr: Region) -> Region:
    return Region(conses=(Clause(car, cdr, ()),))


NOTHING = Region()
EVERYTHING = Region(_ALL, _ALL, _ALL, Categorized(COMPLEXES.everything, frozenset()),
                    Categorized(CHARACTERS.everything, frozenset()), Categorized(SYMBOLS.everything, frozenset()),
                    (), _EVERY_OTHER)
object.__setattr__(EVERYTHING, "conses", (Clause(EVERYTHING, EVERYTHING, ()),))


# -- type specifiers to regions --------------------------------------------------------------------


def _bounds(args: list[Any]) -> tuple[Any, bool, Any, bool]:
    """The (low, closed, high, closed) of a numeric specifier's arguments, as exact numbers."""
    if len(args) > 2:
        raise Unmodelled()
    low, high = (args + [STAR, STAR])[:2]

    def bound(b: Any) -> tuple[Any, bool]:
        if b is STAR:
            return None, False
        closed = not isinstance(b, Cons)
        value = b if closed else b.car
        if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
            raise Unmodelled()
        return value, closed

    return (*bound(low), *bound(high))


def _exact(x: Any) -> Any:
    return None if x is None else Fraction(x)


def _integer_part(b: Interval) -> tuple[Interval, ...]:
    low, low_closed, high, high_closed = b
    lo = None if low is None else (math.ceil(Fraction(low)) if low_closed else math.floor(Fraction(low)) + 1)
    hi = None if high is None else (math.floor(Fraction(high)) if high_closed else math.ceil(Fraction(high)) - 1)
    return normalize([(lo, lo is not None, hi, hi is not None)], INTEGERS)


def _ratio_part(b: Interval) -> tuple[Interval, ...]:
    return normalize([(_exact(b[0]), b[1], _exact(b[2]), b[3])], RATIOS)


def _float_key(x: Any, lower: bool, closed: bool) -> tuple[Any, bool]:
    """A bound on floats: zero, of either sign, as a bound includes or excludes both zeros."""
    if x is None:
        return None, False
    if x == 0:
        return (_MINUS_ZERO, closed) if lower == closed else (_ZERO, closed)
    return (Fraction(x), 0), closed


def _float_point(x: float) -> Any:
    return (_MINUS_ZERO if math.copysign(1.0, x) < 0 else _ZERO) if x == 0 else (Fraction(x), 0)


def _float_part(b: Interval) -> tuple[Interval, ...]:
    return normalize([(*_float_key(b[0], True, b[1]), *_float_key(b[2], False, b[3]))], FLOATS)


def _numeric(name: str, args: list[Any]) -> Region:
    b = _bounds(args)
    if name == "INTEGER":
        return Region(integers=_integer_part(b))
    if name == "RATIONAL":
        return Region(integers=_integer_part(b), ratios=_ratio_part(b))
    if name in ("FLOAT", "SHORT-FLOAT", "SINGLE-FLOAT", "DOUBLE-FLOAT", "LONG-FLOAT"):
        return Region(floats=_float_part(b))
    return Region(integers=_integer_part(b), ratios=_ratio_part(b), floats=_float_part(b))  # REAL


def _integers(low: int | None, high: int | None) -> Region:
    return Region(integers=normalize([(low, low is not None, high, high is not None)], INTEGERS))


def _symbols(*items: Any, categories: Iterable[str] = ()) -> Region:
    return Region(symbols=Categorized(frozenset(categories), frozenset(items)))


_NAMED: dict[str, Callable[[], Region]] = {
    "NUMBER": lambda: Region(_ALL, _ALL, _ALL, Categorized(COMPLEXES.everything, frozenset())),
    "RATIO": lambda: Region(ratios=_ALL),
    "FIXNUM": lambda: _integers(_FIXNUM_MIN, _FIXNUM_MAX),
    "BIGNUM": lambda: _integers(None, _FIXNUM_MIN - 1) | _integers(_FIXNUM_MAX + 1, None),
    "BIT": lambda: _integers(0, 1),
    "COMPLEX": lambda: Region(complexes=Categorized(COMPLEXES.everything, frozenset())),
    "CHARACTER": lambda: Region(characters=Categorized(CHARACTERS.everything, frozenset())),
    "BASE-CHAR": lambda: Region(characters=Categorized(CHARACTERS.everything, frozenset())),
    "STANDARD-CHAR": lambda: Region(characters=Categorized(frozenset({"STANDARD"}), frozenset())),
    "EXTENDED-CHAR": lambda: NOTHING,
    "SYMBOL": lambda: _symbols(categories=SYMBOLS.everything),
    "KEYWORD": lambda: _symbols(categories={"KEYWORD"}),
    "NULL": lambda: _symbols(NIL),
    "BOOLEAN": lambda: _symbols(NIL, T),
    "CONS": lambda: _cons_region(EVERYTHING, EVERYTHING),
    "LIST": lambda: _symbols(NIL) | _cons_region(EVERYTHING, EVERYTHING),
    "ATOM": lambda: ~_cons_region(EVERYTHING, EVERYTHING),
    "SEQUENCE": lambda: _symbols(NIL) | _cons_region(EVERYTHING, EVERYTHING) | region(cl_symbol("VECTOR")),
}


def _other(atom: Atom) -> Region:
    return Region(others=frozenset({(frozenset({atom}), frozenset())}))


def _member(x: Any) -> Region:
    if type(x) is int:
        return _integers(x, x)
    if isinstance(x, Fraction):
        return Region(ratios=normalize([(x, True, x, True)], RATIOS))
    if type(x) is float:
        point = _float_point(x)
        return Region(floats=((point, True, point, True),))
    if type(x) is complex:
        return Region(complexes=Categorized(frozenset(), frozenset({x})))
    if isinstance(x, Char):
        return Region(characters=Categorized(frozenset(), frozenset({x})))
    if x is NIL or isinstance(x, Symbol):
        return _symbols(x)
    if isinstance(x, Cons):
        raise Unmodelled()  # (member (a)) is one cons: no product of regions says so
    return _other(Atom(("EQL", id(x)), make_list([cl_symbol("EQL"), x])))


def region(spec: Any) -> Region:
    """The region of a type specifier; :class:`Unmodelled` if the algebra cannot model it."""
    spec = _expand(spec)
    if spec is T:
        return EVERYTHING
    if spec is NIL:
        return NOTHING
    head = _compound_head(spec)
    args = list(list_items(spec.cdr)) if head is not None else []
    if head in ("AND", "OR"):
        parts = [region(a) for a in args]
        result = EVERYTHING if head == "AND" else NOTHING
        for part in parts:
            result = result & part if head == "AND" else result | part
        return result
    if head == "NOT" and len(args) == 1:
        return ~region(args[0])
    if head in ("MEMBER", "EQL"):
        result = NOTHING
        for item in args:
            result = result | _member(item)
        return result
    if head == "CONS" and len(args) <= 2:
        car, cdr = (args + [STAR, STAR])[:2]
        return _cons_region(EVERYTHING if car is STAR else region(car), EVERYTHING if cdr is STAR else region(cdr))
    if head == "COMPLEX" and len(args) <= 1:
        return _complex(args[0] if args else STAR)
    name = head or _standard_name(spec)
    if name in _NUMERIC_HEADS:
        return _numeric(name, args)
    if name in ("MOD", "SIGNED-BYTE", "UNSIGNED-BYTE"):
        return _bytes(name, args)
    array = _array_type(spec)
    if array is not None:
        return _other(Atom(array, spec))
    if isinstance(spec, Cons):
        raise Unmodelled()  # a function type, VALUES, SATISFIES, or no type at all
    if name in _NAMED:
        return _NAMED[name]()
    if name in _SUPERTYPES:
        return _other(Atom(name, spec))
    cls = spec if isinstance(spec, classes.LispClass) else \
        classes.find_class(spec, errorp=False) if isinstance(spec, Symbol) else None
    if isinstance(cls, classes.LispClass) and not isinstance(cls, classes.ForwardReferencedClass):
        if cls.name is T:
            return EVERYTHING
        if isinstance(cls, classes.BuiltInClass) and isinstance(cls.name, Symbol) and _standard_name(cls.name):
            return region(cls.name)
        return _other(Atom(cls, spec))
    raise Unmodelled()


_NUMERIC_HEADS = ("INTEGER", "RATIONAL", "REAL", "FLOAT", "SHORT-FLOAT", "SINGLE-FLOAT", "DOUBLE-FLOAT", "LONG-FLOAT")


def _bytes(name: str, args: list[Any]) -> Region:
    size = args[0] if args else STAR
    if size is STAR and name != "MOD":
        return _integers(0, None) if name == "UNSIGNED-BYTE" else _integers(None, None)
    if len(args) != 1 or type(size) is not int or size < (1 if name != "UNSIGNED-BYTE" else 0):
        raise Unmodelled()
    if name == "MOD":
        return _integers(0, size - 1)
    if name == "UNSIGNED-BYTE":
        return _integers(0, 2 ** size - 1)
    return _integers(-(2 ** (size - 1)), 2 ** (size - 1) - 1)


def _complex(part: Any) -> Region:
    """``(complex part)``: by the upgraded part type, rational or float (both for any real)."""
    if part is STAR:
        return _NAMED["COMPLEX"]()
    within = region(part) & ~_NAMED["NUMBER"]()
    parts = region(part)
    if within.is_empty() != (True, True):
        raise Unmodelled()
    cats = set()
    if parts.integers or parts.ratios:
        cats.add("RATIONAL")
    if parts.floats:
        cats.add("FLOAT")
    return Region(complexes=Categorized(frozenset(cats), frozenset()))


def subtype(sub: Any, sup: Any) -> tuple[bool, bool]:
    """``subtypep`` as (is a subtype, certain), by the algebra; :class:`Unmodelled` if either
    specifier is beyond it."""
    empty, certain = (region(sub) & ~region(sup)).is_empty()
    return (True, True) if empty and certain else (False, certain)


use_algebra(subtype)
