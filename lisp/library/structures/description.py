"""A ``defstruct`` form taken apart (CLHS ``defstruct``): :func:`describe_defstruct` checks the
name, the options and the slot descriptions and returns a :class:`Description`, with nothing
defined yet. Malformed input is an error naming the form and what is wrong, of the type SBCL
signals when it expands the macro (a SIMPLE-ERROR for a bad option, a PROGRAM-ERROR for a bad slot
name).

The names of the functions (accessors ``conc-name`` + slot name, ``make-``, ``copy-``, ``-p``) are
interned in the package current when the form is expanded, as the standard says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lisp.compiler.forms import items, show
from lisp.library.arguments import string_designator
from lisp.library.symbols import symbol_name
from lisp.runtime.condition_classes import Condition, Error, ProgramError, SimpleError
from lisp.runtime.data import NIL, Char, Cons, Symbol, T, cl_symbol, keyword, source_pos
from lisp.runtime.namespace import symbol_value
from lisp.syntax.reader import PACKAGE_VAR

NO_INITFORM = object()
"""The initform of a slot that has none (its value is then NIL where the standard leaves it
undefined, as in SBCL)."""


class UndefinedIncluded(SimpleError):
    """The structure that ``:include`` names is not defined (yet)."""


@dataclass
class SlotDescription:
    name: Symbol
    initform: Any = NO_INITFORM
    type: Any = T
    read_only: bool = False
    accessor: Symbol | None = None  # set once the conc-name is known

    @property
    def string(self) -> str:
        """The slot's name as a string (NIL may name a slot)."""
        return symbol_name(self.name)


@dataclass
class Constructor:
    """A constructor: keyword arguments named after the slots, or the BOA lambda list given."""

    name: Symbol
    boa_lambda_list: Any = None
    is_boa: bool = False


@dataclass
class Description:
    """What a ``defstruct`` defines. ``slots`` holds all the slots, the included ones first (with
    the ``:include`` option's overrides); ``direct_count`` how many are this structure's own."""

    name: Symbol
    form: Any
    documentation: str | None = None
    conc_name: str | None = None  # None: no prefix, the slot names are the accessors
    constructors: list[Constructor] = field(default_factory=list)
    copier: Symbol | None = None
    predicate: Symbol | None = None
    include: Description | None = None
    slots: list[SlotDescription] = field(default_factory=list)
    direct_count: int = 0
    representation: str = "class"
    element_type: Any = T
    named: bool = False
    initial_offset: int = 0
    printer_option: Symbol | None = None  # :PRINT-FUNCTION or :PRINT-OBJECT when one is given
    printer: Any = None  # its function name or lambda expression
    # Set when the definition is evaluated (lisp.library.structures.definition): the class, and
    # its allocator, which compiled constructors call.
    structure_class: Any = None
    allocate: Any = None

    @property
    def keyword_constructor(self) -> Symbol | None:
        """The constructor that takes the slots as keyword arguments (``#S`` calls it)."""
        return next((c.name for c in self.constructors if not c.is_boa), None)

    # -- the layout of a list or vector representation (CLHS defstruct :type, :named,
    #    :initial-offset): the included structure's layout, the offset, the name, the slots.

    @property
    def own_start(self) -> int:
        """Where this structure's part starts: after the included structure's layout."""
        return self.include.length if self.include is not None else 0

    @property
    def name_index(self) -> int | None:
        return self.own_start + self.initial_offset if self.named else None

    def slot_index(self, number: int) -> int:
        """The element of the list or vector holding slot ``number``."""
        if number < len(self.slots) - self.direct_count:
            return self.include.slot_index(number)
        own = number - (len(self.slots) - self.direct_count)
        return self.own_start + self.initial_offset + (1 if self.named else 0) + own

    @property
    def length(self) -> int:
        return self.own_start + self.initial_offset + (1 if self.named else 0) + self.direct_count

    def names_in_layout(self) -> dict[int, Symbol]:
        """The elements that hold the names of named structures (this one's and included ones')."""
        found = self.include.names_in_layout() if self.include is not None else {}
        if self.named:
            found[self.name_index] = self.name
        return found

    def __repr__(self) -> str:
        return f"#<STRUCTURE-DESCRIPTION {show(self.name)}>"


DESCRIPTIONS: dict[Symbol, Description] = {}
"""The current description of each structure name (for ``:include``, ``#S`` and redefinition)."""


def _intern(name: str) -> Symbol:
    return symbol_value(PACKAGE_VAR).intern(name)


_SINGLE_OPTIONS = ("CONC-NAME", "COPIER", "PREDICATE", "INCLUDE", "PRINT-FUNCTION", "PRINT-OBJECT",
                   "TYPE", "NAMED", "INITIAL-OFFSET")


def describe_defstruct(form: Any, find_included: Any) -> Description:
    """The :class:`Description` of the ``defstruct`` ``form``; ``find_included(name)`` is the
    description of a structure defined before, or None."""
    parts = items(form.cdr, form)
    if not parts:
        raise SimpleError("~a", f"DEFSTRUCT needs a name: {show(form)}", pos=source_pos(form))
    head, rest = parts[0], parts[1:]
    name, options = (head.car, items(head.cdr, form)) if isinstance(head, Cons) \
        else (head, [])
    if not isinstance(name, Symbol) or name is NIL:
        raise SimpleError("~a", f"DEFSTRUCT: {show(name)} is not a symbol that can name a structure",
                          pos=source_pos(form))
    d = Description(name, form)
    if rest and isinstance(rest[0], str):
        d.documentation, rest = rest[0], rest[1:]
    given = _options(options, form)
    _apply_options(d, given, form, find_included)
    own = [_slot(s, form) for s in rest]
    _check_slot_names(d, own, form)
    d.slots += own
    d.direct_count = len(own)
    for slot in d.slots:
        # Without a conc-name the accessor is the slot's own name, in its own package.
        slot.accessor = slot.name if d.conc_name is None else _intern(d.conc_name + slot.string)
    return d


def _options(options: list[Any], form: Any) -> dict[str, list[list[Any]]]:
    """Each option's name -> the argument lists it was given with (``:named`` and ``(:named)`` alike)."""
    given: dict[str, list[list[Any]]] = {}
    for option in options:
        key, args = (option.car, items(option.cdr, form)) \
            if isinstance(option, Cons) else (option, [])
        if not (isinstance(key, Symbol) and key.is_keyword) or key.name not in (*_SINGLE_OPTIONS, "CONSTRUCTOR"):
            _bad(f"unknown option {show(option)}", form)
        if key.name in given and key.name != "CONSTRUCTOR":
            _bad(f"the option {show(key)} is given more than once", form)
        given.setdefault(key.name, []).append(args)
    return given


def _arguments(given: dict[str, list[list[Any]]], key: str, most: int, form: Any) -> list[Any] | None:
    """The arguments of the single option ``key`` (None when absent), at most ``most`` of them."""
    if key not in given:
        return None
    args = given[key][0]
    if len(args) > most:
        _bad(f"too many arguments to the option :{key}: {show(args)}", form)
    return args


def _named_function(args: list[Any] | None, default: str, form: Any, key: str) -> Symbol | None:
    """The function name an option gives: its argument, the default when it has none (or is
    absent), none for NIL."""
    if args is None or not args:
        return _intern(default)
    if args[0] is NIL:
        return None
    if not isinstance(args[0], Symbol):
        _bad(f"the :{key} option needs a symbol, not {show(args[0])}", form)
    return args[0]


def _apply_options(d: Description, given: dict[str, list[list[Any]]], form: Any, find_included: Any) -> None:
    name = d.name.name
    conc = _arguments(given, "CONC-NAME", 1, form)
    if conc is None:
        d.conc_name = name + "-"
    elif conc and conc[0] is not NIL:  # else no conc-name: the default None
        d.conc_name = string_designator(conc[0]) if isinstance(conc[0], (str, Symbol, Char)) else \
            _bad(f"the :CONC-NAME {show(conc[0])} is not a string designator", form)
    _type_options(d, given, form)
    _constructors(d, given.get("CONSTRUCTOR"), form)
    d.copier = _named_function(_arguments(given, "COPIER", 1, form), f"COPY-{name}", form, "COPIER")
    predicate = _arguments(given, "PREDICATE", 1, form)
    if d.representation != "class" and not d.named:
        if predicate and predicate[0] is not NIL:
            _bad(":PREDICATE cannot be used with :TYPE unless :NAMED is also given", form)
        d.predicate = None
    else:
        d.predicate = _named_function(predicate, f"{name}-P", form, "PREDICATE")
    _printer(d, given, form)
    include = _arguments(given, "INCLUDE", 10 ** 6, form)
    if include is not None:
        _include(d, include, form, find_included)


def _bad(message: str, form: Any, kind: type[Condition] = SimpleError) -> Any:
    """Signal that the ``defstruct`` ``form`` is malformed: a SIMPLE-ERROR by default, as SBCL's
    for a bad option; SBCL's kind where it signals another (a PROGRAM-ERROR for bad slot names)."""
    head = form.cdr.car
    name = head.car if isinstance(head, Cons) else head
    text = f"DEFSTRUCT {show(name)}: {message}"
    if issubclass(kind, SimpleError):
        raise kind("~a", text, pos=source_pos(form))
    raise kind(text, pos=source_pos(form))


def _type_options(d: Description, given: dict[str, list[list[Any]]], form: Any) -> None:
    type_ = _arguments(given, "TYPE", 1, form)
    if type_ is not None:
        if len(type_) != 1:
            _bad(":TYPE needs one argument: LIST, VECTOR or (VECTOR element-type)", form)
        spec = type_[0]
        if spec is cl_symbol("LIST"):
            d.representation = "list"
        elif spec is cl_symbol("VECTOR"):
            d.representation = "vector"
        elif isinstance(spec, Cons) and spec.car is cl_symbol("VECTOR") and isinstance(spec.cdr, Cons) \
                and spec.cdr.cdr is NIL:
            d.representation, d.element_type = "vector", spec.cdr.car
        else:
            _bad(f":TYPE {show(spec)} is not LIST, VECTOR or (VECTOR element-type)", form)
    named = _arguments(given, "NAMED", 0, form)
    d.named = named is not None
    if d.named and d.representation == "vector" and d.element_type not in (T, cl_symbol("*")):
        _bad(f":NAMED cannot be used with the element type {show(d.element_type)}: the name is a symbol", form)
    offset = _arguments(given, "INITIAL-OFFSET", 1, form)
    if offset is not None:
        if d.representation == "class":
            _bad(":INITIAL-OFFSET can be given only with :TYPE", form)
        if len(offset) != 1 or type(offset[0]) is not int or offset[0] < 0:
            _bad(f":INITIAL-OFFSET needs a non-negative integer, not {show(offset)}", form)
        d.initial_offset = offset[0]


def _constructors(d: Description, options: list[list[Any]] | None, form: Any) -> None:
    default = _intern(f"MAKE-{d.name.name}")
    if options is None:
        d.constructors = [Constructor(default)]
        return
    for args in options:
        if len(args) > 2:
            _bad(f"too many arguments to :CONSTRUCTOR: {show(args)}", form)
        if not args:
            d.constructors.append(Constructor(default))
        elif args[0] is NIL:
            if len(options) > 1:
                _bad("(:CONSTRUCTOR NIL) combined with other :CONSTRUCTOR options", form)
            if len(args) > 1:
                _bad("a constructor named NIL cannot have a lambda list", form)
        elif not isinstance(args[0], Symbol):
            _bad(f"the constructor name {show(args[0])} is not a symbol", form)
        elif len(args) == 2:
            if args[1] is not NIL and not isinstance(args[1], Cons):
                _bad(f"the lambda list {show(args[1])} of the constructor {show(args[0])} is not a list", form)
            d.constructors.append(Constructor(args[0], args[1], is_boa=True))
        else:
            d.constructors.append(Constructor(args[0]))


def _printer(d: Description, given: dict[str, list[list[Any]]], form: Any) -> None:
    for key in ("PRINT-FUNCTION", "PRINT-OBJECT"):
        args = _arguments(given, key, 1, form)
        if args is None:
            continue
        if d.representation != "class":
            _bad(f":{key} cannot be used with :TYPE", form)
        if d.printer_option is not None:
            _bad(":PRINT-FUNCTION and :PRINT-OBJECT cannot both be given", form)
        if args and args[0] is not NIL:  # without a function: the default printing, as SBCL
            d.printer_option, d.printer = keyword(key), args[0]


def _include(d: Description, args: list[Any], form: Any, find_included: Any) -> None:
    if not args or not isinstance(args[0], Symbol):
        _bad(f":INCLUDE needs the name of a structure: {show(args)}", form)
    included = find_included(args[0])
    if included is None:
        _bad(f"the included structure {show(args[0])} is not defined", form, UndefinedIncluded)
    if included.representation != d.representation:
        kind = "a class" if included.representation == "class" else f"of :TYPE {included.representation.upper()}"
        _bad(f"the included structure {show(args[0])} is {kind}: it must have the same :TYPE", form)
    d.include = included
    slots = [SlotDescription(s.name, s.initform, s.type, s.read_only) for s in included.slots]
    by_name = {s.string: s for s in slots}
    for override in args[1:]:
        new = _slot(override, form, allow_unset=True)
        old = by_name.get(new.string)
        if old is None:
            _bad(f"the slot {show(new.name)} of the :INCLUDE option is not a slot of {show(included.name)}",
                 form, ProgramError)
        read_only = old.read_only if new.read_only is None else new.read_only
        if old.read_only and not read_only:
            _bad(f"the slot {show(old.name)} is read-only in {show(included.name)}, so it must be read-only "
                 f"here too", form)
        old.initform = new.initform
        old.type = old.type if new.type is None else new.type
        old.read_only = read_only
    d.slots = slots


def _slot(spec: Any, form: Any, allow_unset: bool = False) -> SlotDescription:
    """A slot description: ``name`` or ``(name [initform [:type type] [:read-only flag]])``. With
    ``allow_unset`` (an :INCLUDE override) a type or read-only flag not given is None."""
    unset = None if allow_unset else T
    if spec is NIL or isinstance(spec, Symbol):
        return SlotDescription(spec, NO_INITFORM, unset, None if allow_unset else False)
    parts = items(spec, form) if isinstance(spec, Cons) else []
    if not parts or not (parts[0] is NIL or isinstance(parts[0], Symbol)):
        _bad(f"{show(spec)} is not a slot description: a symbol, or (name [initform] [:type type] "
             f"[:read-only flag])", form, ProgramError)
    slot = SlotDescription(parts[0], parts[1] if len(parts) > 1 else NO_INITFORM, unset,
                           None if allow_unset else False)
    options = parts[2:]
    if len(options) % 2:
        _bad(f"odd number of slot options in {show(spec)}", form, Error)
    seen: set[str] = set()
    for key, value in zip(options[::2], options[1::2]):
        if not isinstance(key, Symbol) or key.name not in ("TYPE", "READ-ONLY") or not key.is_keyword:
            _bad(f"unknown slot option {show(key)} in {show(spec)}; the options are :TYPE and :READ-ONLY",
                 form, Error)
        if key.name in seen:  # the first one counts, as with keyword arguments
            continue
        seen.add(key.name)
        if key.name == "TYPE":
            slot.type = value
        else:
            slot.read_only = value is not NIL
    return slot


def _check_slot_names(d: Description, own: list[SlotDescription], form: Any) -> None:
    inherited = {s.string for s in d.slots}
    seen: set[str] = set()
    for slot in own:
        if slot.string in inherited:
            _bad(f"the slot {show(slot.name)} is already a slot of the included structure "
                 f"{show(d.include.name)}", form, ProgramError)
        if slot.string in seen:
            _bad(f"the slot name {show(slot.name)} is given twice", form, ProgramError)
        seen.add(slot.string)
