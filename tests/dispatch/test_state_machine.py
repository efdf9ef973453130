"""Random class hierarchies, method definitions and calls, checked against a brute-force model
that recomputes applicable methods and the effective method from scratch on every call. The model
uses only Python's MRO and the CLOS rules; it shares no code with dispatch."""

import itertools

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, initialize, invariant, precondition, rule,
                                 run_state_machine_as_test)

import dispatch
from dispatch import Eql, NoApplicableMethod, NoNextMethod, NoPrimaryMethod

SENTINELS = (object(), object())
EQL_VALUES = (0, 1, SENTINELS[0])
QUALIFIERS = (None, "before", "after", "around")


def _model_matches(spec, arg):
    if isinstance(spec, tuple):  # ("eql", value)
        v = spec[1]
        return arg is v if v in SENTINELS and type(v) is object else (type(arg) is type(v) and arg == v)
    return isinstance(arg, spec) and spec in type(arg).__mro__


def _model_more_specific(m1, m2, args):
    for s1, s2, a in zip(m1["specs"], m2["specs"], args):
        if s1 == s2:
            continue
        if isinstance(s1, tuple):
            return True
        if isinstance(s2, tuple):
            return False
        mro = type(a).__mro__
        return mro.index(s1) < mro.index(s2)
    return False


def _model_sorted(methods, args):
    out = []
    for m in methods:  # insertion sort by the pairwise rule: a total order on applicable methods
        i = 0
        while i < len(out) and not _model_more_specific(m, out[i], args):
            i += 1
        out.insert(i, m)
    return out


class _Log(list):
    pass


def _run_model(methods, args):
    """(log, result) or (log, exception class)."""
    log = _Log()
    app = _model_sorted([m for m in methods if all(_model_matches(s, a)
                                                     for s, a in zip(m["specs"], args))], args)
    if not app:
        return log, NoApplicableMethod
    arounds = [m for m in app if m["q"] == "around"]
    prims = [m for m in app if m["q"] is None]
    befores = [m for m in app if m["q"] == "before"]
    afters = [m for m in reversed(app) if m["q"] == "after"]
    if not prims:
        return log, NoPrimaryMethod

    class Fail(Exception):
        pass

    def chain(ms, tail):
        if not ms:
            if tail is None:
                raise Fail
            return tail()
        m = ms[0]
        log.append(m["name"])
        if m["calls_next"]:
            return (m["name"], chain(ms[1:], tail))
        return m["name"]

    def inner():
        for b in befores:
            log.append(b["name"])
        r = chain(prims, None)
        for a in afters:
            log.append(a["name"])
        return r

    try:
        return log, chain(arounds, inner)
    except Fail:
        return log, NoNextMethod


def _method_function(name, qualifier, calls_next, log_ref):
    if qualifier in ("before", "after"):
        def m(a, b):
            log_ref[0].append(name)
        return m
    if calls_next:
        def m(next_method, a, b):
            log_ref[0].append(name)
            return (name, next_method())
    else:
        def m(a, b):
            log_ref[0].append(name)
            return name
    return m


class DispatchMachine(RuleBasedStateMachine):
    native = True

    @initialize()
    def setup(self):
        self.gf = dispatch.generic(lambda a, b: None, native=self.native)
        self.classes = [object, int]
        self.model = {}  # (specs, qualifier) -> method dict
        self.real = {}  # (specs, qualifier) -> dispatch.Method
        self.log_ref = [None]
        self.counter = itertools.count()

    def _spec_choices(self):
        return self.classes + [("eql", v) for v in EQL_VALUES]

    @rule(data=st.data())
    def new_class(self, data):
        if len(self.classes) > 8:
            return
        bases = data.draw(st.lists(st.sampled_from(self.classes[2:] or [object]), min_size=1,
                                   max_size=2, unique=True))
        try:
            cls = type(f"K{len(self.classes)}", tuple(bases), {})
        except TypeError:  # no consistent MRO
            return
        self.classes.append(cls)

    @rule(data=st.data(), qualifier=st.sampled_from(QUALIFIERS), calls_next=st.booleans())
    def add_method(self, data, qualifier, calls_next):
        specs = tuple(data.draw(st.sampled_from(self._spec_choices())) for _ in range(2))
        calls_next = calls_next and qualifier in (None, "around")
        name = f"{qualifier or 'primary'}{next(self.counter)}"
        fn = _method_function(name, qualifier, calls_next, self.log_ref)
        real = tuple(Eql(s[1]) if isinstance(s, tuple) else s for s in specs)
        self.real[(specs, qualifier)] = self.gf.add_method(
            dispatch.Method(fn, real, (qualifier,) if qualifier else (), calls_next))
        self.model[(specs, qualifier)] = {"specs": specs, "q": qualifier, "name": name,
                                          "calls_next": calls_next}

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def remove_method(self, data):
        key = data.draw(st.sampled_from(sorted(self.model, key=repr)))
        del self.model[key]
        self.gf.remove_method(self.real.pop(key))

    @rule()
    def compile(self):
        self.gf.compile()

    @rule(data=st.data())
    def call(self, data):
        def arg():
            choice = data.draw(st.sampled_from(["eql", "class"]))
            if choice == "eql":
                return data.draw(st.sampled_from(EQL_VALUES + (2,)))
            cls = data.draw(st.sampled_from(self.classes))
            return cls() if cls is not int else 7
        args = (arg(), arg())
        expected_log, expected = _run_model(list(self.model.values()), args)
        self.log_ref[0] = log = []
        try:
            result = self.gf(*args)
        except (NoApplicableMethod, NoNextMethod) as e:
            result = type(e)
        assert result == expected, (args, result, expected)
        assert log == expected_log

    @invariant()
    def method_count_matches(self):
        if hasattr(self, "gf"):
            assert len(self.gf.methods) == len(self.model)


class PythonDispatchMachine(DispatchMachine):
    native = False


_settings = settings(max_examples=40, stateful_step_count=40, deadline=None,
                     suppress_health_check=list(HealthCheck))


@pytest.mark.timeout(240)
def test_native_dispatch_matches_the_model():
    run_state_machine_as_test(DispatchMachine, settings=_settings)


@pytest.mark.timeout(240)
def test_python_dispatch_matches_the_model():
    run_state_machine_as_test(PythonDispatchMachine, settings=_settings)
