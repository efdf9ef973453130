"""The toplevel session in process: values, REPL variables, commands, and errors it survives."""

from lisp.toplevel import boot

boot()

from lisp.repl.prompt import prompt_text
from lisp.repl.session import Session
from lisp.runtime.data import find_package  # noqa: E402
from lisp.runtime.namespace import dynamic_binding
from lisp.runtime.streams import STANDARD_OUTPUT, StringOutputStream
from lisp.syntax.reader import PACKAGE_VAR


def repl(text):
    """What a session prints for ``text`` typed and then the end of input."""
    out = StringOutputStream()
    with dynamic_binding(STANDARD_OUTPUT, out):
        session = Session("<repl>", out)
        session.feed(text)
        session.end_of_input()
    return out.get_output_stream_string()


def last_line(text):
    return repl(text).rstrip("\n").split("\n")[-1]


# -- values and REPL variables ---------------------------------------------------------------

def test_each_value_is_printed_readably_on_its_own_line():
    assert repl('(values 1 "a" #\\b)') == '1\n"a"\n#\\b\n'


def test_a_form_with_no_values_prints_nothing():
    assert repl("(values)") == ""


def test_star_variables_hold_the_last_three_primary_values():
    assert last_line("1 2 (values 3 4) (list * ** ***)") == "(3 2 1)"


def test_plus_holds_the_last_form_evaluated():
    assert last_line("(+ 40 2) +") == "(+ 40 2)"


def test_slash_holds_the_values_of_the_last_form():
    assert last_line("(values 1 2) /") == "(1 2)"


def test_a_failed_evaluation_leaves_star_unchanged():
    assert last_line('7 (error "no") *') == "7"


def test_values_start_on_a_fresh_line_after_output():
    assert repl('(princ "hi")') == 'hi\n"hi"\n'


def test_a_form_split_over_lines_is_evaluated_once_complete():
    assert repl("(+ 1\n   2)") == "3\n"


def test_a_keyword_that_is_no_command_evaluates_to_itself():
    assert repl(":foo") == ":FOO\n"


# -- errors ----------------------------------------------------------------------------------

def test_an_error_reports_its_type_position_and_message():
    assert repl('(error "boom ~a" 42)').startswith("Error (SIMPLE-ERROR) at <repl>:1:1:\n  boom 42\n")


def test_the_session_carries_on_after_an_error():
    assert last_line('(error "x") (+ 1 2)') == "3"


def test_the_backtrace_shows_lisp_functions_with_positions_innermost_first():
    out = repl("(defun inner (x) (error \"bad ~a\" x))\n(defun outer (x) (inner x))\n(outer 5)")
    assert "  0: (INNER 5) at <repl>:1:18\n  1: (OUTER 5) at <repl>:2:18\n  2: (top-level form) at <repl>:3:1\n" in out


def test_the_restarts_active_at_the_error_are_listed():
    out = repl('(restart-case (error "x") (retry () :report "Try again." 1))')
    assert "  0: [RETRY] Try again.\n  1: [ABORT] Return to the toplevel.\n" in out


def test_an_unbound_variable_is_reported_by_name():
    out = repl("no-such-variable-here")
    assert out.startswith("Error (UNBOUND-VARIABLE) at <repl>:1:1:")
    assert "NO-SUCH-VARIABLE-HERE" in out


def test_an_undefined_function_is_reported_by_name():
    out = repl("(no-such-function-here 1)")
    assert out.startswith("Error (UNDEFINED-FUNCTION) at <repl>:1:1:")
    assert "NO-SUCH-FUNCTION-HERE" in out


def test_a_wrong_argument_count_is_a_program_error():
    assert "Error (PROGRAM-ERROR) at <repl>:2:1:" in repl("(defun one-arg (x) x)\n(one-arg 1 2)")


def test_a_macro_that_signals_is_reported_and_the_session_goes_on():
    out = repl('(defmacro bad-macro () (error "macro failed"))\n(bad-macro)\n(+ 1 2)')
    assert "macro failed" in out
    assert out.endswith("3\n")


def test_an_error_in_unwind_protect_cleanup_is_reported():
    out = repl('(unwind-protect (error "in body") (error "in cleanup"))\n(+ 1 2)')
    assert "in cleanup" in out
    assert out.endswith("3\n")


def test_a_stray_close_paren_is_a_reader_error_and_the_next_line_is_read():
    out = repl(")\n(+ 1 2)")
    assert out.startswith("Error (READER-ERROR) at <repl>:1:1:")
    assert out.endswith("3\n")


def test_input_ending_inside_a_form_is_reported():
    assert repl("(+ 1 2)\n(list 1").endswith(
        "Error (END-OF-FILE) at <repl>:2:1:\n  end of file inside a list started at <repl>:2:1\n"
        "Restarts:\n  0: [ABORT] Return to the toplevel.\n")


def test_invoking_abort_returns_to_the_toplevel():
    assert repl("(abort) (+ 1 2)") == "; Aborted.\n3\n"


# -- commands --------------------------------------------------------------------------------

def test_time_reports_the_time_and_prints_the_values():
    out = repl(":time (values 1 2)")
    assert out.startswith("; Evaluation took ")
    assert out.endswith("1\n2\n")


def test_a_command_takes_the_forms_that_start_on_its_line_as_arguments():
    assert repl(":time (list 1\n 2) 3").endswith("(1 2)\n3\n")


def test_a_command_given_too_few_arguments_says_how_it_is_used():
    assert repl(":time\n(+ 1 2)") == "Usage: :time FORM\n3\n"


def test_dispatch_describes_the_dispatcher_of_a_generic_function():
    out = repl("(defgeneric repl-area (x))\n(defmethod repl-area ((x integer)) x)\n(repl-area 2)\n"
               ":dispatch repl-area")
    assert "generic function REPL-AREA" in out.split("\n2\n")[1]


def test_dispatch_ir_shows_the_llvm_ir_of_the_dispatcher():
    out = repl("(defgeneric repl-ir (x))\n(defmethod repl-ir ((x integer)) x)\n(repl-ir 2)\n:dispatch repl-ir ir")
    assert "define ptr @" in out


def test_dispatch_of_an_ordinary_function_says_it_is_not_generic():
    assert repl(":dispatch car") == "CAR is not a generic function.\n"


def test_pytrace_shows_the_python_traceback_of_the_last_error():
    out = repl('(error "deep")\n:pytrace')
    assert "Traceback (most recent call last)" in out.split("Restarts:")[1]


def test_pytrace_before_any_error_says_so():
    assert repl(":pytrace") == "No error yet.\n"


def test_quit_stops_before_the_forms_after_it():
    assert repl("1\n:quit\n2") == "1\n"


def test_help_lists_the_commands():
    out = repl(":help")
    for name in (":help", ":quit", ":time FORM", ":pytrace", ":dispatch NAME [ir|asm]"):
        assert name in out


# -- prompt ----------------------------------------------------------------------------------

def test_the_prompt_names_the_current_package_by_its_shortest_name():
    with dynamic_binding(PACKAGE_VAR, find_package("COMMON-LISP-USER")):
        assert prompt_text() == "CL-USER> "
        assert prompt_text(continuation=True) == "........ "


def test_a_recursion_in_the_backtrace_is_one_line_and_the_rest_is_counted():
    out = repl("(defun down (n) (if (= n 0) (error \"bottom\") (down (- n 1))))\n(down 30)")
    assert "  0: (DOWN 0) at <repl>:1:29\n  1-11: (DOWN ...) at <repl>:1:46\n  ... 20 more\n" in out


PRINT_FAILS = "(defclass repl-bad () ())\n(defmethod print-object ((b repl-bad) s) (error \"print failed\"))\n"


def test_a_value_whose_printing_fails_is_reported_and_the_session_goes_on():
    out = repl(PRINT_FAILS + "(make-instance 'repl-bad)\n(+ 1 2)")
    assert "Error (SIMPLE-ERROR) at <repl>:2:" in out
    assert out.endswith("3\n")


def test_an_error_whose_report_fails_is_still_reported():
    out = repl(PRINT_FAILS + "(car (make-instance 'repl-bad))\n(+ 1 2)")
    assert "Error (TYPE-ERROR) at <repl>:3:1:\n  (the report failed with a SIMPLE-ERROR)\n" in out
    assert out.endswith("3\n")
