"""Tools for people: the on-disk object cache, IR/assembly dumps, the perf map."""

import os
import subprocess
import sys

import pytest

import jit
from jit import perfmap
from jit.objcache import ObjectCache
from jit_test_support import I64_TO_I64, affine_ir


def _cache_files(directory):
    return sorted(p for p in directory.iterdir() if p.suffix == ".o")


def test_a_second_pool_takes_the_object_from_the_cache(tmp_path):
    with jit.JitPool(shards=1, cache_dir=tmp_path) as first:
        first.add(affine_ir("f", 3, 1), exports=["f"]).release()
    with jit.JitPool(shards=1, cache_dir=tmp_path) as second:
        h = second.add(affine_ir("f", 3, 1), exports=["f"])
        assert I64_TO_I64(h.address("f"))(2) == 7
        stats = second.stats()
        assert (stats["cache_hits"], stats["modules_compiled"]) == (1, 0)


@pytest.mark.parametrize("damage", ["truncate", "flip_a_byte", "garbage"])
def test_a_damaged_cache_entry_is_dropped_and_recompiled(tmp_path, damage):
    with jit.JitPool(shards=1, cache_dir=tmp_path) as first:
        first.add(affine_ir("f", 3, 1), exports=["f"]).release()
    [entry] = _cache_files(tmp_path)
    blob = entry.read_bytes()
    entry.write_bytes({"truncate": blob[:len(blob) // 2],
                       "flip_a_byte": blob[:-40] + bytes([blob[-40] ^ 0xFF]) + blob[-39:],
                       "garbage": b"\0" * 64}[damage])
    with jit.JitPool(shards=1, cache_dir=tmp_path) as second:
        h = second.add(affine_ir("f", 3, 1), exports=["f"])
        assert I64_TO_I64(h.address("f"))(2) == 7
        stats = second.stats()
        assert (stats["cache_hits"], stats["cache_misses"], stats["modules_compiled"]) == (0, 1, 1)
    assert entry.read_bytes() == blob  # the recompiled object replaced the damaged entry


def test_cache_writes_leave_no_temporary_files(tmp_path):
    with jit.JitPool(shards=1, cache_dir=tmp_path) as pool:
        for i in range(3):
            pool.add(affine_ir(f"f{i}", i, i), exports=[f"f{i}"]).release()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp")] == []
    assert len(_cache_files(tmp_path)) == 3


def test_cache_key_depends_on_the_optimization_level(tmp_path):
    ir = affine_ir("f", 3, 1)
    for level in (0, 2):
        with jit.JitPool(shards=1, cache_dir=tmp_path, opt_level=level) as pool:
            pool.add(ir, exports=["f"]).release()
    assert len(_cache_files(tmp_path)) == 2


def test_cache_key_separates_its_parts():
    assert ObjectCache.key("c", ("a", "b")) != ObjectCache.key("bc", ("a",))


def test_gfjit_cache_dir_turns_the_cache_on(tmp_path, monkeypatch):
    monkeypatch.setenv("GFJIT_CACHE_DIR", str(tmp_path))
    with jit.JitPool(shards=1) as pool:
        pool.add(affine_ir("f", 1, 2), exports=["f"]).release()
    assert len(_cache_files(tmp_path)) == 1


def test_dumps_write_ir_optimized_ir_and_assembly_per_module(tmp_path):
    dump = jit.DumpConfig(frozenset({"ir", "opt", "asm"}), tmp_path)
    with jit.JitPool(shards=1, dump=dump) as pool:
        pool.add(affine_ir("dumped", 3, 1), exports=["dumped"], name="mod").release()
    files = {p.name.split("-", 2)[2]: p.read_text() for p in tmp_path.iterdir()}
    assert set(files) == {"mod.ll", "mod.opt.ll", "mod.s"}
    assert files["mod.ll"] == affine_ir("dumped", 3, 1)
    assert "define i64 @dumped" in files["mod.opt.ll"]
    assert "dumped:" in files["mod.s"]


def test_gfjit_dump_selects_the_dumps(tmp_path, monkeypatch):
    monkeypatch.setenv("GFJIT_DUMP", "asm")
    monkeypatch.setenv("GFJIT_DUMP_DIR", str(tmp_path))
    jit.compile(affine_ir("f", 1, 1), "envmod")
    assert [p.name.split("-", 2)[2] for p in tmp_path.iterdir()] == ["envmod.s"]


def test_an_unknown_dump_kind_in_gfjit_dump_warns_and_the_compile_goes_on(monkeypatch):
    monkeypatch.setenv("GFJIT_DUMP", "ir,bitcode")
    with pytest.warns(RuntimeWarning, match="GFJIT_DUMP='ir,bitcode' ignored.*bitcode"):
        code = jit.compile(affine_ir("f", 1, 1), "m")
    assert "f" in code.symbols.functions


def test_an_unknown_dump_kind_in_a_dump_config_raises_value_error():
    with pytest.raises(ValueError, match="unknown dump kind.*bitcode"):
        jit.DumpConfig(frozenset({"ir", "bitcode"}))


def test_perf_map_names_each_function_with_its_address_and_size():
    with jit.JitPool(shards=1, perf_map=True) as pool:
        ir = affine_ir("perf_f", 3, 1) + affine_ir("perf_helper", 1, 0)
        code = jit.compile(ir, "perfmod")
        h = pool.add(code, exports=["perf_f"])
        with open(perfmap.path()) as f:
            lines = [line.split() for line in f]
        entries = {name: (int(start, 16), int(size, 16)) for start, size, name in lines}
        assert entries["perf_f"] == (h.address("perf_f"), code.symbols.defined["perf_f"])
        assert entries["perf_helper"][1] == code.symbols.defined["perf_helper"]


def test_gfjit_perf_map_turns_the_perf_map_on(monkeypatch):
    monkeypatch.setenv("GFJIT_PERF_MAP", "1")
    with jit.JitPool(shards=1) as pool:
        h = pool.add(affine_ir("perf_env_f", 1, 1), exports=["perf_env_f"])
        with open(perfmap.path()) as f:
            assert f"{h.address('perf_env_f'):x}" in f.read()
        assert os.path.basename(perfmap.path()) == f"perf-{os.getpid()}.map"


def test_a_fresh_process_can_start_from_a_warm_cache(tmp_path):
    # The first add is a cache hit, so nothing has compiled (or initialized LLVM) before the link.
    program = (
        "import sys, jit\n"
        f"sys.path.insert(0, {os.path.dirname(__file__)!r})\n"
        "from jit_test_support import I64_TO_I64, affine_ir\n"
        f"with jit.JitPool(shards=1, cache_dir={str(tmp_path)!r}) as pool:\n"
        "    h = pool.add(affine_ir('f', 2, 3), exports=['f'])\n"
        "    print(I64_TO_I64(h.address('f'))(4), pool.stats()['cache_hits'])\n")
    runs = [subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                           timeout=60) for _ in range(2)]
    assert [(r.returncode, r.stdout.split()) for r in runs] == [(0, ["11", "0"]),
                                                               (0, ["11", "1"])]


def test_a_cache_directory_that_vanished_only_costs_compile_time(tmp_path):
    directory = tmp_path / "cache"
    with jit.JitPool(shards=1, cache_dir=directory) as pool:
        directory.rmdir()
        handle = pool.add(affine_ir("f", 3, 1), exports=["f"])
        assert I64_TO_I64(handle.address("f"))(2) == 7
        handle.release()
        assert pool.stats()["cache_write_failures"] == 1


def test_an_unusable_gfjit_cache_dir_warns_and_compiles_without_a_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("GFJIT_CACHE_DIR", str(blocker / "cache"))
    with pytest.warns(RuntimeWarning, match="not usable"):
        pool = jit.JitPool(shards=1)
    with pool:
        pool.add(affine_ir("f", 1, 2), exports=["f"]).release()
        assert pool.stats()["cache_misses"] == 0


def test_add_compiles_at_the_level_it_is_given_through_the_cache(tmp_path):
    ir = affine_ir("f", 3, 1)
    with jit.JitPool(shards=1, cache_dir=tmp_path, opt_level=2) as pool:
        pool.add(ir, exports=["f"], opt_level=0).release()
        pool.add(ir, exports=["f"], opt_level=0).release()
        pool.add(ir, exports=["f"]).release()
        stats = pool.stats()
    assert (stats["cache_hits"], stats["cache_misses"]) == (1, 2)
    assert len(_cache_files(tmp_path)) == 2


def test_add_leaves_the_cache_alone_when_asked(tmp_path):
    with jit.JitPool(shards=1, cache_dir=tmp_path) as pool:
        pool.add(affine_ir("f", 3, 1), exports=["f"], cache=False).release()
        stats = pool.stats()
    assert (stats["cache_hits"], stats["cache_misses"], stats["modules_compiled"]) == (0, 0, 1)
    assert _cache_files(tmp_path) == []
