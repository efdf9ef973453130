"""Sequences, vectors, strings and characters."""

import pytest
from lisp_results import results

SEQUENCE_CASES = [
    ("(length '(1 2 3))", '(3)'),
    ('(length "abc")', '(3)'),
    ('(length #(1 2))', '(2)'),
    ('(length 5)', ':TYPE-ERROR'),
    ("(elt '(a b c) 1)", '(B)'),
    ('(elt "abc" 0)', '(#\\a)'),
    ('(elt #(1 2) 5)', ':TYPE-ERROR'),
    ('(subseq "hello" 1 3)', '("el")'),
    ("(subseq '(1 2 3 4) 2)", '((3 4))'),
    ('(subseq #(1 2 3) 1)', '(#(2 3))'),
    ('(subseq "abc" 2 1)', ':TYPE-ERROR'),
    ('(copy-seq "abc")', '("abc")'),
    ('(reverse "abc")', '("cba")'),
    ("(reverse '(1 2 3))", '((3 2 1))'),
    ('(nreverse (vector 1 2 3))', '(#(3 2 1))'),
    ('(concatenate \'string "ab" "cd")', '("abcd")'),
    ('(concatenate \'list \'(1) #(2) "c")', '((1 2 #\\c))'),
    ("(concatenate 'vector '(1) #(2))", '(#(1 2))'),
    ("(map 'list #'1+ '(1 2 3))", '((2 3 4))'),
    ('(map \'string #\'char-upcase "abc")', '("ABC")'),
    ("(map 'vector #'+ '(1 2) #(10 20 30))", '(#(11 22))'),
    ("(map nil #'identity '(1))", '(NIL)'),
    ("(reduce #'+ '(1 2 3 4))", '(10)'),
    ("(reduce #'+ '())", '(0)'),
    ("(reduce #'list '(1 2 3) :from-end t)", '((1 (2 3)))'),
    ("(reduce #'+ '(1 2 3) :initial-value 10)", '(16)'),
    ("(reduce #'list '(1 2 3) :initial-value 0 :from-end t)", '((1 (2 (3 0))))'),
    ("(remove 2 '(1 2 3 2))", '((1 3))'),
    ("(remove 2 '(1 2 3 2) :count 1)", '((1 3 2))'),
    ("(remove 2 '(1 2 3 2) :count 1 :from-end t)", '((1 2 3))'),
    ("(remove-if #'evenp #(1 2 3 4))", '(#(1 3))'),
    ("(remove-if-not #'evenp '(1 2 3 4))", '((2 4))'),
    ('(remove #\\a "banana")', '("bnn")'),
    ('(delete 1 (list 1 2 1))', '((2))'),
    ("(remove-duplicates '(1 2 1 3 2))", '((1 3 2))'),
    ("(remove-duplicates '(1 2 1 3 2) :from-end t)", '((1 2 3))'),
    ('(remove-duplicates "abracadabra")', '("cdbra")'),
    ("(find 3 '(1 2 3 4))", '(3)'),
    ("(find 5 '(1 2))", '(NIL)'),
    ("(find-if #'evenp '(1 2 3 4) :from-end t)", '(4)'),
    ('(find #\\b "abc")', '(#\\b)'),
    ("(find 2 '((1) (2)) :key #'car)", '((2))'),
    ("(position 3 '(1 2 3))", '(2)'),
    ('(position #\\c "abcabc" :start 3)', '(5)'),
    ("(position-if #'oddp '(2 4 5 7) :from-end t)", '(3)'),
    ("(count 1 '(1 2 1))", '(2)'),
    ("(count-if #'evenp #(1 2 4))", '(2)'),
    ("(substitute 'x 1 '(1 2 1))", '((X 2 X))'),
    ("(substitute-if 0 #'evenp '(1 2 3 4))", '((1 0 3 0))'),
    ("(sort (list 3 1 2) #'<)", '((1 2 3))'),
    ("(sort (vector 3 1 2) #'>)", '(#(3 2 1))'),
    ('(sort "cba" #\'char<)', '("abc")'),
    ('(sort (list "b" "a") #\'string<)', '(("a" "b"))'),
    ("(stable-sort (list '(1 a) '(0 b) '(1 c)) #'< :key #'car)", '(((0 B) (1 A) (1 C)))'),
    ("(merge 'list '(1 3 5) '(2 4) #'<)", '((1 2 3 4 5))'),
    ('(fill (list 1 2 3) 0)', '((0 0 0))'),
    ('(fill (vector 1 2 3) 0 :start 1)', '(#(1 0 0))'),
    ("(replace (list 1 2 3 4) '(a b) :start1 1)", '((1 A B 4))'),
    ('(search "lo" "hello")', '(3)'),
    ("(search '(2 3) '(1 2 3))", '(1)'),
    ('(mismatch "abc" "abd")', '(2)'),
    ('(mismatch "abc" "abc")', '(NIL)'),
    ("(every #'evenp '(2 4))", '(T)'),
    ("(some #'evenp '(1 3 4))", '(T)'),
    ("(some (lambda (x) (and (evenp x) x)) '(1 6 4))", '(6)'),
    ("(notany #'evenp '(1 3))", '(T)'),
    ("(notevery #'evenp '(2 3))", '(T)'),
    ("(every #'< '(1 2) '(2 3))", '(T)'),
    ('(vector 1 2 3)', '(#(1 2 3))'),
    ('(make-array 3 :initial-element 0)', '(#(0 0 0))'),
    ("(make-array 2 :initial-contents '(a b))", '(#(A B))'),
    ('(aref #(1 2 3) 1)', '(2)'),
    ('(let ((v (vector 1 2))) (setf (aref v 0) 9) v)', '(#(9 2))'),
    ('(let ((v (make-array 0 :adjustable t :fill-pointer 0))) (vector-push-extend 1 v) (vector-push-extend 2 v) v)', '(#(1 2))'),
    ('(svref #(1 2) 0)', '(1)'),
    ('(array-dimensions #(1 2))', '((2))'),
    ("(coerce '(1 2) 'vector)", '(#(1 2))'),
    ('(coerce "abc" \'list)', '((#\\a #\\b #\\c))'),
    ("(coerce '(#\\a #\\b) 'string)", '("ab")'),
    ("(coerce 1 'float)", '(1.0)'),
    ("(coerce #\\a 'character)", '(#\\a)'),
    ('(coerce "a" \'character)', '(#\\a)'),
    ("(coerce 3 't)", '(3)'),
    ("(coerce '(1 2) 'string)", ':TYPE-ERROR'),
    ("(let ((l (list 1 2 3))) (setf (elt l 1) 'x) l)", '((1 X 3))'),
    ('(string-upcase "hello world")', '("HELLO WORLD")'),
    ('(string-downcase "HeLLo")', '("hello")'),
    ('(string-capitalize "hello wORLD foo-bar")', '("Hello World Foo-Bar")'),
    ('(string-trim " " "  hi  ")', '("hi")'),
    ('(string-left-trim "ab" "aabxa")', '("xa")'),
    ('(string-right-trim \'(#\\x) "axx")', '("a")'),
    ('(string= "abc" "abc")', '(T)'),
    ('(string= "abc" "ABC")', '(NIL)'),
    ('(string-equal "abc" "ABC")', '(T)'),
    ('(string< "abc" "abd")', '(2)'),
    ('(string< "abd" "abc")', '(NIL)'),
    ('(string< "ab" "abc")', '(2)'),
    ('(string/= "abc" "abd")', '(2)'),
    ('(string>= "b" "a")', '(0)'),
    ('(string= "hello" "jello" :start1 1 :start2 1)', '(T)'),
    ("(string 'foo)", '("FOO")'),
    ('(string #\\a)', '("a")'),
    ('(char "abc" 1)', '(#\\b)'),
    ('(schar "abc" 0)', '(#\\a)'),
    ('(make-string 3 :initial-element #\\z)', '("zzz")'),
    ('(char-upcase #\\a)', '(#\\A)'),
    ('(char-downcase #\\A)', '(#\\a)'),
    ('(char-code #\\A)', '(65)'),
    ('(code-char 97)', '(#\\a)'),
    ('(char= #\\a #\\a #\\b)', '(NIL)'),
    ('(char< #\\a #\\b #\\c)', '(T)'),
    ('(char-equal #\\a #\\A)', '(T)'),
    ('(char/= #\\a #\\b #\\a)', '(NIL)'),
    ('(upper-case-p #\\A)', '(T)'),
    ('(lower-case-p #\\A)', '(NIL)'),
    ('(alpha-char-p #\\1)', '(NIL)'),
    ('(alphanumericp #\\1)', '(T)'),
    ('(digit-char-p #\\7)', '(7)'),
    ('(digit-char-p #\\f 16)', '(15)'),
    ('(digit-char-p #\\g 16)', '(NIL)'),
    ('(digit-char 11 16)', '(#\\B)'),
    ('(char-name #\\Space)', '("Space")'),
    ('(char-name #\\a)', '(NIL)'),
    ('(name-char "Newline")', '(#\\Newline)'),
    ('(graphic-char-p #\\a)', '(T)'),
    ('(character "x")', '(#\\x)'),
    ('(char "abc" 5)', ':TYPE-ERROR'),
    ('(both-case-p #\\1)', '(NIL)'),
    ("(make-sequence 'list 2 :initial-element 'a)", '((A A))'),
    ("(make-sequence 'string 3 :initial-element #\\x)", '("xxx")'),
    ("(make-sequence '(vector t) 2 :initial-element 0)", '(#(0 0))'),
    ('(array-in-bounds-p #(1 2) 1)', '(T)'),
    ('(array-in-bounds-p #(1 2) 2)', '(NIL)'),
    ('(row-major-aref #(a b) 1)', '(B)'),
    ('(array-element-type "abc")', '(CHARACTER)'),
    ("(upgraded-array-element-type 'character)", '(CHARACTER)'),
    ('(let ((v (make-array 2 :adjustable t :initial-element 0))) (adjust-array v 4 :initial-element 9))', '(#(0 0 9 9))'),
    ("(adjust-array (make-array 3 :adjustable t :initial-contents '(1 2 3)) 2)", '(#(1 2))'),
    ("(find 2 (list (cons 1 1) (cons 2 2)) :key #'car :from-end t)", '((2 . 2))'),
    ('(remove 1 (list 1 2 1 3 1) :count 2 :from-end t)', '((1 2 3))'),
    ('(substitute 9 1 (list 1 2 1 3 1) :count 2 :from-end t)', '((1 2 9 3 9))'),
    ("(position-if #'evenp (list 1 2 3 4) :from-end t :end 3)", '(1)'),
    ("(count-if #'evenp '(1 2 3 4 5 6) :start 1 :end 4)", '(2)'),
    ("(delete-if-not #'evenp (vector 1 2 3 4) :count 1)", '(#(2 3 4))'),
    ("(search '(2 3) '(1 2 3 2 3) :from-end t)", '(3)'),
    ("(search '(2 3) '(1 2 3 2 3) :start2 2)", '(3)'),
    ("(mismatch '(1 2 3) '(1 2 4))", '(2)'),
    ("(mismatch '(1 2 3) '(0 2 3) :from-end t)", '(1)'),
    ("(find-if-not #'evenp '(2 4 5 6) :from-end t)", '(5)'),
    ("(remove-duplicates '(1 2 1 3 2))", '((1 3 2))'),
    ('(delete-duplicates (list 1 2 1 3 2) :from-end t)', '((1 2 3))'),
    ("(nsubstitute-if 0 #'oddp (vector 1 2 3))", '(#(0 2 0))'),
    ("(count 1 '(1 2 1) :test-not #'eql)", '(1)'),
    ("(remove-if #'evenp '(1 2 3 4) :start 2)", '((1 2 3))'),
    ("(replace (list 1 2 3 4) '(a b c) :start1 1 :end2 2)", '((1 A B 4))'),
    ("(subseq '(a b c d) 1 3)", '((B C))'),
    ("(position 3 '(1 2 3) :start 3)", '(NIL)'),
    ("(remove 3 '(1 2 3) :count -1)", '((1 2 3))'),
]


@pytest.mark.parametrize(("form", "expected"), SEQUENCE_CASES, ids=[form for form, _ in SEQUENCE_CASES])
def test_sequence_function_gives_the_standard_result(form: str, expected: str) -> None:
    assert results(form) == expected


def test_sort_with_a_lisp_predicate_is_stable() -> None:
    assert results("(stable-sort (list '(b 1) '(a 2) '(b 3) '(a 4)) #'string< :key (lambda (x) (symbol-name (car x))))") \
        == "(((A 2) (A 4) (B 1) (B 3)))"


def test_sort_of_many_numbers_orders_them() -> None:
    assert results("(let ((v (loop for i below 2000 collect (random 1000)))) (apply #'<= (sort v #'<)))") == "(T)"


def test_sort_of_a_vector_sorts_it_in_place() -> None:
    assert results("(let ((v (vector 3 1 2))) (sort v #'<) v)") == "(#(1 2 3))"


def test_literal_strings_cannot_be_modified_in_place() -> None:
    assert results("(let ((s \"abc\")) (setf (char s 0) #\\z))") == "SIMPLE-ERROR"
    assert results("(fill \"abc\" #\\z)") == "SIMPLE-ERROR"


def test_copies_of_strings_are_modified_in_place() -> None:
    assert results("(let ((s (copy-seq \"abc\"))) (setf (char s 0) #\\z) s)") == '("zbc")'
    assert results("(fill (copy-seq \"abc\") #\\z :start 1)") == '("azz")'


def test_a_dotted_list_is_a_type_error_for_sequence_functions() -> None:
    assert results("(length '(1 2 . 3))") == ":TYPE-ERROR"
    assert results("(mapcar #'identity '(1 . 2))") == ":TYPE-ERROR"


def test_bad_keyword_arguments_are_program_errors() -> None:
    assert results("(find 1 '(1) :no-such-key 2)") == ":PROGRAM-ERROR"
    assert results("(find 1 '(1) :key)") == ":PROGRAM-ERROR"


def test_sort_by_the_standard_orders_agrees_with_the_lisp_predicates() -> None:
    assert results("(sort (list \"pear\" \"apple\" 'fig) #'string<)") == '((FIG "apple" "pear"))'
    assert results("(sort (list #\\b #\\a #\\c) #'char>)") == "((#\\c #\\b #\\a))"
    assert results("(stable-sort (list '(1 a) '(2 b) '(1 c)) #'> :key #'car)") == "(((2 B) (1 A) (1 C)))"
    assert results("(sort (list 3 'x 1) #'<)") == ":TYPE-ERROR"


def test_index_errors_name_the_accessor_and_the_real_length() -> None:
    from lisp_results import value

    assert value('(handler-case (elt "abc" 3) (type-error (c) (princ-to-string c)))') == \
        '"ELT: the index 3 is out of range for a sequence of length 3"'
    assert value("(handler-case (aref (vector 1) 1) (type-error (c) (princ-to-string c)))") == \
        '"AREF: the index 1 is out of range for a sequence of length 1"'
