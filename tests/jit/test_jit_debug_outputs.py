"""Dumps and the perf map never write through a planted link, and a dump or map that cannot be
written turns off only itself, with one warning: compiling, native dispatch and native conses go
on."""

import json
import os
import re
import sys
import subprocess

import pytest

import jit
from jit import dumps
from jit_test_support import I64_TO_I64, affine_ir, run_python

VICTIM_TEXT = "precious\n"


def _next_dump_numbers(count):
    """The counter values the next `count` dumps of this process will try (what a planter who
    watches the dump directory can predict)."""
    start = int(re.fullmatch(r"count\((\d+)\)", repr(dumps._counter)).group(1))
    return range(start, start + count)


def test_a_dump_never_writes_through_a_link_planted_under_its_next_name(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text(VICTIM_TEXT)
    out = tmp_path / "dumps"
    out.mkdir()
    for number in _next_dump_numbers(20):
        (out / f"{os.getpid()}-{number:06d}-mod.ll").symlink_to(victim)
    dump = jit.DumpConfig(frozenset({"ir"}), out)
    jit.compile(affine_ir("f", 1, 1), "mod", dump=dump)
    assert victim.read_text() == VICTIM_TEXT
    written = [p for p in out.iterdir() if not p.is_symlink()]
    assert [p.read_text() for p in written] == [affine_ir("f", 1, 1)]


def test_an_unwritable_dump_directory_turns_off_only_the_dumps_with_one_warning(tmp_path,
                                                                                monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("GFJIT_DUMP", "ir,asm")
    monkeypatch.setenv("GFJIT_DUMP_DIR", str(blocker / "dumps"))
    with pytest.warns(RuntimeWarning,
                      match=f"dumps into '{blocker / 'dumps'}' turned off") as caught:
        with jit.JitPool(shards=1) as pool:
            for i in range(3):
                with pool.add(affine_ir(f"f{i}", 2, i), exports=[f"f{i}"]) as handle:
                    assert I64_TO_I64(handle.address(f"f{i}"))(1) == 2 + i
    assert len(caught) == 1


def test_a_bad_gfjit_dump_value_turns_off_only_the_dumps(tmp_path, monkeypatch):
    monkeypatch.setenv("GFJIT_DUMP", "ir,everything")
    monkeypatch.setenv("GFJIT_DUMP_DIR", str(tmp_path))
    with pytest.warns(RuntimeWarning, match="GFJIT_DUMP='ir,everything' ignored"):
        pool = jit.JitPool(shards=1)
    with pool, pool.add(affine_ir("f", 2, 1), exports=["f"]) as handle:
        assert I64_TO_I64(handle.address("f"))(1) == 3
    assert list(tmp_path.iterdir()) == []


# -- the perf map (each case in a child: the map's name is the process id) -------------------------

_PERF_MAP_ADD = """
    import json, os, time, warnings
    import jit
    from jit import perfmap
    from jit_test_support import I64_TO_I64, affine_ir

    def clear(path):
        \"\"\"Remove what is at `path`; its text if it was a regular file.\"\"\"
        if os.path.isdir(path) and not os.path.islink(path):
            os.rmdir(path)
        elif os.path.lexists(path):
            text = None
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path) as f:
                    text = f.read()
            os.unlink(path)
            return text

    clear(perfmap.path())  # a map a dead process with this pid left (pids are reused)
    {prepare}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with jit.JitPool(shards=1, perf_map=True) as pool:
            results = []
            for i in range(2):
                with pool.add(affine_ir(f"pf{{i}}", 2, i), exports=[f"pf{{i}}"]) as handle:
                    results.append(I64_TO_I64(handle.address(f"pf{{i}}"))(1))
    map_text = clear(perfmap.path())
    print(json.dumps({{"results": results, "warnings": [str(w.message) for w in caught],
                      "map": map_text}}))
"""


def _perf_map_child(prepare):
    done = run_python(_PERF_MAP_ADD.format(prepare=prepare), timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_perf_map_never_writes_through_a_planted_link(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text(VICTIM_TEXT)
    found = _perf_map_child(f"os.symlink({str(victim)!r}, perfmap.path())")
    assert victim.read_text() == VICTIM_TEXT
    assert found["results"] == [2, 3]
    assert len(found["warnings"]) == 1 and "perf map" in found["warnings"][0]


def test_a_perf_map_left_by_an_earlier_process_is_not_appended_to():
    found = _perf_map_child(
        "with open(perfmap.path(), 'w') as f: f.write('1000 10 stale\\n')\n"
        "    os.utime(perfmap.path(), (time.time() - 3600, time.time() - 3600))")
    assert found["results"] == [2, 3]
    assert found["map"] == "1000 10 stale\n"
    assert len(found["warnings"]) == 1 and "earlier process" in found["warnings"][0]


def test_a_perf_map_another_writer_of_this_process_made_is_appended_to():
    found = _perf_map_child(
        "fd = os.open(perfmap.path(), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)\n"
        "    os.write(fd, b'2000 20 python_frame\\n')\n"
        "    os.close(fd)")
    assert found["warnings"] == []
    lines = found["map"].splitlines()
    assert lines[0] == "2000 20 python_frame"
    assert [line.split()[2] for line in lines[1:]] == ["pf0", "pf1"]


def test_a_perf_map_that_cannot_be_opened_turns_off_only_the_map_with_one_warning():
    found = _perf_map_child("os.mkdir(perfmap.path())")
    assert found["results"] == [2, 3]
    assert len(found["warnings"]) == 1 and "perf map" in found["warnings"][0]


def test_the_perf_map_this_process_makes_is_private_and_new():
    found = _perf_map_child("")
    assert found["warnings"] == []
    assert [line.split()[2] for line in found["map"].splitlines()] == ["pf0", "pf1"]


# -- end to end: the Lisp keeps its native code ---------------------------------------------------

@pytest.mark.timeout(300)
@pytest.mark.parametrize("setting", [{"GFJIT_DUMP": "bogus"},
                                     {"GFJIT_DUMP": "ir", "GFJIT_DUMP_DIR": "/proc/gfjit-no"}])
def test_a_bad_dump_setting_leaves_native_dispatch_and_conses_on(setting, tmp_path):
    env = {**os.environ, "GFJIT_CACHE_DIR": "", **setting}
    done = subprocess.run([sys.executable, "-m", "lisp", "eval", "(+ 1 2)"], capture_output=True,
                          text=True, env=env, timeout=240)
    assert (done.returncode, done.stdout) == (0, "3\n"), done.stderr
    assert "disabled" not in done.stderr
    assert len(re.findall(r"RuntimeWarning: gfjit: (GFJIT_DUMP|dumps into)", done.stderr)) == 1
