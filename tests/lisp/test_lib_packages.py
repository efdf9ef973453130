"""Packages: defpackage, in-package, export/import/use, shadowing and the symbol iteration macros."""

from lisp_results import results, value

from lisp import evaluator


def test_defpackage_exports_symbols_reachable_with_a_single_colon() -> None:
    evaluator.eval_string("""
        (defpackage :shapes-t3 (:use :cl) (:export #:area) (:nicknames :sh-t3))
        (in-package :shapes-t3)
        (defun area (r) (* r r))
        (in-package :cl-user)""")
    assert value("(list (shapes-t3:area 3) (sh-t3:area 2) (package-name (symbol-package 'sh-t3:area)))") == \
        '(9 4 "SHAPES-T3")'


def test_in_package_of_an_unknown_package_is_a_package_error() -> None:
    assert results("(in-package :no-such-package-t3)") == "PACKAGE-ERROR"


def test_use_package_makes_exported_symbols_accessible() -> None:
    evaluator.eval_string("(defpackage :tools-t3 (:use :cl) (:export #:tool-t3))"
                          " (make-package :user-t3 :use '(:cl))")
    assert value("(progn (use-package :tools-t3 :user-t3)"
                 " (eq (find-symbol \"TOOL-T3\" :user-t3) 'tools-t3:tool-t3))") == "T"


def test_shadow_hides_an_inherited_symbol() -> None:
    evaluator.eval_string("(make-package :shadowing-t3 :use '(:cl)) (shadow \"CAR\" :shadowing-t3)")
    assert value("(eq (find-symbol \"CAR\" :shadowing-t3) 'car)") == "NIL"


def test_import_makes_a_symbol_present() -> None:
    evaluator.eval_string("(make-package :importer-t3 :use '())")
    assert value("(progn (import 'mapcar :importer-t3) (multiple-value-list (find-symbol \"MAPCAR\" :importer-t3)))") == \
        "(MAPCAR :INTERNAL)"


def test_do_external_symbols_visits_each_exported_symbol() -> None:
    evaluator.eval_string("(defpackage :three-t3 (:use) (:export #:a #:b #:c))")
    assert value("(let ((names '())) (do-external-symbols (s :three-t3) (push (symbol-name s) names))"
                 " (sort names #'string<))") == '("A" "B" "C")'


def test_apropos_list_finds_symbols_by_substring() -> None:
    assert value("(apropos-list \"MULTIPLE-VALUE-B\" :cl)") == "(MULTIPLE-VALUE-BIND)"
