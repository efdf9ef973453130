"""The compiler's special forms, lambda lists, special variables and multiple values."""

from __future__ import annotations

import threading
import traceback

import pytest

from lisp.runtime.condition_classes import Condition, ControlError, ProgramError
from tests.lisp.lisp_eval import run, show, show_values

# -- evaluation basics --------------------------------------------------------------------------

def test_quoted_literal_is_the_same_object_each_time():
    run("(defun quoted-literal () '(a b))")
    assert run("(eq (quoted-literal) (quoted-literal))") is not None


def test_only_nil_is_false():
    assert show("(list (if nil 1 2) (if 0 1 2) (if '() 1 2) (if \"\" 1 2))") == "(2 1 2 1)"


def test_comparison_used_as_value_is_t_or_nil():
    assert show("(list (< 1 2) (< 2 1) (= 1 1.0) (eq 'a 'a))") == "(T NIL T T)"


def test_open_coded_arithmetic_follows_common_lisp_on_numbers():
    assert show("(list (+) (*) (- 5) (+ 1 2 3) (* 2 3 4) (- 10 1 2) (1+ 1/2) (+ 1/2 1/2))") == \
        "(0 1 -5 6 24 7 3/2 1)"


def test_arguments_are_evaluated_left_to_right():
    assert show("(let ((x 1)) (list x (setq x 2) x))") == "(1 2 2)"


def test_let_binds_in_parallel():
    assert show("(let ((x 1)) (let ((x 2) (y x)) (list x y)))") == "(2 1)"


def test_let_star_binds_in_sequence():
    assert show("(let ((x 1)) (let* ((x 2) (y x)) (list x y)))") == "(2 2)"


def test_setq_returns_the_last_value_and_assigns_in_order():
    assert show("(let (a b) (list (setq a 1 b (+ a 1)) a b))") == "(2 1 2)"


def test_progn_returns_the_last_value():
    assert run("(progn 1 2 3)") == 3
    assert run("(progn)") is None


# -- functions and closures ---------------------------------------------------------------------

def test_closure_sees_and_updates_its_variable():
    run("(defun make-counter () (let ((n 0)) (lambda () (setq n (+ n 1)))))")
    assert show("(let ((c (make-counter))) (funcall c) (funcall c) (funcall c))") == "3"


def test_closures_made_in_a_loop_capture_fresh_bindings():
    text = "(let ((fns nil)) (dotimes (i 3) (let ((j i)) (push (lambda () j) fns))) (mapcar #'funcall fns))"
    assert show(text) == "(2 1 0)"


def test_flet_function_does_not_see_itself():
    run("(defun flet-outer (x) (list 'global x))")
    assert show("(flet ((flet-outer (x) (flet-outer (* x 10)))) (flet-outer 1))") == "(GLOBAL 10)"


def test_labels_functions_call_each_other():
    text = """(labels ((ev (n) (if (= n 0) t (od (- n 1))))
                       (od (n) (if (= n 0) nil (ev (- n 1)))))
                (list (ev 10) (od 7)))"""
    assert show(text) == "(T T)"


def test_local_function_shadows_open_coded_operator():
    assert run("(flet ((+ (a b) (* a b))) (+ 3 4))") == 12


def test_function_of_a_global_name_is_the_global_function():
    run("(defun ident-fn (x) x)")
    assert run("(funcall #'ident-fn 5)") == 5


def test_immediate_lambda_call():
    assert run("((lambda (x y) (- x y)) 10 3)") == 7


def test_defun_returns_its_name():
    assert show("(defun named-thing () 1)") == "NAMED-THING"


@pytest.mark.parametrize("text", ["(defun car (x) x)", "(defmacro list (x) x)", "(defun (setf car) (v x) v)"])
def test_common_lisp_package_is_locked_against_redefinition(text):
    from lisp.runtime.condition_classes import PackageError

    with pytest.raises(PackageError, match="Lock on package COMMON-LISP"):
        run(text)
    assert show("(car (list 1 2))") == "1"


def test_defun_body_is_in_a_block_of_its_name():
    run("(defun early (x) (when (> x 0) (return-from early 'positive)) 'other)")
    assert show("(list (early 1) (early -1))") == "(POSITIVE OTHER)"


# -- lambda lists -------------------------------------------------------------------------------

def test_optional_parameters_take_defaults_and_supplied_p():
    run("(defun opt-fn (a &optional (b (* a 2) b-p) c) (list a b b-p c))")
    assert show("(list (opt-fn 1) (opt-fn 1 5) (opt-fn 1 5 6))") == "((1 2 NIL NIL) (1 5 T NIL) (1 5 T 6))"


def test_rest_parameter_is_a_list_of_the_remaining_arguments():
    run("(defun rest-fn (a &rest more) (list a more))")
    assert show("(list (rest-fn 1) (rest-fn 1 2 3))") == "((1 NIL) (1 (2 3)))"


def test_keyword_parameters_with_defaults_supplied_p_and_names():
    run("(defun key-fn (&key (a 1) (b a b-p) ((:the-c c) 'none)) (list a b b-p c))")
    assert show("(key-fn)") == "(1 1 NIL NONE)"
    assert show("(key-fn :b 2 :the-c 3 :a 0)") == "(0 2 T 3)"


def test_first_occurrence_of_a_repeated_keyword_wins():
    run("(defun key-once (&key a) a)")
    assert run("(key-once :a 1 :a 2)") == 1


def test_unknown_keyword_is_a_program_error():
    run("(defun key-strict (&key a) a)")
    with pytest.raises(ProgramError, match="unknown keyword argument :B"):
        run("(key-strict :b 1)")


def test_allow_other_keys_in_lambda_list_or_call():
    run("(defun key-lax (&key a &allow-other-keys) a)")
    run("(defun key-strict2 (&key a) a)")
    assert run("(key-lax :b 2 :a 1)") == 1
    assert run("(key-strict2 :b 2 :allow-other-keys t :a 1)") == 1


@pytest.mark.parametrize("key", ["#(1)", "5", "\"a\""])
def test_a_keyword_argument_key_that_is_no_symbol_is_a_program_error(key):
    run("(defun key-nonsym (&key a) a)")
    with pytest.raises(ProgramError, match="is not a keyword"):
        run(f"(key-nonsym {key} 1)")


def test_allow_other_keys_nil_in_the_call_still_rejects_unknown_keys():
    run("(defun key-aok (&key a) a)")
    with pytest.raises(ProgramError, match="unknown keyword argument :B"):
        run("(key-aok :allow-other-keys nil :b 1)")
    assert run("(key-aok :a 1 :allow-other-keys nil)") == 1


def test_odd_keyword_arguments_are_a_program_error():
    run("(defun key-odd (&key a) a)")
    with pytest.raises(ProgramError, match="odd number"):
        run("(key-odd :a)")


def test_rest_and_key_together():
    run("(defun rest-key (&rest all &key a b) (list all a b))")
    assert show("(rest-key :b 2 :a 1)") == "((:B 2 :A 1) 1 2)"


def test_aux_variables_are_bound_in_sequence():
    run("(defun aux-fn (x &aux (y (* x 2)) (z (+ y 1))) (list x y z))")
    assert show("(aux-fn 3)") == "(3 6 7)"


def test_too_many_arguments_is_a_condition():
    run("(defun one-arg (x) x)")
    with pytest.raises(Condition):
        run("(one-arg 1 2)")


def test_malformed_lambda_list_is_a_program_error():
    with pytest.raises(ProgramError, match="misplaced &OPTIONAL"):
        run("(lambda (&rest r &optional x) x)")


# -- blocks, tags, catch, unwind-protect ---------------------------------------------------------

def test_return_from_leaves_the_block_with_a_value():
    assert run("(block b (return-from b 7) 8)") == 7


def test_return_from_inside_a_closure_leaves_the_enclosing_block():
    run("(defun call-it (f) (funcall f) 'not-reached)")
    assert show("(block outer (call-it (lambda () (return-from outer 'left))))") == "LEFT"


def test_return_from_out_of_nested_loops():
    text = "(block found (dolist (x '(1 2 3)) (dolist (y '(4 5 6)) (when (= (* x y) 10) (return-from found (list x y))))))"
    assert show(text) == "(2 5)"


def test_return_from_a_block_already_left_is_a_control_error():
    run("(defun leaky-block () (block b (lambda () (return-from b 1))))")
    with pytest.raises(ControlError):
        run("(funcall (leaky-block))")


def test_return_from_an_unknown_block_is_a_program_error():
    with pytest.raises(ProgramError, match="NO-SUCH-BLOCK"):
        run("(return-from no-such-block 1)")


def test_tagbody_go_loops_and_returns_nil():
    assert show("(let ((i 0) (acc nil)) (list (tagbody top (push i acc) (incf i) (when (< i 3) (go top))) acc))") \
        == "(NIL (2 1 0))"


def test_go_from_a_closure_to_an_enclosing_tagbody():
    run("(defun call-thunk (f) (funcall f))")
    text = "(let ((n 0)) (tagbody again (incf n) (when (< n 3) (call-thunk (lambda () (go again))))) n)"
    assert run(text) == 3


def test_catch_receives_the_thrown_value_through_functions():
    run("(defun thrower (x) (throw 'tag (* x 2)))")
    assert run("(catch 'tag (thrower 21) 'not-reached)") == 42


def test_innermost_catch_of_the_tag_wins():
    assert show("(catch 'a (list (catch 'a (throw 'a 1)) 2))") == "(1 2)"


def test_throw_without_catch_is_a_control_error():
    with pytest.raises(ControlError, match="NOWHERE"):
        run("(throw 'nowhere 1)")


def test_unwind_protect_cleanup_runs_on_non_local_exit():
    assert show("(let ((log nil)) (catch 'x (unwind-protect (throw 'x 1) (push 'cleaned log))) log)") == "(CLEANED)"


def test_unwind_protect_keeps_the_values_of_the_protected_form():
    assert show_values("(unwind-protect (values 1 2) (values 3 4))") == ["1", "2"]


def test_error_in_unwind_protect_cleanup_is_signalled():
    with pytest.raises(Condition, match="in cleanup"):
        run('(unwind-protect 1 (error "in cleanup"))')


# -- special variables --------------------------------------------------------------------------

def test_special_binding_is_seen_by_called_functions():
    run("(defvar *depth-var* 0) (defun read-depth () *depth-var*)")
    assert show("(list (let ((*depth-var* 5)) (read-depth)) (read-depth))") == "(5 0)"


def test_special_binding_is_undone_by_a_non_local_exit():
    run("(defvar *restored* 'global)")
    run("(catch 'out (let ((*restored* 'inner)) (throw 'out nil)))")
    assert show("*restored*") == "GLOBAL"


def test_declare_special_makes_a_let_binding_dynamic():
    run("(defun read-local-special () (declare (special local-special)) local-special)")
    assert run("(let ((local-special 9)) (declare (special local-special)) (read-local-special))") == 9


def test_special_bindings_are_per_thread():
    run("(defvar *per-thread* 'global)")
    seen = []
    with_binding = threading.Event()
    checked = threading.Event()

    def other() -> None:
        with_binding.wait(10)
        seen.append(show("*per-thread*"))
        checked.set()

    thread = threading.Thread(target=other)
    thread.start()
    run("(defun signal-and-wait () (funcall (symbol-value '*signal-fn*)))")
    from lisp.runtime import namespace
    from lisp.runtime.data import intern

    namespace.set_symbol_value(intern("*SIGNAL-FN*"), lambda: (with_binding.set(), checked.wait(10)))
    run("(defvar *signal-fn* nil)")
    run("(let ((*per-thread* 'bound)) (signal-and-wait))")
    thread.join(10)
    assert seen == ["GLOBAL"]


def test_defvar_does_not_reassign_but_defparameter_does():
    run("(defvar *once* 1) (defvar *once* 2) (defparameter *always* 1) (defparameter *always* 2)")
    assert show("(list *once* *always*)") == "(1 2)"


def test_assigning_a_constant_is_a_program_error():
    run("(defconstant +the-answer+ 42)")
    with pytest.raises(ProgramError, match="constant"):
        run("(setq +the-answer+ 1)")


@pytest.mark.parametrize("text", ["(let ((t 1)) t)", "(let* ((pi 3)) pi)", "(defun binds-pi (pi) pi)",
                                  "(lambda (&optional (pi 1)) pi)"])
def test_binding_a_constant_is_a_program_error_with_position(text):
    with pytest.raises(ProgramError, match="constant") as info:
        run(text)
    assert info.value.pos is not None


def test_assigning_t_reports_where():
    with pytest.raises(ProgramError) as info:
        run("\n(setq t 5)")
    assert info.value.pos is not None and info.value.pos.line == 2


def test_progv_binds_symbols_computed_at_run_time():
    run("(defvar *pv* 0)")
    assert show("(progv (list '*pv*) (list 7) *pv*)") == "7"


# -- multiple values ----------------------------------------------------------------------------

def test_values_returns_all_values():
    assert show_values("(values 1 2 3)") == ["1", "2", "3"]


def test_no_values_is_nil_in_a_single_value_context():
    assert show_values("(values)") == []
    assert show("(list (values))") == "(NIL)"


def test_multiple_value_bind_fills_missing_values_with_nil():
    assert show("(multiple-value-bind (a b c) (values 1 2) (list a b c))") == "(1 2 NIL)"


def test_multiple_values_pass_through_a_function_tail_call():
    run("(defun my-floor (x) (floor x 2))")
    assert show("(multiple-value-list (my-floor 7))") == "(3 1)"


def test_multiple_values_pass_through_if_let_and_progn():
    assert show("(multiple-value-list (let ((x 1)) (if x (progn 0 (values 'a 'b)) nil)))") == "(A B)"


def test_single_value_context_takes_the_primary_value():
    assert show("(multiple-value-list (let ((q (floor 7 2))) (+ q 10)))") == "(13)"


def test_extra_values_of_a_standard_function_bound_to_a_variable_are_dropped():
    assert show("(multiple-value-list (let ((q (floor 7 2))) q))") == "(3)"


def test_values_of_a_user_function_bound_to_a_variable_are_not_taken_for_the_variables():
    run("(defun two-values () (values 'a 'b))")
    assert show("(multiple-value-list (let ((x (two-values))) x))") == "(A)"
    assert show("(multiple-value-list (if t (let ((x (two-values))) x) 1))") == "(A)"


def test_nth_value_and_values_list():
    assert show("(list (nth-value 1 (floor 7 2)) (nth-value 5 (values 1)))") == "(1 NIL)"
    assert show_values("(values-list '(a b))") == ["A", "B"]


def test_multiple_value_call_passes_all_values_of_each_form():
    assert show("(multiple-value-call #'list 1 (values 2 3) (values) 4)") == "(1 2 3 4)"


def test_multiple_value_prog1_returns_the_first_forms_values():
    assert show_values("(let (x) (multiple-value-prog1 (values 1 2) (setq x (values 3 4))))") == ["1", "2"]


def test_multiple_value_setq_assigns_and_returns_the_primary_value():
    assert show("(let (a b) (list (multiple-value-setq (a b) (values 1 2)) a b))") == "(1 1 2)"


def test_return_from_carries_multiple_values():
    assert show_values("(block b (return-from b (values 1 2)))") == ["1", "2"]


# -- other special forms ------------------------------------------------------------------------

def test_the_locally_and_eval_when_execute_evaluate_their_forms():
    assert show("(list (the integer 3) (locally (declare (optimize speed)) 4) (eval-when (:execute) 5))") == \
        "(3 4 5)"


def test_eval_when_without_execute_is_nil_inside_a_function():
    assert run("(let () (eval-when (:compile-toplevel) 1))") is None


def test_load_time_value_is_evaluated_once():
    run("(defvar *ltv-count* 0) (defun ltv () (load-time-value (incf *ltv-count*)))")
    assert show("(list (ltv) (ltv) *ltv-count*)") == "(1 1 1)"


def test_load_time_value_in_a_loop_closure_is_evaluated_once():
    run("(defvar *ltv-loop* 0)")
    run("(let (fns) (dotimes (i 3) (let ((x (load-time-value (incf *ltv-loop*)))) (push (lambda () x) fns))) fns)")
    assert run("*ltv-loop*") == 1


def test_symbol_macrolet_expands_references_and_assignments():
    assert show("(let ((cell (list 1))) (symbol-macrolet ((x (car cell))) (setq x 5) (list x cell)))") == "(5 (5))"


def test_macrolet_defines_a_local_macro():
    assert show("(macrolet ((twice (f) `(progn ,f ,f))) (let ((n 0)) (twice (incf n)) n))") == "2"


@pytest.mark.timeout(60)
def test_compiling_and_running_from_several_threads_at_once():
    errors, results = [], {}

    def work(k: int) -> None:
        try:
            for i in range(20):
                run(f"(defun thread-fn-{k}-{i} (x) (let ((acc nil)) (dotimes (j x) (push (* j {k}) acc)) acc))")
                results[(k, i)] = show(f"(thread-fn-{k}-{i} 3)")
        except Exception as exc:  # reported below: the test fails on any error in a thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(50)
    assert not errors
    assert all(results[(k, i)] == f"({2 * k} {k} 0)" for k in range(4) for i in range(20))


def test_special_operator_p_knows_the_special_forms():
    assert show("(list (special-operator-p 'if) (special-operator-p 'when) (special-operator-p 'car))") == "(T NIL NIL)"


# -- errors and positions -----------------------------------------------------------------------

def test_malformed_special_form_is_a_program_error_with_position():
    with pytest.raises(ProgramError) as info:
        run("\n  (if)")
    assert info.value.pos is not None and info.value.pos.line == 2


def test_illegal_function_call_is_a_program_error():
    with pytest.raises(ProgramError, match="illegal function call"):
        run("(1 2)")


def test_undefined_function_is_a_condition():
    with pytest.raises(Condition, match="NO-SUCH-FUNCTION-ANYWHERE"):
        run("(no-such-function-anywhere 1)")


def test_unbound_variable_is_a_condition_naming_it():
    from lisp.runtime.condition_classes import UnboundVariable

    with pytest.raises(UnboundVariable, match="NO-SUCH-VARIABLE-ANYWHERE"):
        run("(list no-such-variable-anywhere)")


def test_compiled_code_reports_lisp_lines_in_tracebacks():
    run('(defun fails-on-line-3 (x)\n  (list x\n        (car x)))')
    with pytest.raises(Condition) as info:
        run("(fails-on-line-3 5)")
    frames = [f for f in traceback.extract_tb(info.value.__traceback__) if f.name == "FAILS-ON-LINE-3"]
    assert frames and frames[-1].filename == "<test>" and frames[-1].lineno == 3


def test_deep_recursion_is_a_condition_not_a_crash():
    run("(defun bottomless (n) (+ 1 (bottomless (+ n 1))))")
    with pytest.raises(Condition):
        run("(bottomless 0)")
    assert run("(+ 1 1)") == 2


def test_form_nested_beyond_cpython_limits_is_a_program_error():
    nested = "(block b (dotimes (i n) (when (= i 1) (return-from b i)) " * 25 + "i" + ")))" * 25
    with pytest.raises(ProgramError, match="beyond what CPython can compile"):
        run(f"(defun too-deep (n) {nested})")


def test_declaration_in_a_form_position_is_a_program_error():
    with pytest.raises(ProgramError, match="declaration"):
        run("(progn (declare (special x)) 1)")


@pytest.mark.parametrize("form, expected", [  # SBCL
    ("(let ((a 1) (b 2) (c 3) (d 2)) (list (< a b c) (< a d b) (<= a d b) (= b d 2) (> c b a) (>= c b b) (/= a b c)))",
     "(T NIL T T T T T)"),
    ("(let ((n 0)) (list (< 1 0 (incf n)) n))", "(NIL 1)"),
])
def test_comparisons_of_more_than_two_numbers_compare_each_neighbour_and_evaluate_every_argument(form, expected):
    assert show(form) == expected


@pytest.mark.parametrize("form", [
    "(progn (catch 'x 1) 2)", "(progn (catch 'x) 2)", "(progn (unwind-protect 1) 2)",
    "(progn (multiple-value-prog1 1) 2)", "(progn (progv nil nil) 2)", "(progn (let ((*print-base* 10))) 2)",
])
def test_a_form_for_effect_whose_body_leaves_no_code_compiles(form):
    assert show(form) == "2"


def test_an_unwind_protect_of_a_constant_runs_its_cleanup():
    # ansi-test UNWIND-PROTECT.10; SBCL: GOOD
    assert show("(block done (tagbody (unwind-protect 'foo (go 10) 10 (return-from done 'bad)) 10"
                " (return-from done 'good)))") == "GOOD"
