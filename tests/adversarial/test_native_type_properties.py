"""Random programs of attacks on every native type (``attacks.py``: subclasses, resurrecting
finalizers, ``__class__`` assignment, weak references, attributes, the collector at low
thresholds), each run in a child process under the debug allocator: none may crash it."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lisp.runtime import native_cons
from tests.adversarial.attacks import ATTRIBUTES, FEATURES
from tests.adversarial.child import run_child, survived

index = st.integers(min_value=0, max_value=40)
operations = st.one_of(
    st.tuples(st.just("subclass"), index, st.lists(st.sampled_from(FEATURES), unique=True, max_size=3)),
    st.tuples(st.just("make"), index, index),
    st.tuples(st.just("burst"), index, index, st.integers(min_value=1, max_value=150)),
    st.tuples(st.just("drop"), index),
    st.tuples(st.just("class"), index, index),
    st.tuples(st.just("weak"), index),
    st.tuples(st.just("use"), index, index),
    st.tuples(st.just("link"), index, index),
    st.tuples(st.just("attribute"), index, st.sampled_from(ATTRIBUTES), st.booleans()),
    st.tuples(st.just("release")),
    st.tuples(st.just("gc"), st.integers(min_value=0, max_value=2)),
    st.tuples(st.just("threshold"), st.integers(min_value=1, max_value=20), st.integers(min_value=1, max_value=3),
              st.integers(min_value=1, max_value=3)),
)


@pytest.mark.skipif(not native_cons.native_enabled, reason="native conses disabled")
@pytest.mark.timeout(600)
@settings(max_examples=12, deadline=None)
@given(st.lists(operations, min_size=10, max_size=80))
def test_no_program_of_attacks_on_the_native_types_crashes_the_interpreter(program):
    done = run_child("from tests.adversarial.attacks import main; main()", stdin=json.dumps(program))
    assert survived(done) and done.stdout.strip() == "ok", done.stderr[-3000:]
