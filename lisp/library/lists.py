"""Conses and lists: accessors, constructors, mapping, membership, association lists, property
lists, trees and sets (CLHS 14). Every function checks that it was given lists and says which
argument was not.

A list the standard requires to be proper is walked once, whole, by :func:`list_items` (the native
walker of :mod:`lisp.runtime.native_cons`), before anything else is done with it: a dotted or circular list
is a TYPE-ERROR naming the function, never a hang. That is stricter than SBCL, which returns early
when it can (MEMBER finding the item before the dotted tail, MAPCAR stopping at a shorter list) and
loops for ever on most circular lists; the standard leaves both undefined. A function taking a
list that may be dotted but not circular (COPY-LIST, LAST, BUTLAST, NCONC, LDIFF, TAILP) takes its
conses in one bounded walk (:func:`list_cells`) and works on that snapshot, so
another thread changing the list meanwhile cannot make it hang or fail in Python.
"""

from __future__ import annotations

import collections
import itertools
import operator
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from lisp.compiler.macros import gensym, macro
from lisp.compiler.places import expansion
from lisp.library.arguments import (
    check,
    expected,
    function_designator,
    key_function,
    keywords,
    test_function,
    truth,
)
from lisp.runtime.condition_classes import ProgramError, SimpleError
from lisp.runtime.data import NIL, SYSTEM, Cons, T, cl_symbol, lisp_list, source_pos
from lisp.runtime.equality import eql_p
from lisp.runtime.namespace import builtin
from lisp.runtime.native_cons import (
    cells_of,
    cons,
    from_items,
    last_cons,
    length,
    map_items,
    named,
    to_list,
)
from lisp.runtime.ratio import NUMBER_TYPES
from lisp.runtime.signals import raise_error, type_error
from lisp.runtime.values import values

_LIST = expected("LIST")
_CONS = expected("CONS")


def check_list(x: Any) -> Any:
    if x is not NIL and not isinstance(x, Cons):
        type_error(x, _LIST)
    return x


class NamedWalkers(dict):
    """The walker or mapper ``fn`` of :mod:`lisp.runtime.native_cons` for each Lisp function, by its name
    (its TYPE-ERRORs name that function): made on first use, kept for the life of the process."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        super().__init__()
        self.fn = fn

    def __missing__(self, who: str) -> Callable[..., Any]:
        # Two threads may both make one: either is right, one is kept.
        return self.setdefault(who, named(self.fn, who))


_ITEMS, _LENGTH, _LAST = NamedWalkers(to_list), NamedWalkers(length), NamedWalkers(last_cons)
_CELLS = NamedWalkers(cells_of)


def list_cells(lst: Any, who: str) -> tuple[list[Cons], Any]:
    """The conses of a list that may be dotted and what ends it, taken in one bounded walk (native
    for a proper list); a non-list or a circular list is a TYPE-ERROR naming ``who``. Work on the
    snapshot cannot hang or fail in Python whatever another thread does to the list meanwhile."""
    cells = _CELLS[who](lst)
    return cells, cells[-1].cdr if cells else lst


def list_items(lst: Any, who: str | None = None) -> list[Any]:
    """The elements of a proper list as a Python list: the one walk of every function that needs
    a proper list. A non-list, a dotted tail or a circular list is a TYPE-ERROR, naming ``who``
    (the Lisp function called) when given."""
    return to_list(lst) if who is None else _ITEMS[who](lst)


def list_length_of(lst: Any, who: str) -> int:
    """The length of a proper list (the walk of :func:`list_items`, without the elements)."""
    return _LENGTH[who](lst)


def last_of(lst: Any, who: str) -> Any:
    """The last cons of a list that may be dotted (NIL for NIL); a non-list or a circular list is a
    TYPE-ERROR naming ``who``."""
    return _LAST[who](lst)


def _dotted_items(lst: Any, who: str) -> tuple[list[Any], Any]:
    """The elements of a list that may be dotted, and what ends it (NIL or the dotted tail)."""
    last_cell = last_of(lst, who)
    if last_cell is NIL or last_cell.cdr is NIL:
        return list_items(lst, who), NIL
    # A second walk, its own bounded one: another thread may have changed the list since.
    cells, tail = list_cells(lst, who)
    return [cell.car for cell in cells], tail


def _show(x: Any) -> str:
    from lisp.library.arguments import show

    return show(x)


# -- conses and accessors (CONS itself: lisp.runtime.native_cons) ----------------------------------


@builtin("CAR")
def car(x: Any) -> Any:
    if isinstance(x, Cons):
        return x.car
    if x is NIL:
        return NIL
    return type_error(x, _LIST)


@builtin("CDR")
def cdr(x: Any) -> Any:
    if isinstance(x, Cons):
        return x.cdr
    if x is NIL:
        return NIL
    return type_error(x, _LIST)


def _composed(path: str) -> Callable[[Any], Any]:
    """c[ad]+r: apply the letters from right to left."""
    steps = [car if letter == "A" else cdr for letter in reversed(path)]

    def accessor(x: Any) -> Any:
        for step in steps:
            x = step(x)
        return x

    accessor.__name__ = f"c{path.lower()}r"
    accessor.__doc__ = f"``c{path.lower()}r``."
    return accessor


for _path in ("".join(p) for n in (2, 3, 4) for p in itertools.product("AD", repeat=n)):
    builtin(f"C{_path}R")(_composed(_path))

FIRST = builtin("FIRST")(car)
REST = builtin("REST")(cdr)


def _nth_accessor(name: str, n: int) -> None:
    def nth_element(lst: Any) -> Any:
        return nth(n, lst)

    nth_element.__name__ = name.lower()
    builtin(name)(nth_element)


for _n, _name in enumerate(("SECOND", "THIRD", "FOURTH", "FIFTH", "SIXTH", "SEVENTH", "EIGHTH",
                            "NINTH", "TENTH"), start=1):
    _nth_accessor(_name, _n)


@builtin("NTHCDR")
def nthcdr(n: Any, lst: Any) -> Any:
    check(type(n) is int and n >= 0, n, "UNSIGNED-BYTE")
    for _ in range(n):
        if lst is NIL:
            return NIL
        lst = cdr(lst)
    return lst


@builtin("NTH")
def nth(n: Any, lst: Any) -> Any:
    return car(nthcdr(n, lst))


@builtin("RPLACA")
def rplaca(cell: Any, value: Any) -> Cons:
    check(isinstance(cell, Cons), cell, _CONS)
    cell.car = value
    return cell


@builtin("RPLACD")
def rplacd(cell: Any, value: Any) -> Cons:
    check(isinstance(cell, Cons), cell, _CONS)
    cell.cdr = value
    return cell


# -- predicates ------------------------------------------------------------------------------------


@builtin("CONSP")
def consp(x: Any) -> Any:
    return truth(isinstance(x, Cons))


@builtin("LISTP")
def listp(x: Any) -> Any:
    return truth(x is NIL or isinstance(x, Cons))


@builtin("ATOM")
def atom(x: Any) -> Any:
    return truth(not isinstance(x, Cons))


@builtin("NULL")
def null(x: Any) -> Any:
    return truth(x is NIL)


builtin("NOT")(null)


@builtin("ENDP")
def endp(x: Any) -> Any:
    return truth(check_list(x) is NIL)


# -- constructing (LIST and LIST*: lisp.runtime.native_cons) ----------------------------------------


@builtin("MAKE-LIST")
def make_list_(size: Any, *args: Any) -> Any:
    check(type(size) is int and size >= 0, size, "UNSIGNED-BYTE")
    initial = keywords(args, ("INITIAL-ELEMENT",), "MAKE-LIST").get("INITIAL-ELEMENT", NIL)
    return from_items([initial] * size)


@builtin("COPY-LIST")
def copy_list(lst: Any) -> Any:
    """A copy of the list structure (a dotted tail is kept)."""
    return from_items(*_dotted_items(lst, "COPY-LIST"))


@builtin("COPY-TREE")
def copy_tree(tree: Any) -> Any:
    if not isinstance(tree, Cons):
        return tree
    return cons(copy_tree(tree.car), copy_tree(tree.cdr))


@builtin("APPEND")
def append(*lists: Any) -> Any:
    if not lists:
        return NIL
    result = lists[-1]
    for lst in reversed(lists[:-1]):
        result = from_items(list_items(lst, "APPEND"), result)
    return result


@builtin("NCONC")
def nconc(*lists: Any) -> Any:
    """The lists joined by changing the last cdr of each (a dotted tail is replaced, as in SBCL);
    the last argument may be any object."""
    result = NIL
    last_cell = None
    for lst in lists[:-1]:
        end = last_of(lst, "NCONC")
        if end is NIL:
            continue
        if last_cell is None:
            result = lst
        else:
            last_cell.cdr = lst
        last_cell = end
    if not lists:
        return NIL
    if last_cell is None:
        return lists[-1]
    last_cell.cdr = lists[-1]
    return result


@builtin("REVAPPEND")
def revappend(lst: Any, tail: Any) -> Any:
    return _revappend(lst, tail, "REVAPPEND")


@builtin("NRECONC")
def nreconc(lst: Any, tail: Any) -> Any:
    return _revappend(lst, tail, "NRECONC")


def _revappend(lst: Any, tail: Any, who: str) -> Any:
    return from_items(list_items(lst, who)[::-1], tail)


@builtin("LAST")
def last(lst: Any, n: Any = 1) -> Any:
    if type(n) is int and n == 1:
        return last_of(lst, "LAST")
    check(type(n) is int and n >= 0, n, "UNSIGNED-BYTE")
    cells, tail = list_cells(lst, "LAST")
    if n == 0:
        return tail if cells else lst
    return lst if n >= len(cells) else cells[-n]


@builtin("BUTLAST")
def butlast(lst: Any, n: Any = 1) -> Any:
    check(type(n) is int and n >= 0, n, "UNSIGNED-BYTE")
    items, _ = _dotted_items(lst, "BUTLAST")
    return from_items(items[:max(len(items) - n, 0)])


@builtin("NBUTLAST")
def nbutlast(lst: Any, n: Any = 1) -> Any:
    check(type(n) is int and n >= 0, n, "UNSIGNED-BYTE")
    kept = len(_dotted_items(lst, "NBUTLAST")[0]) - n
    if kept <= 0:
        return NIL
    nthcdr(kept - 1, lst).cdr = NIL
    return lst


@builtin("LDIFF")
def ldiff(lst: Any, obj: Any) -> Any:
    cells, tail = list_cells(lst, "LDIFF")
    for i, cell in enumerate(cells):
        if cell is obj:
            return from_items([c.car for c in cells[:i]], NIL)
    return from_items([c.car for c in cells], NIL if tail is obj else tail)


@builtin("TAILP")
def tailp(obj: Any, lst: Any) -> Any:
    cells, tail = list_cells(lst, "TAILP")
    if any(cell is obj for cell in cells):
        return T
    return truth(tail is obj or (tail is not NIL and eql_p(tail, obj)))


@builtin("LIST-LENGTH")
def list_length(lst: Any) -> Any:
    """The length of a proper list, NIL for a circular one (its own walk: a cycle is an answer
    here, not an error)."""
    check_list(lst)
    slow = fast = lst
    n = 0
    while True:
        for _ in range(2):
            if fast is NIL:
                return n
            if not isinstance(fast, Cons):
                return type_error(fast, _LIST, f"LIST-LENGTH: the list ends in the dotted tail {_show(fast)}, not NIL")
            fast = fast.cdr
            n += 1
        slow = slow.cdr
        if fast is slow:
            return NIL


# -- mapping ---------------------------------------------------------------------------------------


def _parallel(lists: tuple[Any, ...], who: str) -> Iterator[tuple[Any, ...]]:
    """The argument tuples of mapcar: one element of each list, until the shortest ends."""
    return zip(*[list_items(lst, who) for lst in lists])


def _parallel_tails(lists: tuple[Any, ...], who: str) -> Iterator[tuple[Any, ...]]:
    """The argument tuples of maplist: the successive tails of each list, until the shortest ends."""
    count = min([list_length_of(lst, who) for lst in lists])
    return zip(*[_tails(lst, count) for lst in lists])


def _tails(lst: Any, count: int) -> Iterator[Any]:
    for _ in range(count):
        if not isinstance(lst, Cons):
            return  # the function mapped has cut the list (undefined, CLHS 3.6): stop there
        yield lst
        lst = lst.cdr


_MAPCAR = named(map_items, "MAPCAR")


@builtin("MAPCAR")
def mapcar(fn: Any, lst: Any, *more: Any) -> Any:
    f = function_designator(fn)
    if more:
        return from_items(itertools.starmap(f, _parallel((lst, *more), "MAPCAR")))
    return _MAPCAR(f, lst)


@builtin("MAPC")
def mapc(fn: Any, lst: Any, *more: Any) -> Any:
    f = function_designator(fn)
    if more:
        collections.deque(itertools.starmap(f, _parallel((lst, *more), "MAPC")), maxlen=0)
    else:
        collections.deque(map(f, list_items(lst, "MAPC")), maxlen=0)
    return lst


@builtin("MAPCAN")
def mapcan(fn: Any, lst: Any, *more: Any) -> Any:
    f = function_designator(fn)
    return nconc(*[f(*args) for args in _parallel((lst, *more), "MAPCAN")])


@builtin("MAPLIST")
def maplist(fn: Any, lst: Any, *more: Any) -> Any:
    f = function_designator(fn)
    return from_items([f(*tails) for tails in _parallel_tails((lst, *more), "MAPLIST")])


@builtin("MAPL")
def mapl(fn: Any, lst: Any, *more: Any) -> Any:
    f = function_designator(fn)
    collections.deque(itertools.starmap(f, _parallel_tails((lst, *more), "MAPL")), maxlen=0)
    return lst


@builtin("MAPCON")
def mapcon(fn: Any, lst: Any, *more: Any) -> Any:
    f = function_designator(fn)
    return nconc(*[f(*tails) for tails in _parallel_tails((lst, *more), "MAPCON")])


# -- membership and association lists --------------------------------------------------------------


def _matcher(args: tuple[Any, ...], who: str) -> tuple[Callable[[Any, Any], bool], Callable[[Any], Any] | None]:
    kw = keywords(args, ("TEST", "TEST-NOT", "KEY"), who)
    return test_function(kw, who), key_function(kw)


class ElementTest:
    """What a call of a NAME / NAME-IF / NAME-IF-NOT function (MEMBER, FIND, REMOVE, SUBST...) asks
    of each element, given its keywords ``kw`` (:test, :test-not, :key) and ``item``, or
    ``predicate`` (true wanted, or NIL with ``negate``)."""

    __slots__ = ("_test", "_item", "_truth", "_key")

    def __init__(self, who: str, kw: dict[str, Any], item: Any = NIL, predicate: Any = None,
                 negate: bool = False) -> None:
        self._key = key_function(kw)
        if predicate is not None:
            self._test, self._item = function_designator(predicate), NIL
            # Lisp truth: only NIL is false.
            self._truth: Callable[[Any, Any], bool] | None = operator.is_ if negate else operator.is_not
        else:
            test = test_function(kw, who)
            # EQL is identity but for numbers.
            self._test = operator.is_ if test is eql_p and type(item) not in NUMBER_TYPES else test
            self._item, self._truth = item, None

    def flags(self, elems: Iterable[Any]) -> Iterator[bool]:
        """Whether each element matches, lazily, in order: the test or predicate is called straight
        from C, with no Python frame of ours per element."""
        keys = elems if self._key is None else map(self._key, elems)
        if self._truth is None:
            return map(self._test, itertools.repeat(self._item), keys)
        return map(self._truth, map(self._test, keys), itertools.repeat(NIL))

    def __call__(self, x: Any) -> bool:
        """Whether the one element ``x`` matches."""
        k = x if self._key is None else self._key(x)
        if self._truth is None:
            return bool(self._test(self._item, k))
        return self._truth(self._test(k), NIL)


def first_match(flags: Iterator[bool]) -> int | None:
    """The index of the first true flag, or None."""
    return next(itertools.compress(itertools.count(), flags), None)


def define_family(name: str, run: Callable[..., Any], takes_new: bool = False) -> None:
    """Define NAME, NAME-IF and NAME-IF-NOT, each calling ``run(who, sequence, args, how)``
    (``run(who, sequence, args, how, new)`` if ``takes_new``: SUBSTITUTE's new element comes
    first), where ``args`` are the keyword arguments and ``how`` is what :func:`element_test` is
    given besides the keywords: the item, or the predicate (and ``negate`` for -IF-NOT)."""
    for suffix, how in (("", lambda x: {"item": x}), ("-IF", lambda p: {"predicate": p}),
                        ("-IF-NOT", lambda p: {"predicate": p, "negate": True})):
        builtin(name + suffix)(_family_member(name + suffix, run, how, takes_new))


def _family_member(who: str, run: Callable[..., Any], how: Callable[[Any], dict[str, Any]],
                   takes_new: bool) -> Callable[..., Any]:
    if takes_new:
        def fn(new: Any, x: Any, seq: Any, *args: Any) -> Any:
            return run(who, seq, args, how(x), new)
    else:
        def fn(x: Any, seq: Any, *args: Any) -> Any:  # type: ignore[misc]
            return run(who, seq, args, how(x))
    fn.__name__ = who.lower().replace("-", "_")
    fn.__doc__ = f"``{who.lower()}``."
    return fn


def _list_test(who: str, args: tuple[Any, ...], how: dict[str, Any]) -> ElementTest:
    """The element test of a MEMBER/ASSOC/RASSOC/SUBST-family call (an -IF function takes :key only)."""
    keys = ("KEY",) if "predicate" in how else ("TEST", "TEST-NOT", "KEY")
    return ElementTest(who, keywords(args, keys, who), **how)


def _member(who: str, lst: Any, args: tuple[Any, ...], how: dict[str, Any]) -> Any:
    found = first_match(_list_test(who, args, how).flags(list_items(lst, who)))
    # nthcdr checks each cell: the test may have changed the list (CLHS 3.6)
    return NIL if found is None else nthcdr(found, lst)


def _alist_entries(alist: Any, who: str) -> list[Cons]:
    """The entries of an association list: its elements but NIL, each a cons."""
    entries = [entry for entry in list_items(alist, who) if entry is not NIL]
    if not all(map(isinstance, entries, itertools.repeat(Cons))):
        bad = next(entry for entry in entries if not isinstance(entry, Cons))
        type_error(bad, _CONS, f"{who}: the association list element {_show(bad)} is not a cons")
    return entries


def _alist_search(part: Callable[[Cons], Any]) -> Callable[..., Any]:
    """The search of ASSOC (``part`` the car) or RASSOC (the cdr): the first entry whose part matches."""

    def search(who: str, alist: Any, args: tuple[Any, ...], how: dict[str, Any]) -> Any:
        test = _list_test(who, args, how)
        entries = _alist_entries(alist, who)
        found = first_match(test.flags(map(part, entries)))
        return NIL if found is None else entries[found]

    return search


define_family("MEMBER", _member)
define_family("ASSOC", _alist_search(operator.attrgetter("car")))
define_family("RASSOC", _alist_search(operator.attrgetter("cdr")))


@builtin("ACONS")
def acons(key: Any, datum: Any, alist: Any) -> Cons:
    return cons(cons(key, datum), alist)


@builtin("PAIRLIS")
def pairlis(keys: Any, data: Any, alist: Any = NIL) -> Any:
    ks, ds = list_items(keys, "PAIRLIS"), list_items(data, "PAIRLIS")
    if len(ks) != len(ds):
        raise_error(SimpleError("PAIRLIS: the lists of keys and data differ in length (~D and ~D)",
                                len(ks), len(ds)))
    for k, d in zip(ks, ds):
        alist = cons(cons(k, d), alist)
    return alist


@builtin("COPY-ALIST")
def copy_alist(alist: Any) -> Any:
    return from_items([cons(e.car, e.cdr) if isinstance(e, Cons) else e for e in list_items(alist, "COPY-ALIST")])


# -- property lists --------------------------------------------------------------------------------


def _plist_items(plist: Any, who: str) -> list[Any]:
    """The elements of a property list; one that is not a proper list of even length is a
    TYPE-ERROR naming ``who``."""
    items = list_items(plist, who)
    if len(items) % 2:
        type_error(plist, _LIST, f"{who}: the property list {_show(plist)} has an odd length")
    return items


def plist_pairs(plist: Any, who: str) -> Iterator[Cons]:
    """The cells holding the indicators of a property list (their cdr holds the value)."""
    cell = plist
    for _ in range(len(_plist_items(plist, who)) // 2):
        yield cell
        cell = cell.cdr.cdr


@builtin("GETF")
def getf(plist: Any, indicator: Any, default: Any = NIL) -> Any:
    items = list_items(plist, "GETF")
    for i in range(0, len(items) - 1, 2):  # property lists are short: a loop beats making iterators
        if items[i] is indicator:
            return items[i + 1]
    _plist_items(plist, "GETF")  # an odd length is an error once the indicator is not found (SBCL)
    return default


def plist_put(plist: Any, indicator: Any, value: Any) -> Any:
    """The property list with ``indicator`` set to ``value`` (changed in place when present)."""
    for cell in plist_pairs(plist, "SETF GETF"):
        if cell.car is indicator:
            cell.cdr.car = value
            return plist
    return cons(indicator, cons(value, plist))


def plist_remove(plist: Any, indicator: Any) -> tuple[Any, bool]:
    """The property list without ``indicator`` (spliced out in place), and whether it was there."""
    previous = None
    for cell in plist_pairs(plist, "REMF"):
        if cell.car is indicator:
            if previous is None:
                return cell.cdr.cdr, True
            previous.cdr.cdr = cell.cdr.cdr
            return plist, True
        previous = cell
    return plist, False


@builtin("%PLIST-REMOVE", SYSTEM)
def plist_remove_(plist: Any, indicator: Any) -> Any:
    """The property list without ``indicator`` and whether it was there (two values), for REMF."""
    new, found = plist_remove(plist, indicator)
    return values(new, truth(found))


@builtin("%PLIST-PUT", SYSTEM)
def plist_put_(plist: Any, indicator: Any, value: Any) -> Any:
    """The property list with ``indicator`` set to ``value``, for ``(setf (getf place ...))``."""
    return plist_put(plist, indicator, value)


@macro("REMF")
def remf(form: Any, env: Any) -> Any:
    """``(remf place indicator)``: remove the property from the plist in ``place``; T if it was there."""

    args = list_items(form.cdr)
    if len(args) != 2:
        raise ProgramError(f"REMF takes a place and an indicator, in {_show(form)}", source_pos(form))
    place = expansion(args[0], env)
    indicator, found = gensym("INDICATOR"), gensym("FOUND")
    bindings = [lisp_list(t, v) for t, v in zip(place.temps, place.vals)] + [lisp_list(indicator, args[1])]
    return lisp_list(cl_symbol("LET*"), from_items(bindings),
                     lisp_list(cl_symbol("MULTIPLE-VALUE-BIND"), lisp_list(place.stores[0], found),
                               lisp_list(SYSTEM.intern("%PLIST-REMOVE"), place.reader, indicator),
                               place.writer, found))


@builtin("GET-PROPERTIES")
def get_properties(plist: Any, indicators: Any) -> Any:
    wanted = list_items(indicators, "GET-PROPERTIES")
    for cell in plist_pairs(plist, "GET-PROPERTIES"):
        if any(cell.car is w for w in wanted):
            return values(cell.car, cell.cdr.car, cell)
    return values(NIL, NIL, NIL)


# -- trees -----------------------------------------------------------------------------------------


def _subst(who: str, tree: Any, args: tuple[Any, ...], how: dict[str, Any], new: Any) -> Any:
    """SUBST and its family (the N forms make new conses too, which the standard allows)."""
    return _substitute_tree(tree, _list_test(who, args, how), lambda x: new)


define_family("SUBST", _subst, takes_new=True)
define_family("NSUBST", _subst, takes_new=True)


@builtin("SUBLIS")
def sublis(alist: Any, tree: Any, *args: Any) -> Any:
    return _sublis(alist, tree, args, "SUBLIS")


@builtin("NSUBLIS")
def nsublis(alist: Any, tree: Any, *args: Any) -> Any:
    return _sublis(alist, tree, args, "NSUBLIS")


def _sublis(alist: Any, tree: Any, args: tuple[Any, ...], who: str) -> Any:
    test, key = _matcher(args, who)
    key = key or (lambda x: x)
    entries = _alist_entries(alist, who)

    def find(x: Any) -> Cons | None:
        return next((e for e in entries if test(key(x), e.car)), None)

    return _substitute_tree(tree, lambda x: find(x) is not None, lambda x: find(x).cdr)


def _substitute_tree(tree: Any, matches: Callable[[Any], bool], replacement: Callable[[Any], Any]) -> Any:
    if matches(tree):
        return replacement(tree)
    if not isinstance(tree, Cons):
        return tree
    car_, cdr_ = _substitute_tree(tree.car, matches, replacement), _substitute_tree(tree.cdr, matches, replacement)
    return tree if car_ is tree.car and cdr_ is tree.cdr else cons(car_, cdr_)


@builtin("TREE-EQUAL")
def tree_equal(a: Any, b: Any, *args: Any) -> Any:
    kw = keywords(args, ("TEST", "TEST-NOT"), "TREE-EQUAL")
    test = test_function(kw, "TREE-EQUAL")

    def same(x: Any, y: Any) -> bool:
        if isinstance(x, Cons):
            return isinstance(y, Cons) and same(x.car, y.car) and same(x.cdr, y.cdr)
        return not isinstance(y, Cons) and test(x, y)

    return truth(same(a, b))


# -- sets ------------------------------------------------------------------------------------------


def _set_args(args: tuple[Any, ...], who: str) -> Callable[[Any, Any], bool]:
    test, key = _matcher(args, who)
    if key is None:
        return test
    return lambda a, b: test(key(a), key(b))


def _in(x: Any, items: list[Any], same: Callable[[Any, Any], bool]) -> bool:
    return any(same(x, y) for y in items)


@builtin("ADJOIN")
def adjoin(item: Any, lst: Any, *args: Any) -> Any:
    same = _set_args(args, "ADJOIN")
    return lst if _in(item, list_items(lst, "ADJOIN"), same) else cons(item, lst)


SetOperation = Callable[[list[Any], list[Any], Callable[[Any, Any], bool]], Any]


def _set_operation(names: tuple[str, ...], combine: SetOperation) -> None:
    """Define each of ``names`` (a function and its destructive twin, which may reuse its
    arguments' conses: here it copies) as ``combine`` of the elements of the two lists and the
    test of the keywords."""
    for name in names:
        builtin(name)(_set_function(name, combine))


def _set_function(name: str, combine: SetOperation) -> Callable[..., Any]:
    def operate(a: Any, b: Any, *args: Any) -> Any:
        same = _set_args(args, name)
        return combine(list_items(a, name), list_items(b, name), same)

    operate.__name__, operate.__doc__ = name.lower().replace("-", "_"), f"``{name.lower()}``."
    return operate


_set_operation(("UNION", "NUNION"),
               lambda as_, bs, same: from_items([x for x in as_ if not _in(x, bs, same)] + bs))
_set_operation(("INTERSECTION", "NINTERSECTION"),
               lambda as_, bs, same: from_items([x for x in as_ if _in(x, bs, same)]))
_set_operation(("SET-DIFFERENCE", "NSET-DIFFERENCE"),
               lambda as_, bs, same: from_items([x for x in as_ if not _in(x, bs, same)]))
_set_operation(("SET-EXCLUSIVE-OR", "NSET-EXCLUSIVE-OR"),
               lambda as_, bs, same: from_items([x for x in as_ if not _in(x, bs, same)]
                                                + [y for y in bs if not _in(y, as_, same)]))
_set_operation(("SUBSETP",), lambda as_, bs, same: truth(all(_in(x, bs, same) for x in as_)))

