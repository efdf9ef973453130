"""Conses and lists: accessors, construction, mapping, membership, alists, plists, trees, sets."""

import pytest

from lisp_results import results

LIST_CASES = [
    ('(cons 1 2)', '((1 . 2))'),
    ('(car nil)', '(NIL)'),
    ("(cdr '(1 2))", '((2))'),
    ("(cadr '(1 2 3))", '(2)'),
    ("(cddr '(1 2 3))", '((3))'),
    ("(caddr '(1 2 3))", '(3)'),
    ("(third '(1 2 3))", '(3)'),
    ("(tenth '(1 2 3))", '(NIL)'),
    ("(nth 1 '(a b c))", '(B)'),
    ("(nth 5 '(a b c))", '(NIL)'),
    ("(nthcdr 2 '(a b c))", '((C))'),
    ("(list* 1 2 '(3 4))", '((1 2 3 4))'),
    ('(list* 1)', '(1)'),
    ("(make-list 3 :initial-element 'x)", '((X X X))'),
    ("(append '(1 2) '(3) nil '(4 . 5))", '((1 2 3 4 . 5))'),
    ('(append)', '(NIL)'),
    ("(append '(1) 2)", '((1 . 2))'),
    ('(nconc (list 1 2) nil (list 3))', '((1 2 3))'),
    ("(revappend '(1 2 3) '(4))", '((3 2 1 4))'),
    ("(last '(1 2 3))", '((3))'),
    ("(last '(1 2 3) 2)", '((2 3))'),
    ("(last '(1 2 . 3))", '((2 . 3))'),
    ("(butlast '(1 2 3 4) 2)", '((1 2))'),
    ('(nbutlast (list 1 2 3))', '((1 2))'),
    ("(ldiff '(1 2 3) nil)", '((1 2 3))'),
    ("(list-length '(1 2 3))", '(3)'),
    ("(list-length '(1 2 . 3))", ':TYPE-ERROR'),
    ("(mapcar #'+ '(1 2 3) '(10 20))", '((11 22))'),
    ("(mapcar #'car '((1) (2)))", '((1 2))'),
    ("(maplist #'identity '(1 2 3))", '(((1 2 3) (2 3) (3)))'),
    ("(mapcan (lambda (x) (list x x)) '(1 2))", '((1 1 2 2))'),
    ("(mapc #'identity '(1 2))", '((1 2))'),
    ("(mapcon #'copy-list '(1 2 3))", '((1 2 3 2 3 3))'),
    ("(member 2 '(1 2 3))", '((2 3))'),
    ("(member 2.0 '(1 2 3))", '(NIL)'),
    ("(member 2.0 '(1 2 3) :test #'=)", '((2 3))'),
    ('(member "b" \'("a" "b") :test #\'equal)', '(("b"))'),
    ("(member 3 '((1) (3)) :key #'car)", '(((3)))'),
    ("(member-if #'evenp '(1 3 4 5))", '((4 5))'),
    ("(assoc 'b '((a . 1) (b . 2)))", '((B . 2))'),
    ("(assoc 2 '((1 . a) nil (2 . b)))", '((2 . B))'),
    ('(assoc "b" \'(("a" . 1) ("b" . 2)) :test #\'string=)', '(("b" . 2))'),
    ("(rassoc 2 '((a . 1) (b . 2)))", '((B . 2))'),
    ("(acons 'a 1 nil)", '(((A . 1)))'),
    ("(pairlis '(a b) '(1 2))", '(((B . 2) (A . 1)))'),
    ("(getf '(:a 1 :b 2) :b)", '(2)'),
    ("(getf '(:a 1) :c 'none)", '(NONE)'),
    ("(get-properties '(:a 1 :b 2) '(:b))", '(:B 2 (:B 2))'),
    ("(subst 'x 'b '(a b (b c)))", '((A X (X C)))'),
    ("(sublis '((a . 1) (b . 2)) '(a (b c)))", '((1 (2 C)))'),
    ("(tree-equal '(1 (2)) '(1 (2)))", '(T)'),
    ("(copy-tree '(1 (2 3)))", '((1 (2 3)))'),
    ("(adjoin 1 '(1 2))", '((1 2))'),
    ("(adjoin 3 '(1 2))", '((3 1 2))'),
    ("(union '(1 2) '(2 3))", '((1 2 3))'),
    ("(intersection '(1 2 3) '(2 3 4))", '((2 3))'),
    ("(set-difference '(1 2 3) '(2))", '((1 3))'),
    ("(set-exclusive-or '(1 2) '(2 3))", '((1 3))'),
    ("(subsetp '(1 2) '(2 1 3))", '(T)'),
    ('(endp nil)', '(T)'),
    ('(endp 5)', ':TYPE-ERROR'),
    ('(consp nil)', '(NIL)'),
    ('(listp nil)', '(T)'),
    ("(atom 'a)", '(T)'),
    ('(null nil)', '(T)'),
    ('(not 3)', '(NIL)'),
    ("(car '(1 . 2))", '(1)'),
    ('(rplaca (list 1 2) 9)', '((9 2))'),
    ('(rplacd (list 1 2) 9)', '((1 . 9))'),
    ("(tailp nil '(1 2))", '(T)'),
    ("(copy-alist '((a . 1)))", '(((A . 1)))'),
    ("(caddar '((1 2 3)))", '(3)'),
    ("(cdaddr '(1 2 (3 4)))", '((4))'),
    ("(nsubst 'x 1 (list 1 (list 1 2)))", '((X (X 2)))'),
    ("(subst-if-not 0 #'consp '(1 (2)))", '((0 (0 . 0) . 0))'),
]


@pytest.mark.parametrize(("form", "expected"), LIST_CASES, ids=[form for form, _ in LIST_CASES])
def test_list_function_gives_the_standard_result(form: str, expected: str) -> None:
    assert results(form) == expected


def test_remf_removes_a_property_from_the_place() -> None:
    assert results("(let ((p (list :a 1 :b 2 :c 3))) (list (remf p :b) (copy-list p) (remf p :a) p (remf p :z)))") == \
        "((T (:A 1 :C 3) T (:C 3) NIL))"
    assert results("(let ((s (list 'x (list :k 1)))) (remf (second s) :k) s)") == "((X NIL))"
