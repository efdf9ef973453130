"""The standard interactive tools as Lisp functions: documentation, describe, apropos, trace, step,
inspect, disassemble, room, time, require and provide, print-object on built-in objects.

``step`` and ``inspect`` read their commands from ``*query-io*`` here (no terminal is installed),
so each test gives them a string to read.
"""

from lisp_results import raised, value

import lisp


def output(text: str) -> str:
    """What evaluating ``text`` printed on ``*standard-output*`` (and ``*trace-output*``)."""
    return str(lisp.eval_string(
        f"(let* ((out (make-string-output-stream)) (*standard-output* out) (*trace-output* out)) "
        f"{text} (get-output-stream-string out))"))


def with_answers(answers: str, text: str) -> str:
    """What ``text`` printed, reading ``answers`` (lines) from ``*query-io*``."""
    escaped = answers.replace("\\", "\\\\").replace('"', '\\"')
    return output(f'(let ((*query-io* (make-two-way-stream (make-string-input-stream "{escaped}") out))) {text})')


# -- documentation -----------------------------------------------------------------------------

def test_a_defun_docstring_is_its_documentation_and_its_python_doc() -> None:
    assert value('(defun doc-fn (x) "Doubles X." (* 2 x)) (documentation \'doc-fn \'function)') == '"Doubles X."'
    assert lisp.function("doc-fn").__doc__ == "Doubles X."


def test_a_string_that_is_the_whole_body_is_no_docstring() -> None:
    assert value('(defun doc-only () "just a value") (documentation \'doc-only \'function)') == "NIL"


def test_a_redefinition_without_docstring_has_none() -> None:
    assert value('(defun doc-again () "Old." 1) (defun doc-again () 2) (documentation \'doc-again \'function)') == "NIL"


def test_variables_keep_the_docstrings_of_defvar_defparameter_and_defconstant() -> None:
    assert value('(defvar *doc-v* 1 "V.") (defparameter *doc-p* 2 "P.") (defconstant +doc-c+ 3 "C.")'
                 "(mapcar (lambda (s) (documentation s 'variable)) '(*doc-v* *doc-p* +doc-c+))") == '("V." "P." "C.")'


def test_macros_generic_functions_methods_classes_conditions_and_types_keep_theirs() -> None:
    assert value("""
        (defmacro doc-mac () "Mac." nil)
        (defgeneric doc-gf (x) (:documentation "Gf."))
        (defmethod doc-gf ((x integer)) "Method." x)
        (defclass doc-class () () (:documentation "Class."))
        (define-condition doc-cond (error) () (:documentation "Cond."))
        (deftype doc-type () "Type." 'integer)
        (list (documentation 'doc-mac 'function) (documentation 'doc-gf 'function)
              (documentation (first (compute-applicable-methods #'doc-gf '(1))) t)
              (documentation 'doc-class 'type) (documentation (find-class 'doc-class) t)
              (documentation 'doc-cond 'type) (documentation 'doc-type 'type))""") == \
        '("Mac." "Gf." "Method." "Class." "Class." "Cond." "Type.")'


def test_setf_documentation_replaces_a_function_s_docstring() -> None:
    assert value("(defun doc-set () \"Old.\" 1) (setf (documentation 'doc-set 'function) \"New.\")"
                 "(list (documentation 'doc-set 'function) (documentation #'doc-set t))") == '("New." "New.")'


def test_a_lisp_function_written_in_python_is_documented_by_its_python_docstring() -> None:
    assert value("(search \"readably\" (documentation 'prin1-to-string 'function))") != "NIL"


def test_an_unknown_documentation_type_gives_nil() -> None:
    assert value("(documentation 'car 'no-such-doc-type)") == "NIL"


# -- describe ----------------------------------------------------------------------------------

def test_describe_of_a_defun_gives_lambda_list_documentation_and_source_location() -> None:
    lisp.eval_string('(defun desc-fn (n &optional (m 2)) "Adds." (+ n m))', file="/src/desc.lisp")
    assert output("(describe 'desc-fn)") == (
        "COMMON-LISP-USER::DESC-FN\n  [symbol]\n\nDESC-FN names a compiled function:\n"
        "  Lambda-list: (N &OPTIONAL (M 2))\n  Documentation:\n    Adds.\n"
        "  Source location: /src/desc.lisp:1:1\n")


def test_describe_of_a_generic_function_lists_its_methods_with_their_documentation() -> None:
    lisp.eval_string('(defgeneric desc-area (s) (:documentation "Area.")) '
                     '(defmethod desc-area ((s integer)) "Of an integer." (* s s))')
    assert output("(describe 'desc-area)").endswith(
        "DESC-AREA names a generic function:\n  Lambda-list: (S)\n  Documentation:\n    Area.\n"
        "  Method-combination: STANDARD\n  Methods:\n    (DESC-AREA (INTEGER))\n      Documentation:\n"
        "        Of an integer.\n")


def test_describe_of_a_special_variable_gives_its_value_and_documentation() -> None:
    lisp.eval_string('(defvar *desc-var* 42 "The answer.")')
    assert output("(describe '*desc-var*)").endswith(
        "*DESC-VAR* names a special variable:\n  Value: 42\n  Documentation:\n    The answer.\n")


def test_describe_of_a_class_name_gives_its_slots() -> None:
    lisp.eval_string("(defclass desc-sq () ((side :initarg :side :accessor desc-side)))")
    assert "  Direct slots:\n    SIDE\n      Initargs: :SIDE\n      Readers: DESC-SIDE\n" \
           "      Writers: (SETF DESC-SIDE)\n" in output("(describe 'desc-sq)")


def test_describe_of_a_builtin_function_gives_its_lambda_list_from_python() -> None:
    assert "  Lambda-list: (FN LST &REST MORE)\n" in output("(describe 'mapcar)")


def test_describe_of_a_string_gives_its_element_type_and_length() -> None:
    assert output('(describe "abc")') == '"abc"\n  [simple-string]\n\nElement-type: CHARACTER\nLength: 3\n'


def test_describe_returns_no_values() -> None:
    assert value("(multiple-value-list (describe 1 (make-broadcast-stream)))") == "NIL"


# -- apropos -----------------------------------------------------------------------------------

def test_apropos_marks_functions_fbound_and_shows_bound_values() -> None:
    lisp.eval_string("(defun aprop-zz-fn () 1) (defvar *aprop-zz-var* 7)")
    assert output('(apropos "APROP-ZZ")') == "*APROP-ZZ-VAR* = 7\nAPROP-ZZ-FN (fbound)"


# -- trace -------------------------------------------------------------------------------------

def test_trace_prints_each_call_and_return_indented_by_depth() -> None:
    lisp.eval_string("(defun tr-fib (n) (if (< n 2) n (+ (tr-fib (- n 1)) (tr-fib (- n 2)))))")
    try:
        assert output("(trace tr-fib) (tr-fib 2)") == (
            "  0: (TR-FIB 2)\n    1: (TR-FIB 1)\n    1: TR-FIB returned 1\n    1: (TR-FIB 0)\n"
            "    1: TR-FIB returned 0\n  0: TR-FIB returned 1\n")
    finally:
        lisp.eval_string("(untrace tr-fib)")


def test_untrace_restores_the_function_and_its_self_calls() -> None:
    assert output("(defun tr-back (n) (if (= n 0) 0 (tr-back (- n 1)))) (trace tr-back) (untrace tr-back)"
                  "(tr-back 3)") == ""


def test_trace_keeps_multiple_values() -> None:
    try:
        assert value("(defun tr-two () (values 1 2)) (trace tr-two)"
                     "(let ((*trace-output* (make-broadcast-stream))) (multiple-value-list (tr-two)))") == "(1 2)"
    finally:
        lisp.eval_string("(untrace tr-two)")


def test_a_traced_generic_function_still_takes_new_methods_and_is_one() -> None:
    lisp.eval_string("(defgeneric tr-gf (x)) (defmethod tr-gf ((x integer)) :int) (trace tr-gf)")
    try:
        assert output("(defmethod tr-gf ((x string)) :str) (tr-gf \"a\")") == \
            '  0: (TR-GF "a")\n  0: TR-GF returned :STR\n'
        assert value("(typep #'tr-gf 'generic-function)") == "T"
    finally:
        lisp.eval_string("(untrace tr-gf)")


def test_trace_with_no_names_lists_the_traced_functions() -> None:
    lisp.eval_string("(defun tr-listed () 1) (trace tr-listed)")
    try:
        assert value("(member 'tr-listed (trace))") != "NIL"
    finally:
        lisp.eval_string("(untrace tr-listed)")


def test_trace_break_enters_the_debugger_before_the_call() -> None:
    lisp.eval_string("(defun tr-brk () 1) (trace tr-brk :break t)")
    try:
        assert value("(catch 'broke (let ((sb-ext:*invoke-debugger-hook* "
                     "(lambda (c h) (declare (ignore h)) (throw 'broke (format nil \"~a\" c))))) (tr-brk)))") == \
            '"Tracing TR-BRK: break on entry."'
    finally:
        lisp.eval_string("(untrace tr-brk)")


# -- step and inspect --------------------------------------------------------------------------

def test_step_stops_at_each_call_into_which_it_steps() -> None:
    lisp.eval_string("(defun st-add (a b) (+ a b)) (defun st-top (x) (st-add x 1))")
    shown = with_answers("s\ns\n", "(step (st-top 1))")
    assert "step 1] (ST-TOP 1)" in shown and "step 2] (ST-ADD 1 1)" in shown
    assert "step 1 => 2" in shown


def test_step_over_does_not_stop_inside_the_call() -> None:
    lisp.eval_string("(defun st-in (a) a) (defun st-out (x) (st-in x))")
    assert "ST-IN" not in with_answers("n\n", "(step (st-out 1))")


def test_step_returns_the_values_of_the_form() -> None:
    assert value("(let ((*query-io* (make-two-way-stream (make-string-input-stream \"c\n\") "
                 "(make-broadcast-stream)))) (multiple-value-list (step (floor 7 2))))") == "(3 1)"


def test_inspect_shows_the_parts_and_goes_into_one_by_number() -> None:
    shown = with_answers("1\nq\n", "(inspect (list :a (vector 1 2)))")
    assert "The object is a proper list of length 2.\n0. 0: :A\n1. 1: #(1 2)\n" in shown
    assert "The object is a SIMPLE-VECTOR of length 2.\n0. 0: 1\n1. 1: 2\n" in shown


def test_inspect_returns_the_object_inspected_when_it_is_left() -> None:
    assert value("(let ((*query-io* (make-two-way-stream (make-string-input-stream (format nil \"1~%q~%\")) "
                 "(make-broadcast-stream)))) (inspect (list :a :b)))") == ":B"


def test_inspect_evaluates_a_form_with_star_bound_to_the_object() -> None:
    assert "3\n" in with_answers("e (length *)\nq\n", "(inspect (list 1 2 3))")


# -- disassemble, room, time -------------------------------------------------------------------

def test_disassemble_of_a_defun_shows_the_python_it_compiles_to_and_the_bytecode() -> None:
    lisp.eval_string("(defun dis-double (x) (* x 2))")
    shown = output("(disassemble 'dis-double)")
    assert "def DIS-DOUBLE(X):\n    return X * 2" in shown
    assert "bytecode of DIS-DOUBLE" in shown and "RETURN_VALUE" in shown


def test_disassemble_of_a_builtin_shows_its_python_source() -> None:
    assert "def mapcar(" in output("(disassemble 'mapcar)")


def test_disassemble_of_a_generic_function_shows_its_native_dispatcher() -> None:
    lisp.eval_string("(defgeneric dis-gf (x)) (defmethod dis-gf ((x integer)) x) (dis-gf 1)")
    shown = output("(disassemble 'dis-gf)")
    assert "Native dispatcher of the generic function DIS-GF" in shown
    assert "\t.globl\t" in shown


def test_room_reports_memory_and_the_lisp() -> None:
    shown = output("(room)")
    assert shown.startswith("Resident memory: ")
    assert "\nLisp: " in shown and "global functions" in shown


def test_time_reports_run_time_and_collections_and_returns_the_values() -> None:
    shown = output("(time (values 1 2))")
    assert "seconds of total run time (" in shown and "garbage collections" in shown
    assert "bytes consed: not measured" in shown


def test_time_counts_bytes_when_asked_to_trace_allocations() -> None:
    shown = output("(let ((gfjit-ext:*time-conses* t)) (time (make-list 10000)))")
    assert "bytes consed at the peak" in shown


# -- require and provide -----------------------------------------------------------------------

def test_require_loads_a_module_from_the_search_path_once(tmp_path) -> None:
    (tmp_path / "req-mod.lisp").write_text("(defvar *req-loads* 0) (incf *req-loads*)")
    assert value(f'(let ((gfjit-ext:*module-search-path* (list "{tmp_path}/"))) '
                 f'(list (require :req-mod) (require "REQ-MOD") *req-loads*))') == "(T NIL 1)"


def test_require_finds_name_slash_name_dot_lisp(tmp_path) -> None:
    (tmp_path / "req-sub").mkdir()
    (tmp_path / "req-sub" / "req-sub.lisp").write_text("(provide :req-sub)")
    assert value(f'(let ((gfjit-ext:*module-search-path* (list "{tmp_path}"))) (require :req-sub))') == "T"


def test_require_calls_a_function_of_the_search_path() -> None:
    assert value("(let ((gfjit-ext:*module-search-path* (list (lambda (name) (provide name) t)))) "
                 "(list (require :req-fn) (not (null (member \"REQ-FN\" *modules* :test #'string=)))))") == "(T T)"


def test_require_of_an_unknown_module_is_an_error_naming_it() -> None:
    assert "REQ-NOWHERE" in raised("(let ((gfjit-ext:*module-search-path* nil)) (require :req-nowhere))").report()


def test_the_default_search_path_ends_with_debian_s_asdf_directory() -> None:
    assert value("(car (last gfjit-ext:*module-search-path* 2))") == '"/usr/share/common-lisp/source/cl-asdf/build/"'


# -- print-object on built-in objects ----------------------------------------------------------

def test_print_object_of_a_number_string_or_list_prints_as_prin1() -> None:
    assert output('(print-object 3 *standard-output*) (print-object "s" *standard-output*)'
                  "(print-object '(1 #\\a) *standard-output*)") == '3"s"(1 #\\a)'


def test_a_print_object_method_printing_slots_shows_lisp_printed_forms() -> None:
    lisp.eval_string("(defclass po-pt () ((x :initarg :x))) "
                     "(defmethod print-object ((p po-pt) s) (print-object (slot-value p 'x) s))")
    assert value("(prin1-to-string (make-instance 'po-pt :x '(1/2 \"b\")))") == '"(1/2 \\"b\\")"'


def test_load_finds_a_file_by_its_name_without_dot_lisp(tmp_path) -> None:
    (tmp_path / "loaded-x.lisp").write_text("(defvar *loaded-x* :yes)")
    assert value(f'(load "{tmp_path}/loaded-x") *loaded-x*') == ":YES"
