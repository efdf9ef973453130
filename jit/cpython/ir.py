"""LLVM IR text for functions that work on CPython objects: the one builder every generator uses.

    m = ir.Module()
    f = m.function("first_or_miss")          # the vectorcall signature: SELF, ARGS, NARGSF, KWNAMES
    ok, miss = f.label("ok"), f.label("miss")
    f.branch_on_arg_count(f.nargs(), ok, miss, minimum=1, keywords=False)
    f.block(miss)
    f.tail_call_slot(CALLABLE_MISS)          # the same call, made to the fallback in that slot
    f.block(ok)
    first = f.arg(0)
    f.incref(first)
    f.ret(first)
    jit.default_pool().add(m.text(), exports=["first_or_miss"], imports=m.imports())

Values are IR operand text (``"%x.3"``, ``"null"``, :func:`constant`), labels are block names
(without ``%``). Every name a :class:`Function` makes is fresh, so pieces written by different
helpers go into one function without clashes. A function starts in its block ``entry``; each
block must end (``br``, ``ret``, a tail call) before the next one starts.

Objects are handled as the running CPython does (:mod:`jit.cpython.layout`): reference counts as
its ``Py_INCREF``/``Py_DECREF``, inline, skipping immortal objects on 3.12+, and through
``Py_IncRef``/``Py_DecRef`` on a debug build (which keeps a total of references).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from .layout import (DEBUG_BUILD, IMMORTAL_OBJECTS, NARGS_MASK, OB_TYPE, TP_FLAGS,
                     TP_VECTORCALL_OFFSET, TPFLAGS_HAVE_VECTORCALL)

# The parameters of a function with the vectorcall signature, as its body names them.
SELF, ARGS, NARGSF, KWNAMES = "%self", "%args", "%nargsf", "%kwnames"
VECTORCALL_PARAMS = (("ptr", "self"), ("ptr", "args"), ("i64", "nargsf"), ("ptr", "kwnames"))

# C-API functions generated code calls by name: name -> (return type, parameter types).
C_API: dict[str, tuple[str, tuple[str, ...]]] = {
    "PyObject_Vectorcall": ("ptr", ("ptr", "ptr", "i64", "ptr")),
    "Py_IncRef": ("void", ("ptr",)),
    "Py_DecRef": ("void", ("ptr",)),
    "_Py_Dealloc": ("void", ("ptr",)),
    "PyErr_SetString": ("void", ("ptr", "ptr")),
    "PyType_GenericAlloc": ("ptr", ("ptr", "i64")),
    "PyType_IsSubtype": ("i32", ("ptr", "ptr")),
    "PyObject_Init": ("ptr", ("ptr", "ptr")),
    "PyObject_GC_Track": ("void", ("ptr",)),
    "PyObject_GC_UnTrack": ("void", ("ptr",)),
    "PyObject_GC_Del": ("void", ("ptr",)),
    "PyList_New": ("ptr", ("i64",)),
    "PyList_Size": ("i64", ("ptr",)),
    "PyList_GetItem": ("ptr", ("ptr", "i64")),
    "PyList_SetItem": ("i32", ("ptr", "i64", "ptr")),
    "PyLong_FromSsize_t": ("ptr", ("i64",)),
    "PyLong_AsLongAndOverflow": ("i64", ("ptr", "ptr")),
}


def constant(obj: object) -> str:
    """``obj`` as a pointer constant: its address, valid in this process only (the caller keeps
    ``obj`` alive as long as the code; :meth:`Module.external_object` makes IR that a cache can
    keep)."""
    return pointer(id(obj))


def pointer(address: int) -> str:
    """The pointer constant ``address`` (of code or data of this process)."""
    return f"inttoptr (i64 {address} to ptr)"


class Module:
    """One module's IR: functions, the C-API functions they call, globals."""

    def __init__(self) -> None:
        self._declarations: dict[str, str] = {}
        self._globals: list[str] = []
        self._functions: list[Function] = []
        self._imports: dict[str, int] = {}

    def function(self, name: str, params: Sequence[tuple[str, str]] = VECTORCALL_PARAMS, *,
                 returns: str = "ptr", linkage: str = "", attributes: str = "") -> Function:
        """A new function ``@name`` with ``params`` ((type, name); the body names them
        ``%name``), defined in this module in the order made."""
        f = Function(self, name, params, returns, linkage, attributes)
        self._functions.append(f)
        return f

    def declare(self, name: str) -> str:
        """``@name``, a C-API function of :data:`C_API`, declared once."""
        if name not in self._declarations:
            if name not in C_API:
                raise KeyError(f"{name} is not in jit.cpython.ir.C_API: add its signature there")
            returns, params = C_API[name]
            self._declarations[name] = f"declare {returns} @{name}({', '.join(params)})"
        return f"@{name}"

    def external_object(self, symbol: str, obj: object) -> str:
        """``@symbol``, an external global bound at link time to ``obj`` (see :meth:`imports`):
        the IR names no address, so it is the same in every process. The caller keeps ``obj``
        alive as long as the code."""
        return self.external_address(symbol, id(obj))

    def external_address(self, symbol: str, address: int) -> str:
        """``@symbol``, an external global bound at link time to ``address`` (code or data of this
        process), as :meth:`external_object` binds an object's."""
        if self._imports.setdefault(symbol, address) != address:
            raise ValueError(f"@{symbol} already names another address")
        if f"@{symbol} = external global i8" not in self._globals:
            self._globals.append(f"@{symbol} = external global i8")
        return f"@{symbol}"

    def variable(self, name: str, type_: str, initial: str, *, exported: bool = False) -> str:
        """``@name``, a global of ``type_`` starting at ``initial``, internal unless ``exported``."""
        self._globals.append(f"@{name} = {'' if exported else 'internal '}global {type_} {initial}")
        return f"@{name}"

    def string(self, name: str, text: str) -> str:
        """``@name``, a private NUL-terminated constant holding the ASCII ``text``."""
        if not text.isascii() or any(c in text for c in '"\\\0'):
            raise ValueError(f"string constant {text!r}: ASCII without quotes, backslashes or NUL only")
        self._globals.append(f'@{name} = private unnamed_addr constant [{len(text) + 1} x i8] c"{text}\\00"')
        return f"@{name}"

    def imports(self) -> dict[str, int]:
        """The addresses of the external objects, for ``jit.JitPool.add(imports=...)``."""
        return dict(self._imports)

    def text(self) -> str:
        """The module's IR."""
        parts = [*self._declarations.values(), "", *self._globals, ""]
        parts += (f.text() for f in self._functions)
        return "\n".join(parts)


class Function:
    """The body of one function, written block by block (see the module's docstring)."""

    def __init__(self, module: Module, name: str, params: Sequence[tuple[str, str]], returns: str,
                 linkage: str, attributes: str) -> None:
        self.module = module
        self.name = name
        self.returns = returns
        self._header = (f"define {linkage + ' ' if linkage else ''}{returns} @{name}("
                        f"{', '.join(f'{t} %{n}' for t, n in params)}){' ' + attributes if attributes else ''} {{")
        self._lines = ["entry:"]
        self._fresh = 0
        self.current = "entry"  # the block being written, None between blocks
        self._open = True

    # -- names and blocks ---------------------------------------------------------------------

    def label(self, stem: str) -> str:
        """A fresh block name, for a block placed later with :meth:`block`."""
        return self._fresh_name(stem)

    def later(self, stem: str = "v") -> str:
        """A fresh value name, given its value later by :meth:`define`: for a ``phi`` naming a
        value of a block not written yet."""
        return "%" + self._fresh_name(stem)

    def _fresh_name(self, stem: str) -> str:
        # stem + a number never seen in this function: unique as long as stems end in no digit
        if stem[-1:].isdigit():
            raise ValueError(f"name stem {stem!r} must not end in a digit")
        self._fresh += 1
        return f"{stem}{self._fresh}"

    def block(self, label: str) -> None:
        """Start the block ``label``; the block before must have ended."""
        if self._open:
            raise ValueError(f"{self.name}: block {self.current} does not end before {label}")
        self._lines.append(f"{label}:")
        self.current, self._open = label, True

    def emit(self, instruction: str) -> None:
        """An instruction line (no result) in the current block."""
        if not self._open:
            raise ValueError(f"{self.name}: {instruction.strip()!r} outside any block")
        self._lines.append(f"  {instruction}")

    def comment(self, text: str) -> None:
        """A comment line, for people reading the IR."""
        self._lines.append(f"  ; {text}")

    def assign(self, stem: str, rhs: str) -> str:
        """``%<fresh> = rhs`` in the current block; the fresh name."""
        # later() and define() written out: a dispatcher of a thousand methods makes 10,000 of these
        if not self._open:
            raise ValueError(f"{self.name}: {rhs!r} outside any block")
        if stem[-1:].isdigit():
            raise ValueError(f"name stem {stem!r} must not end in a digit")
        self._fresh += 1
        value = f"%{stem}{self._fresh}"
        self._lines.append(f"  {value} = {rhs}")
        return value

    def define(self, value: str, rhs: str) -> None:
        """``value = rhs`` in the current block, for a name from :meth:`later`."""
        self.emit(f"{value} = {rhs}")

    def _end(self, instruction: str) -> None:
        self.emit(instruction)
        self.current, self._open = None, False

    # -- plain instructions ---------------------------------------------------------------------

    def gep(self, base: str, offset: int | str, element: str = "i8", stem: str = "p") -> str:
        """``base + offset`` elements of type ``element`` (bytes by default)."""
        return self.assign(stem, f"getelementptr {element}, ptr {base}, i64 {offset}")

    def load(self, type_: str, pointer: str, stem: str = "v", align: int = 8) -> str:
        return self.assign(stem, f"load {type_}, ptr {pointer}, align {align}")

    def store(self, type_: str, value: str | int, pointer: str, align: int = 8) -> None:
        self.emit(f"store {type_} {value}, ptr {pointer}, align {align}")

    def field(self, obj: str, offset: int, type_: str = "ptr", stem: str = "f") -> str:
        """The ``type_`` at byte ``offset`` in ``obj``."""
        return self.load(type_, self.gep(obj, offset, stem=stem + "p"), stem)

    def set_field(self, obj: str, offset: int, value: str | int, type_: str = "ptr") -> None:
        """Store ``value`` at byte ``offset`` in ``obj``."""
        self.store(type_, value, self.gep(obj, offset))

    def icmp(self, predicate: str, a: str, b: str | int, type_: str = "ptr", stem: str = "c") -> str:
        return self.assign(stem, f"icmp {predicate} {type_} {a}, {b}")

    def binary(self, op: str, a: str, b: str | int, type_: str = "i64", stem: str = "x") -> str:
        """``op`` (``add``, ``sub``, ``and``, ``or``, ``shl``...) of ``a`` and ``b``."""
        return self.assign(stem, f"{op} {type_} {a}, {b}")

    def select(self, condition: str, a: str, b: str, type_: str = "ptr", stem: str = "s") -> str:
        return self.assign(stem, f"select i1 {condition}, {type_} {a}, {type_} {b}")

    def phi(self, type_: str, incoming: Sequence[tuple[str | int, str]], stem: str = "phi") -> str:
        """The value from the pair (value, block) of the block control came from."""
        pairs = ", ".join(f"[ {value}, %{block} ]" for value, block in incoming)
        return self.assign(stem, f"phi {type_} {pairs}")

    def alloca(self, type_: str, stem: str = "slot") -> str:
        """Stack space for one ``type_`` (write it in the entry block)."""
        return self.assign(stem, f"alloca {type_}, align 8")

    def call(self, returns: str, function: str, args: Sequence[tuple[str, str | int]], *,
             kind: str = "", stem: str = "r") -> str | None:
        """Call ``function`` (``@name`` or a pointer value) with ``args`` ((type, value)); its
        value, None for ``void``. ``kind``: ``"tail"``, ``"musttail"`` or ``""``."""
        text = f"{kind + ' ' if kind else ''}call {returns} {function}({', '.join(f'{t} {v}' for t, v in args)})"
        if returns == "void":
            self.emit(text)
            return None
        return self.assign(stem, text)

    def call_c(self, name: str, *args: str | int, kind: str = "", stem: str = "r") -> str | None:
        """Call the C-API function ``name`` (:data:`C_API`) with ``args``; its value, or None."""
        function = self.module.declare(name)
        returns, params = C_API[name]
        if len(args) != len(params):
            raise TypeError(f"{name} takes {len(params)} arguments, not {len(args)}")
        return self.call(returns, function, list(zip(params, args)), kind=kind, stem=stem)

    def br(self, label: str) -> None:
        self._end(f"br label %{label}")

    def cbr(self, condition: str, yes: str, no: str) -> None:
        self._end(f"br i1 {condition}, label %{yes}, label %{no}")

    def switch(self, value: str, default: str, cases: Sequence[tuple[int, str]], type_: str = "i64") -> None:
        """To the block of the case equal to ``value``, else to ``default``."""
        arms = " ".join(f"{type_} {k}, label %{label}" for k, label in cases)
        self._end(f"switch {type_} {value}, label %{default} [ {arms} ]")

    def ret(self, value: str | int | None = None) -> None:
        """Return ``value`` (of the function's return type; nothing for ``void``)."""
        self._end("ret void" if value is None else f"ret {self.returns} {value}")

    @contextmanager
    def for_range(self, count: str, done: str, stem: str = "i") -> Iterator[str]:
        """``for i in range(count)`` (``count`` an i64) over the blocks written in the ``with``
        body, which gets ``i``; then on to block ``done``."""
        head, step = self.label("loop"), self.label("step")
        following = self.later(stem)
        entry = self.current
        self.cbr(self.icmp("ne", count, 0, "i64", stem="any"), head, done)
        self.block(head)
        i = self.phi("i64", [(0, entry), (following, step)], stem=stem)
        yield i
        self.br(step)
        self.block(step)
        self.define(following, f"add i64 {i}, 1")
        self.cbr(self.icmp("ult", following, count, "i64", stem="more"), head, done)

    # -- calls --------------------------------------------------------------------------------

    def nargs(self, nargsf: str = NARGSF) -> str:
        """The positional argument count: ``nargsf`` without ``PY_VECTORCALL_ARGUMENTS_OFFSET``."""
        return self.binary("and", nargsf, NARGS_MASK, stem="n")

    def branch_on_arg_count(self, n: str, ok: str, bad: str, *, minimum: int = 0,
                            maximum: int | None = None, keywords: bool = True) -> None:
        """To ``ok`` if ``n`` (:meth:`nargs`) is within ``minimum``..``maximum`` (None: no
        bound) and, unless ``keywords``, the call passes no keyword names; else to ``bad``."""
        # (kw or counts), the keyword test first: LLVM at level 2 then branches on each instead of
        # combining flags (for one or two arguments: 4 instructions fewer)
        wrong = None if keywords else self.icmp("ne", KWNAMES, "null", stem="kw")
        counts = []
        if maximum == minimum:
            counts.append(self.icmp("ne", n, minimum, "i64", stem="count"))
        else:
            if minimum > 0:
                counts.append(self.icmp("ult", n, minimum, "i64", stem="few"))
            if maximum is not None:
                counts.append(self.icmp("ugt", n, maximum, "i64", stem="many"))
        if len(counts) == 2:
            counts = [self.binary("or", counts[0], counts[1], "i1", stem="wrong")]
        if counts:
            wrong = counts[0] if wrong is None else self.binary("or", wrong, counts[0], "i1", stem="wrong")
        if wrong is None:
            self.br(ok)
        else:
            self.cbr(wrong, bad, ok)

    def arg(self, i: int | str, args: str = ARGS, stem: str = "a") -> str:
        """``args[i]``."""
        return self.load("ptr", self.gep(args, i, "ptr", stem=stem + "p"), stem)

    def vectorcall(self, callee: str, args: str = ARGS, nargsf: str = NARGSF, kwnames: str = KWNAMES,
                   *, offset: int | None = None) -> str:
        """Call ``callee`` (an object) as ``PyObject_Vectorcall`` does, without its detours: its
        vectorcall pointer itself, found at ``offset`` if known now (0: it has none; see
        :func:`jit.cpython.vectorcall_offset`), else through its type at run time; else
        ``PyObject_Vectorcall``. The value (NULL: an exception is set) is returned, and writing
        goes on in a new block.

        The result is not checked as ``PyObject_Vectorcall`` does (``_Py_CheckFunctionResult``):
        the code must be entered through a call that checks it (a call of a callable object
        or of a builtin function does)."""
        return self._vectorcall(callee, args, nargsf, kwnames, offset, tail=False)

    def tail_vectorcall(self, callee: str, args: str = ARGS, nargsf: str = NARGSF,
                        kwnames: str = KWNAMES, *, offset: int | None = None) -> None:
        """Leave by a ``musttail`` call of ``callee``, made as :meth:`vectorcall` does: this
        function's frame is gone when the callee runs. (The function must have the vectorcall
        signature.)"""
        self._vectorcall(callee, args, nargsf, kwnames, offset, tail=True)

    def _vectorcall(self, callee: str, args: str, nargsf: str, kwnames: str, offset: int | None,
                    tail: bool) -> str:
        slow, done = self.label("slow"), self.label("called")
        arguments = f"ptr {callee}, ptr {args}, i64 {nargsf}, ptr {kwnames}"
        incoming = []
        if offset == 0:
            self.br(slow)
        else:
            if offset is None:
                at = self.label("offset")
                tp = self.type_of(callee)
                flags = self.field(tp, TP_FLAGS, "i64", stem="flags")
                bit = self.binary("and", flags, TPFLAGS_HAVE_VECTORCALL, stem="bit")
                self.cbr(self.icmp("ne", bit, 0, "i64", stem="has"), at, slow)
                self.block(at)
                where: str | int = self.field(tp, TP_VECTORCALL_OFFSET, "i64", stem="offset")
            else:
                where = offset
            fast = self.label("fast")
            pointer = self.field(callee, where, stem="vectorcall")  # type: ignore[arg-type]
            self.cbr(self.icmp("eq", pointer, "null", stem="none"), slow, fast)
            self.block(fast)
            incoming.append((self._invoke(pointer, arguments, tail, done), fast))
        self.block(slow)
        incoming.append((self._invoke(self.module.declare("PyObject_Vectorcall"), arguments, tail, done), slow))
        if tail:
            return ""
        self.block(done)
        return self.phi("ptr", incoming, stem="result")

    def _invoke(self, function: str, arguments: str, tail: bool, done: str) -> str:
        result = self.assign("r", f"{'musttail ' if tail else ''}call ptr {function}({arguments})")
        if tail:
            self.ret(result)
        else:
            self.br(done)
        return result

    def tail_call_slot(self, offset: int, holder: str = SELF) -> None:
        """Leave by a ``musttail`` call, with this call's own arguments, of the callable whose
        address is at ``offset`` in ``holder`` (the fallback slot of a callable type)."""
        handler = self.field(holder, offset, stem="handler")
        result = self.call("ptr", self.module.declare("PyObject_Vectorcall"),
                           [("ptr", handler), ("ptr", ARGS), ("i64", NARGSF), ("ptr", KWNAMES)],
                           kind="musttail")
        self.ret(result)

    def set_error(self, exception: type[BaseException], message: str) -> None:
        """Raise ``exception`` (a built-in exception class) with ``message``: the caller then
        returns its error value. The class is an external object (:meth:`Module.imports`), so
        the IR can be cached."""
        text = self.module.string(f"{self.name}.{self._fresh_name('message')}", message)
        self.call_c("PyErr_SetString", self.module.external_object(f"gfjit_exc_{exception.__name__}", exception), text)

    # -- objects ------------------------------------------------------------------------------

    def type_of(self, obj: str, type_: str = "ptr") -> str:
        """``Py_TYPE(obj)`` (``i64``: its address as an integer)."""
        return self.field(obj, OB_TYPE, type_, stem="type")

    def branch_on_exact_type(self, obj: str, tp: str, yes: str, no: str) -> None:
        """To ``yes`` if ``Py_TYPE(obj)`` (``obj`` not NULL) is exactly ``tp``, else to ``no``."""
        self.cbr(self.icmp("eq", self.type_of(obj), tp, stem="exact"), yes, no)

    def incref(self, obj: str) -> None:
        """``Py_INCREF(obj)`` (not NULL)."""
        if DEBUG_BUILD:
            self.call_c("Py_IncRef", obj)
        elif IMMORTAL_OBJECTS:
            # 64-bit 3.12-3.13: an immortal object has all low 32 bits of its count set (the i32
            # at offset 0, little-endian); an increment would wrap them to 0: leave it then.
            add, done = self.label("incref"), self.label("increfed")
            low = self.load("i32", obj, stem="low")
            n = self.binary("add", low, 1, "i32", stem="low")
            self.cbr(self.icmp("eq", n, 0, "i32", stem="immortal"), done, add)
            self.block(add)
            self.store("i32", n, obj)
            self.br(done)
            self.block(done)
        else:
            self.store("i64", self.binary("add", self.refcount(obj), 1, stem="rc"), obj)

    def decref(self, obj: str, dead: str | None = None) -> None:
        """``Py_DECREF(obj)`` (not NULL): the object is deallocated (``_Py_Dealloc``) when its
        count reaches 0, or, given ``dead``, the code goes to that block instead, whose code
        must deallocate it (not on a debug build: there ``Py_DecRef`` does, and the code goes
        on)."""
        if DEBUG_BUILD:
            self.call_c("Py_DecRef", obj)
            return
        done = self.label("decrefed")
        if IMMORTAL_OBJECTS:
            mortal = self.label("mortal")
            low = self.load("i32", obj, stem="low")
            self.cbr(self.icmp("slt", low, 0, "i32", stem="immortal"), done, mortal)
            self.block(mortal)
        n = self.binary("sub", self.refcount(obj), 1, stem="rc")
        self.store("i64", n, obj)
        zero = self.icmp("eq", n, 0, "i64", stem="zero")
        if dead is None:
            free = self.label("dealloc")
            self.cbr(zero, free, done)
            self.block(free)
            self.call_c("_Py_Dealloc", obj)
            self.br(done)
        else:
            self.cbr(zero, dead, done)
        self.block(done)

    def xdecref(self, obj: str) -> None:
        """``Py_XDECREF(obj)``: nothing for NULL."""
        live, done = self.label("live"), self.label("xdecrefed")
        self.cbr(self.icmp("eq", obj, "null", stem="null"), done, live)
        self.block(live)
        self.decref(obj)
        self.br(done)
        self.block(done)

    # ob_refcnt is the word at offset 0 (OB_REFCNT): the object's address is the count's.

    def refcount(self, obj: str) -> str:
        """The whole ``ob_refcnt`` word: the count of an object known not to be immortal."""
        return self.load("i64", obj, stem="rc")

    def set_refcount(self, obj: str, count: str | int) -> None:
        """Store ``count`` as the count of an object known not to be immortal (a debug build's
        total of references does not see it)."""
        self.store("i64", count, obj)

    def text(self) -> str:
        if self._open:
            raise ValueError(f"{self.name}: block {self.current} does not end")
        return "\n".join([self._header, *self._lines, "}", ""])
