"""Conses and lists: accessors, constructors, mapping, membership, association lists, property
lists, trees and sets (CLHS 14). Every function checks that it was given lists and says which
argument was not."""

from __future__ import annotations

import collections
import itertools
from collections.abc import Callable, Iterator
from typing import Any

from lisp.compiler.values import values
from lisp.compiler.macros import gensym, macro
from lisp.conditions import ProgramError, type_error
from lisp.data import NIL, SYSTEM, Cons, T, cl_symbol, lisp_list, source_pos
from lisp.library.arguments import (check, expected, function_designator, key_function, keywords, truth,
                                    test_function)
from lisp.namespace import builtin
from lisp.native_cons import cons, from_items, last_cons, list_of, list_star, map_items, to_list

_LIST = expected("LIST")
_CONS = expected("CONS")


def check_list(x: Any) -> Any:
    if x is not NIL and not isinstance(x, Cons):
        type_error(x, _LIST)
    return x


def elements(lst: Any) -> Iterator[Any]:
    """The elements of a proper list; a TYPE-ERROR names a non-list or a dotted tail."""
    cell = lst
    while isinstance(cell, Cons):
        yield cell.car
        cell = cell.cdr
    if cell is not NIL:
        _improper(lst, cell)


def list_items(lst: Any) -> list[Any]:
    """The elements of a proper list as a Python list (the fast form of :func:`elements`); a
    TYPE-ERROR names a non-list, a dotted tail or a circular list."""
    return to_list(lst)


def _improper(lst: Any, tail: Any) -> None:
    if tail is lst:
        type_error(lst, _LIST)
    type_error(tail, _LIST, f"the list ends in the dotted tail {_show(tail)}, not NIL")


def _show(x: Any) -> str:
    from lisp.library.arguments import show

    return show(x)


def _cells(lst: Any) -> Iterator[Cons]:
    check_list(lst)
    cell = lst
    while isinstance(cell, Cons):
        yield cell
        cell = cell.cdr


# -- conses and accessors --------------------------------------------------------------------------


builtin("CONS")(cons)


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


# -- constructing ----------------------------------------------------------------------------------


builtin("LIST")(list_of)
builtin("LIST*")(list_star)


@builtin("MAKE-LIST")
def make_list_(size: Any, *args: Any) -> Any:
    check(type(size) is int and size >= 0, size, "UNSIGNED-BYTE")
    initial = keywords(args, ("INITIAL-ELEMENT",), "MAKE-LIST").get("INITIAL-ELEMENT", NIL)
    return from_items([initial] * size)


@builtin("COPY-LIST")
def copy_list(lst: Any) -> Any:
    """A copy of the list structure (a dotted tail is kept)."""
    last_cell = last_cons(lst)  # a non-list or a circular list is its TYPE-ERROR
    tail = NIL if last_cell is NIL else last_cell.cdr
    return from_items(to_list(lst) if tail is NIL else [cell.car for cell in _cells(lst)], tail)


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
        result = from_items(to_list(lst), result)
    return result


@builtin("NCONC")
def nconc(*lists: Any) -> Any:
    result = NIL
    last_cell = None
    for i, lst in enumerate(lists):
        if lst is NIL:
            continue
        if i < len(lists) - 1:
            check_list(lst)
        if last_cell is None:
            result = lst
        else:
            last_cell.cdr = lst
        if isinstance(lst, Cons):
            last_cell = _last_cell(lst)
    return result


def _last_cell(lst: Cons) -> Cons:
    cell = lst
    while isinstance(cell.cdr, Cons):
        cell = cell.cdr
    return cell


@builtin("REVAPPEND")
def revappend(lst: Any, tail: Any) -> Any:
    for x in elements(lst):
        tail = cons(x, tail)
    return tail


@builtin("NRECONC")
def nreconc(lst: Any, tail: Any) -> Any:
    return revappend(lst, tail)


@builtin("LAST")
def last(lst: Any, n: Any = 1) -> Any:
    if type(n) is int and n == 1:
        return last_cons(lst)
    check(type(n) is int and n >= 0, n, "UNSIGNED-BYTE")
    check_list(lst)
    # Walk with a lead of n cells: the trailing pointer ends on the last n conses.
    lead = lst
    for _ in range(n):
        if not isinstance(lead, Cons):
            return lst
        lead = lead.cdr
    trail = lst
    while isinstance(lead, Cons):
        lead = lead.cdr
        trail = trail.cdr
    return trail


@builtin("BUTLAST")
def butlast(lst: Any, n: Any = 1) -> Any:
    check(type(n) is int and n >= 0, n, "UNSIGNED-BYTE")
    items = [c.car for c in _cells(lst)]
    return from_items(items[:max(len(items) - n, 0)])


@builtin("NBUTLAST")
def nbutlast(lst: Any, n: Any = 1) -> Any:
    check(type(n) is int and n >= 0, n, "UNSIGNED-BYTE")
    cells = list(_cells(lst))
    if len(cells) <= n:
        return NIL
    cells[len(cells) - n - 1].cdr = NIL
    return lst


@builtin("LDIFF")
def ldiff(lst: Any, obj: Any) -> Any:
    items = []
    cell = check_list(lst)
    while isinstance(cell, Cons) and cell is not obj:
        items.append(cell.car)
        cell = cell.cdr
    return from_items(items, NIL if cell is obj else cell)


@builtin("TAILP")
def tailp(obj: Any, lst: Any) -> Any:
    cell = check_list(lst)
    while isinstance(cell, Cons):
        if cell is obj:
            return T
        cell = cell.cdr
    return truth(cell is obj or (cell is not NIL and _eql(cell, obj)))


def _eql(a: Any, b: Any) -> bool:
    from lisp.library.equality import eql_p

    return eql_p(a, b)


@builtin("LIST-LENGTH")
def list_length(lst: Any) -> Any:
    """The length of a proper list, NIL for a circular one."""
    check_list(lst)
    slow = fast = lst
    n = 0
    while True:
        if fast is NIL:
            return n
        if not isinstance(fast, Cons):
            return type_error(fast, _LIST)
        fast = fast.cdr
        n += 1
        if fast is NIL:
            return n
        if not isinstance(fast, Cons):
            return type_error(fast, _LIST)
        fast = fast.cdr
        n += 1
        slow = slow.cdr
        if fast is slow:
            return NIL


# -- mapping ---------------------------------------------------------------------------------------


def _parallel(lists: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    """The argument tuples of mapcar: one element of each list, until the shortest ends."""
    return zip(*(elements(lst) for lst in lists))


def _parallel_tails(lists: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    return zip(*(_cells(lst) for lst in lists))


@builtin("MAPCAR")
def mapcar(fn: Any, lst: Any, *more: Any) -> Any:
    f = function_designator(fn)
    if more:
        return from_items(itertools.starmap(f, _parallel((lst, *more))))
    return map_items(f, lst)


@builtin("MAPC")
def mapc(fn: Any, lst: Any, *more: Any) -> Any:
    f = function_designator(fn)
    if more:
        collections.deque(itertools.starmap(f, _parallel((lst, *more))), maxlen=0)
    else:
        collections.deque(map(f, to_list(lst)), maxlen=0)
    return lst


@builtin("MAPCAN")
def mapcan(fn: Any, lst: Any, *more: Any) -> Any:
    f = function_designator(fn)
    return nconc(*[f(*args) for args in _parallel((lst, *more))])


@builtin("MAPLIST")
def maplist(fn: Any, lst: Any, *more: Any) -> Any:
    f = function_designator(fn)
    return from_items([f(*tails) for tails in _parallel_tails((lst, *more))])


@builtin("MAPL")
def mapl(fn: Any, lst: Any, *more: Any) -> Any:
    f = function_designator(fn)
    for tails in _parallel_tails((lst, *more)):
        f(*tails)
    return lst


@builtin("MAPCON")
def mapcon(fn: Any, lst: Any, *more: Any) -> Any:
    f = function_designator(fn)
    return nconc(*[f(*tails) for tails in _parallel_tails((lst, *more))])


# -- membership and association lists --------------------------------------------------------------


def _matcher(args: tuple[Any, ...], who: str) -> tuple[Callable[[Any, Any], bool], Callable[[Any], Any] | None]:
    kw = keywords(args, ("TEST", "TEST-NOT", "KEY"), who)
    return test_function(kw, who), key_function(kw)


@builtin("MEMBER")
def member(item: Any, lst: Any, *args: Any) -> Any:
    test, key = _matcher(args, "MEMBER")
    for cell in _cells(lst):
        if test(item, cell.car if key is None else key(cell.car)):
            return cell
    return NIL


def _predicate_matcher(args: tuple[Any, ...], who: str) -> Callable[[Any], Any] | None:
    return key_function(keywords(args, ("KEY",), who))


@builtin("MEMBER-IF")
def member_if(pred: Any, lst: Any, *args: Any) -> Any:
    p, key = function_designator(pred), _predicate_matcher(args, "MEMBER-IF")
    for cell in _cells(lst):
        if p(cell.car if key is None else key(cell.car)) is not NIL:
            return cell
    return NIL


@builtin("MEMBER-IF-NOT")
def member_if_not(pred: Any, lst: Any, *args: Any) -> Any:
    p = function_designator(pred)
    return member_if(lambda x: truth(p(x) is NIL), lst, *args)


def _alist_entries(alist: Any) -> Iterator[Cons]:
    for entry in elements(alist):
        if entry is NIL:
            continue
        if not isinstance(entry, Cons):
            type_error(entry, _CONS, f"the association list element {_show(entry)} is not a cons")
        yield entry


@builtin("ASSOC")
def assoc(item: Any, alist: Any, *args: Any) -> Any:
    test, key = _matcher(args, "ASSOC")
    for entry in _alist_entries(alist):
        if test(item, entry.car if key is None else key(entry.car)):
            return entry
    return NIL


@builtin("ASSOC-IF")
def assoc_if(pred: Any, alist: Any, *args: Any) -> Any:
    p, key = function_designator(pred), _predicate_matcher(args, "ASSOC-IF")
    for entry in _alist_entries(alist):
        if p(entry.car if key is None else key(entry.car)) is not NIL:
            return entry
    return NIL


@builtin("ASSOC-IF-NOT")
def assoc_if_not(pred: Any, alist: Any, *args: Any) -> Any:
    p = function_designator(pred)
    return assoc_if(lambda x: truth(p(x) is NIL), alist, *args)


@builtin("RASSOC")
def rassoc(item: Any, alist: Any, *args: Any) -> Any:
    test, key = _matcher(args, "RASSOC")
    for entry in _alist_entries(alist):
        if test(item, entry.cdr if key is None else key(entry.cdr)):
            return entry
    return NIL


@builtin("RASSOC-IF")
def rassoc_if(pred: Any, alist: Any, *args: Any) -> Any:
    p, key = function_designator(pred), _predicate_matcher(args, "RASSOC-IF")
    for entry in _alist_entries(alist):
        if p(entry.cdr if key is None else key(entry.cdr)) is not NIL:
            return entry
    return NIL


@builtin("RASSOC-IF-NOT")
def rassoc_if_not(pred: Any, alist: Any, *args: Any) -> Any:
    p = function_designator(pred)
    return rassoc_if(lambda x: truth(p(x) is NIL), alist, *args)


@builtin("ACONS")
def acons(key: Any, datum: Any, alist: Any) -> Cons:
    return cons(cons(key, datum), alist)


@builtin("PAIRLIS")
def pairlis(keys: Any, data: Any, alist: Any = NIL) -> Any:
    ks, ds = to_list(keys), to_list(data)
    if len(ks) != len(ds):
        from lisp.conditions import SimpleError, raise_error

        raise_error(SimpleError("PAIRLIS: the lists of keys and data differ in length (~D and ~D)",
                                len(ks), len(ds)))
    for k, d in zip(ks, ds):
        alist = cons(cons(k, d), alist)
    return alist


@builtin("COPY-ALIST")
def copy_alist(alist: Any) -> Any:
    return from_items([cons(e.car, e.cdr) if isinstance(e, Cons) else e for e in elements(alist)])


# -- property lists --------------------------------------------------------------------------------


def plist_pairs(plist: Any, who: str) -> Iterator[Cons]:
    """The cells holding the indicators of a property list (their cdr holds the value)."""
    cell = check_list(plist)
    while isinstance(cell, Cons):
        if not isinstance(cell.cdr, Cons):
            type_error(plist, expected("LIST"), f"{who}: the property list {_show(plist)} has an odd length")
        yield cell
        cell = cell.cdr.cdr
    if cell is not NIL:
        type_error(cell, _LIST)


@builtin("GETF")
def getf(plist: Any, indicator: Any, default: Any = NIL) -> Any:
    for cell in plist_pairs(plist, "GETF"):
        if cell.car is indicator:
            return cell.cdr.car
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
    from lisp.compiler.places import expansion

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
    wanted = to_list(indicators)
    for cell in plist_pairs(plist, "GET-PROPERTIES"):
        if any(cell.car is w for w in wanted):
            return values(cell.car, cell.cdr.car, cell)
    return values(NIL, NIL, NIL)


# -- trees -----------------------------------------------------------------------------------------


def _tree_matcher(args: tuple[Any, ...], who: str) -> tuple[Callable[[Any, Any], bool], Callable[[Any], Any]]:
    test, key = _matcher(args, who)
    return test, (key or (lambda x: x))


@builtin("SUBST")
def subst(new: Any, old: Any, tree: Any, *args: Any) -> Any:
    test, key = _tree_matcher(args, "SUBST")
    return _substitute_tree(tree, lambda x: test(old, key(x)), lambda x: new)


@builtin("SUBST-IF")
def subst_if(new: Any, pred: Any, tree: Any, *args: Any) -> Any:
    p = function_designator(pred)
    key = _predicate_matcher(args, "SUBST-IF") or (lambda x: x)
    return _substitute_tree(tree, lambda x: p(key(x)) is not NIL, lambda x: new)


@builtin("SUBST-IF-NOT")
def subst_if_not(new: Any, pred: Any, tree: Any, *args: Any) -> Any:
    p = function_designator(pred)
    return subst_if(new, lambda x: truth(p(x) is NIL), tree, *args)


@builtin("SUBLIS")
def sublis(alist: Any, tree: Any, *args: Any) -> Any:
    test, key = _tree_matcher(args, "SUBLIS")
    entries = list(_alist_entries(alist))

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
    return lst if _in(item, to_list(lst), same) else cons(item, lst)


@builtin("UNION")
def union(a: Any, b: Any, *args: Any) -> Any:
    same = _set_args(args, "UNION")
    bs = to_list(b)
    return from_items([x for x in elements(a) if not _in(x, bs, same)] + bs)


@builtin("INTERSECTION")
def intersection(a: Any, b: Any, *args: Any) -> Any:
    same = _set_args(args, "INTERSECTION")
    bs = to_list(b)
    return from_items([x for x in elements(a) if _in(x, bs, same)])


@builtin("SET-DIFFERENCE")
def set_difference(a: Any, b: Any, *args: Any) -> Any:
    same = _set_args(args, "SET-DIFFERENCE")
    bs = to_list(b)
    return from_items([x for x in elements(a) if not _in(x, bs, same)])


@builtin("SET-EXCLUSIVE-OR")
def set_exclusive_or(a: Any, b: Any, *args: Any) -> Any:
    same = _set_args(args, "SET-EXCLUSIVE-OR")
    as_, bs = to_list(a), to_list(b)
    return from_items([x for x in as_ if not _in(x, bs, same)] + [y for y in bs if not _in(y, as_, same)])


@builtin("SUBSETP")
def subsetp(a: Any, b: Any, *args: Any) -> Any:
    same = _set_args(args, "SUBSETP")
    bs = to_list(b)
    return truth(all(_in(x, bs, same) for x in elements(a)))


for _alias, _fn in (("NSUBST", subst), ("NSUBST-IF", subst_if), ("NSUBST-IF-NOT", subst_if_not),
                    ("NSUBLIS", sublis), ("NUNION", union), ("NINTERSECTION", intersection),
                    ("NSET-DIFFERENCE", set_difference), ("NSET-EXCLUSIVE-OR", set_exclusive_or)):
    builtin(_alias)(_fn)
