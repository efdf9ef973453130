"""IR text of the native steps' vectorcall functions (see :mod:`dispatch.steps`), and the
layouts it relies on.

Layouts (64-bit CPython 3.11-3.13, GIL-enabled; native mode is off elsewhere)::

    link                        next-method object                  wrap
    0   PyObject_HEAD           0   PyObject_HEAD                   0   PyObject_HEAD
    16  methods (Python slot)   16  vectorcall pointer: nm_call     16  methods (Python slot)
    24  vectorcall: step_call   24  following                       24  vectorcall: wrap_call
    32  function                32  kwnames (NULL: none)            32  befores (a tuple)
    40  following               40  positional arguments stored     40  primary
    48  general                 48  truth                           48  afters (a tuple)
    56  cache                   56  STORED argument slots
    64  truth (0 or 1)              (positional, then keyword values)

``methods`` names the methods of an effective method, for people.

Object fields are ``T_OBJECT_EX`` members of the heap types. CPython (3.11-3.13,
``Objects/typeobject.c``) gives a type made from a spec with a Python-level base the base's
``subtype_traverse``, ``subtype_clear`` and ``subtype_dealloc``, which walk the members of every
such type in the chain (``traverse_slots``/``clear_slots``): the collector visits the fields and
clears them, deallocation releases them. (Read-only members would not be cleared or released:
ours are writable.) Their attribute descriptors are deleted from the types, so Python code cannot
set or delete them; only the collector's clear can make them NULL, which the native code checks
(it raises ``RuntimeError`` instead of following a NULL).

Reference counts: the IR changes them as ``Py_INCREF``/``Py_DECREF`` of the running version do
(:func:`_refcount_ir`), inlined. The refcount tests read ``ob_refcnt`` (offset 0) as an i64: a
next-method object is never immortal, so on 3.12-3.13 its count is the whole field, as on 3.11.
"""

from __future__ import annotations

import sys

from dispatch import vectorcall

STORED = 8  # argument slots of a next-method object; calls with more go to the Python step

STEP_VECTORCALL, STEP_FUNCTION, STEP_FOLLOWING = 24, 32, 40  # after StepBase's slot
STEP_GENERAL, STEP_CACHE, STEP_TRUTH, STEP_SIZE = 48, 56, 64, 72
NM_VECTORCALL, NM_FOLLOWING, NM_KWNAMES, NM_NARGS, NM_TRUTH, NM_ARGS = 16, 24, 32, 40, 48, 56
NM_SIZE = NM_ARGS + 8 * STORED
WRAP_VECTORCALL, WRAP_BEFORES, WRAP_PRIMARY, WRAP_AFTERS, WRAP_SIZE = 24, 32, 40, 48, 56
TUPLE_SIZE, TUPLE_ITEMS = 16, 24  # ob_size and ob_item of a tuple

_ARGUMENTS_OFFSET = 1 << 63  # PY_VECTORCALL_ARGUMENTS_OFFSET
_MASK = _ARGUMENTS_OFFSET - 1
_DEAD = b"gfjit: method step used after the garbage collector cleared it\0"

_DECLARATIONS = vectorcall.DECLARATION + """
declare ptr @PyType_GenericAlloc(ptr, i64)
declare void @_Py_Dealloc(ptr)
declare void @PyErr_SetString(ptr, ptr)
"""


def _refcount_ir() -> str:
    """``@incref``/``@xdecref`` (NULL allowed): ``Py_INCREF``/``Py_XDECREF`` of this CPython."""
    if sys.version_info >= (3, 12):
        # 64-bit 3.12-3.13: an immortal object has all low 32 bits of its count set (little
        # endian: the i32 at offset 0); increments saturate there, decrements skip a negative i32.
        increment = """
  %lo = load i32, ptr %o, align 8
  %n = add i32 %lo, 1
  %immortal = icmp eq i32 %n, 0
  br i1 %immortal, label %done, label %store
store:
  store i32 %n, ptr %o, align 8
  br label %done
done:"""
        mortal = """
  %lo = load i32, ptr %o, align 8
  %immortal = icmp slt i32 %lo, 0
  br i1 %immortal, label %done, label %mortal
mortal:"""
    else:
        increment = """
  %rc = load i64, ptr %o, align 8
  %n = add i64 %rc, 1
  store i64 %n, ptr %o, align 8"""
        mortal = """
  br label %mortal
mortal:"""
    return f"""
define private void @incref(ptr %o) alwaysinline {{
entry:{increment}
  ret void
}}

define private void @xdecref(ptr %o) alwaysinline {{
entry:
  %null = icmp eq ptr %o, null
  br i1 %null, label %done, label %live
live:{mortal}
  %rc = load i64, ptr %o, align 8
  %rc1 = sub i64 %rc, 1
  store i64 %rc1, ptr %o, align 8
  %zero = icmp eq i64 %rc1, 0
  br i1 %zero, label %free, label %done
free:
  call void @_Py_Dealloc(ptr %o)
  br label %done
done:
  ret void
}}
"""


def _call(label: str, callee: str, arguments: str, result: str | None = None) -> str:
    return "\n".join(vectorcall.call(label, callee, arguments, result=result))


def _dead_ir() -> str:
    """``@dead()``: raise RuntimeError (a field was cleared by the collector), return NULL."""
    return f"""
@dead_message = private unnamed_addr constant [{len(_DEAD)} x i8] c"{_DEAD[:-1].decode()}\\00"

define private ptr @dead() cold noinline {{
  call void @PyErr_SetString(ptr inttoptr (i64 {id(RuntimeError)} to ptr), ptr @dead_message)
  ret ptr null
}}
"""


def nm_ir() -> str:
    return _DECLARATIONS + _dead_ir() + f"""
; A next-method object called: no arguments -> the stored ones, else the given ones.
define ptr @gfjit_nm_call(ptr %self, ptr %args, i64 %nargsf, ptr %kwnames) {{
entry:
  %fp = getelementptr i8, ptr %self, i64 {NM_FOLLOWING}
  %following = load ptr, ptr %fp, align 8
  %nofollowing = icmp eq ptr %following, null
  br i1 %nofollowing, label %dead, label %check
check:
  %n = and i64 %nargsf, {_MASK}
  %nopositional = icmp eq i64 %n, 0
  br i1 %nopositional, label %kwcheck, label %given
kwcheck:
  %nokw = icmp eq ptr %kwnames, null
  br i1 %nokw, label %stored, label %kwsize
kwsize:
  %kwsizep = getelementptr i8, ptr %kwnames, i64 {TUPLE_SIZE}
  %kwcount = load i64, ptr %kwsizep, align 8
  %emptykw = icmp eq i64 %kwcount, 0
  br i1 %emptykw, label %stored, label %given
stored:
  %snp = getelementptr i8, ptr %self, i64 {NM_NARGS}
  %sn = load i64, ptr %snp, align 8
  %skwp = getelementptr i8, ptr %self, i64 {NM_KWNAMES}
  %skw = load ptr, ptr %skwp, align 8
  %sargs = getelementptr i8, ptr %self, i64 {NM_ARGS}
{_call("stored.call", "%following", "ptr %sargs, i64 %sn, ptr %skw")}
given:
{_call("given.call", "%following", "ptr %args, i64 %nargsf, ptr %kwnames")}
dead:
  %r3 = call ptr @dead()
  ret ptr %r3
}}

; next-method-p.
define i32 @gfjit_nm_bool(ptr %self) {{
  %tp = getelementptr i8, ptr %self, i64 {NM_TRUTH}
  %truth = load i64, ptr %tp, align 8
  %t = trunc i64 %truth to i32
  ret i32 %t
}}

"""


def step_ir(nm_type: int, nm_call: int) -> str:
    return _DECLARATIONS + _dead_ir() + _refcount_ir() + f"""
; A step called: run function(next_method, *args, **kwargs).
define ptr @gfjit_step_call(ptr %self, ptr %args, i64 %nargsf, ptr %kwnames) {{
entry:
  %buf = alloca [{STORED + 1} x ptr], align 8
  %fp = getelementptr i8, ptr %self, i64 {STEP_FUNCTION}
  %f = load ptr, ptr %fp, align 8
  %sfp = getelementptr i8, ptr %self, i64 {STEP_FOLLOWING}
  %following = load ptr, ptr %sfp, align 8
  %nof = icmp eq ptr %f, null
  %nofollowing = icmp eq ptr %following, null
  %emptied = or i1 %nof, %nofollowing
  br i1 %emptied, label %dead, label %start
start:
  %n = and i64 %nargsf, {_MASK}
  %haskw = icmp ne ptr %kwnames, null
  br i1 %haskw, label %kwlen, label %count
kwlen:
  %kwsizep = getelementptr i8, ptr %kwnames, i64 {TUPLE_SIZE}
  %kwsize = load i64, ptr %kwsizep, align 8
  br label %count
count:
  %nkw = phi i64 [ %kwsize, %kwlen ], [ 0, %start ]
  %total = add i64 %n, %nkw
  %many = icmp ugt i64 %total, {STORED}
  br i1 %many, label %general, label %take
general:
  %gp = getelementptr i8, ptr %self, i64 {STEP_GENERAL}
  %g = load ptr, ptr %gp, align 8
  %nog = icmp eq ptr %g, null
  br i1 %nog, label %dead, label %callgeneral
callgeneral:
{_call("general.call", "%g", "ptr %args, i64 %nargsf, ptr %kwnames")}

take:
  ; The dispatcher tail-called us without a reference (I1): hold one, or a method that changes
  ; its generic function could free this step while we still read it after the call.
  call void @incref(ptr %self)
  ; The cached object is free when the cache holds its only reference. Nothing between this
  ; test and the store of 2 can run Python code, so under the GIL no other thread can take it.
  %cachep = getelementptr i8, ptr %self, i64 {STEP_CACHE}
  %cache = load ptr, ptr %cachep, align 8
  %hascache = icmp ne ptr %cache, null
  br i1 %hascache, label %cachecheck, label %alloc
cachecheck:
  %rc = load i64, ptr %cache, align 8
  %free = icmp eq i64 %rc, 1
  br i1 %free, label %reuse, label %alloc
reuse:
  store i64 2, ptr %cache, align 8
  br label %fill
alloc:
  %new = call ptr @PyType_GenericAlloc(ptr inttoptr (i64 {nm_type} to ptr), i64 0)
  %allocfailed = icmp eq ptr %new, null
  br i1 %allocfailed, label %fail, label %init
fail:
  call void @xdecref(ptr %self)
  ret ptr null
init:
  ; The object holds what its link's next method is, not the link: a cached object would
  ; otherwise make a reference cycle with its link.
  %nvp = getelementptr i8, ptr %new, i64 {NM_VECTORCALL}
  store ptr inttoptr (i64 {nm_call} to ptr), ptr %nvp, align 8
  call void @incref(ptr %following)
  %nfp = getelementptr i8, ptr %new, i64 {NM_FOLLOWING}
  store ptr %following, ptr %nfp, align 8
  %stp = getelementptr i8, ptr %self, i64 {STEP_TRUTH}
  %truth = load i64, ptr %stp, align 8
  %ntp = getelementptr i8, ptr %new, i64 {NM_TRUTH}
  store i64 %truth, ptr %ntp, align 8
  ; Allocating may have run the collector, hence Python code: look at the cache again.
  %cache2 = load ptr, ptr %cachep, align 8
  %empty = icmp eq ptr %cache2, null
  br i1 %empty, label %adopt, label %fill
adopt:
  store i64 2, ptr %new, align 8
  store ptr %new, ptr %cachep, align 8
  br label %fill

fill:
  %nm = phi ptr [ %cache, %reuse ], [ %new, %init ], [ %new, %adopt ]
  %nnp = getelementptr i8, ptr %nm, i64 {NM_NARGS}
  store i64 %n, ptr %nnp, align 8
  br i1 %haskw, label %storekw, label %storeargs
storekw:
  call void @incref(ptr %kwnames)
  %nkwp = getelementptr i8, ptr %nm, i64 {NM_KWNAMES}
  store ptr %kwnames, ptr %nkwp, align 8
  br label %storeargs
storeargs:
  %nmargs = getelementptr i8, ptr %nm, i64 {NM_ARGS}
  %bufargs = getelementptr ptr, ptr %buf, i64 1
  %anyargs = icmp ne i64 %total, 0
  br i1 %anyargs, label %storeloop, label %call
storeloop:
  %i = phi i64 [ 0, %storeargs ], [ %i1, %storeloop ]
  %src = getelementptr ptr, ptr %args, i64 %i
  %a = load ptr, ptr %src, align 8
  call void @incref(ptr %a)
  %dst = getelementptr ptr, ptr %nmargs, i64 %i
  store ptr %a, ptr %dst, align 8
  %copy = getelementptr ptr, ptr %bufargs, i64 %i
  store ptr %a, ptr %copy, align 8
  %i1 = add i64 %i, 1
  %more = icmp ult i64 %i1, %total
  br i1 %more, label %storeloop, label %call

call:
  %n1 = add i64 %n, 1
  %offset = and i64 %nargsf, {_ARGUMENTS_OFFSET}
  %mayprepend = icmp ne i64 %offset, 0
  br i1 %mayprepend, label %prepend, label %copied
prepend:
  ; PY_VECTORCALL_ARGUMENTS_OFFSET: args[-1] is ours to change during the call.
  %slot = getelementptr ptr, ptr %args, i64 -1
  %saved = load ptr, ptr %slot, align 8
  store ptr %nm, ptr %slot, align 8
{_call("prepended", "%f", "ptr %slot, i64 %n1, ptr %kwnames", result="ra")}
  store ptr %saved, ptr %slot, align 8
  br label %release
copied:
  store ptr %nm, ptr %buf, align 8
{_call("copied.call", "%f", "ptr %buf, i64 %n1, ptr %kwnames", result="rb")}
  br label %release

release:
  %r = phi ptr [ %ra, %prepended.done ], [ %rb, %copied.call.done ]
  %cache3 = load ptr, ptr %cachep, align 8
  %cached = icmp eq ptr %cache3, %nm
  br i1 %cached, label %owncheck, label %drop
owncheck:
  ; Two references, the cache's and ours: nobody kept the object. Release its arguments (an
  ; object kept alive by the cache must not keep them alive) and give it back to the cache.
  %rc3 = load i64, ptr %nm, align 8
  %alone = icmp eq i64 %rc3, 2
  br i1 %alone, label %clear, label %uncache
clear:
  %ckwp = getelementptr i8, ptr %nm, i64 {NM_KWNAMES}
  %ckw = load ptr, ptr %ckwp, align 8
  store ptr null, ptr %ckwp, align 8
  store i64 0, ptr %nnp, align 8
  br i1 %anyargs, label %clearloop, label %cleared
clearloop:
  ; Each slot is emptied before its reference goes: releasing may run Python code.
  %j = phi i64 [ 0, %clear ], [ %j1, %clearloop ]
  %cp = getelementptr ptr, ptr %nmargs, i64 %j
  %c = load ptr, ptr %cp, align 8
  store ptr null, ptr %cp, align 8
  call void @xdecref(ptr %c)
  %j1 = add i64 %j, 1
  %cmore = icmp ult i64 %j1, %total
  br i1 %cmore, label %clearloop, label %cleared
cleared:
  call void @xdecref(ptr %ckw)
  ; The cache still holds a reference, so ours can go without a deallocation check.
  %rc4 = load i64, ptr %nm, align 8
  %rc5 = sub i64 %rc4, 1
  store i64 %rc5, ptr %nm, align 8
  call void @xdecref(ptr %self)
  ret ptr %r
uncache:
  ; Kept by the method: it keeps its arguments, but the cache lets it go.
  store ptr null, ptr %cachep, align 8
  call void @xdecref(ptr %nm)
  br label %drop
drop:
  call void @xdecref(ptr %nm)
  call void @xdecref(ptr %self)
  ret ptr %r
dead:
  %rd = call ptr @dead()
  ret ptr %rd
}}
"""



def _each_ir(label: str, field: int, after: str, on_error: str) -> str:
    """Call each item of the tuple at ``field`` with the call's arguments, dropping the values;
    go to ``after``, or to ``on_error`` at the first failure."""
    return f"""
{label}:
  %{label}p = getelementptr i8, ptr %self, i64 {field}
  %{label}t = load ptr, ptr %{label}p, align 8
  %{label}np = getelementptr i8, ptr %{label}t, i64 {TUPLE_SIZE}
  %{label}n = load i64, ptr %{label}np, align 8
  %{label}any = icmp ne i64 %{label}n, 0
  br i1 %{label}any, label %{label}loop, label %{after}
{label}loop:
  %{label}i = phi i64 [ 0, %{label} ], [ %{label}i1, %{label}ok ]
  %{label}ip = getelementptr ptr, ptr %{label}t, i64 {TUPLE_ITEMS // 8}
  %{label}fp = getelementptr ptr, ptr %{label}ip, i64 %{label}i
  %{label}f = load ptr, ptr %{label}fp, align 8
{_call(label + ".call", f"%{label}f", "ptr %args, i64 %nargsf, ptr %kwnames", result=label + "r")}
  %{label}failed = icmp eq ptr %{label}r, null
  br i1 %{label}failed, label %{on_error}, label %{label}ok
{label}ok:
  call void @xdecref(ptr %{label}r)
  %{label}i1 = add i64 %{label}i, 1
  %{label}more = icmp ult i64 %{label}i1, %{label}n
  br i1 %{label}more, label %{label}loop, label %{after}
"""


def wrap_ir() -> str:
    # The tuples and the primary are the wrap's for as long as a caller holds the wrap; a
    # cleared wrap (collector) has NULL fields, tested first.
    return _DECLARATIONS + _dead_ir() + _refcount_ir() + f"""
; A wrap called: befores, primary (its value), afters.
define ptr @gfjit_wrap_call(ptr %self, ptr %args, i64 %nargsf, ptr %kwnames) {{
entry:
  %bp = getelementptr i8, ptr %self, i64 {WRAP_BEFORES}
  %b = load ptr, ptr %bp, align 8
  %pp = getelementptr i8, ptr %self, i64 {WRAP_PRIMARY}
  %p = load ptr, ptr %pp, align 8
  %ap = getelementptr i8, ptr %self, i64 {WRAP_AFTERS}
  %a = load ptr, ptr %ap, align 8
  %nob = icmp eq ptr %b, null
  %nop = icmp eq ptr %p, null
  %noa = icmp eq ptr %a, null
  %no1 = or i1 %nob, %nop
  %no = or i1 %no1, %noa
  br i1 %no, label %dead, label %hold
hold:
  ; Held until we return, as a link holds itself (see gfjit_step_call).
  call void @incref(ptr %self)
  br label %befores
{_each_ir("befores", WRAP_BEFORES, "primary", "fail")}
primary:
{_call("primary.call", "%p", "ptr %args, i64 %nargsf, ptr %kwnames", result="r")}
  %pfailed = icmp eq ptr %r, null
  br i1 %pfailed, label %fail, label %afters
{_each_ir("afters", WRAP_AFTERS, "done", "afterfail")}
done:
  call void @xdecref(ptr %self)
  ret ptr %r
afterfail:
  call void @xdecref(ptr %r)
  br label %fail
fail:
  call void @xdecref(ptr %self)
  ret ptr null
dead:
  %rd = call ptr @dead()
  ret ptr %rd
}}
"""
