"""A program of attacks on every native type, read as JSON from stdin and run by a child process
(see ``test_native_type_properties.py``): subclasses (with ``__dict__``, weak references, extra
slots, a finalizer that resurrects its object), ``__class__`` assignment between every pair of
classes, weak references whose callbacks run native code, attributes set on classes and objects,
the native functions run over what was made, and the collector run often.

Every step may raise a Python exception (that is a refusal, which is fine); only a crash is a
failure. The child prints ``ok`` at the end.
"""

from __future__ import annotations

import gc
import json
import sys
import weakref
from typing import Any

import lisp.syntax.printer  # noqa: F401 - the TYPE-ERRORs' reports print their datum
from dispatch import generic, steps
from lisp.runtime import native_cons as n
from lisp.runtime.data import NIL, Cons, SourceCons

FEATURES = ("dict", "weakref", "slot", "finalizer")
ATTRIBUTES = ("__del__", "__next__", "__iter__", "__init__", "car", "cell", "fallback", "note")


def generic_parts() -> dict[str, Any]:
    """A native generic function, and native next-method objects, links and wraps."""
    kept: list[Any] = []

    @generic
    def area(x):
        """The area."""

    @area.method
    def _(x: object):
        return 0

    @area.method
    def _(next_method, x: int):
        kept.append(next_method)
        return next_method() + 1

    area(1)
    area.compile()
    area(2)
    link = steps.make_step(lambda nm, *a: nm(*a), lambda *a: a, lambda *a: a, True)
    wrap = steps.make_wrap([lambda *a: None], lambda *a: a, [lambda *a: None])
    return {"generic": area, "next_method": kept[-1], "link": link, "wrap": wrap}


class Attacks:
    """The state a program of attacks works on."""

    def __init__(self) -> None:
        parts = generic_parts()
        self.pool: list[Any] = [NIL, 1, "a", n.cons(1, 2), n.list_of(1, 2, 3), n.list_iter(n.list_of(4)),
                                *parts.values(), n.named(n.length, "ATTACK")]
        self.classes: list[type] = [Cons, SourceCons, n.ListIterator, n.LoopListIterator, type(n.cons),
                                    type(parts["generic"]), type(parts["next_method"]), type(parts["link"]),
                                    type(parts["wrap"]), self._twin(("car", "cdr")), self._twin(("cell",)),
                                    self._twin(("car", "cdr", "pos"), Cons)]
        self.resurrected: list[Any] = []

    @staticmethod
    def _twin(slots: tuple[str, ...], base: type = object) -> type:
        """A plain class with the same slots as a native one: a candidate for __class__."""
        return type("Twin", (base,), {"__slots__": slots[len(getattr(base, "__slots__", ())):]})

    def pick(self, i: int) -> Any:
        return self.pool[i % len(self.pool)]

    def recent_class(self, i: int) -> type:
        """The ``i``-th class counting back from the newest: small numbers pick the subclasses
        made by the program."""
        return self.classes[-1 - i % len(self.classes)]

    def subclass(self, i: int, features: list[str]) -> None:
        base = self.classes[i % len(self.classes)]
        namespace: dict[str, Any] = {}
        if "slot" in features or not ({"dict", "weakref"} & set(features)):
            namespace["__slots__"] = (("extra",) if "slot" in features else ()) + (
                ("__dict__",) if "dict" in features else ()) + (("__weakref__",) if "weakref" in features else ())
        if "finalizer" in features:
            resurrected = self.resurrected

            def __del__(obj: Any) -> None:
                resurrected.append(obj)

            namespace["__del__"] = __del__
        self.classes.append(type("Attack", (base,), namespace))
        for _ in range(2):  # its instances through the freelists, past their bounds, twice
            self.burst(0, len(self.pool) - 1, 100)

    def make(self, i: int, j: int) -> None:
        cls = self.recent_class(i)
        x, y = self.pick(j), self.pick(j + 1)
        if issubclass(cls, n.ListIterator):
            self.pool.append(cls(x))
        elif issubclass(cls, SourceCons):
            self.pool.append(cls(x, y, None))
        elif issubclass(cls, Cons):
            self.pool.append(cls(x, y))
        else:
            self.pool.append(cls())

    def burst(self, i: int, j: int, count: int) -> None:
        """Make ``count`` objects of a class and as many natively made iterators and conses, then
        drop them all at once: past the freelists' bounds, through them and back."""
        many = []
        for _ in range(count):
            self.make(i, j)
            many += [self.pool.pop(), n.list_iter(self.pick(j)), n.cons(self.pick(j), NIL)]
        del many

    def set_class(self, i: int, j: int) -> None:
        self.pick(i).__class__ = self.recent_class(j)

    def weak(self, i: int) -> None:
        def callback(_: Any) -> None:
            n.to_list(n.map_items(lambda v: v, n.list_of(1, 2, 3)))
            if len(self.pool) > 8:
                del self.pool[-1]

        self.pool.append(weakref.ref(self.pick(i), callback))

    def use(self, i: int, j: int) -> None:
        x, y = self.pick(i), self.pick(j)
        if isinstance(x, Cons):
            n.length(x)
            n.map_items(lambda v: self.pool.pop() if len(self.pool) > 8 else gc.collect(0), x)
            n.replace_cars(x, [y] * len(n.cells_of(x)))
            for _ in n.list_iter(x):
                gc.collect(0)
        elif isinstance(x, n.ListIterator):
            next(x)
        elif callable(x):
            x(y)

    def link(self, i: int, j: int) -> None:
        x = self.pick(i)
        if isinstance(x, Cons):
            x.cdr = self.pick(j)

    def attribute(self, i: int, name: str, on_class: bool) -> None:
        x = self.pick(i)
        target = type(x) if on_class else x
        if name == "__del__":
            setattr(target, name, lambda obj: self.resurrected.append(obj))
        elif name == "__next__":
            setattr(target, name, lambda obj: 1)
        else:
            setattr(target, name, None)
        delattr(target, name)

    def drop(self, i: int) -> None:
        if len(self.pool) > 1:
            del self.pool[i % len(self.pool)]

    def release(self) -> None:
        self.resurrected.clear()

    def run(self, program: list[list[Any]]) -> None:
        actions = {"subclass": self.subclass, "make": self.make, "burst": self.burst, "drop": self.drop,
                 "class": self.set_class, "weak": self.weak, "use": self.use, "link": self.link,
                 "attribute": self.attribute, "release": self.release, "gc": gc.collect,
                 "threshold": gc.set_threshold}
        for op, *args in program:
            try:
                actions[op](*args)
            except Exception:  # a refusal: what the attack should meet
                pass
        self.pool.clear()
        self.resurrected.clear()
        gc.collect()


def main() -> None:
    Attacks().run(json.load(sys.stdin))
    gc.collect()
    print("ok")


if __name__ == "__main__":
    main()
