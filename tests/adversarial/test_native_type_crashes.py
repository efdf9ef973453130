"""Python code that crashed the interpreter through a native type, each run in a child process
under the debug allocator: every one now ends in a Python exception or simply works.

Each child prints what it saw; the test checks that it ended normally and saw what the design
says (a refused subclass, an error from the fallback)."""

from __future__ import annotations

import pytest

from lisp.runtime import native_cons
from tests.adversarial.child import run_child, survived

pytestmark = [pytest.mark.timeout(300),
              pytest.mark.skipif(not native_cons.native_enabled, reason="native conses disabled")]

# A subclass with __dict__ and __weakref__ (a block with a pre-header, larger than the base's)
# cycled through the iterators' freelist: the native dealloc used to keep its block, reuse it as
# a plain iterator and later free it with the base's layout (debug allocator: "bad ID").
ITERATOR_SUBCLASS = """
from lisp.runtime import native_cons as n
try:
    class Sub(n.{name}):
        pass
except TypeError as e:
    print("refused:", e)
else:
    for i in range(2000):
        s = Sub(n.list_of(1, 2)); s.x = i; list(s); del s
        kept = [n.list_iter(n.list_of(1)) for _ in range(100)]
        del kept
    print("survived")
"""


@pytest.mark.parametrize("name", ["ListIterator", "LoopListIterator"])
def test_subclassing_a_list_iterator_cannot_corrupt_its_freelist(name):
    done = run_child(ITERATOR_SUBCLASS.format(name=name))
    assert survived(done), done.stderr[-2000:]
    assert done.stdout.strip() == f"refused: type '{name}' is not an acceptable base type"


# A walker named for a Lisp function kept its fallback only in its __dict__: replacing the
# attribute freed it, and the next miss called freed memory. Deleting every callable's `code`
# attribute released the machine code they all run.
REPLACED_ATTRIBUTES = """
import gc
import lisp.syntax.printer  # the TYPE-ERRORs' reports print their datum
from lisp.runtime import native_cons as n
fn = n.named(n.to_list, "MY-WALK")
for victim in (fn, n.to_list, n.cons, n.list_iter):
    for attribute in ("fallback", "code", "__name__", "__doc__"):
        try:
            setattr(victim, attribute, None)
            delattr(victim, attribute)
        except AttributeError:
            pass
gc.collect()
junk = [object() for _ in range(10000)]
for call in (lambda: fn(1, 2), lambda: n.to_list("not a list"), lambda: n.cons(1)):
    try:
        call()
    except Exception as e:
        print(type(e).__name__)
print(n.to_list(n.list_of(1, 2)), list(n.list_iter(n.cons(3, None))))
"""


def test_replacing_or_deleting_a_native_functions_attributes_cannot_free_what_its_code_uses():
    done = run_child(REPLACED_ATTRIBUTES)
    assert survived(done), done.stderr[-2000:]
    assert done.stdout.split() == ["TypeError", "LispTypeError", "TypeError", "[1,", "2]", "[3]"]


# A native generic function kept its miss handler (a bound method) only through Python
# attributes: dropping them freed it, and the next miss called freed memory.
GENERIC_MISS_HANDLER = """
import gc
from dispatch import generic

@generic
def area(x):
    "The area."

@area.method
def _(x: int):
    return 1

for owner, attribute in ((area, "_gf_miss_handler"), (area._gf_state, "miss_handler")):
    try:
        setattr(owner, attribute, None)
    except AttributeError:
        pass
gc.collect()
junk = [object() for _ in range(10000)]
try:
    area(1.5)
except TypeError as e:
    print(type(e).__name__)
print(area(2))
"""


def test_dropping_a_generic_functions_handler_attributes_cannot_free_its_miss_handler():
    done = run_child(GENERIC_MISS_HANDLER)
    assert survived(done), done.stderr[-2000:]
    assert done.stdout.split() == ["NoApplicableMethod", "1"]
