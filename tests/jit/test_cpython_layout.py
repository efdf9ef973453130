"""The CPython-ABI kit's layout constants and their check at import (jit.cpython.layout)."""

import ctypes
import types

import pytest

from jit.cpython import layout

pytestmark = pytest.mark.skipif(layout.unavailable_reason() is not None,
                                reason=f"kit unavailable: {layout.unavailable_reason()}")


def test_the_check_run_again_agrees_with_the_verdict_at_import():
    assert layout.check() is None


@pytest.mark.parametrize("name, named", [("OB_TYPE", "ob_type"), ("TP_FLAGS", "tp_flags"),
                                         ("OB_REFCNT", "ob_refcnt"), ("OB_SIZE", "tuple"),
                                         ("TP_VECTORCALL_OFFSET", "tp_vectorcall_offset")])
def test_a_misread_offset_is_reported_by_the_check(monkeypatch, name, named):
    monkeypatch.setattr(layout, name, getattr(layout, name) + 8)
    assert named in layout.check()


def test_a_misread_type_slot_offset_is_reported_by_name(monkeypatch):
    monkeypatch.setitem(layout.SLOT_OFFSETS, layout.Slot.tp_iternext, layout.TP_ITERNEXT + 8)
    assert "tp_iternext" in layout.check()


def test_a_function_keeps_its_vectorcall_pointer_where_its_type_says():
    def f():
        pass

    offset = layout.vectorcall_offset(f)
    assert offset > 0
    assert ctypes.c_void_p.from_address(id(f) + offset).value  # not NULL


def test_an_object_whose_type_has_no_vectorcall_has_offset_zero():
    class Plain:
        def __call__(self):
            return 1

    assert layout.vectorcall_offset(Plain()) == 0


def test_tp_flags_is_read_at_its_offset():
    assert ctypes.c_ulong.from_address(id(types.FunctionType) + layout.TP_FLAGS).value == \
        types.FunctionType.__flags__
