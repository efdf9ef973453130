"""The printer: prin1/princ output as the standard prints it, and print-then-read round trips."""

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lisp.evaluator  # noqa: F401 - boot first: reading CL names must find the CL symbols
from lisp.runtime.arrays import LispString
from lisp.runtime.condition_classes import LispTypeError, PrintNotReadable, SimpleError
from lisp.runtime.data import (
    COMMON_LISP_USER,
    NIL,
    SYSTEM,
    Char,
    Cons,
    Symbol,
    T,
    cl_symbol,
    intern,
    keyword,
    lisp_list,
    make_list,
    make_package,
)
from lisp.runtime.namespace import dynamic_binding
from lisp.runtime.ratio import Ratio
from lisp.runtime.streams import StringOutputStream
from lisp.syntax import printer
from lisp.syntax.printer import (
    float_text,
    prin1,
    prin1_to_string,
    princ,
    princ_to_string,
    print_,
    write,
    write_to_string,
)
from lisp.syntax.reader import PACKAGE_VAR, QUOTE, READ_BASE, read_from_string


def sym(name):
    return intern(name, COMMON_LISP_USER)


# -- symbols -------------------------------------------------------------------------------------

def test_symbols_print_upcased_names_without_prefix_when_accessible():
    assert prin1_to_string(sym("FOO")) == "FOO"
    assert prin1_to_string(cl_symbol("CAR")) == "CAR"


def test_nil_and_t():
    assert prin1_to_string(NIL) == "NIL"
    assert prin1_to_string(T) == "T"


def test_keywords_print_with_a_colon_and_princ_drops_it():
    assert prin1_to_string(keyword("KEY")) == ":KEY"
    assert princ_to_string(keyword("KEY")) == "KEY"


def test_uninterned_symbols_print_with_sharp_colon_unless_print_gensym_is_nil():
    assert prin1_to_string(Symbol("G1")) == "#:G1"
    assert write_to_string(Symbol("G1"), gensym=NIL) == "G1"


def test_inaccessible_symbols_are_package_qualified():
    assert prin1_to_string(SYSTEM.intern("INTERNAL-THING")) == "GFJIT-SYSTEM::INTERNAL-THING"
    pkg = make_package("PRINTER-TEST-PKG", use=[])
    with dynamic_binding(PACKAGE_VAR, pkg):
        car = cl_symbol("CAR")
        assert prin1_to_string(car) == "COMMON-LISP:CAR"
        assert prin1_to_string(NIL) == "COMMON-LISP:NIL"


@pytest.mark.parametrize("name, text", [
    ("foo", "|foo|"), ("1", "|1|"), ("1.5", "|1.5|"), ("1/2", "|1/2|"), (".", "|.|"), ("", "||"),
    ("A B", "|A B|"), ("A:B", "|A:B|"), ("#A", "|#A|"), ("A|B", "|A\\|B|"), ("A\\B", "|A\\\\B|"),
    ("1+", "1+"), ("+", "+"), ("-", "-"), ("...A", "...A"), ("(", "|(|"), ("1E5", "|1E5|"),
    ("-1A", "|-1A|"), ("1/0X", "|1/0X|"), ("1.2.3", "|1.2.3|"), ("1AB", "1AB"), ("A1", "A1"), ("_1", "|_1|"),
])
def test_symbol_names_that_would_read_differently_or_are_potential_numbers_are_escaped(name, text):
    assert prin1_to_string(sym(name)) == text
    assert princ_to_string(sym(name)) == name


def test_print_case():
    assert write_to_string(sym("FOO-BAR"), case=keyword("DOWNCASE")) == "foo-bar"
    assert write_to_string(sym("FOO-BAR"), case=keyword("CAPITALIZE")) == "Foo-Bar"
    assert write_to_string(keyword("AB"), case=keyword("DOWNCASE")) == ":ab"
    assert write_to_string(sym("foo"), case=keyword("DOWNCASE")) == "|foo|"


# -- numbers -------------------------------------------------------------------------------------

def test_integers_and_ratios():
    assert prin1_to_string(-42) == "-42"
    assert prin1_to_string(Fraction(-3, 4)) == "-3/4"
    assert prin1_to_string(10**30) == "1" + "0" * 30


def test_print_base_and_radix():
    assert write_to_string(255, base=16) == "FF"
    assert write_to_string(255, base=16, radix=T) == "#xFF"
    assert write_to_string(-5, base=2, radix=T) == "#b-101"
    assert write_to_string(10, radix=T) == "10."
    assert write_to_string(Fraction(1, 2), base=10, radix=T) == "#10r1/2"
    assert write_to_string(35, base=36) == "Z"


@pytest.mark.parametrize("x, text", [
    (1.5, "1.5"), (1.0, "1.0"), (0.0, "0.0"), (-0.0, "-0.0"), (1e7, "1.0e7"), (1234567.0, "1234567.0"),
    (9999999.0, "9999999.0"), (0.001, "0.001"), (1e-4, "1.0e-4"), (123.456, "123.456"), (1e21, "1.0e21"),
    (1e-10, "1.0e-10"), (1 / 3, "0.3333333333333333"), (1e100, "1.0e100"), (1e16, "1.0e16"),
    (123456789012.0, "1.23456789012e11"), (-2.5e-7, "-2.5e-7"),
])
def test_floats_print_as_sbcl_prints_its_default_float_format(x, text):
    assert float_text(x) == text


def test_infinities_and_nan_are_unreadable():
    assert prin1_to_string(math.inf) == "#<FLOAT +INFINITY>"
    with pytest.raises(PrintNotReadable):
        write_to_string(math.nan, readably=T)


def test_complex_numbers():
    assert prin1_to_string(complex(1, -2)) == "#C(1.0 -2.0)"


def test_python_booleans_are_not_numbers():
    assert prin1_to_string(True) == "#<PY bool True>"


# -- strings and characters ----------------------------------------------------------------------

def test_strings_escape_quotes_and_backslashes_only_under_prin1():
    assert prin1_to_string('a"b\\c\n') == '"a\\"b\\\\c\n"'
    assert princ_to_string('a"b\\c') == 'a"b\\c'


@pytest.mark.parametrize("char, text", [
    ("a", "#\\a"), (" ", "#\\ "), ("\n", "#\\Newline"), ("\t", "#\\Tab"), ("\0", "#\\Nul"),
    ("\x7f", "#\\Rubout"), ("\x1b", "#\\Esc"), ("(", "#\\("), ("λ", "#\\λ"), ("\xa0", "#\\NO-BREAK_SPACE"),
    ("\ue000", "#\\U+E000"), ("\b", "#\\Backspace"), ("\r", "#\\Return"), ("\f", "#\\Page"),
])
def test_characters(char, text):
    assert prin1_to_string(Char(char)) == text
    assert read_from_string(text) is Char(char)


def lisp_value(text: str):
    """The value of ``text``; a string a program may modify (LispString) as a ``str``."""
    value = lisp.evaluator.eval_string(text, file="<test_printer>")
    return str(value) if isinstance(value, LispString) else value


@pytest.mark.parametrize("code", [0, 32, 127, 128, 160, 173, 0xE000])
def test_char_name_is_the_name_name_char_reads_and_tilde_colon_c_prints(code):
    assert lisp_value(f"(let ((c (code-char {code}))) (prin1-to-string (list (eql c (name-char (char-name c)))"
                      f" (string= (format nil \"~:c\" c) (char-name c)))))") == "(T T)"


@pytest.mark.parametrize("code", [0, 127, 128, 160, 173, 0xE000])
def test_a_character_with_a_name_prints_by_it(code):
    assert lisp_value(f"(let ((c (code-char {code}))) (string= (prin1-to-string c)"
                      f" (concatenate 'string \"#\\\\\" (char-name c))))") is T


def test_princ_of_a_character_is_the_character():
    assert princ_to_string(Char("x")) == "x"


# -- lists and vectors ---------------------------------------------------------------------------

def test_lists_and_dotted_pairs():
    assert prin1_to_string(lisp_list(1, lisp_list(2, 3), NIL)) == "(1 (2 3) NIL)"
    assert prin1_to_string(Cons(1, 2)) == "(1 . 2)"
    assert prin1_to_string(make_list([1, 2], 3)) == "(1 2 . 3)"


def test_quote_forms_are_abbreviated_when_pretty():
    assert prin1_to_string(lisp_list(QUOTE, sym("X"))) == "'X"
    assert prin1_to_string(read_from_string("(#'f `(a ,b))")) == "(#'F `(A ,B))"
    assert write_to_string(lisp_list(QUOTE, sym("X")), pretty=NIL) == "(QUOTE X)"


def test_quote_with_other_than_one_argument_is_not_abbreviated():
    assert prin1_to_string(lisp_list(QUOTE, 1, 2)) == "(QUOTE 1 2)"
    assert prin1_to_string(Cons(QUOTE, 1)) == "(QUOTE . 1)"


def test_vectors():
    assert prin1_to_string([1, "a", [2]]) == '#(1 "a" #(2))'
    assert prin1_to_string([]) == "#()"
    assert write_to_string([1, 2], array=NIL).startswith("#<(SIMPLE-VECTOR 2) {")


def test_print_length_and_level():
    deep = read_from_string("(1 (2 (3 (4))) 5 6)")
    assert write_to_string(deep, length=2) == "(1 (2 (3 (4))) ...)"
    assert write_to_string(deep, level=2) == "(1 (2 #) 5 6)"
    assert write_to_string(deep, level=0) == "#"
    assert write_to_string([1, 2, 3], length=1) == "#(1 ...)"


def test_print_circle_labels_shared_and_circular_structure():
    shared = lisp_list(1)
    assert write_to_string(lisp_list(shared, shared), circle=T) == "(#1=(1) #1#)"
    circular = lisp_list(1, 2)
    circular.cdr.cdr = circular
    assert write_to_string(circular, circle=T) == "#1=(1 2 . #1#)"
    vector = [1]
    vector.append(vector)
    assert write_to_string(vector, circle=T) == "#1=#(1 #1#)"


def test_circular_output_reads_back_with_the_same_shape():
    circular = lisp_list(sym("A"))
    circular.cdr = circular
    back = read_from_string(write_to_string(circular, circle=T))
    assert back.car is sym("A") and back.cdr is back


def test_deeply_nested_cdr_chains_do_not_recurse():
    long_list = make_list(range(100_000))
    assert prin1_to_string(long_list).count(" ") == 99_999


# -- other objects -------------------------------------------------------------------------------

def test_conditions_print_their_type_and_report_and_princ_prints_the_report():
    condition = SimpleError("oops ~a", 1)
    assert prin1_to_string(condition) == '#<SIMPLE-ERROR "oops 1">'
    assert princ_to_string(condition) == "oops 1"


def test_packages_and_functions():
    assert prin1_to_string(COMMON_LISP_USER) == '#<PACKAGE "COMMON-LISP-USER">'

    def fib(n):
        return n

    assert prin1_to_string(fib) == "#<FUNCTION fib>"


def test_builtins_print_with_their_lisp_name():
    from lisp.runtime.namespace import builtin

    @builtin("PRINTER-TEST-BUILTIN", COMMON_LISP_USER)
    def python_name():
        return None

    assert prin1_to_string(python_name) == "#<FUNCTION PRINTER-TEST-BUILTIN>"


def test_unknown_python_objects_go_through_the_hook(monkeypatch):
    assert prin1_to_string(object()).startswith("#<PY object <object object at")
    monkeypatch.setattr(printer, "print_object_hook", lambda obj, stream: stream.write_string("#<HOOKED>"))
    assert prin1_to_string(lisp_list(1, object())) == "(1 #<HOOKED>)"


def test_print_readably_refuses_unreadable_objects():
    with pytest.raises(PrintNotReadable):
        write_to_string(COMMON_LISP_USER, readably=T)


def test_bad_print_variables_are_type_errors():
    with pytest.raises(LispTypeError, match=r"\*PRINT-BASE\*"):
        write_to_string(1, base=1)
    with pytest.raises(LispTypeError, match=r"\*PRINT-LENGTH\*"):
        write_to_string(lisp_list(1), length=-1)


def test_unknown_write_option_is_an_error():
    with pytest.raises(LispTypeError, match="no option"):
        write_to_string(1, colour=T)


# -- printing to streams -------------------------------------------------------------------------

def test_prin1_princ_and_print_write_to_the_stream():
    out = StringOutputStream()
    prin1("a", out)
    princ("b", out)
    print_(sym("C"), out)
    assert out.get_output_stream_string() == '"a"b\nC '


def test_write_returns_its_object_and_defaults_to_standard_output(capsys):
    assert write(lisp_list(1, 2)) is not None
    assert capsys.readouterr().out == "(1 2)"


# -- round trips ---------------------------------------------------------------------------------

def similar(a, b):
    """CL EQUAL, except that vectors compare element-wise and uninterned symbols by name."""
    if isinstance(a, Cons):
        return isinstance(b, Cons) and similar(a.car, b.car) and similar(a.cdr, b.cdr)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(similar, a, b))
    if isinstance(a, float):
        return type(b) is float and (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, Symbol) and a.package is None:
        return isinstance(b, Symbol) and b.package is None and a.name == b.name
    if isinstance(a, (int, Fraction, str, complex)):
        return type(a) is type(b) and a == b
    return a is b


names = st.text(min_size=0, max_size=8)
atoms = st.one_of(
    st.integers(), st.fractions().filter(lambda f: f.denominator != 1).map(Ratio),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=10),
    st.characters(blacklist_categories=("Cs",)).map(Char),
    names.map(sym), names.map(keyword), names.map(Symbol), st.just(NIL), st.just(T),
    st.complex_numbers(allow_nan=False, allow_infinity=False).filter(lambda z: z.imag != 0),
)
data = st.recursive(
    atoms,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5).map(make_list),
        st.tuples(st.lists(inner, min_size=1, max_size=4), inner.filter(lambda x: x is not NIL and not isinstance(x, Cons)))
        .map(lambda t: make_list(*t)),
        st.lists(inner, max_size=4),
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(data)
def test_printing_then_reading_gives_an_equal_object(obj):
    assert similar(read_from_string(prin1_to_string(obj)), obj)


list_data = st.recursive(
    atoms.filter(lambda x: not (isinstance(x, Symbol) and x.package is None)),
    lambda inner: st.lists(inner, max_size=5).map(make_list),
    max_leaves=20,
)


@settings(max_examples=100, deadline=None)
@given(list_data)
def test_printed_then_read_lists_are_lisp_equal(obj):
    from lisp.library.equality import equal_p

    assert equal_p(read_from_string(prin1_to_string(obj)), obj)


@settings(max_examples=100, deadline=None)
@given(data, st.integers(min_value=2, max_value=36))
def test_round_trip_holds_in_every_print_and_read_base(obj, base):
    with dynamic_binding(READ_BASE, base):
        text = write_to_string(obj, base=base, radix=T)
        assert similar(read_from_string(text), obj)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=10))
def test_symbol_names_round_trip_under_every_print_case(name):
    for case in ("UPCASE", "DOWNCASE", "CAPITALIZE"):
        assert read_from_string(write_to_string(sym(name), case=keyword(case))) is sym(name)


def test_hash_tables_print_their_test_and_count():
    from lisp.library.hashtables import HashTable

    table = HashTable("EQUAL")
    table.put("k", 1)
    assert prin1_to_string(table) == "#<HASH-TABLE :TEST EQUAL :COUNT 1>"


# -- pretty printing -----------------------------------------------------------------------------

def pretty(text, margin=40):
    return write_to_string(read_from_string(text), pretty=T, right_margin=margin)


def test_long_data_lists_fill_lines_within_the_right_margin():
    assert pretty("(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29)") == \
        "(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n 16 17 18 19 20 21 22 23 24 25 26 27 28\n 29)"


def test_body_forms_indent_their_body_by_two():
    assert pretty("(let ((aaaaaaa 1) (bbbbbbbbbbb 2) (ccccccccc 3)) (foo aaaaaaa bbbbbbbbbbb) (bar ccccccccc))") == \
        "(LET ((AAAAAAA 1)\n      (BBBBBBBBBBB 2)\n      (CCCCCCCCC 3))\n  (FOO AAAAAAA BBBBBBBBBBB)\n  (BAR CCCCCCCCC))"


def test_if_and_cond_align_their_arguments():
    assert pretty("(if (some-long-predicate-name x) (then-branch-function x y) (else-branch-function x y z))") == \
        "(IF (SOME-LONG-PREDICATE-NAME X)\n    (THEN-BRANCH-FUNCTION X Y)\n    (ELSE-BRANCH-FUNCTION X Y Z))"


def test_progn_puts_each_form_on_its_own_line():
    assert pretty("(progn (foo 1) (bar 2) (baz 3) (qux 4444444444444))") == \
        "(PROGN\n (FOO 1)\n (BAR 2)\n (BAZ 3)\n (QUX 4444444444444))"


def test_quoted_lists_and_vectors_keep_their_prefix():
    assert pretty("'(aaaaaaaaaaa bbbbbbbbbbbb cccccccccccc ddddddddddd eeeeeeeeee)") == \
        "'(AAAAAAAAAAA BBBBBBBBBBBB CCCCCCCCCCCC\n  DDDDDDDDDDD EEEEEEEEEE)"
    assert pretty("#(4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23)") == \
        "#(4 5 6 7 8 9 10 11 12 13 14 15 16 17\n  18 19 20 21 22 23)"


def test_what_fits_stays_on_one_line_and_no_margin_means_no_breaks():
    assert pretty("(a b c)") == "(A B C)"
    long_list = "(" + " ".join(["xxxxxxxx"] * 20) + ")"
    assert "\n" not in prin1_to_string(read_from_string(long_list))


def test_pretty_output_reads_back_equal():
    text = "(defun f (x) (let ((y (* x x)) (z '(a b c d e f g h))) (when (> y 10) (print y) (list y z x x x x))))"
    assert similar(read_from_string(pretty(text, margin=30)), read_from_string(text))


def test_pprint_lays_out_within_80_columns_by_default():
    out = StringOutputStream()
    from lisp.syntax.printer import pprint

    pprint(make_list(range(40)), out)
    lines = out.get_output_stream_string().split("\n")
    assert lines[0] == "" and len(lines) == 3 and all(len(line) < 80 for line in lines)


@pytest.mark.timeout(60)
def test_threads_printing_and_reading_under_their_own_bindings_do_not_interfere():
    import threading

    from lisp.syntax.printer import OPTIONS

    errors = []

    def worker(base):
        try:
            with dynamic_binding(OPTIONS["base"][0], base), dynamic_binding(READ_BASE, base):
                for n in range(300):
                    obj = lisp_list(n, sym("X"), [n, "s"])
                    text = prin1_to_string(obj)
                    back = read_from_string(text)
                    if not (similar(back, obj) and text.split()[0] == "(" + printer.integer_text(n, base)):
                        errors.append((base, n, text))
        except Exception as e:  # reported below, in the main thread
            errors.append((base, repr(e)))

    threads = [threading.Thread(target=worker, args=(base,)) for base in (2, 8, 10, 16, 36)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


@settings(max_examples=100, deadline=None)
@given(data, st.integers(min_value=1, max_value=60))
def test_pretty_layout_at_any_margin_reads_back_equal(obj, margin):
    text = write_to_string(obj, pretty=T, right_margin=margin)
    assert similar(read_from_string(text), obj)


def test_integers_of_any_length_print_and_read_back():
    n = 3 ** 20000
    text = prin1_to_string(-n)
    assert len(text) == 9543 + 1 and read_from_string(text) == -n
    assert read_from_string(write_to_string(n, base=16, radix=T)) == n


# -- *print-circle* and prints inside prints --------------------------------------------------------

@pytest.mark.parametrize("make, printed", [
    ("(let ((l (list 1 2))) (setf (cddr l) l) l)", "#1=(1 2 . #1#)"),
    ("(let ((l (list 1 2))) (setf (car l) l) l)", "#1=(#1# 2)"),
    ("(let ((v (vector 1 2))) (setf (aref v 1) v) v)", "#1=#(1 #1#)"),
    ("(progn (defstruct circle-node next) (let ((n (make-circle-node))) (setf (circle-node-next n) n) n))",
     "#1=#S(CIRCLE-NODE :NEXT #1#)"),
])
@pytest.mark.parametrize("margin", ["nil", "60"])
def test_print_circle_labels_circular_conses_vectors_and_structures(make, printed, margin):
    assert lisp_value(f"(let ((*print-circle* t) (*print-pretty* t) (*print-right-margin* {margin}))"
                      f" (prin1-to-string {make}))") == printed


def test_a_print_object_method_prints_its_parts_one_level_down():
    lisp_value("(defclass level-box () ((inside :initarg :inside)))"
               "(defmethod print-object ((b level-box) s) (format s \"<box ~s>\" (slot-value b 'inside)))")
    assert lisp_value("(let ((*print-level* 2)) (prin1-to-string"
                      " (list (make-instance 'level-box :inside '(1 (2 (3)))))))") == "(<box (1 #)>)"


def test_labels_are_shared_with_what_a_print_object_method_prints():
    assert lisp_value("(let ((*print-circle* t) (l (list 1))) (prin1-to-string"
                      " (list l l (make-instance 'level-box :inside l))))") == "(#1=(1) #1# <box #1#>)"


REPORTED = {
    "circular list": "(let ((l (list 1 2))) (setf (cddr l) l) (error \"bad ~s\" l))",
    "circular vector": "(let ((v (vector 1 2))) (setf (aref v 0) v) (error \"bad ~s\" v))",
    "circular structure": "(progn (defstruct rnode next) (let ((n (make-rnode))) (setf (rnode-next n) n)"
                          " (error \"bad ~s\" n)))",
    "circular argument": "(progn (defun fails (x) (error \"no ~a\" (car x)))"
                         " (let ((l (list 1 2))) (setf (cddr l) l) (fails l)))",
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", sorted(REPORTED))
@pytest.mark.parametrize("command", ["run", "eval", "repl"])
def test_an_error_report_of_a_circular_datum_ends(case, command, tmp_path):
    """The reports of gfjit run, gfjit eval and the REPL print with *print-circle* (issue 15 item 7)."""
    import subprocess
    import sys

    form = REPORTED[case]
    if command == "run":
        program = tmp_path / "circular.lisp"
        program.write_text(form + "\n")
        argv, stdin = ["run", str(program)], None
    elif command == "eval":
        argv, stdin = ["eval", form], None
    else:
        argv, stdin = [], form + "\n"
    done = subprocess.run([sys.executable, "-m", "lisp", *argv], input=stdin, capture_output=True, text=True,
                          timeout=60)
    output = done.stdout + done.stderr
    assert "Error (SIMPLE-ERROR)" in output and "#1=" in output and "#1#" in output


def test_reports_cut_long_data_short():
    from lisp.repl.report import describe_error

    try:
        lisp_value("(error \"big ~s\" (loop for i below 1000 collect (list i)))")
    except Exception as error:  # noqa: BLE001 - the error is what is described
        text = describe_error(error, [])
    assert "(0) (1)" in text and "...)" in text and len(text) < 2000
