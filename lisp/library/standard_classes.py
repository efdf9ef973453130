"""The standard's built-in classes that :mod:`lisp.clos.builtin` does not define (CLHS figure 4-8):
the stream classes, ``readtable``, ``random-state``, ``restart``, ``logical-pathname`` and
``method-combination``, each the class of the Python type of its objects here, or abstract (no
object is of it) where gfjit has no such objects (synonym, echo and concatenated streams...).
``defmethod`` can specialize on all of them, as on the other standard classes.
"""

from __future__ import annotations

from lisp.clos.builtin import BUILT_IN_CLASSES
from lisp.clos.classes import BuiltInClass, register_type, set_find_class
from lisp.library.numbers import RandomState
from lisp.library.pathnames import PATHNAME_CLASS
from lisp.runtime import streams
from lisp.runtime.data import cl_symbol
from lisp.runtime.signals import Restart
from lisp.syntax.reader import Readtable

# (name, superclass, the Python types of its objects: none for an abstract class).
_CLASSES: list[tuple[str, str, tuple[type, ...]]] = [
    ("STRING-STREAM", "STREAM", (streams.StringOutputStream, streams.InputStream)),
    ("FILE-STREAM", "STREAM", (streams.HostInputStream, streams.HostOutputStream)),
    ("BROADCAST-STREAM", "STREAM", (streams.BroadcastStream,)),
    ("TWO-WAY-STREAM", "STREAM", (streams.TwoWayStream,)),
    ("SYNONYM-STREAM", "STREAM", ()),
    ("ECHO-STREAM", "STREAM", ()),
    ("CONCATENATED-STREAM", "STREAM", ()),
    ("READTABLE", "T", (Readtable,)),
    ("RANDOM-STATE", "T", (RandomState,)),
    ("RESTART", "T", (Restart,)),
    ("LOGICAL-PATHNAME", "PATHNAME", ()),
    ("METHOD-COMBINATION", "T", ()),
]


def _define() -> None:
    known = {**BUILT_IN_CLASSES, "PATHNAME": PATHNAME_CLASS}
    for name, superclass, pytypes in _CLASSES:
        cls = BuiltInClass(cl_symbol(name), [known[superclass]])
        # An abstract class's dispatch key is a type no object has.
        cls.python_type = pytypes[0] if pytypes else type(f"lisp:{name.lower()}", (), {"__slots__": ()})
        cls.finalize()
        for pytype in pytypes:
            register_type(pytype, cls)
        set_find_class(cls.name, cls)
        known[name] = cls


_define()
