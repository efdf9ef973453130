"""JitPool: add, address, lookup, release, close."""

import ctypes
import gc

import pytest

import jit
from jit_test_support import (I64_TO_I64, affine_ir, call_vectorcall, run_in_threads,
                              vectorcall_dispatcher_ir)


def test_added_function_runs_at_its_address(pool):
    h = pool.add(affine_ir("f", 3, 4), exports=["f"])
    assert I64_TO_I64(h.address("f"))(5) == 19


def test_lookup_returns_a_handle_on_the_same_code(pool):
    h = pool.add(affine_ir("f", 3, 4), exports=["f"])
    assert pool.lookup("f").address("f") == h.address("f")


def test_lookup_of_an_unknown_name_raises_symbol_not_found(pool):
    with pytest.raises(jit.SymbolNotFound, match="nope"):
        pool.lookup("nope")


def test_release_withdraws_the_exports(pool):
    h = pool.add(affine_ir("f", 1, 1), exports=["f"])
    h.release()
    with pytest.raises(jit.SymbolNotFound):
        pool.lookup("f")


def test_release_is_idempotent(pool):
    h = pool.add(affine_ir("f", 1, 1), exports=["f"])
    h.release()
    h.release()
    assert pool.stats()["modules_freed"] == 1


def test_a_released_name_can_be_added_again(pool):
    pool.add(affine_ir("f", 1, 1), exports=["f"]).release()
    h = pool.add(affine_ir("f", 2, 0), exports=["f"])
    assert I64_TO_I64(h.address("f"))(21) == 42


def test_address_of_a_released_handle_raises(pool):
    h = pool.add(affine_ir("f", 1, 1), exports=["f"])
    h.release()
    with pytest.raises(jit.HandleReleasedError):
        h.address("f")


def test_address_of_a_name_not_exported_raises_symbol_not_found(pool):
    h = pool.add(affine_ir("f", 1, 1), exports=["f"])
    with pytest.raises(jit.SymbolNotFound, match="exports no symbol 'g'"):
        h.address("g")


def test_context_manager_releases_the_handle(pool):
    with pool.add(affine_ir("f", 1, 1), exports=["f"]) as h:
        assert not h.released
    assert h.released
    with pytest.raises(jit.SymbolNotFound):
        pool.lookup("f")


def test_garbage_collection_releases_an_unreferenced_handle(pool):
    pool.add(affine_ir("f", 1, 1), exports=["f"])  # handle dropped at once
    gc.collect()
    assert pool.stats()["modules_freed"] == 1
    with pytest.raises(jit.SymbolNotFound):
        pool.lookup("f")


def test_code_outlives_its_owner_while_a_looked_up_handle_is_held(pool):
    owner = pool.add(affine_ir("f", 5, 0), exports=["f"])
    lease = pool.lookup("f")
    owner.release()
    assert pool.stats()["modules_freed"] == 0
    assert I64_TO_I64(lease.address("f"))(3) == 15
    lease.release()
    assert pool.stats()["modules_freed"] == 1


def test_one_module_can_export_several_functions(pool):
    ir = affine_ir("f", 2, 0) + affine_ir("g", 3, 0)
    h = pool.add(ir, exports=["f", "g"])
    assert I64_TO_I64(h.address("f"))(5) == 10
    assert I64_TO_I64(pool.lookup("g").address("g"))(5) == 15


def test_add_accepts_precompiled_object_code(pool):
    code = jit.compile(affine_ir("f", 7, 1), "seven")
    h = pool.add(code, exports=["f"])
    assert h.name == "seven"
    assert I64_TO_I64(h.address("f"))(2) == 15


def test_vectorcall_dispatcher_tail_calls_a_python_function(pool):
    def target(a, b):
        return (a, b, "called")

    ir = vectorcall_dispatcher_ir("disp_1", id(target))
    h = pool.add(ir, exports=["disp_1"],
                 imports={"PyObject_Vectorcall": jit.capi.address("PyObject_Vectorcall")})
    assert call_vectorcall(h.address("disp_1"), None, 1, "x") == (1, "x", "called")


def test_vectorcall_dispatcher_propagates_the_python_exception(pool):
    def target(a):
        raise LookupError(f"no method for {a!r}")

    ir = vectorcall_dispatcher_ir("disp_2", id(target))
    h = pool.add(ir, exports=["disp_2"],
                 imports={"PyObject_Vectorcall": jit.capi.address("PyObject_Vectorcall")})
    with pytest.raises(LookupError, match="no method for 7"):
        call_vectorcall(h.address("disp_2"), None, 7)


def test_undefined_symbols_resolve_from_the_process_when_not_imported(pool):
    def target():
        return 99

    h = pool.add(vectorcall_dispatcher_ir("disp_3", id(target)), exports=["disp_3"])
    assert call_vectorcall(h.address("disp_3"), None) == 99


class _TickingClock:
    """A perf_counter that moves one second each time it is read: each timed step takes 1 s."""

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        self.now += 1.0
        return self.now


def test_stats_count_added_live_and_freed_modules(pool, monkeypatch):
    monkeypatch.setattr(jit.pool, "time", _TickingClock())
    handles = [pool.add(affine_ir(f"f{i}", i, 0), exports=[f"f{i}"]) for i in range(3)]
    handles[0].release()
    stats = pool.stats()
    assert (stats["modules_added"], stats["modules_live"], stats["modules_freed"]) == (3, 2, 1)
    # The pool adds up what its clock says each compile and each link took.
    assert (stats["compile_seconds"], stats["link_seconds"]) == (3.0, 3.0)
    assert len(stats["lock_waits"]) == 2


def test_default_pool_is_one_process_wide_pool_whichever_thread_asks_first():
    seen = []
    assert run_in_threads(lambda: seen.append(jit.default_pool()), [()] * 4) == []
    assert all(p is jit.default_pool() for p in seen)


def test_capi_address_is_the_address_ctypes_sees():
    expected = ctypes.cast(ctypes.pythonapi.PyObject_Vectorcall, ctypes.c_void_p).value
    assert jit.capi.address("PyObject_Vectorcall") == expected


def test_capi_address_of_an_unknown_name_raises_value_error():
    with pytest.raises(ValueError, match="PyNoSuchFunction"):
        jit.capi.address("PyNoSuchFunction")


def test_a_global_variable_can_be_exported_and_read(pool):
    h = pool.add("@answer = global i64 42\n", exports=["answer"])
    assert ctypes.c_int64.from_address(h.address("answer")).value == 42
