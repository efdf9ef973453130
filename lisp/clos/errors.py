"""The conditions the object system signals, built from the classes of :mod:`lisp.runtime.condition_classes`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dispatch import NoApplicableMethod
from lisp.runtime import condition_classes
from lisp.syntax.messages import show


def clos_error(message: str) -> Exception:
    """A SIMPLE-ERROR with ``message`` (bad definitions, inconsistent classes, ...)."""
    return condition_classes.SimpleError("~a", message)


class NoApplicableMethodError(condition_classes.SimpleError, NoApplicableMethod):
    """What the default NO-APPLICABLE-METHOD signals: a SIMPLE-ERROR to Lisp handlers, and to a
    Python caller the ``TypeError`` a Python generic function raises (``dispatch.NoApplicableMethod``,
    with its ``generic_name`` and ``args_classes``)."""

    def __init__(self, generic_name: str, args: Sequence[Any], message: str) -> None:
        super().__init__("~a", message)  # a simple condition: NoApplicableMethod's __init__ is not run
        self.generic_name = generic_name
        self.args_classes = tuple(type(a) for a in args)


def program_error(message: str) -> Exception:
    """A PROGRAM-ERROR: a bad call (invalid initarg, incongruent lambda list, bad qualifier)."""
    return condition_classes.ProgramError(message)


def unbound_slot_error(obj: Any, name: Any) -> Exception:
    """UNBOUND-SLOT: the slot ``name`` of ``obj`` has no value."""
    return condition_classes.UnboundSlot(f"the slot {show(name)} is unbound in the object {show(obj)}",
                                  name=name, instance=obj)


def slot_missing_error(obj: Any, name: Any, operation: Any) -> Exception:
    """The default of SLOT-MISSING: an ERROR naming the slot, the object and the operation."""
    return clos_error(f"when attempting {show(operation)}, the slot {show(name)} is missing "
                      f"from the object {show(obj)}")


def unknown_class_error(name: Any) -> Exception:
    return clos_error(f"there is no class named {show(name)}")
