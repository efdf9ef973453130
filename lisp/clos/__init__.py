"""CLOS for the Lisp: classes, instances and generic functions on :mod:`dispatch`."""
