"""The debugger's machinery apart from any terminal (lisp.repl.debugger.Stop), as an editor server
would use it: frames, locals, evaluation in a frame, source, restarts, hooks, where it is entered."""

import sys

import pytest

import lisp
from lisp.repl.debugger import Stop
from lisp.repl.session import Session
from lisp.runtime.condition_classes import Condition
from lisp.runtime.data import cl_symbol
from lisp.runtime.signals import using_debugger
from lisp.runtime.streams import StringOutputStream
from lisp.syntax.printer import prin1_to_string
from lisp.syntax.reader import read_from_string


def stopped(text, act=None, file="<test>"):
    """The Stop the debugger made for the error of ``text``; ``act(stop)`` runs inside it (and may
    invoke a restart), else the debugger declines and the error unwinds."""
    stops = []

    def debugger(condition, traceback):
        stops.append(Stop(condition, traceback, sys._getframe(1)))
        if act is not None:
            act(stops[-1])

    with using_debugger(debugger):
        try:
            result = lisp.eval_string(text, file=file)
        except Condition:
            result = None
    assert stops, "the debugger was not entered"
    return stops[0], result


def test_frames_are_calls_innermost_first_with_their_arguments():
    lisp.eval_string("(defun dbg-half (a) (/ a 0)) (defun dbg-outer (b) (dbg-half (* b 2)))")
    stop, _ = stopped("(dbg-outer 3)")
    assert [stop.frame(n).call_text() for n in range(4)] == ["(/ 6 0)", "(DBG-HALF 6)", "(DBG-OUTER 3)",
                                                              "(top-level form)"]
    assert stop.frame(4) is None


def test_the_innermost_lisp_frame_is_past_the_builtins():
    lisp.eval_string("(defun dbg-lisp (a) (/ a 0))")
    stop, _ = stopped("(dbg-lisp 1)")
    assert stop.innermost_lisp_frame() == 1


def test_frame_locals_are_the_variables_by_lisp_name_innermost_binding_shown():
    lisp.eval_string("(defun dbg-locals (x) (let ((y 1)) (let ((y (+ y 1))) (car x))))")
    stop, _ = stopped("(dbg-locals 5)")
    assert [(name, prin1_to_string(v)) for name, v in stop.frame_locals(stop.innermost_lisp_frame())] == \
        [("X", "5"), ("Y", "2")]


def test_eval_in_frame_sees_variables_and_local_functions():
    lisp.eval_string("(defun dbg-flet (x) (flet ((twice (n) (* 2 n))) (car (twice x))))")
    stop, _ = stopped("(dbg-flet 4)")
    number = stop.innermost_lisp_frame()
    assert [prin1_to_string(v) for v in stop.eval_in_frame(read_from_string("(list x (twice x))"), number)] == \
        ["(4 8)"]


def test_eval_in_frame_runs_in_the_dynamic_environment_of_the_error():
    lisp.eval_string("(defvar *dbg-dynamic* :global)")
    seen = []
    stopped('(let ((*dbg-dynamic* :bound)) (error "x"))',
            act=lambda stop: seen.extend(stop.eval_in_frame(read_from_string("*dbg-dynamic*"), 0)))
    assert seen == [lisp.read_from_string(":bound")]


def test_source_text_shows_the_line_with_the_column_marked(tmp_path):
    source = tmp_path / "dbg.lisp"
    source.write_text("(defun dbg-src (v)\n  (car v))\n(dbg-src 7)\n")
    stops = []
    with using_debugger(lambda condition, tb: stops.append(Stop(condition, tb, sys._getframe(1)))), \
            pytest.raises(Condition):
        lisp.load(str(source))
    stop = stops[0]
    number = stop.innermost_lisp_frame()
    assert stop.source_location(number) == (str(source), 2, 3)
    assert stop.source_text(number, context=0) == "2 |   (car v))\n  |   ^\n"


def test_a_host_error_keeps_the_frames_it_unwound_before_the_debugger_saw_it():
    lisp.eval_string("(defun dbg-host (v) (car v))")
    stop, _ = stopped("(handler-bind () (dbg-host 5))")
    assert "(DBG-HOST 5)" in [stop.frame(n).call_text() for n in range(3)]


def test_restarts_are_those_active_where_it_stopped_and_one_can_be_invoked():
    def choose_retry(stop):
        assert [r.name.name for r in stop.restarts][:1] == ["RETRY"]
        stop.invoke_restart(0)

    _, result = stopped('(restart-case (error "x") (retry () 42))', act=choose_retry)
    assert result == 42


def test_store_value_needs_a_value_and_takes_one():
    def store(stop):
        number = [r.name for r in stop.restarts].index(cl_symbol("STORE-VALUE"))
        assert stop.needs_value(stop.restarts[number])
        stop.invoke_restart(number, "new")

    _, result = stopped("(let ((x 1)) (check-type x string) x)", act=store)
    assert result == "new"


def test_invoke_debugger_hook_runs_before_debugger_hook_and_the_debugger():
    lisp.eval_string("(defvar *dbg-log* nil)")
    stopped('(let ((sb-ext:*invoke-debugger-hook* (lambda (c h) (push :invoke *dbg-log*)))'
            ' (*debugger-hook* (lambda (c h) (push :debugger *dbg-log*)))) (error "x"))')
    assert prin1_to_string(lisp.eval_string("*dbg-log*")) == "(:DEBUGGER :INVOKE)"


def test_break_binds_debugger_hook_to_nil_but_not_invoke_debugger_hook():
    lisp.eval_string("(defvar *dbg-break-log* nil)")
    stopped("(let ((sb-ext:*invoke-debugger-hook* (lambda (c h) (push :invoke *dbg-break-log*)))"
            " (*debugger-hook* (lambda (c h) (push :debugger *dbg-break-log*)))) (break))")
    assert prin1_to_string(lisp.eval_string("*dbg-break-log*")) == "(:INVOKE)"


def test_near_the_recursion_limit_the_debugger_is_entered_once_the_error_reached_the_toplevel():
    lisp.eval_string("(defun dbg-deep (n) (+ 1 (dbg-deep (+ n 1))))")
    seen = []

    def debugger(condition, _traceback):
        depth, frame = 0, sys._getframe()
        while frame is not None:
            depth, frame = depth + 1, frame.f_back
        seen.append((condition.lisp_name.name, depth))

    out = StringOutputStream()
    Session("<repl>", out, debugger=debugger).feed("(dbg-deep 0)\n")
    [(name, depth)] = seen
    assert name == "STACK-EXHAUSTED"
    assert depth < 200
    assert "Error (GFJIT-SYSTEM::STACK-EXHAUSTED)" in out.get_output_stream_string()
