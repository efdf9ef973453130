"""The per-thread compiler, the object symbol reader and the unlocked entry points."""

import pytest
from llvmlite.binding import ffi

import jit
from jit import llvm_unlocked
from jit.elf import ObjectFormatError, read_symbols
from jit_test_support import affine_ir, run_in_threads, switch_ir, vectorcall_dispatcher_ir


def test_compile_returns_an_object_defining_the_function_with_its_size():
    code = jit.compile(affine_ir("f", 3, 4), "m")
    assert code.name == "m"
    assert code.data[:4] == b"\x7fELF"
    assert "f" in code.symbols.functions and code.symbols.defined["f"] > 0


def test_object_symbols_list_the_external_references():
    code = jit.compile(vectorcall_dispatcher_ir("d", 4096), "d")
    assert code.symbols.undefined == {"PyObject_Vectorcall"}


def test_read_symbols_rejects_bytes_that_are_not_an_elf_object():
    with pytest.raises(ObjectFormatError, match="not an ELF object"):
        read_symbols(b"definitely not an object file" * 4)


def test_read_symbols_rejects_a_truncated_object():
    data = jit.compile(affine_ir("f", 1, 1), "m").data
    with pytest.raises(ObjectFormatError, match="truncated"):
        read_symbols(data[:100])


def test_assembly_shows_the_function_for_people():
    text = jit.assembly(affine_ir("triple_plus", 3, 4), "m")
    assert "triple_plus:" in text


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_every_optimization_level_compiles(level):
    assert "f" in jit.compile(switch_ir("f"), "m", opt_level=level).symbols.functions


def test_ir_passes_can_be_asked_for():
    assert "f" in jit.compile(switch_ir("f"), "m", ir_passes=True).symbols.functions


def test_the_thread_context_is_recycled_after_many_modules(monkeypatch):
    monkeypatch.setattr(jit.compiler, "CONTEXT_RECYCLE_AFTER", 2)
    for i in range(5):
        assert jit.compile(affine_ir("f", i, i), "m").symbols.defined


def test_threads_compile_concurrently_with_their_own_compilers():
    results = []

    def work(t):
        for i in range(10):
            results.append(jit.compile(switch_ir(f"f{t}_{i}"), "m").symbols.functions)

    assert run_in_threads(work, [(t,) for t in range(4)]) == []
    assert len(results) == 40


def test_every_unlocked_entry_point_states_its_reason():
    assert all(reason.strip() for reason in llvm_unlocked.UNLOCKED.values())


def test_unlocked_entry_points_are_available_with_this_llvmlite():
    assert llvm_unlocked.PARALLEL


def test_compile_and_link_never_take_llvmlites_process_lock():
    pool = jit.JitPool(shards=1)
    try:
        pool.add(affine_ir("warm", 1, 1), exports=["warm"]).release()  # makes the target machine
        taken = []
        acquire, release = (lambda: taken.append(1)), (lambda: None)
        ffi.register_lock_callback(acquire, release)
        try:
            with pool.add(switch_ir("f"), exports=["f"]) as h:
                assert h.address("f")
        finally:
            ffi.unregister_lock_callback(acquire, release)
        assert taken == []
    finally:
        pool.close()


def test_missing_llvmlite_internals_are_detected(monkeypatch):
    class LockedOnly:  # an llvmlite whose wrappers no longer expose the raw function
        argtypes = restype = None

    monkeypatch.setitem(ffi.lib._fntab, "LLVMPY_ParseAssembly", LockedOnly())
    assert llvm_unlocked._raw_functions() is None


def test_the_locked_fallback_still_compiles(monkeypatch):
    monkeypatch.setattr(llvm_unlocked, "_RAW", None)
    assert "f" in jit.compile(affine_ir("f", 1, 2), "m").symbols.functions
