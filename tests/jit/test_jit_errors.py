"""Every bad input raises its own JitError, and the pool keeps working afterwards."""

import pytest

import jit
from jit_test_support import I64_TO_I64, affine, affine_ir, run_in_threads

BAD_SYNTAX = "define i64 @f(i64 %x) {\n  %y = add i64 %x, %z\n  ret i64 %y\n}\n"
BAD_VERIFY = ("define i64 @f() {\nentry:\n  br label %b\nb:\n"
              "  %y = add i64 %y, 1\n  ret i64 %y\n}\n")
CALLS_UNDEFINED = ("declare i64 @gfjit_no_such_function(i64)\n"
                   "define i64 @f(i64 %x) {\n"
                   "  %r = call i64 @gfjit_no_such_function(i64 %x)\n  ret i64 %r\n}\n")


def test_syntax_error_carries_llvm_message_line_column_and_source_line():
    with pytest.raises(jit.IRSyntaxError) as caught:
        jit.compile(BAD_SYNTAX, "bad")
    err = caught.value
    assert (err.line, err.column) == (2, 20)
    assert "undefined value '%z'" in err.message
    assert err.source_line == "  %y = add i64 %x, %z"
    assert "bad:2:20" in str(err)


def test_verifier_failure_raises_ir_verify_error():
    with pytest.raises(jit.IRVerifyError, match="Only PHI nodes may reference their own value"):
        jit.compile(BAD_VERIFY, "bad")


def test_undefined_external_symbol_raises_undefined_symbol_error(pool):
    with pytest.raises(jit.UndefinedSymbolError, match="gfjit_no_such_function") as caught:
        pool.add(CALLS_UNDEFINED, exports=["f"])
    assert caught.value.names == ["gfjit_no_such_function"]


def test_imports_satisfy_an_undefined_symbol(pool):
    helper = pool.add(affine_ir("helper", 2, 1), exports=["helper"])
    ir = CALLS_UNDEFINED.replace("gfjit_no_such_function", "helper_fn")
    h = pool.add(ir, exports=["f"], imports={"helper_fn": helper.address("helper")})
    assert I64_TO_I64(h.address("f"))(10) == 21


def test_export_the_module_does_not_define_raises_missing_export_error(pool):
    with pytest.raises(jit.MissingExportError, match=r"symbol\(s\) g \(it defines: f\)"):
        pool.add(affine_ir("f", 1, 1), exports=["f", "g"])


def test_export_already_live_raises_duplicate_symbol_error(pool):
    keep = pool.add(affine_ir("f", 1, 1), exports=["f"])
    with pytest.raises(jit.DuplicateSymbolError, match="f already live"):
        pool.add(affine_ir("f", 2, 2), exports=["f"])
    assert I64_TO_I64(keep.address("f"))(1) == 2


def test_export_listed_twice_raises_duplicate_symbol_error(pool):
    with pytest.raises(jit.DuplicateSymbolError, match="more than once"):
        pool.add(affine_ir("f", 1, 1), exports=["f", "f"])


def test_exports_given_as_a_string_raise_type_error(pool):
    with pytest.raises(TypeError, match="iterable of names"):
        pool.add(affine_ir("f", 1, 1), exports="f")


def test_import_address_that_is_not_an_int_raises_type_error(pool):
    with pytest.raises(TypeError, match="'g' needs an address"):
        pool.add(affine_ir("f", 1, 1), exports=["f"], imports={"g": "0x10"})


def test_non_string_ir_raises_type_error(pool):
    with pytest.raises(TypeError, match="LLVM IR text or an ObjectCode"):
        pool.add(b"define", exports=["f"])


def test_bad_opt_level_raises_value_error():
    with pytest.raises(ValueError, match="opt_level"):
        jit.JitPool(opt_level=5)


def test_bad_shard_count_raises_value_error():
    with pytest.raises(ValueError, match="shards"):
        jit.JitPool(shards=0)


def test_add_after_close_raises_pool_closed_error(pool):
    pool.close()
    with pytest.raises(jit.PoolClosedError):
        pool.add(affine_ir("f", 1, 1), exports=["f"])


def test_lookup_after_close_raises_pool_closed_error(pool):
    pool.add(affine_ir("f", 1, 1), exports=["f"])
    pool.close()
    with pytest.raises(jit.PoolClosedError):
        pool.lookup("f")


def test_handle_address_after_close_raises_pool_closed_error(pool):
    h = pool.add(affine_ir("f", 1, 1), exports=["f"])
    pool.close()
    with pytest.raises(jit.PoolClosedError):
        h.address("f")
    h.release()  # still allowed, and harmless


def test_close_is_idempotent(pool):
    pool.close()
    pool.close()
    assert pool.closed


def _bad_inputs(pool):
    """One of each bad add; each must raise a JitError."""
    return [
        lambda: pool.add(BAD_SYNTAX, exports=["f"]),
        lambda: pool.add(BAD_VERIFY, exports=["f"]),
        lambda: pool.add(CALLS_UNDEFINED, exports=["f"]),
        lambda: pool.add(affine_ir("f", 1, 1), exports=["nope"]),
        lambda: pool.add(affine_ir("f", 1, 1), exports=["f", "f"]),
    ]


@pytest.mark.timeout(60)
def test_pool_still_compiles_links_and_runs_from_several_threads_after_every_error(pool):
    for bad in _bad_inputs(pool):
        with pytest.raises(jit.JitError):
            bad()
    results = {}

    def work(t):
        for i in range(5):
            name = f"ok_{t}_{i}"
            with pool.add(affine_ir(name, t + 2, i), exports=[name]) as h:
                results[name] = I64_TO_I64(h.address(name))(10) == affine(t + 2, i, 10)

    assert run_in_threads(work, [(t,) for t in range(4)]) == []
    assert len(results) == 20 and all(results.values())
    assert pool.stats()["modules_live"] == 0


def test_an_import_clashing_with_a_definition_raises_link_error_and_the_pool_recovers(pool):
    with pytest.raises(jit.LinkError, match="duplicate definition of symbol 'f'"):
        pool.add(affine_ir("f", 1, 1), exports=["f"], imports={"f": 4096})
    h = pool.add(affine_ir("f", 2, 1), exports=["f"])
    assert I64_TO_I64(h.address("f"))(1) == 3


def test_object_code_from_bytes_that_are_not_an_object_raises_a_jit_error():
    with pytest.raises(jit.JitError, match="not an ELF object"):
        jit.ObjectCode.from_bytes("junk", b"junk" * 20)


def test_stats_stay_readable_after_close(pool):
    pool.add(affine_ir("f", 1, 1), exports=["f"])
    pool.close()
    stats = pool.stats()
    assert (stats["modules_added"], stats["modules_live"]) == (1, 0)


def test_ir_with_a_nul_character_raises_ir_syntax_error_at_its_position():
    ir = affine_ir("f", 1, 1) + "; comment\0define i64 @g() {\n  ret i64 0\n}\n"
    with pytest.raises(jit.IRSyntaxError, match="NUL character") as caught:
        jit.compile(ir, "nul")
    assert (caught.value.line, caught.value.column) == (6, 10)
    assert caught.value.source_line == "; comment\\x00define i64 @g() {"


def test_ir_with_a_lone_surrogate_raises_ir_syntax_error_at_its_position():
    ir = "define i64 @f() {\n  ret i64 0 ; caf\udce9\n}\n"
    with pytest.raises(jit.IRSyntaxError, match="lone surrogate U\\+DCE9") as caught:
        jit.compile(ir, "surrogate")
    assert (caught.value.line, caught.value.column) == (2, 18)
    str(caught.value).encode("utf-8")  # the message itself can be printed


@pytest.mark.parametrize("bad", ["\0", "\ud800"])
def test_pool_add_refuses_ir_with_a_character_llvm_cannot_take(pool, bad):
    with pytest.raises(jit.IRSyntaxError, match="IR contains"):
        pool.add(affine_ir("f", 1, 1) + bad, exports=["f"])
    with pool.add(affine_ir("f", 1, 1), exports=["f"]) as handle:
        assert I64_TO_I64(handle.address("f"))(1) == 2
