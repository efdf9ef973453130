"""IR that calls a Python callable the way ``PyObject_Vectorcall`` does, without its detours.

``PyObject_Vectorcall`` fetches the thread state, finds the callee's vectorcall pointer through
its type, calls it and checks the result (``_Py_CheckFunctionResult``). The IR here calls the
pointer itself, found at an offset known when the IR is made (a constant callee) or read from
the callee's type at run time, and falls back to ``PyObject_Vectorcall`` when there is none.
Skipping the result check is safe because every native call path of ours is entered through
``PyObject_Vectorcall`` (or ``PyVectorcall_Call``) on the generic function or step, which checks
the final result once.
"""

from __future__ import annotations

from dispatch.native import OB_TYPE_OFFSET, TP_FLAGS, TP_VECTORCALL_OFFSET

_HAVE_VECTORCALL = 1 << 11

DECLARATION = "declare ptr @PyObject_Vectorcall(ptr, ptr, i64, ptr)"


def call(label: str, callee: str, arguments: str, *, offset: int | None = None,
         result: str | None = None) -> list[str]:
    """Lines calling ``callee`` (an IR pointer value) with ``arguments`` (the text
    ``ptr %args, i64 %nargsf, ptr %kwnames`` or the like), starting in the current block and using
    ``label`` to name its blocks and values. ``offset``: where the callee keeps its vectorcall
    pointer, if known now (0: it has none), else read from its type.

    Without ``result`` the calls are ``musttail`` and return: the caller's frame is gone when the
    callee runs. With ``result`` the value is left in ``%<result>`` and the lines end in a new
    block ``<label>.done``."""
    lines: list[str] = []
    slow, fast = f"{label}.slow", f"{label}.fast"
    if offset == 0:
        lines.append(f"  br label %{slow}")
    else:
        if offset is None:
            lines += [f"  %{label}.tpp = getelementptr i8, ptr {callee}, i64 {OB_TYPE_OFFSET}",
                      f"  %{label}.tp = load ptr, ptr %{label}.tpp, align 8",
                      f"  %{label}.flp = getelementptr i8, ptr %{label}.tp, i64 {TP_FLAGS}",
                      f"  %{label}.fl = load i64, ptr %{label}.flp, align 8",
                      f"  %{label}.vf = and i64 %{label}.fl, {_HAVE_VECTORCALL}",
                      f"  %{label}.has = icmp ne i64 %{label}.vf, 0",
                      f"  br i1 %{label}.has, label %{label}.offset, label %{slow}",
                      f"{label}.offset:",
                      f"  %{label}.op = getelementptr i8, ptr %{label}.tp, i64 {TP_VECTORCALL_OFFSET}",
                      f"  %{label}.o = load i64, ptr %{label}.op, align 8"]
            where = f"%{label}.o"
        else:
            where = str(offset)
        lines += [f"  %{label}.vp = getelementptr i8, ptr {callee}, i64 {where}",
                  f"  %{label}.v = load ptr, ptr %{label}.vp, align 8",
                  f"  %{label}.none = icmp eq ptr %{label}.v, null",
                  f"  br i1 %{label}.none, label %{slow}, label %{fast}",
                  f"{fast}:"]
        lines += _invoke(f"%{label}.v", callee, arguments, f"%{label}.r1", result, label)
    lines.append(f"{slow}:")
    lines += _invoke("@PyObject_Vectorcall", callee, arguments, f"%{label}.r2", result, label)
    if result is not None:
        incoming = f"[ %{label}.r2, %{slow} ]"
        if offset != 0:
            incoming = f"[ %{label}.r1, %{fast} ], " + incoming
        lines += [f"{label}.done:", f"  %{result} = phi ptr {incoming}"]
    return lines


def _invoke(function: str, callee: str, arguments: str, value: str, result: str | None,
            label: str) -> list[str]:
    if result is None:
        return [f"  {value} = musttail call ptr {function}(ptr {callee}, {arguments})",
                f"  ret ptr {value}"]
    return [f"  {value} = call ptr {function}(ptr {callee}, {arguments})",
            f"  br label %{label}.done"]
