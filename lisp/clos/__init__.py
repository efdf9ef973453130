"""CLOS for the Lisp: classes, instances and generic functions on :mod:`dispatch`."""

from lisp.clos import builtin as _builtin  # noqa: F401 - the built-in classes exist from here on
