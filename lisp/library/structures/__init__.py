"""``defstruct`` (CLHS 8.1) and what structures need elsewhere: one module per part.

- :mod:`.description`: a ``defstruct`` form taken apart and checked (options, slots, layouts);
- :mod:`.definition`: the ``defstruct`` macro, the constructors it writes, and ``%defstruct``, which
  defines the class (:mod:`lisp.clos.structures`) and the functions when the expansion is evaluated;
- :mod:`.compiled`: accessor calls and ``setf`` of them compiled to attribute loads and stores;
- :mod:`.protocol`: ``print-object``, ``describe-object``, ``make-instance``, ``allocate-instance``
  on structures, and ``copy-structure``;
- :mod:`.syntax`: ``#S`` printed and read.
"""

from lisp.library.structures import definition as _definition  # noqa: F401 - registers DEFSTRUCT
from lisp.library.structures import syntax as _syntax  # noqa: F401 - the printer's and reader's hooks
