"""The condition system: signalling, handlers (with and without unwinding), restarts, condition
classes, define-condition, host exceptions arriving as conditions, and the Python API the REPL uses."""

import threading

import pytest
from lisp_results import raised, value

from lisp import evaluator
from lisp.runtime import condition_classes as cc
from lisp.runtime import host_errors, signals
from lisp.runtime.data import cl_symbol, intern

# -- handler-bind: handlers run before unwinding ---------------------------------------------------


def test_handler_bind_handler_sees_the_dynamic_bindings_of_the_signalling_point() -> None:
    assert value("""
        (defvar *depth-l3* :outside)
        (catch 'seen
          (handler-bind ((error (lambda (c) (throw 'seen *depth-l3*))))
            (let ((*depth-l3* :inside)) (error "boom"))))""") == ":INSIDE"


def test_handler_bind_handler_runs_before_unwind_protect_cleanup() -> None:
    assert value("""
        (let ((log '()))
          (catch 'out
            (handler-bind ((error (lambda (c) (push :handler log) (throw 'out nil))))
              (unwind-protect (error "x") (push :cleanup log))))
          (reverse log))""") == "(:HANDLER :CLEANUP)"


def test_declining_handler_passes_the_condition_to_the_outer_handler() -> None:
    assert value("""
        (let ((log '()))
          (handler-case
              (handler-bind ((error (lambda (c) (push :inner log))))
                (error "x"))
            (error () (push :outer log)))
          (reverse log))""") == "(:INNER :OUTER)"


def test_handlers_of_one_cluster_run_in_order() -> None:
    assert value("""
        (let ((log '()))
          (ignore-errors
            (handler-bind ((error (lambda (c) (push 1 log)))
                           (error (lambda (c) (push 2 log))))
              (error "x")))
          (reverse log))""") == "(1 2)"


def test_a_handler_runs_with_only_the_outer_handlers_active() -> None:
    # The inner handler signals again; it must not run for its own signal (no infinite regress).
    assert value("""
        (let ((count 0))
          (handler-case
              (handler-bind ((error (lambda (c) (incf count) (error "again"))))
                (error "first"))
            (error (c) (list count (princ-to-string c)))))""") == '(1 "again")'


def test_signal_returns_nil_when_no_handler_takes_the_condition() -> None:
    assert value('(signal "nobody listens")') == "NIL"


def test_signal_of_a_non_error_condition_runs_handler_bind_handlers() -> None:
    assert value("""
        (let ((seen nil))
          (handler-bind ((condition (lambda (c) (setf seen (type-of c)))))
            (signal "note"))
          seen)""") == "SIMPLE-CONDITION"


# -- handler-case --------------------------------------------------------------------------------


def test_handler_case_runs_the_first_matching_clause_after_unwinding() -> None:
    assert value("""
        (let ((log '()))
          (handler-case (unwind-protect (error "x") (push :cleanup log))
            (warning () (push :warning log))
            (error () (push :error log)))
          (reverse log))""") == "(:CLEANUP :ERROR)"


def test_handler_case_clause_receives_the_condition() -> None:
    assert value('(handler-case (error "code ~D" 42) (simple-error (c) (princ-to-string c)))') == '"code 42"'


def test_handler_case_without_error_returns_all_values_of_the_form() -> None:
    assert value("(multiple-value-list (handler-case (values 1 2 3) (error () :no)))") == "(1 2 3)"


def test_handler_case_no_error_clause_receives_the_values() -> None:
    assert value("(handler-case (values 1 2) (error () :no) (:no-error (a b) (list :ok a b)))") == "(:OK 1 2)"


def test_handler_case_does_not_catch_return_from_or_throw() -> None:
    assert value("(block b (handler-case (return-from b :left) (condition () :caught)))") == ":LEFT"
    assert value("(catch 'tag (handler-case (throw 'tag :thrown) (t () :caught)))") == ":THROWN"


def test_handler_case_accepts_compound_type_specifiers() -> None:
    assert value("(handler-case (car 1) ((or division-by-zero type-error) () :matched))") == ":MATCHED"


def test_handler_case_on_a_parent_type_catches_a_subtype() -> None:
    assert value("(handler-case (/ 1 0) (arithmetic-error (c) (type-of c)))") == "DIVISION-BY-ZERO"


def test_ignore_errors_returns_nil_and_the_condition() -> None:
    assert value('(multiple-value-bind (v c) (ignore-errors (error "x")) (list v (type-of c)))') == \
        "(NIL SIMPLE-ERROR)"


# -- restarts ------------------------------------------------------------------------------------


def test_invoke_restart_from_a_handler_returns_the_restart_case_clause_value() -> None:
    assert value("""
        (handler-bind ((error (lambda (c) (invoke-restart 'use-value 7))))
          (restart-case (error "boom") (use-value (v) (* v 6))))""") == "42"


def test_restart_case_returns_the_form_values_when_no_restart_is_invoked() -> None:
    assert value("(multiple-value-list (restart-case (values 1 2) (skip () 3)))") == "(1 2)"


def test_compute_restarts_lists_innermost_first() -> None:
    assert value("""
        (restart-case (restart-case (mapcar #'restart-name (compute-restarts)) (inner () 1))
          (outer () 2))""") == "(INNER OUTER)"


def test_find_restart_is_nil_outside_any_restart_case() -> None:
    assert value("(find-restart 'no-such-restart)") == "NIL"


def test_invoking_an_absent_restart_is_a_control_error() -> None:
    assert value("(handler-case (invoke-restart 'nowhere) (control-error () :control-error))") == ":CONTROL-ERROR"


def test_restarts_of_restart_case_around_error_belong_to_that_condition() -> None:
    # CLHS 9.1.4.2.4: the restart is associated with the condition the form signals, so another
    # condition does not see it.
    assert value("""
        (let ((other (make-condition 'simple-error :format-control "other")))
          (handler-bind ((error (lambda (c)
                                  (throw 'result (list (not (null (find-restart 'retry c)))
                                                       (not (null (find-restart 'retry other))))))))
            (catch 'result (restart-case (error "mine") (retry () nil)))))""") == "(T NIL)"


def test_restart_report_string_is_what_the_restart_reports() -> None:
    assert value("""
        (restart-case (let ((r (find-restart 'skip))) (princ-to-string (restart-name r)))
          (skip () :report "Skip it." nil))""") == '"SKIP"'
    restart = signals.Restart(cl_symbol("CONTINUE"), lambda: None, "Go on.")
    assert restart.report() == "Go on."


def test_restart_report_function_writes_to_a_stream() -> None:
    assert value("""
        (handler-bind ((error (lambda (c) (throw 'r (mapcar #'princ-to-string (compute-restarts c))))))
          (catch 'r (restart-case (error "x")
                      (retry () :report (lambda (s) (format s "Try ~A again." "it")) nil))))""") == \
        '("Try it again.")'


def test_restart_case_test_hides_the_restart_when_false() -> None:
    assert value("(restart-case (find-restart 'hidden) (hidden () :test (lambda (c) nil) 1))") == "NIL"


def test_with_simple_restart_returns_nil_and_t_when_its_restart_is_invoked() -> None:
    assert value("""
        (multiple-value-list
          (handler-bind ((error (lambda (c) (invoke-restart 'skip))))
            (with-simple-restart (skip "Skip ~A." "it") (error "x"))))""") == "(NIL T)"


def test_restart_bind_runs_the_restart_function_without_unwinding() -> None:
    assert value("""
        (restart-bind ((double (lambda (x) (* 2 x))))
          (+ 1 (invoke-restart 'double 20)))""") == "41"


def test_cerror_returns_nil_when_continued() -> None:
    assert value("""
        (handler-bind ((error (lambda (c) (continue c))))
          (list (cerror "Go on." "bad ~A" 1) :after))""") == "(NIL :AFTER)"


def test_continue_without_a_continue_restart_returns_nil() -> None:
    assert value("(continue)") == "NIL"


def test_abort_without_an_abort_restart_is_a_control_error() -> None:
    assert value("(handler-case (abort) (control-error () :control-error))") == ":CONTROL-ERROR"


def test_restarts_are_per_thread() -> None:
    evaluator.eval_string("(defun visible-restarts-l3 () (mapcar #'restart-name (compute-restarts)))")
    visible = evaluator.function("visible-restarts-l3")
    seen = []
    entered, release = threading.Event(), threading.Event()

    def other_thread() -> None:
        entered.wait(5)
        seen.append(visible())
        release.set()

    def with_restart() -> None:
        entered.set()
        release.wait(5)

    thread = threading.Thread(target=other_thread)
    thread.start()
    signals.restart_case(with_restart, [signals.RestartSpec(cl_symbol("CONTINUE"))], [lambda: None])
    thread.join(5)
    assert seen == [None]


# -- warnings ------------------------------------------------------------------------------------


def test_warn_prints_the_warning_on_error_output_when_not_muffled() -> None:
    assert value("""
        (let ((*error-output* (make-string-output-stream)))
          (warn "careful with ~A" "that")
          (get-output-stream-string *error-output*))""") == '"WARNING: careful with that\n"'


def test_muffle_warning_silences_the_warning() -> None:
    assert value("""
        (let ((*error-output* (make-string-output-stream)))
          (handler-bind ((warning #'muffle-warning)) (warn "hush"))
          (get-output-stream-string *error-output*))""") == '""'


def test_warn_of_a_non_warning_condition_is_a_type_error() -> None:
    assert value("(handler-case (warn 'simple-error) (type-error () :type-error))") == ":TYPE-ERROR"


# -- define-condition and make-condition ---------------------------------------------------------


def test_define_condition_slots_readers_initforms_and_inheritance() -> None:
    evaluator.eval_string("""
        (define-condition disk-full-l3 (error)
          ((disk :initarg :disk :reader disk-full-disk)
           (free :initarg :free :initform 0 :accessor disk-full-free))
          (:report (lambda (c s) (format s "disk ~A is full" (disk-full-disk c)))))""")
    assert value("(handler-case (error 'disk-full-l3 :disk \"sda\")"
                 " (error (c) (list (disk-full-disk c) (disk-full-free c) (princ-to-string c))))") == \
        '("sda" 0 "disk sda is full")'


def test_define_condition_accessor_can_be_set_with_setf() -> None:
    evaluator.eval_string("(define-condition counted-l3 (error) ((n :initarg :n :accessor counted-n)))")
    assert value("(let ((c (make-condition 'counted-l3 :n 1))) (setf (counted-n c) 5) (counted-n c))") == "5"


def test_define_condition_report_string_and_default_initargs() -> None:
    evaluator.eval_string("""
        (define-condition quiet-l3 (warning) ((level :initarg :level :reader quiet-level))
          (:default-initargs :level 3) (:report "Quiet, please."))""")
    assert value("(let ((c (make-condition 'quiet-l3))) (list (quiet-level c) (princ-to-string c)))") == \
        '(3 "Quiet, please.")'


def test_a_user_condition_is_caught_by_its_parent_type() -> None:
    evaluator.eval_string("(define-condition parent-l3 (error) ()) (define-condition child-l3 (parent-l3) ())")
    assert value("(handler-case (error 'child-l3) (parent-l3 (c) (type-of c)))") == "CHILD-L3"
    assert value("(subtypep 'child-l3 'error)") == "T"


def test_make_condition_with_an_unknown_initarg_is_a_program_error() -> None:
    assert isinstance(raised("(make-condition 'simple-error :no-such-initarg 1)"), cc.ProgramError)


def test_define_condition_with_an_unknown_parent_is_an_error() -> None:
    assert isinstance(raised("(define-condition orphan-l3 (no-such-parent-l3) ())"), cc.Error)


def test_standard_condition_readers_give_the_slots() -> None:
    assert value("(handler-case (/ 5 0) (arithmetic-error (c)"
                 " (list (arithmetic-error-operation c) (arithmetic-error-operands c))))") == "(/ (5 0))"
    assert value("(handler-case (symbol-value 'unbound-l3) (unbound-variable (c) (cell-error-name c)))") == \
        "UNBOUND-L3"


# -- check-type and assert -----------------------------------------------------------------------


def test_check_type_store_value_restart_replaces_the_place() -> None:
    assert value("""
        (let ((x 5))
          (handler-bind ((type-error (lambda (c) (store-value "five"))))
            (check-type x string))
          x)""") == '"five"'


def test_check_type_signals_a_type_error_naming_the_datum_and_type() -> None:
    assert value("(let ((x 5)) (handler-case (check-type x string)"
                 " (type-error (c) (list (type-error-datum c) (type-error-expected-type c)))))") == "(5 STRING)"


def test_assert_signals_an_error_with_a_continue_restart() -> None:
    assert value("""
        (let ((n 0))
          (handler-bind ((error (lambda (c) (incf n) (continue c))))
            (assert (>= n 2)))
          n)""") == "2"


# -- unhandled errors and the Python API ---------------------------------------------------------


def test_unhandled_error_raises_the_condition_with_its_position_and_restarts() -> None:
    with pytest.raises(cc.SimpleError) as info:
        evaluator.eval_string('(restart-case\n  (error "boom ~A" 1)\n  (retry () :report "Retry." nil))',
                              file="demo.lisp")
    condition = info.value
    assert condition.report() == "boom 1"
    assert [r.name for r in condition.restarts] == [intern("RETRY")]
    assert [r.report() for r in condition.restarts] == ["Retry."]
    assert (condition.pos.file, condition.pos.line) == ("demo.lisp", 2)
    assert str(condition).startswith("demo.lisp:2:")


def test_toplevel_restart_unwinds_to_its_block_when_invoked() -> None:
    with signals.toplevel_restart(cl_symbol("ABORT"), "Return to top level.") as invoked:
        evaluator.eval_string("(abort)")
        pytest.fail("abort returned")
    assert invoked()


def test_as_condition_keeps_the_original_python_exception() -> None:
    original = KeyError("k")
    condition = host_errors.as_condition(original)
    assert isinstance(condition, cc.PythonError) and condition.original is original
    assert "KeyError" in signals.report(original)


# -- host exceptions -----------------------------------------------------------------------------


def test_python_zero_division_from_a_host_call_is_caught_as_division_by_zero() -> None:
    evaluator.eval_string("(defun call-host-l3 (f) (handler-case (funcall f) (division-by-zero (c) c)))")
    condition = evaluator.function("call-host-l3")(lambda: 1 // 0)
    assert isinstance(condition, cc.DivisionByZero)
    assert isinstance(condition.original, ZeroDivisionError)


def test_other_python_exceptions_are_python_errors_keeping_the_original() -> None:
    evaluator.eval_string("(defun catch-host-l3 (f) (handler-case (funcall f) (error (c) c)))")
    condition = evaluator.function("catch-host-l3")(lambda: {}["missing"])
    assert isinstance(condition, cc.PythonError) and isinstance(condition.original, KeyError)


def test_handler_bind_sees_a_python_exception_as_a_condition() -> None:
    evaluator.eval_string("""
        (defun classify-host-l3 (f)
          (catch 'kind (handler-bind ((type-error (lambda (c) (throw 'kind :type-error))))
                         (funcall f))))""")
    assert value("(classify-host-l3 (lambda () (+ 1 \"a\")))") == ":TYPE-ERROR"


def test_calling_an_undefined_function_is_an_undefined_function_error() -> None:
    assert value("(handler-case (no-such-function-l3 1) (undefined-function (c) (cell-error-name c)))") == \
        "NO-SUCH-FUNCTION-L3"


def test_a_wrong_argument_count_is_a_program_error() -> None:
    assert value("(handler-case (funcall #'car 1 2) (program-error () :program-error))") == ":PROGRAM-ERROR"


@pytest.mark.timeout(60)
def test_deep_recursion_is_a_storage_condition_not_an_error() -> None:
    evaluator.eval_string("(defun deep-l3 (n) (if (= n 0) 0 (+ 1 (deep-l3 (- n 1)))))")
    assert value("(handler-case (deep-l3 1000000) (storage-condition () :exhausted))") == ":EXHAUSTED"
    assert value("(handler-case (handler-case (deep-l3 1000000) (error () :error))"
                 " (storage-condition () :storage))") == ":STORAGE"


def test_keyboard_interrupt_passes_through_handlers_for_t() -> None:
    evaluator.eval_string("(defun catch-all-l3 (f) (handler-case (funcall f) (t () :caught)))")

    def interrupt() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        evaluator.function("catch-all-l3")(interrupt)


# -- condition classes from Python ----------------------------------------------------------------


def test_condition_classes_are_python_exceptions_with_the_cl_hierarchy() -> None:
    assert issubclass(cc.DivisionByZero, cc.ArithmeticError_) and issubclass(cc.DivisionByZero, ZeroDivisionError)
    assert issubclass(cc.LispTypeError, TypeError)
    assert issubclass(cc.SimpleError, cc.SimpleCondition) and issubclass(cc.SimpleError, cc.Error)
    assert not issubclass(cc.StorageCondition, cc.Error)
    assert cc.condition_class(cl_symbol("READER-ERROR")) is cc.ReaderError


def test_constructor_message_and_position_make_the_report() -> None:
    from lisp.runtime.data import SourcePos

    error = cc.ReaderError("unbalanced parenthesis", SourcePos("f.lisp", 3, 7))
    assert error.report() == "unbalanced parenthesis"
    assert str(error) == "f.lisp:3:7: unbalanced parenthesis"


def test_type_error_default_report_names_datum_and_type() -> None:
    error = cc.LispTypeError(datum=5, expected_type=cl_symbol("LIST"))
    assert error.report() == "the value 5 is not of type LIST"


def test_debugger_hook_is_called_for_an_unhandled_error_with_itself_unbound() -> None:
    assert value("""
        (catch 'hooked
          (let ((*debugger-hook* (lambda (c hook)
                                   (throw 'hooked (list (princ-to-string c) (null *debugger-hook*)
                                                        (functionp hook))))))
            (error "unhandled ~A" 1)))""") == '("unhandled 1" T T)'


def test_break_offers_a_continue_restart_to_the_debugger() -> None:
    # break binds *debugger-hook* to NIL (CLHS); SBCL's *invoke-debugger-hook* still sees it.
    assert value("""
        (let ((sb-ext:*invoke-debugger-hook* (lambda (c hook) (continue))))
          (list (break "pause ~A" 1) :after))""") == "(NIL :AFTER)"


def test_default_initargs_apply_to_inherited_slots() -> None:
    evaluator.eval_string("(define-condition preset-l3 (simple-error) ()"
                          " (:default-initargs :format-control \"preset ~A\" :format-arguments '(7)))")
    assert value("(handler-case (error 'preset-l3) (error (c) (princ-to-string c)))") == '"preset 7"'


def test_an_undefined_setf_function_is_named_as_a_setf_function_name() -> None:
    assert value("(handler-case (let ((x (list 1))) (setf (no-such-accessor-l3 x) 2))"
                 " (undefined-function (c) (cell-error-name c)))") == "(SETF NO-SUCH-ACCESSOR-L3)"


def test_a_library_error_reports_the_position_of_the_lisp_call() -> None:
    with pytest.raises(cc.LispTypeError) as info:
        evaluator.eval_string("(defun first-of-l3 (x)\n  (car x))\n(first-of-l3 5)", file="where.lisp")
    assert str(info.value) == "where.lisp:2:3: the value 5 is not of type LIST"


@pytest.mark.timeout(60)
def test_handlers_are_per_thread() -> None:
    results = []
    thread_ready, handler_set = threading.Event(), threading.Event()

    def bare_thread() -> None:
        handler_set.wait(5)
        results.append(signals.signal("from another thread"))
        thread_ready.set()

    def with_handler() -> None:
        handler_set.set()
        thread_ready.wait(5)

    thread = threading.Thread(target=bare_thread)
    thread.start()
    signals.handler_bind([(cc.Condition, lambda c: results.append("wrongly handled"))], with_handler)
    thread.join(5)
    assert results == [None]


def test_invoking_a_restart_after_its_extent_is_a_control_error() -> None:
    assert value("(let ((r nil)) (restart-case (setf r (find-restart 'x)) (x () 1))"
                 " (handler-case (invoke-restart r) (control-error () :control-error)))") == ":CONTROL-ERROR"


def test_invoke_restart_of_a_non_designator_is_a_type_error() -> None:
    assert value("(handler-case (invoke-restart 42) (type-error () :type-error))") == ":TYPE-ERROR"


def test_an_operator_refusing_its_operand_names_the_lisp_datum_and_type() -> None:
    assert value("(handler-case (let ((x nil)) (1+ x))"
                 " (type-error (c) (list (type-error-datum c) (type-error-expected-type c))))") == "(NIL NUMBER)"
    assert value("(handler-case (< 1 'a) (type-error (c) (princ-to-string c)))") == '"the value A is not of type REAL"'


def test_a_wrong_argument_count_names_the_lisp_function() -> None:
    evaluator.eval_string("(defun two-args-l3 (a b) (list a b))")
    assert value("(handler-case (two-args-l3 1) (program-error (c) (princ-to-string c)))").startswith(
        '"invalid number of arguments to TWO-ARGS-L3')
    assert value("(handler-case (gethash) (program-error (c) (princ-to-string c)))").startswith(
        '"invalid number of arguments to GETHASH')
