"""Hypothesis-generated programs of pool operations run on 2-8 threads, every call checked."""

import gc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jit
from jit_test_support import I64_TO_I64, affine, affine_ir, run_in_threads

SLOTS = 3
coefficient = st.integers(min_value=-1000, max_value=1000)
operation = st.one_of(
    st.tuples(st.just("add"), st.integers(0, SLOTS - 1), coefficient, coefficient),
    st.tuples(st.just("lookup"), st.integers(0, 7), st.integers(0, SLOTS - 1)),
    st.tuples(st.just("call"), st.integers(0, SLOTS - 1), coefficient),
    st.tuples(st.just("release"), st.integers(0, SLOTS - 1)),
    st.tuples(st.just("drop"), st.integers(0, SLOTS - 1)),  # forget it: its finalizer releases it
    st.tuples(st.just("cycle"), st.integers(0, SLOTS - 1)),  # leave it to the cyclic collector
    st.tuples(st.just("collect"), st.just(0)),  # run the collector: finalizers of any thread's
)                                               # handles run here, whatever that thread is doing
program = st.lists(st.lists(operation, max_size=20), min_size=2, max_size=8)


def _add(pool, mine, uncollected, slot, name, a, b, versions, problems):
    versions.setdefault(name, []).append((a, b))  # a list: safe to read while appended
    try:
        handle = pool.add(affine_ir(name, a, b), exports=[name])
    except jit.DuplicateSymbolError:
        if slot not in mine and slot not in uncollected:
            problems.append(f"{name}: duplicate reported but not live")
        return
    if slot in mine:
        problems.append(f"{name}: added twice while live")
    uncollected.discard(slot)  # whatever was left to the collector is gone
    mine[slot] = (handle, a, b)


def _lookup(pool, name, versions, leases, problems):
    try:
        handle = pool.lookup(name)
    except jit.SymbolNotFound:
        return
    result = I64_TO_I64(handle.address(name))(7)
    if result not in {affine(a, b, 7) for a, b in versions.get(name, ())}:
        problems.append(f"lookup {name}: wrong result {result}")
    leases.append(handle)


def _call(entry, name, x, problems):
    handle, a, b = entry
    result = I64_TO_I64(handle.address(name))(x)
    if result != affine(a, b, x):
        problems.append(f"{name}({x}) = {result}, expected {affine(a, b, x)}")


def _run_thread(pool, t, ops, versions, problems):
    """Run one thread's operations; `versions[name]` lists every (a, b) ever added as `name`."""
    mine = {}           # slot -> (handle, a, b) this thread added and holds
    uncollected = set()  # slots whose handle was left in a cycle: live until the collector runs
    leases = []         # handles lookup returned
    for op in ops:
        kind, slot = op[0], op[1]
        name = f"t{t}s{slot}"
        if kind == "add":
            _add(pool, mine, uncollected, slot, name, op[2], op[3], versions, problems)
        elif kind == "lookup":
            _lookup(pool, f"t{op[1]}s{op[2]}", versions, leases, problems)
        elif kind == "call" and slot in mine:
            _call(mine[slot], name, op[2], problems)
        elif kind == "release" and slot in mine:
            mine.pop(slot)[0].release()
        elif kind == "drop" and slot in mine:
            del mine[slot]  # the last reference: the handle's finalizer releases it
        elif kind == "cycle" and slot in mine:
            uncollected.add(slot)
            garbage = [mine.pop(slot)]
            garbage.append(garbage)
            del garbage
        elif kind == "collect":
            gc.collect()
    for h in leases:
        h.release()
    for h, _, _ in mine.values():
        h.release()


@pytest.mark.timeout(240)
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program)
def test_generated_programs_compute_the_right_values_and_leave_nothing_live(program):
    pool = jit.JitPool(shards=2, retire_after=8)
    versions, problems = {}, []
    crashed = run_in_threads(lambda t, ops: _run_thread(pool, t, ops, versions, problems),
                             list(enumerate(program)))
    gc.collect()
    try:
        assert crashed == [] and problems == []
        stats = pool.stats()
        assert stats["modules_live"] == 0
        assert stats["exports_published"] == 0
        assert stats["free_errors"] == 0
    finally:
        pool.close()
