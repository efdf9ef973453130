"""Heap types made by the CPython-ABI kit, called through code built with its IR builder, and the
raw field and type-slot helpers (jit.cpython.heaptype, jit.cpython.fields)."""

import gc
import weakref

import pytest

from jit import capi, cpython
from jit.cpython import ir

pytestmark = pytest.mark.skipif(cpython.unavailable_reason() is not None,
                                reason=f"kit unavailable: {cpython.unavailable_reason()}")

ITEM = 24  # the object field of the Box type below


class BoxBase:
    __slots__ = ()


def _box_type():
    return cpython.make_heap_type(BoxBase, "test.Box", 32,
                                  [cpython.vectorcall_member(16), cpython.object_member("item", ITEM)],
                                  [(cpython.Slot.tp_new, capi.address("PyType_GenericNew"))])


def _item_getter(pool, name):
    """Code returning a new reference to its callable's ``item`` field."""
    m = ir.Module()
    f = m.function(name)
    item = f.field(ir.SELF, ITEM)
    f.incref(item)
    f.ret(item)
    return pool.add(m.text(), exports=[name], imports=m.imports())


def test_a_heap_type_instance_is_called_through_its_vectorcall_pointer(pool):
    box = _box_type()()
    box.item = thing = object()
    code = _item_getter(pool, "box_get_item")
    cpython.store_pointer(box, 16, code.address("box_get_item"))
    assert box() is thing
    assert cpython.load_pointer(box, 16) == code.address("box_get_item")
    cpython.store_pointer(box, 16, 0)  # the code is released before the box
    code.release()


def test_an_instance_without_a_vectorcall_pointer_raises_type_error():
    with pytest.raises(TypeError):
        _box_type()()()


def test_an_object_member_is_released_with_its_instance():
    class Thing:
        pass

    box = _box_type()()
    box.item = thing = Thing()
    gone = weakref.ref(thing)
    del thing, box
    gc.collect()
    assert gone() is None


def test_an_object_member_in_a_cycle_is_collected():
    class Thing:
        pass

    box = _box_type()()
    box.item = thing = Thing()
    thing.box = box
    gone = weakref.ref(thing)
    del thing, box
    gc.collect()
    assert gone() is None


def test_a_hidden_member_is_no_attribute_of_the_type():
    tp = cpython.make_heap_type(BoxBase, "test.Hidden", 32,
                                [cpython.vectorcall_member(16), cpython.object_member("item", ITEM, hidden=True)])
    assert not hasattr(tp, "item")


def test_members_overlapping_the_base_layout_are_refused():
    class Based:
        __slots__ = ("x",)

    with pytest.raises(ValueError, match="overlap"):
        cpython.make_heap_type(Based, "test.Overlap", 32, [cpython.vectorcall_member(16)])


def test_a_base_with_its_own_layout_cannot_make_a_callable_type():
    class Based:
        __slots__ = ("x",)

    with pytest.raises(TypeError, match="__slots__"):
        cpython.make_callable_type(Based, "test.NotCallable")


def test_a_callable_type_sends_calls_to_its_fallback_through_the_trampoline():
    tp = cpython.make_callable_type(BoxBase, "test.Callable")
    fn = tp()
    cpython.set_fallback(fn, lambda *args, **kw: (args, kw))
    cpython.store_pointer(fn, cpython.CALLABLE_VECTORCALL, cpython.trampoline_address(cpython.CALLABLE_MISS))
    assert fn(1, 2, k=3) == ((1, 2), {"k": 3})


def test_a_callable_type_instance_takes_attributes_and_weak_references():
    fn = cpython.make_callable_type(BoxBase, "test.Callable")()
    fn.note = "kept in the instance's __dict__"
    assert fn.note == "kept in the instance's __dict__"
    assert weakref.ref(fn)() is fn


def _forwarding(fallback):
    fn = cpython.make_callable_type(BoxBase, "test.Callable")()
    cpython.set_fallback(fn, fallback)
    cpython.store_pointer(fn, cpython.CALLABLE_VECTORCALL, cpython.trampoline_address(cpython.CALLABLE_MISS))
    return fn


class Fallback:
    def __call__(self, *args):
        return args


def test_a_callable_owns_its_fallback_until_it_dies():
    fallback = Fallback()
    fn = _forwarding(fallback)
    ref = weakref.ref(fallback)
    del fallback
    gc.collect()
    assert fn(1) == (1,)
    del fn
    gc.collect()
    assert ref() is None


def test_a_callable_releases_the_fallback_it_replaces():
    first, second = Fallback(), Fallback()
    fn = _forwarding(first)
    ref = weakref.ref(first)
    del first
    cpython.set_fallback(fn, second)
    assert (ref(), fn(2)) == (None, (2,))


def test_a_callables_fallback_is_no_attribute_python_code_could_replace():
    fn = _forwarding(Fallback())
    fn.__fallback__ = None  # an entry of the instance's __dict__, not the slot
    gc.collect()
    assert fn(3) == (3,)


def test_a_callable_in_a_cycle_through_its_fallback_is_collected():
    holder = Fallback()
    fn = _forwarding(holder)
    holder.fn = fn
    ref = weakref.ref(fn)
    del holder, fn
    gc.collect()
    assert ref() is None


def test_a_callable_type_is_final():
    with pytest.raises(TypeError, match="acceptable base"):
        type("Sub", (cpython.make_callable_type(BoxBase, "test.Callable"),), {})


def test_only_a_callable_types_instance_gets_a_fallback():
    with pytest.raises(TypeError, match="make_callable_type"):
        cpython.set_fallback(_box_type()(), Fallback())


def test_the_trampoline_of_a_slot_is_compiled_once():
    assert cpython.trampoline_address(40) == cpython.trampoline_address(40)
    assert cpython.trampoline_address(40) != cpython.trampoline_address(48)


def test_a_slots_member_offset_is_where_its_value_is():
    class Pair:
        __slots__ = ("first", "second")

    pair = Pair()
    pair.second = thing = object()
    assert cpython.load_pointer(pair, cpython.member_offset(Pair, "second")) == id(thing)


def test_a_member_offset_of_no_member_is_a_type_error():
    class Pair:
        __slots__ = ("first",)

        def method(self):
            pass

    with pytest.raises(TypeError, match="method"):
        cpython.member_offset(Pair, "method")


def _iterator_class():
    class It:
        __slots__ = ()

        def __iter__(self):
            return self

        def __next__(self):
            raise StopIteration

    return It


def test_type_slots_are_replaced_only_when_each_holds_what_was_expected():
    It = _iterator_class()

    class Other(It):
        __slots__ = ()

    self_iter = capi.address("PyObject_SelfIter")
    before = cpython.type_slot(It, cpython.Slot.tp_iter)
    with pytest.raises(RuntimeError, match="tp_iter"):
        cpython.replace_type_slots([(Other, cpython.Slot.tp_iter, self_iter, before),
                                    (It, cpython.Slot.tp_iter, self_iter, before + 1)])
    assert cpython.type_slot(Other, cpython.Slot.tp_iter) == before  # nothing changed
    cpython.replace_type_slots([(It, cpython.Slot.tp_iter, self_iter, before)])
    it = It()
    assert iter(it) is it  # PyObject_SelfIter now


def test_a_type_slot_without_a_known_offset_is_refused():
    with pytest.raises(ValueError, match="tp_call"):
        cpython.type_slot(BoxBase, cpython.Slot.tp_call)


def test_a_frozen_type_refuses_new_attributes_and_class_assignment():
    It = _iterator_class()
    Same = type("Same", (), {"__slots__": ()})
    cpython.freeze_type(It, final=False)
    with pytest.raises(TypeError, match="immutable"):
        It.__next__ = lambda self: 1
    with pytest.raises(TypeError):
        It().__class__ = Same
    with pytest.raises(TypeError):
        Same().__class__ = It


def test_a_frozen_final_type_refuses_subclasses_and_keeps_those_it_had():
    It = _iterator_class()
    Before = type("Before", (It,), {"__slots__": ()})
    cpython.freeze_type(It, final=True)
    with pytest.raises(TypeError, match="acceptable base"):
        type("After", (It,), {"__slots__": ()})
    assert list(Before()) == []


def test_a_frozen_type_that_is_not_final_still_takes_subclasses():
    It = _iterator_class()
    cpython.freeze_type(It, final=False)
    Sub = type("Sub", (It,), {"__slots__": ()})
    Sub.note = "a subclass stays mutable"
    assert Sub.note == "a subclass stays mutable"
