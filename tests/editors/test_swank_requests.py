"""What SLIME asks of the server, request by request, as SLIME sends it: the REPL, evaluation,
the debugger, compiling, completion, argument lists, documentation, definitions."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from swank_client import SwankClient, start_server, stop_server, sym

from lisp.swank.wire import WireSymbol, keyword

pytestmark = pytest.mark.timeout(180)

OK, ABORT = keyword("ok"), keyword("abort")
REPL = keyword("repl-thread")
WRITE_STRING, REPL_RESULT = keyword("write-string"), keyword("repl-result")
MARKER = sym("swank::%cursor-marker%")


def quoted(value: Any) -> list[Any]:
    return [sym("quote"), value]


def repl(client: SwankClient, text: str) -> tuple[Any, str, str]:
    """Type ``text`` at the REPL: (the reply, the REPL results shown, the output shown)."""
    client.events.clear()
    outcome = client.reply(client.rex([sym("swank-repl:listener-eval"), text + "\n"], thread=REPL))
    results = "".join(m[1] for m in client.events if m[0] == WRITE_STRING and m[2:] == [REPL_RESULT])
    output = "".join(m[1] for m in client.events if m[0] == WRITE_STRING and not m[2:])
    return outcome, results, output


def debug_message(client: SwankClient) -> list[Any]:
    return client.wait_for(lambda m: m[0] == keyword("debug"))


def restart_number(debug: list[Any], name: str) -> int:
    return [restart[0] for restart in debug[4]].index(name)


# -- connecting -----------------------------------------------------------------------------------

def test_connection_info_names_gfjit_the_protocol_version_and_the_package(swank: SwankClient) -> None:
    info = swank.call([sym("swank:connection-info")])
    plist = dict(zip(info[::2], info[1::2]))
    assert plist[keyword("version")] == "2.27"
    assert plist[keyword("lisp-implementation")][1] == "gfjit"
    assert plist[keyword("package")] == [keyword("name"), "COMMON-LISP-USER", keyword("prompt"), "CL-USER"]


def test_swank_require_answers_the_contribs_served(swank: SwankClient) -> None:
    modules = swank.call([sym("swank:swank-require"), quoted([sym("swank-repl"), sym("swank-fuzzy")])])
    assert "SWANK-REPL" in modules and "SWANK-FUZZY" in modules


def test_create_repl_answers_the_package_and_its_prompt(swank: SwankClient) -> None:
    assert swank.call([sym("swank-repl:create-repl"), None, keyword("coding-system"), "utf-8-unix"]) == \
        ["COMMON-LISP-USER", "CL-USER"]


# -- the REPL -------------------------------------------------------------------------------------

def test_the_repl_shows_each_value_as_a_result_and_printed_text_as_output(swank: SwankClient) -> None:
    outcome, results, output = repl(swank, '(progn (princ "hi") (values 1 "two"))')
    assert (outcome, results, output) == ([OK, None], '1\n"two"\n', "hi")


def test_the_repl_says_no_value_for_no_values(swank: SwankClient) -> None:
    assert repl(swank, "(values)")[1] == "; No value\n"


def test_the_repl_keeps_the_last_three_values(swank: SwankClient) -> None:
    for value in ("1", "2", "3"):
        repl(swank, value)
    assert repl(swank, "(list * ** ***)")[1] == "(3 2 1)\n"


def test_each_connection_has_its_own_repl_variables(swank: SwankClient,
                                                    swank_server: tuple[subprocess.Popen[str], int]) -> None:
    repl(swank, ":mine")
    with SwankClient(swank_server[1]) as other:
        repl(other, ":theirs")
        assert repl(other, "*")[1] == ":THEIRS\n"
    assert repl(swank, "*")[1] == ":MINE\n"


def test_a_package_change_at_the_repl_tells_emacs_the_new_package(swank: SwankClient) -> None:
    repl(swank, '(defpackage "SWANK-TEST-PKG" (:use "CL")) (in-package "SWANK-TEST-PKG")')
    assert [keyword("new-package"), "SWANK-TEST-PKG", "SWANK-TEST-PKG"] in swank.events


def test_repl_commands_work_in_the_slime_repl(swank: SwankClient) -> None:
    repl(swank, "(defgeneric swank-area (s)) (defmethod swank-area ((s integer)) s) (swank-area 3)")
    assert "SWANK-AREA" in repl(swank, ":dispatch swank-area")[1]


def test_reading_standard_input_asks_emacs_for_a_line(swank: SwankClient) -> None:
    request = swank.rex([sym("swank-repl:listener-eval"), "(read-line)\n"], thread=REPL)
    asked = swank.wait_for(lambda m: m[0] == keyword("read-string"))
    swank.send([keyword("emacs-return-string"), asked[1], asked[2], "typed text\n"])
    assert swank.reply(request) == [OK, None]
    assert [WRITE_STRING, '"typed text"\nNIL\n', REPL_RESULT] in swank.events


# -- evaluation in a buffer -------------------------------------------------------------------------

def test_interactive_eval_answers_the_value_as_the_echo_area_shows_it(swank: SwankClient) -> None:
    assert swank.call([sym("swank:interactive-eval"), "(* 6 7)"]) == "=> 42 (6 bits, #x2A, #o52, #b101010)"


def test_interactive_eval_answers_several_values_separated_by_commas(swank: SwankClient) -> None:
    assert swank.call([sym("swank:interactive-eval"), "(values 'a \"b\")"]) == '=> A, "b"'


def test_eval_and_grab_output_answers_the_output_and_the_values(swank: SwankClient) -> None:
    assert swank.call([sym("swank:eval-and-grab-output"), '(progn (princ "out") (values 1 2))']) == ["out", "1\n2"]


def test_a_request_runs_in_the_package_of_its_buffer(swank: SwankClient) -> None:
    assert swank.call([sym("swank:interactive-eval"), "cl:*package*"], package="KEYWORD") == '=> #<PACKAGE "KEYWORD">'


# -- the debugger ----------------------------------------------------------------------------------

def test_an_unhandled_error_stops_in_the_debugger_with_condition_restarts_and_frames(swank: SwankClient) -> None:
    repl(swank, "(defun swank-divide (n) (/ 10 n))")
    request = swank.rex([sym("swank-repl:listener-eval"), "(swank-divide 0)\n"], thread=REPL)
    debug = debug_message(swank)
    thread, level, condition, restarts, frames = debug[1:6]
    assert level == 1
    assert condition[1] == "   [Condition of type DIVISION-BY-ZERO]"
    assert [r[0] for r in restarts] == ["ABORT", "*ABORT"]
    assert [f[1] for f in frames[:2]] == ["(/ 10 0)", "(SWANK-DIVIDE 0)"]
    swank.rex([sym("swank:invoke-nth-restart-for-emacs"), 1, 0], thread=thread)
    assert swank.reply(request) == [OK, None]
    assert [keyword("debug-return"), thread, 1, None] in swank.events


def test_a_restart_chosen_in_the_debugger_gives_the_evaluation_its_value(swank: SwankClient) -> None:
    request = swank.rex([sym("swank-repl:listener-eval"),
                         '(restart-case (error "boom") (use-42 () :report "Use 42." 42))\n'], thread=REPL)
    debug = debug_message(swank)
    assert debug[5 - 1][0] == ["USE-42", "Use 42."]
    swank.rex([sym("swank:invoke-nth-restart-for-emacs"), 1, restart_number(debug, "USE-42")], thread=debug[1])
    assert swank.reply(request) == [OK, None]
    assert [WRITE_STRING, "42\n", REPL_RESULT] in swank.events


def test_throw_to_toplevel_aborts_the_request_naming_its_condition(swank: SwankClient) -> None:
    request = swank.rex([sym("swank:interactive-eval"), '(error "boom")'])
    debug = debug_message(swank)
    swank.rex([sym("swank:throw-to-toplevel")], thread=debug[1])
    assert swank.reply(request) == [ABORT, '#<SIMPLE-ERROR "boom">']


def test_a_frames_locals_and_an_evaluation_in_it_see_its_variables(swank: SwankClient) -> None:
    repl(swank, "(defun swank-locals (n) (let ((m (* n 2))) (error \"stop ~a\" m)))")
    request = swank.rex([sym("swank:interactive-eval"), "(swank-locals 5)"])
    thread = debug_message(swank)[1]
    frame = next(f[0] for f in swank.call([sym("swank:backtrace"), 0, 10], thread=thread)
                 if f[1] == "(SWANK-LOCALS 5)")
    locals_ = swank.call([sym("swank:frame-locals-and-catch-tags"), frame], thread=thread)[0]
    assert [(v[1], v[5]) for v in locals_] == [("N", "5"), ("M", "10")]
    assert swank.call([sym("swank:eval-string-in-frame"), "(+ n m)", frame, "CL-USER"], thread=thread) == \
        "=> 15 (4 bits, #xF, #o17, #b1111)"
    swank.rex([sym("swank:sldb-abort")], thread=thread)
    assert swank.reply(request)[0] == ABORT


def test_an_error_in_the_debugger_is_a_deeper_level_and_abort_returns_to_the_first(swank: SwankClient) -> None:
    request = swank.rex([sym("swank:interactive-eval"), '(error "outer")'])
    thread = debug_message(swank)[1]
    swank.events.clear()
    inner = swank.rex([sym("swank:eval-string-in-frame"), '(error "inner")', 0, "CL-USER"], thread=thread)
    assert debug_message(swank)[2] == 2
    swank.rex([sym("swank:sldb-abort")], thread=thread)
    assert swank.reply(inner)[0] == ABORT
    again = debug_message(swank)
    assert (again[2], again[3][0]) == (1, "outer")
    swank.rex([sym("swank:throw-to-toplevel")], thread=thread)
    assert swank.reply(request)[0] == ABORT


def test_a_restart_that_needs_a_value_asks_for_it_in_the_minibuffer(swank: SwankClient) -> None:
    request = swank.rex([sym("swank:interactive-eval"),
                         '(restart-case (error "no value") (use-value (v) v))'])
    debug = debug_message(swank)
    swank.rex([sym("swank:invoke-nth-restart-for-emacs"), 1, restart_number(debug, "USE-VALUE")], thread=debug[1])
    asked = swank.wait_for(lambda m: m[0] == keyword("read-from-minibuffer"))
    assert "USE-VALUE" in asked[3]
    swank.send([keyword("emacs-return"), asked[1], asked[2], "(+ 20 22)"])
    assert swank.reply(request) == [OK, "=> 42 (6 bits, #x2A, #o52, #b101010)"]


def test_an_interrupt_stops_a_running_evaluation_in_the_debugger_and_continue_resumes_it(
        swank: SwankClient) -> None:
    repl(swank, "(defvar *swank-go-on* t)")
    request = swank.rex([sym("swank-repl:listener-eval"),
                         '(progn (princ "started") (finish-output) (loop while *swank-go-on*) :stopped)\n'],
                        thread=REPL)
    swank.wait_for(lambda m: m[0] == WRITE_STRING and m[1] == "started")
    swank.send([keyword("emacs-interrupt"), REPL])
    debug = debug_message(swank)
    assert debug[3][0] == "Interactive interrupt (Ctrl-C)."
    swank.call([sym("swank:eval-string-in-frame"), "(setf *swank-go-on* nil)", 0, "CL-USER"], thread=debug[1])
    swank.rex([sym("swank:sldb-continue")], thread=debug[1])
    assert swank.reply(request) == [OK, None]
    assert [WRITE_STRING, ":STOPPED\n", REPL_RESULT] in swank.events


# -- compiling and loading ---------------------------------------------------------------------------

def compile_string(client: SwankClient, text: str, *, position: int = 1, line: int = 1,
                   filename: str | None = None, buffer: str = "test.lisp") -> list[Any]:
    result = client.call([sym("swank:compile-string-for-emacs"), text, buffer,
                          quoted([[keyword("position"), position], [keyword("line"), line, 1]]), filename, None])
    assert result[0] == keyword("compilation-result")
    return result


def note_plist(note: list[Any]) -> dict[Any, Any]:
    return dict(zip(note[::2], note[1::2]))


def test_compiling_a_definition_defines_it(swank: SwankClient) -> None:
    notes, succeeded = compile_string(swank, "(defun swank-twice (x) (* x 2))")[1:3]
    assert (notes, succeeded) == ([], True)
    assert swank.call([sym("swank:interactive-eval"), "(swank-twice 4)"]).startswith("=> 8 ")


def test_a_compile_error_is_a_note_at_the_offending_form_in_the_buffer(swank: SwankClient) -> None:
    text = "(defun swank-bad (x)\n  (let 1))"
    notes, succeeded = compile_string(swank, text, position=100, line=7)[1:3]
    assert succeeded is None
    note = note_plist(notes[0])
    assert note[keyword("severity")] == keyword("error")
    assert "(LET 1)" in note[keyword("message")]
    location = note[keyword("location")]
    assert location[1] == [keyword("buffer"), "test.lisp"]
    assert location[2] == [keyword("offset"), 100, text.index("(let 1)")]


def test_a_reader_error_is_a_read_error_note(swank: SwankClient) -> None:
    notes = compile_string(swank, "(defun swank-unclosed (x)")[1]
    assert note_plist(notes[0])[keyword("severity")] == keyword("read-error")


def test_a_warning_while_compiling_is_a_warning_note(swank: SwankClient) -> None:
    notes, succeeded = compile_string(swank, '(warn "careful")')[1:3]
    assert succeeded is True
    note = note_plist(notes[0])
    assert (note[keyword("severity")], note[keyword("message")]) == (keyword("warning"), "careful")


def test_an_error_of_a_top_level_form_that_runs_enters_the_debugger(swank: SwankClient) -> None:
    request = swank.rex([sym("swank:compile-string-for-emacs"), "(car 5)", "test.lisp",
                         quoted([[keyword("position"), 1], [keyword("line"), 1, 1]]), None, None])
    debug = debug_message(swank)
    assert "Abort compilation." in [r[1] for r in debug[4]]
    swank.rex([sym("swank:invoke-nth-restart-for-emacs"), 1, [r[1] for r in debug[4]].index("Abort compilation.")],
              thread=debug[1])
    outcome = swank.reply(request)
    assert outcome[0] == OK and outcome[1][2] is None


def test_compiling_a_file_loads_it(swank: SwankClient, tmp_path: Path) -> None:
    source = tmp_path / "loaded.lisp"
    source.write_text("(defun swank-from-file () :loaded)\n")
    result = swank.call([sym("swank:compile-file-for-emacs"), str(source), True])
    assert result[1:3] == [[], True]
    assert swank.call([sym("swank:interactive-eval"), "(swank-from-file)"]) == "=> :LOADED"


def test_a_reader_error_in_a_file_is_a_note_at_its_line(swank: SwankClient, tmp_path: Path) -> None:
    source = tmp_path / "broken.lisp"
    source.write_text("(defun fine () 1)\n\n(defun broken ()\n  (list 1 2\n")
    notes, succeeded = swank.call([sym("swank:compile-file-for-emacs"), str(source), True])[1:3]
    assert succeeded is None
    location = note_plist(notes[0])[keyword("location")]
    assert location[1] == [keyword("file"), str(source)]


def test_load_file_loads_a_file(swank: SwankClient, tmp_path: Path) -> None:
    source = tmp_path / "plain.lisp"
    source.write_text("(defparameter *swank-loaded* 7)\n")
    assert swank.call([sym("swank:load-file"), str(source)]) == "T"
    assert swank.call([sym("swank:interactive-eval"), "*swank-loaded*"]).startswith("=> 7 ")


# -- definitions ------------------------------------------------------------------------------------

def test_find_definitions_goes_to_the_file_line_and_column_of_a_defun(swank: SwankClient, tmp_path: Path) -> None:
    source = tmp_path / "defs.lisp"
    text = ";; comment\n\n  (defun swank-located () 1)\n"
    source.write_text(text)
    compile_string(swank, text[text.index("(defun"):], position=text.index("(defun") + 1, line=3,
                   filename=str(source), buffer="defs.lisp")
    [[dspec, location]] = swank.call([sym("swank:find-definitions-for-emacs"), "swank-located"])
    assert dspec == "(DEFUN SWANK-LOCATED)"
    assert location[1] == [keyword("buffer-and-file"), "defs.lisp", str(source)]
    assert location[2] == [keyword("line"), 3, 0]


def test_find_definitions_lists_the_methods_of_a_generic_function(swank: SwankClient) -> None:
    compile_string(swank, "(defgeneric swank-shape (s))\n(defmethod swank-shape ((s integer)) s)\n"
                          "(defmethod swank-shape ((s string)) s)", buffer="shapes")
    dspecs = sorted(d for d, _ in swank.call([sym("swank:find-definitions-for-emacs"), "swank-shape"]))
    assert dspecs == ["(DEFMETHOD SWANK-SHAPE (INTEGER))", "(DEFMETHOD SWANK-SHAPE (STRING))"]


def test_find_definitions_of_a_function_written_in_python_goes_to_its_python_source(swank: SwankClient) -> None:
    [[dspec, location]] = swank.call([sym("swank:find-definitions-for-emacs"), "mapcar"])
    assert dspec == "(DEFUN MAPCAR)"
    assert location[1][0] == keyword("file") and location[1][1].endswith(os.path.join("lisp", "library", "lists.py"))


def test_who_calls_finds_the_functions_that_call_a_function(swank: SwankClient) -> None:
    compile_string(swank, "(defun swank-callee () 1)\n(defun swank-caller () (+ 1 (swank-callee)))", buffer="calls")
    callers = swank.call([sym("swank:xref"), keyword("calls"), "swank-callee"])
    assert [c[0] for c in callers] == ["(DEFUN SWANK-CALLER)"]


def test_an_xref_kind_that_cannot_be_had_is_not_implemented(swank: SwankClient) -> None:
    assert swank.call([sym("swank:xref"), keyword("references"), "car"]) == keyword("not-implemented")


# -- completion and argument lists ---------------------------------------------------------------------

def test_simple_completions_answers_the_names_and_their_common_prefix(swank: SwankClient) -> None:
    assert swank.call([sym("swank:simple-completions"), "mapc", "COMMON-LISP-USER"]) == \
        [["mapc", "mapcan", "mapcar", "mapcon"], "mapc"]


def test_compound_completion_matches_each_word_of_the_prefix(swank: SwankClient) -> None:
    assert swank.call([sym("swank:completions"), "m-v-b", "COMMON-LISP-USER"]) == \
        [["multiple-value-bind"], "multiple-value-bind"]


def test_compound_completion_of_a_qualified_name_keeps_the_package(swank: SwankClient) -> None:
    names, prefix = swank.call([sym("swank:completions"), "cl:multiple-value-c", "COMMON-LISP-USER"])
    assert (names, prefix) == (["cl:multiple-value-call"], "cl:multiple-value-call")


def test_fuzzy_completion_ranks_the_best_match_first_with_its_pieces_and_kind(swank: SwankClient) -> None:
    completions, timed_out = swank.call([sym("swank:fuzzy-completions"), "mvb", "COMMON-LISP-USER",
                                         keyword("limit"), 5, keyword("time-limit-in-msec"), 2000])
    name, _score, chunks, flags = completions[0]
    assert (name, chunks, flags, timed_out) == ("multiple-value-bind", [[0, "m"], [9, "v"], [15, "b"]],
                                                "-f---m--", None)


def autodoc(client: SwankClient, *form: Any) -> Any:
    return client.call([sym("swank:autodoc"), quoted(list(form)), keyword("print-right-margin"), 80])


def test_autodoc_marks_the_parameter_at_the_cursor(swank: SwankClient) -> None:
    compile_string(swank, "(defun swank-args (first second &key third) (list first second third))")
    assert autodoc(swank, "swank-args", "1", "", MARKER) == ["(swank-args first ===> second <=== &key third)", True]


def test_autodoc_marks_the_key_parameter_of_the_keyword_before_the_cursor(swank: SwankClient) -> None:
    compile_string(swank, "(defun swank-keys (a &key test key) (list a test key))")
    assert autodoc(swank, "swank-keys", "1", ":key", "", MARKER)[0] == "(swank-keys a &key test ===> key <===)"


def test_autodoc_describes_the_innermost_call_with_a_known_argument_list(swank: SwankClient) -> None:
    assert autodoc(swank, "let", [["x", "", MARKER]])[0] == "(let ===> (&rest bindings) <=== &body body)"


def test_autodoc_shows_the_value_of_a_global_variable_at_the_cursor(swank: SwankClient) -> None:
    assert autodoc(swank, "*print-base*", MARKER) == ["*print-base* => 10", None]


def test_autodoc_of_an_unknown_operator_is_not_available(swank: SwankClient) -> None:
    assert autodoc(swank, "no-such-operator", "", MARKER) == keyword("not-available")


# -- documentation ----------------------------------------------------------------------------------

def test_describe_symbol_answers_what_describe_prints(swank: SwankClient) -> None:
    compile_string(swank, '(defun swank-doc (x) "Documented." x)')
    text = swank.call([sym("swank:describe-symbol"), "swank-doc"])
    assert "Lambda-list: (X)" in text and "Documented." in text


def test_documentation_symbol_answers_the_arglist_and_documentation(swank: SwankClient) -> None:
    compile_string(swank, '(defun swank-doc2 (y) "Twice documented." y)')
    text = swank.call([sym("swank:documentation-symbol"), "swank-doc2"])
    assert text == "Documentation for the symbol SWANK-DOC2:\n\nFunction:\n Arglist: (Y)\n\n Twice documented."


def test_apropos_lists_the_matching_symbols_with_what_they_name(swank: SwankClient) -> None:
    found = swank.call([sym("swank:apropos-list-for-emacs"), "mapcan", True, None, "COMMON-LISP"])
    assert found == [[keyword("designator"), "MAPCAN", keyword("function"), keyword("not-documented")]]


def test_macroexpand_1_expands_a_macro_call_once(swank: SwankClient) -> None:
    assert swank.call([sym("swank:swank-macroexpand-1"), "(when a (b))"]) == "(IF A (PROGN (B)))"


def test_macroexpand_all_expands_the_macro_calls_inside_too(swank: SwankClient) -> None:
    expanded = swank.call([sym("swank:swank-macroexpand-all"), "(let ((x (when a b))) (unless x (c)))"])
    assert expanded == "(LET ((X (IF A (PROGN B)))) (IF X NIL (PROGN (C))))"


def test_set_package_answers_the_name_and_prompt_and_refuses_an_unknown_one(swank: SwankClient) -> None:
    assert swank.call([sym("swank:set-package"), "cl"]) == ["COMMON-LISP", "CL"]
    assert swank.reply(swank.rex([sym("swank:set-package"), "no-such-package"]))[0] == ABORT


def test_list_all_package_names_includes_nicknames_when_asked(swank: SwankClient) -> None:
    assert "CL-USER" in swank.call([sym("swank:list-all-package-names"), True])
    assert "CL-USER" not in swank.call([sym("swank:list-all-package-names"), None])


# -- leaving ----------------------------------------------------------------------------------------

def test_exit_at_the_repl_ends_the_server_with_its_status(tmp_path: Path) -> None:
    process, port = start_server(env={**os.environ, "HOME": str(tmp_path)})
    try:
        with SwankClient(port) as client:
            client.rex([sym("swank-repl:listener-eval"), "(exit :code 3)\n"], thread=REPL)
            assert process.wait(timeout=60) == 3
    finally:
        stop_server(process)


def test_wire_symbols_compare_by_name() -> None:
    assert WireSymbol(":ok") == keyword("ok")
