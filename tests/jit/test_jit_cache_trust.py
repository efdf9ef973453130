"""The object cache runs only machine code this user wrote: entries planted, forged, moved, shared
or made unreadable by someone else are recompiled, never run, and can neither hang nor exhaust
the process."""

import json
import os
import stat
import subprocess
import sys
import textwrap

import pytest

import jit
from jit import cachekey, objcache
from jit_test_support import I64_TO_I64, affine_ir, run_python

IR = affine_ir("f", 3, 1)  # f(2) == 7
PLANTED_IR = affine_ir("f", 0, 666)  # what a planter would rather have run: f(x) == 666
needs_root = pytest.mark.skipif(os.geteuid() != 0,
                                reason="giving a file to another user needs root")


def _entries(directory):
    return sorted(p for p in directory.iterdir() if p.suffix == ".o")


def _fill(directory, ir=IR, opt_level=2):
    """Compile `ir` into the cache in `directory` and return the entry's path."""
    before = set(_entries(directory)) if directory.exists() else set()
    with jit.JitPool(shards=1, cache_dir=directory, opt_level=opt_level) as pool:
        pool.add(ir, exports=["f"]).release()
    [entry] = set(_entries(directory)) - before
    return entry


def _run_f_through(directory):
    """Add IR through the cache in `directory`: (f(2), the pool's cache statistics)."""
    with jit.JitPool(shards=1, cache_dir=directory) as pool:
        with pool.add(IR, exports=["f"]) as handle:
            result = I64_TO_I64(handle.address("f"))(2)
        stats = pool.stats()
    return result, {k: stats.get(k) for k in ("cache_hits", "cache_rejected", "modules_compiled")}


REJECTED = (7, {"cache_hits": 0, "cache_rejected": 1, "modules_compiled": 1})


def test_the_cache_directory_and_its_entries_are_private(tmp_path):
    entry = _fill(tmp_path / "cache")
    assert stat.S_IMODE((tmp_path / "cache").stat().st_mode) == 0o700
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600


def test_an_entry_made_with_another_users_key_is_recompiled_not_run(tmp_path, monkeypatch):
    # The planter runs gfjit with their own key, then names their entry after the victim's IR.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "planter-config"))
    planted = _fill(tmp_path / "planter-cache", PLANTED_IR)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "victim-config"))
    victim = _fill(tmp_path / "cache")
    victim.write_bytes(planted.read_bytes())
    assert _run_f_through(tmp_path / "cache") == REJECTED


def test_an_entry_moved_to_another_name_is_recompiled_not_run(tmp_path):
    planted = _fill(tmp_path / "cache", PLANTED_IR)
    victim = _fill(tmp_path / "cache")
    os.replace(planted, victim)
    assert _run_f_through(tmp_path / "cache") == REJECTED


def test_an_entry_writable_by_group_or_others_is_recompiled_not_run(tmp_path):
    entry = _fill(tmp_path / "cache")
    entry.chmod(0o666)
    with pytest.warns(RuntimeWarning, match="refused.*lets group or others write it"):
        assert _run_f_through(tmp_path / "cache") == REJECTED


@needs_root
def test_an_entry_owned_by_another_user_is_recompiled_not_run(tmp_path):
    entry = _fill(tmp_path / "cache")
    os.chown(entry, 12345, 12345)
    with pytest.warns(RuntimeWarning, match="owned by uid 12345"):
        assert _run_f_through(tmp_path / "cache") == REJECTED


def test_an_entry_that_is_a_symbolic_link_is_not_followed(tmp_path):
    elsewhere = _fill(tmp_path / "elsewhere")
    entry = _fill(tmp_path / "cache")
    entry.unlink()
    entry.symlink_to(elsewhere)
    with pytest.warns(RuntimeWarning, match="a symbolic link"):
        assert _run_f_through(tmp_path / "cache") == REJECTED


def test_an_entry_larger_than_the_bound_is_refused_unread(tmp_path):
    entry = _fill(tmp_path / "cache")
    with open(entry, "r+b") as f:
        f.truncate(objcache.MAX_ENTRY + 4096)  # sparse: costs no disk
    with pytest.warns(RuntimeWarning, match="more than the"):
        assert _run_f_through(tmp_path / "cache") == REJECTED


def test_a_recompiled_entry_replaces_the_refused_one(tmp_path):
    entry = _fill(tmp_path / "cache")
    good = entry.read_bytes()
    entry.chmod(0o664)
    with pytest.warns(RuntimeWarning):
        _run_f_through(tmp_path / "cache")
    assert entry.read_bytes() == good and stat.S_IMODE(entry.stat().st_mode) == 0o600


def test_an_explicit_cache_directory_writable_by_others_raises_naming_it(tmp_path):
    directory = tmp_path / "shared"
    directory.mkdir(mode=0o700)
    directory.chmod(0o777)
    with pytest.raises(jit.CacheDirectoryError, match=f"{directory}.*lets group or others write"):
        jit.JitPool(shards=1, cache_dir=directory)


@needs_root
def test_an_explicit_cache_directory_owned_by_another_user_raises_naming_it(tmp_path):
    directory = tmp_path / "theirs"
    directory.mkdir(mode=0o700)
    os.chown(directory, 12345, 12345)
    with pytest.raises(jit.CacheDirectoryError, match=f"{directory}.*owned by uid 12345"):
        jit.JitPool(shards=1, cache_dir=directory)


def test_a_cache_directory_from_the_environment_that_others_can_write_is_refused_with_a_warning(
        tmp_path, monkeypatch):
    directory = tmp_path / "shared"
    directory.mkdir(mode=0o700)
    directory.chmod(0o775)
    monkeypatch.setenv("GFJIT_CACHE_DIR", str(directory))
    with pytest.warns(RuntimeWarning, match=f"{directory}.*not usable.*lets group or others"):
        pool = jit.JitPool(shards=1)
    with pool:
        pool.add(IR, exports=["f"]).release()
        assert pool.stats()["cache_misses"] == 0
    assert _entries(directory) == []


def test_a_cache_directory_opened_up_later_is_no_longer_trusted(tmp_path):
    entry = _fill(tmp_path / "cache")
    with jit.JitPool(shards=1, cache_dir=tmp_path / "cache") as pool:
        (tmp_path / "cache").chmod(0o777)
        with pytest.warns(RuntimeWarning, match="object cache refused"):
            with pool.add(IR, exports=["f"]) as handle:
                assert I64_TO_I64(handle.address("f"))(2) == 7
        assert (pool.stats()["cache_hits"], pool.stats()["modules_compiled"]) == (0, 1)
    assert entry.exists()


def test_a_cache_dir_that_is_a_regular_file_raises_cache_directory_error_naming_it(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(jit.CacheDirectoryError, match=f"{blocker}"):
        jit.JitPool(shards=1, cache_dir=blocker)


# -- the key ------------------------------------------------------------------------------------

def test_the_key_is_made_once_private_and_outside_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    _fill(tmp_path / "cache")
    key = tmp_path / "config" / "gfjit" / "cache.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert len(key.read_bytes()) == cachekey.KEY_BYTES
    assert cachekey.user_key() == key.read_bytes()


def test_a_key_others_can_read_turns_the_cache_off_with_one_warning(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    key = tmp_path / "config" / "gfjit" / "cache.key"
    key.parent.mkdir(parents=True, mode=0o700)
    key.write_bytes(b"k" * cachekey.KEY_BYTES)
    key.chmod(0o644)
    with pytest.warns(RuntimeWarning,
                      match="object cache is off.*cache.key.*read or write") as caught:
        pools = [jit.JitPool(shards=1, cache_dir=tmp_path / "cache") for _ in range(2)]
    assert len(caught) == 1
    for pool in pools:
        with pool:
            pool.add(IR, exports=["f"]).release()
            assert pool.stats()["cache_misses"] == 0


def test_a_key_that_cannot_be_made_turns_the_cache_off(tmp_path, monkeypatch):
    (tmp_path / "config").write_text("a file where the config directory should be")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    with pytest.warns(RuntimeWarning, match="object cache is off"):
        pool = jit.JitPool(shards=1, cache_dir=tmp_path / "cache")
    with pool:
        pool.add(IR, exports=["f"]).release()
        assert (pool.stats()["cache_misses"], _entries(tmp_path / "cache")) == (0, [])


@pytest.mark.timeout(120)
def test_processes_starting_together_agree_on_one_key(tmp_path):
    program = """
        import sys
        from jit import cachekey
        sys.stdin.readline()  # all start, then all make the key at once
        print(cachekey.user_key().hex())
    """
    children = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(program)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                 env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path)})
                for _ in range(4)]
    outputs = [child.communicate("go\n", timeout=100)[0].strip() for child in children]
    assert len(set(outputs)) == 1 and len(outputs[0]) == 2 * cachekey.KEY_BYTES
    assert (tmp_path / "gfjit" / "cache.key").read_bytes().hex() == outputs[0]


# -- entries that would hang or exhaust memory (in a child, with bounded time and memory) --------

_ADD_THROUGH_CACHE = """
    import json, resource, jit
    from jit_test_support import I64_TO_I64, affine_ir
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, resource.RLIM_INFINITY))
    import warnings
    warnings.simplefilter("ignore")
    with jit.JitPool(shards=1, cache_dir={directory!r}) as pool:
        with pool.add(affine_ir("f", 3, 1), exports=["f"]) as handle:
            print(json.dumps([I64_TO_I64(handle.address("f"))(2), pool.stats()["cache_rejected"]]))
"""


def _plant_and_add(tmp_path, plant):
    entry = _fill(tmp_path / "cache")
    entry.unlink()
    plant(entry)
    done = run_python(_ADD_THROUGH_CACHE.format(directory=str(tmp_path / "cache")), timeout=60)
    return done.returncode, json.loads(done.stdout or "null")


@pytest.mark.timeout(120)
def test_an_entry_that_is_a_fifo_neither_blocks_nor_is_trusted(tmp_path):
    assert _plant_and_add(tmp_path, os.mkfifo) == (0, [7, 1])


@pytest.mark.timeout(120)
def test_an_entry_linked_to_dev_zero_neither_hangs_nor_exhausts_memory(tmp_path):
    assert _plant_and_add(tmp_path, lambda entry: entry.symlink_to("/dev/zero")) == (0, [7, 1])


# -- the per-user default cache -------------------------------------------------------------------

@pytest.mark.parametrize("env, expected", [
    ({"XDG_CACHE_HOME": "/x/cache"}, "/x/cache/gfjit"),
    ({"XDG_CACHE_HOME": "relative/is/ignored", "HOME": "/home/u"}, "/home/u/.cache/gfjit"),
    ({"HOME": "/home/u"}, "/home/u/.cache/gfjit"),
    ({"GFJIT_CACHE_DIR": "/elsewhere", "XDG_CACHE_HOME": "/x"}, "/elsewhere"),
    ({"GFJIT_CACHE_DIR": "", "XDG_CACHE_HOME": "/x"}, None),
    ({"GFJIT_CACHE": "0", "GFJIT_CACHE_DIR": "/elsewhere"}, None),
])
def test_default_cache_dir_follows_the_environment(monkeypatch, env, expected):
    for name in ("GFJIT_CACHE", "GFJIT_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    found = objcache.default_cache_dir()
    assert (str(found) if found is not None else None) == expected


_DEFAULT_POOL_ADD = """
    import jit
    from jit_test_support import affine_ir
    jit.default_pool().add(affine_ir("default_f", 2, 3), exports=["default_f"]).release()
    print(jit.default_pool().stats()["cache_misses"])
"""


@pytest.mark.timeout(120)
def test_the_default_pool_keeps_objects_in_the_per_user_cache(tmp_path):
    done = run_python(_DEFAULT_POOL_ADD, env={"XDG_CACHE_HOME": str(tmp_path),
                                              "GFJIT_CACHE": None, "GFJIT_CACHE_DIR": None})
    assert (done.returncode, done.stdout.split()) == (0, ["1"]), done.stderr
    assert len(_entries(tmp_path / "gfjit")) == 1


@pytest.mark.timeout(120)
@pytest.mark.parametrize("off", [{"GFJIT_CACHE": "0"}, {"GFJIT_CACHE_DIR": ""}])
def test_the_default_pool_cache_can_be_turned_off(tmp_path, off):
    done = run_python(_DEFAULT_POOL_ADD, env={"XDG_CACHE_HOME": str(tmp_path), "GFJIT_CACHE": None,
                                              "GFJIT_CACHE_DIR": None, **off})
    assert (done.returncode, done.stdout.split()) == (0, ["0"]), done.stderr
    assert not (tmp_path / "gfjit").exists()
