"""The `lisp` workload: threads run Lisp code that defines classes and methods and calls them.

All threads share one generic function, `stress-value`, with a method on `stress-base` returning
`(* 1000 v)`; calls mostly go through a compiled Lisp function `stress-call`, so they reach the
native dispatcher from Lisp code. Each thread defines its own subclasses (and redefines them, which makes dispatch
forget what it learnt about them), defines and redefines `stress-value` methods on them, either
`(+ k (stress-v x))` or `(+ k (call-next-method))`, adds and removes (remove-method, find-method)
a doubling `:around` method, defines eql methods on its own integers, and calls `stress-value`.
A thread knows which method each of its classes has, so each result is checked exactly, while the
other threads keep changing the same generic function.
"""

from __future__ import annotations

import itertools

from stress.workload import Findings, Settings, Tally, ThreadContext

CLASSES_PER_THREAD = 6
SETUP = """
(defclass stress-base () ((v :initarg :v :reader stress-v)))
(defgeneric stress-value (x))
(defmethod stress-value ((x stress-base)) (* 1000 (stress-v x)))
(defun stress-call (class v) (stress-value (make-instance class :v v)))
"""
PROBE = """
(defclass stress-probe () ((v :initarg :v :reader stress-probe-v)))
(defgeneric stress-probe-value (x))
(defmethod stress-probe-value ((x stress-probe)) (+ 1 (stress-probe-v x)))
(stress-probe-value (make-instance 'stress-probe :v 41))
"""


def evaluate(text: str) -> object:
    """Evaluate the forms of `text` in the Lisp; the primary value of the last."""
    from lisp.compiler import eval_form
    from lisp.syntax.reader import EOF, Reader
    from lisp.toplevel import boot

    boot()
    reader = Reader(text, "<stress>")
    value = None
    while (form := reader.read()) is not EOF:
        value = eval_form(form)
    return value


def unavailable() -> str | None:
    """None if the Lisp can define classes and methods and call them; else why not."""
    try:
        value = evaluate(PROBE)
    except Exception as error:  # any failure of the Lisp stack: the reason is the report
        return f"{type(error).__name__}: {error}"
    return None if value == 42 else f"the CLOS probe returned {value!r}, not 42"


class LispWorkload:
    def __init__(self, settings: Settings) -> None:
        reason = unavailable()
        if reason is not None:
            raise RuntimeError(f"the lisp workload needs defclass/defgeneric/defmethod in the Lisp: {reason}")
        evaluate(SETUP)
        from lisp.runtime.data import intern
        from lisp.runtime.namespace import get_function

        self.intern = intern
        self.stress_call = get_function(intern("STRESS-CALL"))  # compiled Lisp, called from Python
        self.stress_value = get_function(intern("STRESS-VALUE"))  # the generic function itself
        self.tally = Tally("lisp classes defined", "lisp methods defined")

    def worker(self, ctx: ThreadContext) -> LispWorker:
        return LispWorker(self, ctx)

    def finish(self, findings: Findings) -> None:
        pass

    def counters(self) -> dict[str, int]:
        return self.tally.as_dict()


class LispWorker:
    def __init__(self, workload: LispWorkload, ctx: ThreadContext) -> None:
        self.w = workload
        self.ctx = ctx
        self.serial = itertools.count()
        self.primaries: dict[str, tuple[int, bool] | None] = {}  # class -> (k, calls next) of its method
        self.arounds: set[str] = set()  # classes with a doubling :around method
        self.eqls: dict[int, int] = {}  # integer -> value of its eql method

    def step(self) -> str:
        rng = self.ctx.rng
        roll = rng.random()
        if not self.primaries or (roll < 0.08 and len(self.primaries) < CLASSES_PER_THREAD):
            return self.define_class(f"stress-t{self.ctx.index}-{next(self.serial)}")
        name = rng.choice(sorted(self.primaries))
        if roll < 0.12:
            return self.define_class(name)  # redefinition: its methods stay
        if roll < 0.27:
            return self.define_method(name, rng.randrange(100), rng.random() < 0.5)
        if roll < 0.32:
            return self.toggle_around(name)
        if roll < 0.37:
            return self.define_eql(self.ctx.index * 100_000 + rng.randrange(8), rng.randrange(1000))
        if roll < 0.45 and self.eqls:
            return self.call_eql(rng.choice(sorted(self.eqls)))
        return self.call(name, rng.randrange(1, 1000))

    def define_class(self, name: str) -> str:
        self.ctx.note(f"lisp defclass {name}")
        slots = "((w :initform 1))" if name in self.primaries else "()"
        evaluate(f"(defclass {name} (stress-base) {slots})")
        self.primaries.setdefault(name, None)
        self.w.tally.add("lisp classes defined")
        return "lisp.defclass"

    def define_method(self, name: str, k: int, calls_next: bool) -> str:
        body = f"(+ {k} (call-next-method))" if calls_next else f"(+ {k} (stress-v x))"
        self.ctx.note(f"lisp defmethod stress-value (({name})) {body}")
        evaluate(f"(defmethod stress-value ((x {name})) {body})")
        self.primaries[name] = (k, calls_next)
        self.w.tally.add("lisp methods defined")
        return "lisp.defmethod"

    def toggle_around(self, name: str) -> str:
        """Define `name`'s doubling :around method, or remove it with remove-method/find-method."""
        if name in self.arounds:
            self.ctx.note(f"lisp remove-method :around {name}")
            evaluate(f"(remove-method #'stress-value (find-method #'stress-value '(:around) (list (find-class '{name}))))")
            self.arounds.discard(name)
            return "lisp.remove-method"
        self.ctx.note(f"lisp defmethod stress-value :around {name}")
        evaluate(f"(defmethod stress-value :around ((x {name})) (* 2 (call-next-method)))")
        self.arounds.add(name)
        self.w.tally.add("lisp methods defined")
        return "lisp.defmethod"

    def define_eql(self, number: int, value: int) -> str:
        self.ctx.note(f"lisp defmethod stress-value ((x (eql {number}))) {value}")
        evaluate(f"(defmethod stress-value ((x (eql {number}))) {value})")
        self.eqls[number] = value
        self.w.tally.add("lisp methods defined")
        return "lisp.defmethod"

    def call_eql(self, number: int) -> str:
        self.ctx.note(f"lisp call stress-value {number}")
        got = self.w.stress_value(number)
        if got != self.eqls[number]:
            self.ctx.mismatch(f"(stress-value {number})", self.eqls[number], got)
        return "lisp.call"

    def call(self, name: str, v: int) -> str:
        """Call through the compiled `stress-call`, or now and then through source text."""
        self.ctx.note(f"lisp call stress-value {name} :v {v}")
        if self.ctx.rng.random() < 0.1:
            got = evaluate(f"(stress-value (make-instance '{name} :v {v}))")
        else:
            got = self.w.stress_call(self.w.intern(name.upper()), v)
        method = self.primaries[name]
        if method is None:
            expected = 1000 * v
        else:
            k, calls_next = method
            expected = k + (1000 * v if calls_next else v)
        if name in self.arounds:
            expected *= 2
        if got != expected:
            self.ctx.mismatch(f"(stress-value (make-instance '{name} :v {v}))", expected, got)
        return "lisp.call"


def make(settings: Settings) -> LispWorkload:
    return LispWorkload(settings)
