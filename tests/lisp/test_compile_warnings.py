"""Compile-time warnings at the end of compilation units, as SBCL gives them: undefined functions
and variables, wrong argument counts, unused variables (lisp.compiler.compilation_unit)."""

import subprocess
import sys
from pathlib import Path

import pytest

import lisp
from lisp.compiler import eval_values
from lisp.runtime import namespace
from lisp.runtime.data import cl_symbol
from lisp.runtime.streams import StringOutputStream
from lisp.syntax.reader import read_all
from tests.lisp.lisp_eval import show_values
from tests.lisp.test_repl_terminal import Terminal

ERROR_OUTPUT = cl_symbol("*ERROR-OUTPUT*")


def warnings_of_unit(text: str) -> str:
    """What compiling and evaluating ``text`` as one unit (as ``load`` does a file) prints on
    ``*error-output*``."""
    stream = StringOutputStream()
    with namespace.dynamic_binding(ERROR_OUTPUT, stream):
        lisp.eval_string(text, file="<test>")
    return stream.get_output_stream_string()


def warnings_of_forms(text: str) -> list[str]:
    """What each top-level form of ``text``, evaluated as at the REPL (a unit each), prints on
    ``*error-output*``."""
    stream = StringOutputStream()
    printed = []
    with namespace.dynamic_binding(ERROR_OUTPUT, stream):
        for form in read_all(text, file="<test>"):
            eval_values(form)
            printed.append(stream.get_output_stream_string())
    return printed


def test_an_undefined_function_is_reported_as_sbcl_does_at_the_end_of_the_unit():
    assert warnings_of_forms("(defun cw-foo () (cw-barr 1))") == [(
        "; in: DEFUN CW-FOO\n"
        ";     (CW-BARR 1)\n"
        "; \n"
        "; caught STYLE-WARNING:\n"
        ";   undefined function: COMMON-LISP-USER::CW-BARR\n"
        "; \n"
        "; compilation unit finished\n"
        ";   Undefined function:\n"
        ";     CW-BARR\n"
        ";   caught 1 STYLE-WARNING condition\n")]


def test_a_function_defined_later_in_the_same_unit_is_not_reported():
    assert warnings_of_unit("(defun cw-early () (cw-later 1)) (defun cw-later (x) x)") == ""


def test_a_function_defined_by_a_later_repl_form_was_reported_by_the_earlier_one():
    printed = warnings_of_forms("(defun cw-early2 () (cw-later2 1)) (defun cw-later2 (x) x)")
    assert "undefined function: COMMON-LISP-USER::CW-LATER2" in printed[0]
    assert printed[1] == ""


def test_a_function_named_by_sharp_quote_is_checked_too():
    assert "undefined function: COMMON-LISP-USER::CW-QUOTED" in \
        warnings_of_forms("(defun cw-sq () (mapcar #'cw-quoted '(1)))")[0]


def test_setq_of_an_unknown_variable_is_an_undefined_variable_warning():
    printed = warnings_of_forms("(setq cw-z 2)")[0]
    assert "; caught WARNING:\n;   undefined variable: COMMON-LISP-USER::CW-Z\n" in printed
    assert ";   Undefined variable:\n;     CW-Z\n;   caught 1 WARNING condition\n" in printed


def test_a_reference_to_an_unknown_variable_is_an_undefined_variable_warning():
    assert "undefined variable: COMMON-LISP-USER::CW-NOWHERE" in \
        warnings_of_forms("(defun cw-ref () cw-nowhere)")[0]


def test_variables_defined_by_defvar_and_locally_special_ones_are_not_undefined():
    assert warnings_of_unit("(defvar *cw-v* 1) (defun cw-v () (setq *cw-v* 2) *cw-v*)"
                            "(defun cw-l () (declare (special cw-loc)) cw-loc)") == ""


def test_a_call_with_too_many_arguments_to_a_known_function_is_a_warning():
    printed = warnings_of_forms("(defun cw-one (x) x) (defun cw-call () (cw-one 1 2))")[1]
    assert printed.startswith("; in: DEFUN CW-CALL\n;     (CW-ONE 1 2)\n; \n; caught WARNING:\n"
                              ";   The function CW-ONE is called with two arguments, but wants exactly one.\n")


def test_the_argument_count_of_a_standard_function_is_checked():
    assert "The function CAR is called with zero arguments, but wants exactly one." in \
        warnings_of_forms("(defun cw-car () (car))")[0]


def test_optional_and_rest_parameters_bound_the_argument_count_as_sbcl_words_it():
    printed = warnings_of_unit("(defun cw-opt (a &optional b) (list a b)) (defun cw-rest (a &rest r) (list a r))"
                               "(defun cw-calls () (cw-opt 1 2 3) (cw-rest))")
    assert "The function CW-OPT is called with three arguments, but wants at most two." in printed
    assert "The function CW-REST is called with zero arguments, but wants at least one." in printed


def test_a_fitting_call_gives_no_warning():
    assert warnings_of_unit("(defun cw-fit (a &optional b &key c) (list a b c)) (defun cw-fits () (cw-fit 1 2 :c 3))") \
        == ""


def test_an_unused_let_variable_is_a_style_warning_naming_its_binding():
    printed = warnings_of_forms("(defun cw-letu () (let ((a 1) (b 2)) a))")[0]
    assert printed == ("; in: DEFUN CW-LETU\n;     (B 2)\n; \n; caught STYLE-WARNING:\n"
                       ";   The variable B is defined but never used.\n"
                       "; \n; compilation unit finished\n;   caught 1 STYLE-WARNING condition\n")


def test_an_unused_parameter_is_a_style_warning():
    assert "The variable X is defined but never used." in warnings_of_forms("(defun cw-param (x) 1)")[0]


def test_an_unused_multiple_value_bind_variable_is_a_style_warning_unless_ignored():
    assert "The variable B is defined but never used." in \
        warnings_of_forms("(defun cw-mvb () (multiple-value-bind (a b) (floor 5 2) a))")[0]
    assert warnings_of_unit("(defun cw-mvb2 () (multiple-value-bind (a b) (floor 5 2) (declare (ignore b)) a))") == ""


def test_a_variable_only_assigned_is_assigned_but_never_read():
    assert "The variable A is assigned but never read." in \
        warnings_of_forms("(defun cw-asg () (let ((a 1)) (setq a 2) nil))")[0]


def test_declare_ignore_and_ignorable_silence_unused_variable_warnings():
    assert warnings_of_unit("(defun cw-ign (x y) (declare (ignore x) (ignorable y)) 1)"
                            "(defun cw-ign2 () (let ((a 1)) (declare (ignore a)) 2))") == ""


def test_a_variable_read_only_by_a_closure_is_used():
    assert warnings_of_unit("(defun cw-clo (x) (lambda () x))") == ""


def test_bindings_a_macro_makes_up_are_not_reported():
    assert warnings_of_unit("(defmacro cw-m () (let ((g (gensym))) `(let ((,g 1) (cw-made 2)) 3)))"
                            "(defun cw-use-m () (cw-m))") == ""


def test_handler_bind_sees_the_warnings_as_conditions_of_their_classes():
    assert show_values("""
      (let ((seen '()))
        (handler-bind ((warning (lambda (c) (push (list (type-of c) (typep c 'style-warning)) seen)
                                             (muffle-warning c))))
          (compile nil '(lambda (x) (cw-undefined-fn) (car 1 2) (setq cw-undefined-var 1))))
        (reverse seen))""") == [(
        "((GFJIT-SYSTEM:ARGUMENT-COUNT-WARNING NIL) (GFJIT-SYSTEM:UNUSED-VARIABLE-WARNING T) "
        "(GFJIT-SYSTEM:UNDEFINED-FUNCTION-WARNING T) (GFJIT-SYSTEM:UNDEFINED-VARIABLE-WARNING NIL))")]


def test_muffle_warning_stops_the_warning_from_being_printed():
    printed = warnings_of_forms("""(handler-bind ((warning #'muffle-warning))
                                     (compile nil '(lambda (x) (cw-undefined-fn2))))""")[0]
    assert printed == ""


def test_the_warning_is_printed_when_the_handler_declines():
    printed = warnings_of_forms("""(handler-bind ((warning (lambda (c) c)))
                                     (compile nil '(lambda () (cw-undefined-fn3))))""")[0]
    assert "undefined function: COMMON-LISP-USER::CW-UNDEFINED-FN3" in printed


@pytest.mark.parametrize(("lambda_", "expected"), [
    ("(lambda (x) x)", "NIL NIL"),
    ("(lambda (x) 1)", "T NIL"),  # a STYLE-WARNING
    ("(lambda () (cw-not-there))", "T NIL"),
    ("(lambda () (setq cw-unknown 1))", "T T"),  # a WARNING: failure
    ("(lambda () (car 1 2))", "T T"),
])
def test_compile_returns_warnings_p_and_failure_p(lambda_, expected):
    stream = StringOutputStream()
    with namespace.dynamic_binding(ERROR_OUTPUT, stream):
        found = show_values(f"(multiple-value-bind (f w e) (compile nil '{lambda_}) (declare (ignore f)) (list w e))")
    assert found == [f"({expected})"]


def test_with_compilation_unit_defers_undefined_warnings_to_its_end_and_returns_the_body_values():
    printed = warnings_of_forms("""
      (with-compilation-unit ()
        (compile 'cw-wcu-a '(lambda () (cw-wcu-b)))
        (compile 'cw-wcu-b '(lambda () (cw-wcu-c)))
        (values 1 2))""")[0]
    assert "CW-WCU-B" not in printed
    assert printed.count("undefined function: COMMON-LISP-USER::CW-WCU-C") == 1
    assert printed.count("compilation unit finished") == 1
    assert show_values("(with-compilation-unit (:override nil) (values 1 2))") == ["1", "2"]


def test_compile_file_reports_for_the_whole_file_and_writes_a_loadable_output(tmp_path):
    source = tmp_path / "cwfile.lisp"
    source.write_text("(defun cw-file-a () (cw-file-b))\n(defun cw-file-b () (cw-file-gone))\n")
    stream = StringOutputStream()
    with namespace.dynamic_binding(ERROR_OUTPUT, stream):
        found = show_values(f'(multiple-value-list (compile-file "{source}"))')
    printed = stream.get_output_stream_string()
    assert found == [f'(#P"{tmp_path / "cwfile.fasl"}" T NIL)']
    assert printed.startswith(f"; file: {source}\n; in: DEFUN CW-FILE-B\n")
    assert "CW-FILE-A" not in printed.split("; in:")[1]
    assert show_values(f'(load "{tmp_path / "cwfile.fasl"}")') == ["T"]


def test_compile_file_pathname_is_the_source_with_type_fasl():
    assert show_values('(namestring (compile-file-pathname "/tmp/x.lisp"))') == ['"/tmp/x.fasl"']


LISP = [sys.executable, "-m", "lisp"]


@pytest.mark.timeout(120)
def test_pipe_mode_prints_warnings_on_standard_error_and_values_on_standard_output():
    done = subprocess.run(LISP, input="(defun foo () (barr 1))\n(+ 1 2)\n", check=False, capture_output=True,
                          text=True, timeout=120)
    assert done.stdout == "FOO\n3\n"
    assert done.stderr == ("; in: DEFUN FOO\n;     (BARR 1)\n; \n; caught STYLE-WARNING:\n"
                           ";   undefined function: COMMON-LISP-USER::BARR\n"
                           "; \n; compilation unit finished\n;   Undefined function:\n;     BARR\n"
                           ";   caught 1 STYLE-WARNING condition\n")


@pytest.mark.timeout(120)
def test_run_reports_the_file_as_one_unit(tmp_path):
    script = tmp_path / "script.lisp"
    script.write_text("(defun main () (helper 1))\n(defun helper (x) (print x))\n(main)\n(setq undeclared 3)\n")
    done = subprocess.run([*LISP, "run", str(script)], check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    assert done.stdout == "\n1 "
    assert done.stderr.startswith(f"; file: {script}\n; in: SETQ UNDECLARED\n")
    assert "HELPER" not in done.stderr


def test_examples_load_without_warnings():
    examples = Path(__file__).resolve().parents[2] / "examples"
    for example in sorted(examples.glob("*.lisp")):
        done = subprocess.run([*LISP, "run", str(example)], check=False, capture_output=True, text=True, timeout=120,
                              input="")
        assert "caught" not in done.stderr, (example.name, done.stderr)


@pytest.mark.timeout(120)
def test_the_repl_on_a_terminal_shows_the_warnings_before_the_value(tmp_path):
    terminal = Terminal(tmp_path)
    try:
        terminal.wait_for("CL-USER>")
        terminal.type("(defun cw-term () (cw-nothing))\r")
        shown = terminal.wait_for("\nCW-TERM\n")
        assert "; in: DEFUN CW-TERM\n;     (CW-NOTHING)\n; \n; caught STYLE-WARNING:\n" \
               ";   undefined function: COMMON-LISP-USER::CW-NOTHING\n" in shown
        assert ";   caught 1 STYLE-WARNING condition\n" in shown
        terminal.wait_for("CL-USER>")
    finally:
        terminal.close()


@pytest.mark.timeout(120)
def test_a_form_typed_at_a_debugger_level_is_a_unit_of_its_own(tmp_path):
    terminal = Terminal(tmp_path)
    try:
        terminal.wait_for("CL-USER>")
        terminal.type('(error "stop")\r')
        terminal.wait_for("1]")
        terminal.type("(defun cw-dbg () (cw-dbg-nothing))\r")
        shown = terminal.wait_for("\nCW-DBG\n")
        assert ";   undefined function: COMMON-LISP-USER::CW-DBG-NOTHING\n" in shown
    finally:
        terminal.close()
