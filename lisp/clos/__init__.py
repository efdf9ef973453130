"""CLOS for the Lisp: classes, instances and generic functions on :mod:`dispatch`.

Modules: :mod:`~lisp.clos.cpl` (class precedence lists, CLHS 4.3.5), :mod:`~lisp.clos.classes`
(class metaobjects and the Python type behind each), :mod:`~lisp.clos.builtin` (the standard's
built-in classes), :mod:`~lisp.clos.standard` (standard classes, instances, slots),
:mod:`~lisp.clos.structures` (structure classes: the Python type and functions of a ``defstruct``),
:mod:`~lisp.clos.defclass` (ensure-class), :mod:`~lisp.clos.generic` and
:mod:`~lisp.clos.methods` (generic functions and methods on dispatch), :mod:`~lisp.clos.protocol`
(the standard generic functions), :mod:`~lisp.clos.combinations` (Lisp truth and lists
for dispatch's method combinations), :mod:`~lisp.clos.define_combination` (``define-method-combination``), :mod:`~lisp.clos.initialization`,
:mod:`~lisp.clos.lambda_lists` (congruence), :mod:`~lisp.clos.functions` (what Lisp calls), :mod:`~lisp.clos.syntax` (the macros), :mod:`~lisp.clos.printing`
(print-object, describe, describe-dispatch).
"""

from lisp.clos import builtin as _builtin  # noqa: F401 - the built-in classes exist from here on


def install() -> None:
    """Make the object system, threads and the PY package available to Lisp code (idempotent)."""
    import lisp.clos.define_combination  # noqa: F401
    import lisp.clos.functions  # noqa: F401
    import lisp.clos.printing  # noqa: F401
    import lisp.clos.protocol  # noqa: F401
    import lisp.clos.syntax  # noqa: F401
    import lisp.pyinterop  # noqa: F401
    import lisp.threads  # noqa: F401
