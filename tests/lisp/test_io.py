"""The Lisp-visible reading, printing, format and stream functions, run from Lisp source."""

import pytest

from lisp import eval_string
from lisp.runtime.condition_classes import EndOfFile, FileError, LispTypeError, ProgramError, ReaderError
from lisp.syntax.printer import prin1_to_string


def lisp(text):
    return eval_string(text)


def shown(text):
    return prin1_to_string(eval_string(text))


def test_print_functions_write_to_standard_output(capsys):
    lisp('(print 1) (prin1 "a") (princ "b") (terpri) (write-string "c") (write-line "d") (write-char #\\e)')
    assert capsys.readouterr().out == '\n1 "a"b\ncd\ne'


def test_fresh_line_reports_whether_it_wrote():
    assert shown("(let ((s (make-string-output-stream))) "
                 "(list (fresh-line s) (progn (princ 1 s) (fresh-line s)) (fresh-line s)))") == "(NIL T NIL)"


def test_print_returns_its_argument_and_pprint_no_values(capsys):
    assert shown("(print 'x)") == "X"
    assert shown("(multiple-value-list (pprint 'x))") == "NIL"
    capsys.readouterr()


def test_format_destinations(capsys):
    assert str(lisp('(format nil "~a-~a" 1 2)')) == "1-2"
    assert lisp('(format t "~a" 3)') is None
    assert capsys.readouterr().out == "3"


def test_with_output_to_string_collects_format_and_print():
    assert str(lisp('(with-output-to-string (s) (format s "~d" 1) (prin1 "x" s) (write-char #\\! s))')) == '1"x"!'


def test_string_output_stream_functions():
    assert lisp('(let ((s (make-string-output-stream))) (princ 12 s) (list (get-output-stream-string s) '
                '(get-output-stream-string s)))').car.text() == "12"


def test_to_string_functions():
    assert shown('(list (prin1-to-string "a") (princ-to-string "a") (write-to-string 10 :base 2))') == \
        '("\\"a\\"" "a" "1010")'


def test_write_with_keyword_options(capsys):
    lisp("(write '(a b c) :length 2) (write 'x :case :downcase :stream *standard-output*)")
    assert capsys.readouterr().out == "(A B ...)x"


def test_write_rejects_unknown_keywords():
    with pytest.raises(ProgramError):
        lisp("(write 1 :colour t)")


def test_read_from_string_returns_the_form_and_the_index_after_one_whitespace():
    assert shown('(multiple-value-list (read-from-string "(a) b"))') == "((A) 4)"
    assert shown('(multiple-value-list (read-from-string "a b" nil nil :preserve-whitespace t))') == "(A 1)"
    assert shown('(multiple-value-list (read-from-string "x y" t nil :start 2))') == "(Y 3)"


def test_read_from_string_at_end_of_file():
    assert shown('(read-from-string "  " nil :none)') == ":NONE"
    with pytest.raises(EndOfFile):
        lisp('(read-from-string "  ")')


def test_read_from_string_of_an_incomplete_form_is_end_of_file_even_with_eof_error_p_nil():
    with pytest.raises(EndOfFile):
        lisp('(read-from-string "(a" nil :none)')


def test_read_from_string_signals_reader_errors():
    with pytest.raises(ReaderError):
        lisp('(read-from-string ")")')


def test_with_input_from_string_reads_forms_lines_and_characters():
    assert shown('(with-input-from-string (s "one (2) 3") (list (read s) (read s) (read s) (read s nil :eof)))') \
        == "(ONE (2) 3 :EOF)"
    assert shown('(with-input-from-string (s (format nil "ab~%cd")) '
                 '(list (multiple-value-list (read-line s)) (multiple-value-list (read-line s)) (read-line s nil)))') \
        == '(("ab" NIL) ("cd" T) NIL)'
    assert shown('(with-input-from-string (s "xy") (list (peek-char nil s) (read-char s) (read-char s) '
                 '(read-char s nil :end)))') == "(#\\x #\\x #\\y :END)"


def test_with_input_from_string_index_start_and_end():
    assert shown('(let (i) (with-input-from-string (s "abc def" :index i) (read s)) i)') == "4"
    assert shown('(with-input-from-string (s "abcdef" :start 1 :end 3) (read s))') == "BC"


def test_peek_char_skips_whitespace_or_up_to_a_character():
    assert shown('(with-input-from-string (s "   x;y") (list (peek-char t s) (read-char s) (peek-char #\\y s)))') \
        == "(#\\x #\\x #\\y)"


def test_unread_char_puts_back_the_last_character():
    assert shown('(with-input-from-string (s "ab") (let ((c (read-char s))) (unread-char c s) (read-char s)))') \
        == "#\\a"


def test_read_char_at_end_of_file_is_an_error_by_default():
    with pytest.raises(EndOfFile):
        lisp('(with-input-from-string (s "") (read-char s))')


def test_read_from_standard_input(monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("(1\n 2) next\n"))
    assert shown("(list (read) (read))") == "((1 2) NEXT)"


def test_files_written_and_read_back(tmp_path):
    path = str(tmp_path / "data.txt")
    lisp(f'(with-open-file (f "{path}" :direction :output) (format f "first~%(1 2)~%") (print :k f))')
    assert shown(f'(with-open-file (f "{path}") (list (read-line f) (read f) (read f) (read f nil :eof)))') \
        == '("first" (1 2) :K :EOF)'


def test_open_existing_file_for_output_is_a_file_error_unless_told(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("old")
    with pytest.raises(FileError, match="already exists"):
        lisp(f'(open "{path}" :direction :output)')
    lisp(f'(with-open-file (f "{path}" :direction :output :if-exists :append) (princ "+new" f))')
    assert path.read_text() == "old+new"
    lisp(f'(with-open-file (f "{path}" :direction :output :if-exists :supersede) (princ "only" f))')
    assert path.read_text() == "only"


def test_open_missing_file():
    with pytest.raises(FileError, match="no such file"):
        lisp('(open "/nonexistent/gfjit/file")')
    assert lisp('(open "/nonexistent/gfjit/file" :if-does-not-exist nil)') is None


def test_with_open_file_closes_the_stream_on_a_non_local_exit(tmp_path):
    path = tmp_path / "y.txt"
    path.write_text("z")
    assert shown(f'(let (s) (catch :out (with-open-file (f "{path}") (setq s f) (throw :out nil))) '
                 f'(open-stream-p s))') == "NIL"


def test_stream_predicates_and_close():
    assert shown("(let ((s (make-string-output-stream))) (list (streamp s) (input-stream-p s) "
                 "(output-stream-p s) (close s) (open-stream-p s) (close s) (streamp 1)))") == "(T NIL T T NIL NIL NIL)"


def test_writing_to_a_non_stream_is_a_type_error():
    with pytest.raises(LispTypeError):
        lisp('(write-string "x" 42)')
    with pytest.raises(LispTypeError):
        lisp("(write-string 42)")


def test_listen_reports_only_buffered_input():
    assert shown('(with-input-from-string (s "a") (list (listen s) (read-char s) (listen s)))') == "(T #\\a NIL)"


def test_write_string_bounds():
    assert str(lisp('(with-output-to-string (s) (write-string "abcdef" s :start 1 :end 3))')) == "bc"
    with pytest.raises(LispTypeError):
        lisp('(write-string "abc" *standard-output* :end 9)')


def test_print_unreadable_object_writes_type_body_and_identity():
    assert str(lisp('(with-output-to-string (s) (print-unreadable-object ((list 1) s :type t) (princ "x" s)))')) \
        == "#<CONS x>"
    text = str(lisp('(with-output-to-string (s) (print-unreadable-object ("a" s :identity t)))'))
    assert text.startswith("#< {") and text.endswith("}>")  # SBCL's space before the identity


def test_print_unreadable_object_refuses_under_print_readably():
    from lisp.runtime.condition_classes import PrintNotReadable

    with pytest.raises(PrintNotReadable):
        lisp('(let ((*print-readably* t)) (with-output-to-string (s) (print-unreadable-object (1 s))))')


def test_formatter_makes_a_function_returning_the_unused_arguments():
    assert str(lisp('(format nil (formatter "~a/~a") 1 2)')) == "1/2"
    assert str(lisp('(with-output-to-string (s) (prin1 (funcall (formatter "~a") s 1 2 3) s))')) == "1(2 3)"


def test_formatter_checks_its_control_string_at_expansion():
    from lisp.runtime.condition_classes import FormatError

    with pytest.raises(FormatError):
        lisp("(lambda () (formatter \"~q\"))")


def test_y_or_n_p_asks_until_it_gets_an_answer(monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("maybe\nY\nno\n"))
    assert shown('(list (y-or-n-p "go ~a?" 1) (yes-or-no-p "really?"))') == "(T NIL)"
    out = capsys.readouterr().out
    assert 'go 1? (y or n) Please type "y" for yes or "n" for no.' in out and "really? (yes or no)" in out


# -- readtables ------------------------------------------------------------------------------------

def test_reader_macro_with_read_delimited_list():
    assert shown("(let ((*readtable* (copy-readtable)))"
                 " (set-macro-character #\\] (get-macro-character #\\)))"
                 " (set-macro-character #\\[ (lambda (s c) (declare (ignore c)) (read-delimited-list #\\] s t)))"
                 " (read-from-string \"[1 [2 3] x]\"))") == "(1 (2 3) X)"


def test_reader_macro_returning_no_values_reads_nothing():
    assert shown("(let ((*readtable* (copy-readtable)))"
                 " (set-macro-character #\\% (lambda (s c) (declare (ignore s c)) (values)))"
                 " (read-from-string \"(a % b)\"))") == "(A B)"


def test_dispatch_macro_receives_the_sub_character_and_argument():
    assert shown("(let ((*readtable* (copy-readtable)))"
                 " (set-dispatch-macro-character #\\# #\\! (lambda (s c n) (list c n (read s t nil t))))"
                 " (read-from-string \"#3!foo\"))") == "(#\\! 3 FOO)"


def test_new_dispatching_macro_character():
    assert shown("(let ((*readtable* (copy-readtable)))"
                 " (make-dispatch-macro-character #\\$)"
                 " (set-dispatch-macro-character #\\$ #\\a (lambda (s c n) (declare (ignore s c n)) :dollar-a))"
                 " (read-from-string \"($a)\"))") == "(:DOLLAR-A)"


def test_macro_characters_terminate_tokens_unless_non_terminating():
    assert shown("(let ((*readtable* (copy-readtable)))"
                 " (set-macro-character #\\! (lambda (s c) (declare (ignore s c)) :bang))"
                 " (read-from-string \"(a!b)\"))") == "(A :BANG B)"
    assert shown("(let ((*readtable* (copy-readtable)))"
                 " (set-macro-character #\\! (lambda (s c) (declare (ignore s c)) :bang) t)"
                 " (read-from-string \"(a!b !)\"))") == "(A!B :BANG)"


def test_get_macro_character_of_a_constituent_is_nil():
    assert shown("(multiple-value-list (get-macro-character #\\a))") == "(NIL NIL)"
    assert shown("(nth-value 1 (get-macro-character #\\#))") == "T"


def test_the_standard_readtable_cannot_be_modified():
    with pytest.raises(LispTypeError, match="standard readtable"):
        lisp("(set-macro-character #\\! #'identity nil (copy-readtable nil (copy-readtable nil)) ) "
             "(set-macro-character #\\! #'identity nil nil)")


def test_readtable_case_modes():
    assert shown('(let ((*readtable* (copy-readtable nil))) (setf (readtable-case *readtable*) :preserve)'
                 ' (list (symbol-name (read-from-string "Foo")) (prin1-to-string (read-from-string "Foo"))))') \
        == '("Foo" "Foo")'
    assert shown('(let ((*readtable* (copy-readtable nil))) (setf (readtable-case *readtable*) :invert)'
                 ' (mapcar (lambda (s) (list (symbol-name s) (prin1-to-string s)))'
                 ' (list (read-from-string "foo") (read-from-string "FOO") (read-from-string "Foo"))))') \
        == '(("FOO" "foo") ("foo" "FOO") ("Foo" "Foo"))'
    assert shown('(let ((*readtable* (copy-readtable nil))) (setf (readtable-case *readtable*) :downcase)'
                 ' (list (symbol-name (read-from-string "Foo")) (prin1-to-string (intern "FOO"))))') \
        == '("foo" "|FOO|")'


def test_bad_readtable_case_is_a_type_error():
    with pytest.raises(LispTypeError, match="readtable case"):
        lisp("(setf (readtable-case (copy-readtable nil)) :sideways)")


def test_symbols_containing_user_macro_characters_print_escaped():
    assert lisp("(let ((*readtable* (copy-readtable)))"
                " (set-macro-character #\\[ (lambda (s c) (declare (ignore s c)) nil))"
                " (prin1-to-string (intern \"A[B\")))") == "|A[B|"


def test_broadcast_stream_writes_to_every_stream():
    assert shown("(let* ((a (make-string-output-stream)) (b (make-string-output-stream))"
                 " (s (make-broadcast-stream a b)))"
                 " (format s \"hi ~a\" 1) (list (get-output-stream-string a) (get-output-stream-string b)))") \
        == '("hi 1" "hi 1")'
    assert lisp('(progn (format (make-broadcast-stream) "nothing") :done)') is not None


def test_two_way_stream_reads_from_one_and_writes_to_the_other():
    assert shown("(let* ((out (make-string-output-stream))"
                 " (s (make-two-way-stream (make-string-input-stream \"42 rest\") out)))"
                 " (princ (read s) s) (list (get-output-stream-string out) (read-line s)))") == '("42" "rest")'


def test_write_and_read_sequence():
    assert str(lisp('(with-output-to-string (s) (write-sequence "abcdef" s :start 2) '
                    '(write-sequence (list #\\x #\\y) s))')) == "cdefxy"
    assert shown('(let ((v (make-array 4 :initial-element nil)))'
                 ' (list (with-input-from-string (s "abc") (read-sequence v s)) v))') == "(3 #(#\\a #\\b #\\c NIL))"


def test_handler_bind_runs_before_read_unwinds():
    assert shown("(handler-bind ((end-of-file (lambda (c) (declare (ignore c)) (throw 'x :bound))))"
                 " (catch 'x (read-from-string \"(\")))") == ":BOUND"


def test_handler_bind_sees_format_errors_in_place():
    assert shown("(handler-bind ((error (lambda (c) (declare (ignore c)) (throw 'x :format))))"
                 " (catch 'x (format nil \"~q\")))") == ":FORMAT"


def test_an_error_inside_a_reader_macro_is_signalled_once():
    assert shown("(let ((n 0) (*readtable* (copy-readtable)))"
                 " (set-macro-character #\\! (lambda (s c) (declare (ignore s c)) (error \"bang\")))"
                 " (handler-case (handler-bind ((error (lambda (c) (declare (ignore c)) (incf n))))"
                 " (read-from-string \"!\")) (error () n)))") == "1"


def test_forms_read_from_a_string_stream_keep_their_lines():
    from lisp.library.io import read
    from lisp.runtime.streams import InputStream

    stream = InputStream("(a)\n  (b)")
    read(stream)
    form = read(stream)
    assert (form.pos.line, form.pos.column) == (2, 3)


def test_print_unreadable_object_spaces_its_parts_as_sbcl():
    assert str(lisp('(with-output-to-string (s) (print-unreadable-object (1 s :type t)))')) == "#<FIXNUM >"
    assert str(lisp('(with-output-to-string (s) (print-unreadable-object (1 s :type t) (princ "x" s)))')) \
        == "#<FIXNUM x>"
