"""What Python code may and may not do with the native types, in this process: the refusals are
exceptions, and what is allowed (subclasses of Cons, finalizers and weak references on them)
works through the native deallocation."""

from __future__ import annotations

import gc
import weakref

import pytest

from lisp.runtime import native_cons
from lisp.runtime.data import NIL, Cons, SourceCons
from tests.adversarial.attacks import generic_parts

pytestmark = pytest.mark.skipif(not native_cons.native_enabled, reason="native conses disabled")
ITERATORS = [native_cons.ListIterator, native_cons.LoopListIterator]


@pytest.mark.parametrize("cls", [Cons, *ITERATORS])
@pytest.mark.parametrize("name", ["__del__", "__next__", "__iter__", "car"])
def test_a_class_with_native_slots_takes_no_new_attribute(cls, name):
    with pytest.raises(TypeError, match="immutable"):
        setattr(cls, name, lambda self: None)


@pytest.mark.parametrize("cls", [Cons, *ITERATORS])
def test_a_class_with_native_slots_keeps_its_attributes(cls):
    with pytest.raises(TypeError, match="immutable"):
        delattr(cls, "__init__")


def test_a_cons_cannot_change_class_nor_become_a_cons():
    class Same(Cons):
        __slots__ = ()

    with pytest.raises(TypeError, match="__class__ assignment"):
        native_cons.cons(1, 2).__class__ = Same
    with pytest.raises(TypeError, match="__class__ assignment"):
        Same(1, 2).__class__ = Cons


def test_a_list_iterator_cannot_change_class():
    class Twin:
        __slots__ = ("cell",)

    with pytest.raises(TypeError, match="__class__ assignment"):
        native_cons.list_iter(NIL).__class__ = Twin
    twin = Twin()
    with pytest.raises(TypeError, match="__class__ assignment"):
        twin.__class__ = native_cons.ListIterator


@pytest.mark.parametrize("cls", ITERATORS)
def test_a_list_iterator_class_takes_no_subclass(cls):
    with pytest.raises(TypeError, match="not an acceptable base type"):
        type("Sub", (cls,), {})


def test_the_callable_types_of_native_functions_take_no_subclass():
    for made in (native_cons.cons, *generic_parts().values()):
        with pytest.raises(TypeError, match="not an acceptable base type"):
            type("Sub", (type(made),), {})


def test_a_subclass_of_cons_with_a_resurrecting_finalizer_keeps_its_object_whole():
    kept = []

    class Phoenix(Cons):
        def __del__(self):
            kept.append(self)

    cell = Phoenix(1, native_cons.list_of(2, 3))
    del cell
    gc.collect()
    (back,) = kept
    assert native_cons.to_list(back) == [1, 2, 3]
    kept.clear()  # dies for good now: its finalizer ran once
    gc.collect()
    assert kept == []


def test_a_subclass_of_cons_with_weak_references_dies_through_the_native_dealloc():
    seen = []

    class Weak(Cons):
        __slots__ = ("__weakref__",)

    cell = Weak(1, native_cons.list_of(2, 3))
    ref = weakref.ref(cell, lambda _: seen.append(native_cons.length(native_cons.list_of(4, 5))))
    before = native_cons.freelist_length()
    del cell
    assert (ref(), seen) == (None, [2])
    assert native_cons.freelist_length() >= min(before + 2, native_cons.FREELIST_MAX)  # its cdr's cells


def test_a_source_cons_subclass_with_a_dict_works_like_a_cons():
    class Noted(SourceCons):
        pass

    cell = Noted(1, native_cons.list_of(2), None)
    cell.note = "kept"
    assert (native_cons.to_list(cell), list(native_cons.list_iter(cell)), cell.note) == ([1, 2], [1, 2], "kept")


def test_named_refuses_what_is_not_a_walker_or_mapper_of_its_own():
    for fn in (native_cons.cons, native_cons.evenp, len, lambda lst, who=None: lst):
        with pytest.raises(TypeError, match="not a list walker or mapper"):
            native_cons.named(fn, "X")
