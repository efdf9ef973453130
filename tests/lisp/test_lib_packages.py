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


# -- name conflicts (CLHS 11.1.1.2.5) ----------------------------------------------------------------

_TWO_FOOS = ('(dolist (name \'("NC-BOTH" "NC-USER" "NC-A" "NC-B")) (when (find-package name) (delete-package name)))'
             ' (defpackage "NC-A" (:use) (:export "FOO"))'
             ' (defpackage "NC-B" (:use) (:export "FOO"))'
             ' (defpackage "NC-USER" (:use "NC-A"))')


def test_use_package_of_a_clashing_export_is_a_name_conflict() -> None:
    evaluator.eval_string(_TWO_FOOS)
    assert results('(use-package "NC-B" "NC-USER")') == "NAME-CONFLICT"


def test_a_name_conflict_is_a_package_error_naming_the_package() -> None:
    evaluator.eval_string(_TWO_FOOS)
    assert value('(handler-case (use-package "NC-B" "NC-USER")'
                 ' (package-error (c) (package-name (package-error-package c))))') == '"NC-USER"'


def test_keep_old_restart_keeps_the_accessible_symbol_as_shadowing() -> None:
    evaluator.eval_string(_TWO_FOOS)
    assert value('(handler-bind ((sb-ext:name-conflict (lambda (c) (invoke-restart (find-restart'
                 ' (quote sys::keep-old) c)))))'
                 ' (use-package "NC-B" "NC-USER")'
                 ' (list (eq (find-symbol "FOO" "NC-USER") (find-symbol "FOO" "NC-A"))'
                 '       (length (package-shadowing-symbols "NC-USER"))'
                 '       (length (package-use-list "NC-USER"))))') == "(T 1 2)"


def test_take_new_restart_makes_the_new_symbol_accessible() -> None:
    evaluator.eval_string(_TWO_FOOS)
    assert value('(handler-bind ((sb-ext:name-conflict (lambda (c) (invoke-restart (find-restart'
                 ' (quote sys::take-new) c)))))'
                 ' (use-package "NC-B" "NC-USER")'
                 ' (eq (find-symbol "FOO" "NC-USER") (find-symbol "FOO" "NC-B")))') == "T"


def test_resolve_conflict_keeps_the_chosen_symbol() -> None:
    evaluator.eval_string(_TWO_FOOS)
    assert value('(let ((b-foo (find-symbol "FOO" "NC-B")))'
                 ' (handler-bind ((sb-ext:name-conflict (lambda (c) (invoke-restart'
                 ' (quote sb-ext:resolve-conflict) b-foo))))'
                 '  (use-package "NC-B" "NC-USER")'
                 '  (eq (find-symbol "FOO" "NC-USER") b-foo)))') == "T"


def test_import_of_a_symbol_hiding_an_inherited_one_is_a_name_conflict() -> None:
    evaluator.eval_string(_TWO_FOOS)
    assert value('(handler-case (import (find-symbol "FOO" "NC-B") "NC-USER")'
                 ' (sb-ext:name-conflict (c) (length (sb-ext:name-conflict-symbols c))))') == "2"


def test_dont_import_it_restart_leaves_the_package_unchanged() -> None:
    evaluator.eval_string(_TWO_FOOS)
    assert value('(handler-bind ((sb-ext:name-conflict (lambda (c) (invoke-restart'
                 ' (find-restart (quote sys::dont-import-it) c)))))'
                 ' (import (find-symbol "FOO" "NC-B") "NC-USER")'
                 ' (eq (find-symbol "FOO" "NC-USER") (find-symbol "FOO" "NC-A")))') == "T"


def test_export_clashing_in_a_using_package_is_a_name_conflict() -> None:
    evaluator.eval_string(_TWO_FOOS + ' (intern "BAR" "NC-USER") (intern "BAR" "NC-A")')
    assert results('(export (find-symbol "BAR" "NC-A") "NC-A")') == "NAME-CONFLICT"


def test_export_of_an_inaccessible_symbol_is_a_correctable_package_error() -> None:
    evaluator.eval_string(_TWO_FOOS)
    assert value('(handler-bind ((package-error (function continue)))'
                 ' (export (make-symbol "LOOSE") "NC-A")'
                 ' (nth-value 1 (find-symbol "LOOSE" "NC-A")))') == ":EXTERNAL"


def test_unintern_of_a_shadowing_symbol_uncovering_two_is_a_name_conflict() -> None:
    evaluator.eval_string(_TWO_FOOS + ' (defpackage "NC-BOTH" (:use "NC-A" "NC-B")'
                          ' (:shadowing-import-from "NC-A" "FOO"))')
    assert results('(unintern (find-symbol "FOO" "NC-A") "NC-BOTH")') == "NAME-CONFLICT"


def test_a_shadowing_symbol_prevents_the_conflict() -> None:
    evaluator.eval_string(_TWO_FOOS + ' (shadow "FOO" "NC-USER")')
    assert results('(use-package "NC-B" "NC-USER")') == "(T)"


# -- unexport, unintern, shadowing-import, rename-package, delete-package ---------------------------


def test_unexport_makes_an_external_symbol_internal() -> None:
    assert value('(let* ((p (make-package (gensym "UE") :use nil)) (s (intern "S" p)))'
                 ' (export s p) (unexport s p) (nth-value 1 (find-symbol "S" p)))') == ":INTERNAL"


def test_unexport_of_an_inaccessible_symbol_is_a_package_error() -> None:
    assert results("(unexport 'car (make-package (gensym \"UE\") :use nil))") == "PACKAGE-ERROR"


def test_unintern_removes_the_symbol_and_its_home_package() -> None:
    assert value('(let* ((p (make-package (gensym "UI") :use nil)) (s (intern "S" p)))'
                 ' (list (unintern s p) (find-symbol "S" p) (symbol-package s) (unintern s p)))') == \
        "(T NIL NIL NIL)"


def test_an_uninterned_symbol_keeps_its_function() -> None:
    assert value('(let* ((p (make-package (gensym "UI") :use nil)) (s (intern "G" p)))'
                 ' (setf (symbol-function s) (lambda () 7)) (unintern s p)'
                 ' (list (funcall s) (fboundp (intern "G" p))))') == "(7 NIL)"


def test_shadowing_import_replaces_a_present_symbol() -> None:
    assert value('(let* ((p (make-package (gensym "SI") :use nil)) (old (intern "CAR" p)))'
                 ' (shadowing-import (quote car) p)'
                 ' (list (eq (find-symbol "CAR" p) (quote car)) (symbol-package old)'
                 '       (package-shadowing-symbols p)))') == "(T NIL (CAR))"


def test_rename_package_replaces_name_and_nicknames_and_keeps_functions() -> None:
    assert value('(progn (when (find-package "RN-NEW") (delete-package "RN-NEW"))'
                 ' (let ((p (make-package "RN-OLD" :nicknames (quote ("RN-O")))))'
                 '  (setf (symbol-function (intern "F" p)) (lambda () 42))'
                 '  (rename-package p "RN-NEW" (quote ("RN-N")))'
                 '  (list (package-name p) (package-nicknames p) (find-package "RN-OLD")'
                 '        (funcall (find-symbol "F" "RN-N")))))') == '("RN-NEW" ("RN-N") NIL 42)'


def test_rename_package_to_a_name_in_use_is_a_package_error() -> None:
    assert results('(rename-package (make-package (gensym "RN") :use nil) "COMMON-LISP-USER")') == \
        "PACKAGE-ERROR"


def test_delete_package_forgets_the_name_and_homes() -> None:
    assert value('(let* ((p (make-package (gensym "DP") :use nil)) (s (intern "S" p)))'
                 ' (list (delete-package p) (package-name p) (symbol-package s) (packagep p)'
                 '       (delete-package p)))') == "(T NIL NIL T NIL)"


def test_delete_package_of_an_unknown_name_is_a_continuable_package_error() -> None:
    assert value('(handler-bind ((package-error (function continue)))'
                 ' (delete-package "NO-SUCH-PACKAGE-DP"))') == "NIL"


def test_deleting_a_used_package_continued_removes_it_from_its_users() -> None:
    assert value('(let* ((used (make-package (gensym "DU") :use nil))'
                 '        (user (make-package (gensym "DU") :use (list used))))'
                 ' (handler-bind ((package-error (function continue))) (delete-package used))'
                 ' (package-use-list user))') == "NIL"


# -- defpackage ----------------------------------------------------------------------------------------


def test_defpackage_takes_every_standard_option() -> None:
    evaluator.eval_string('(defpackage "DP-ALL" (:use "CL") (:nicknames "DP-A") (:documentation "doc")'
                          ' (:size 10) (:shadow "LIST") (:shadowing-import-from "CL-USER" "CAR")'
                          ' (:import-from "CL" "CDR") (:intern "HIDDEN") (:export "SHOWN"))')
    assert value('(list (package-nicknames "DP-A") (documentation (find-package "DP-A") t)'
                 ' (mapcar (function symbol-name) (package-shadowing-symbols "DP-A"))'
                 ' (nth-value 1 (find-symbol "CDR" "DP-A")) (nth-value 1 (find-symbol "HIDDEN" "DP-A"))'
                 ' (nth-value 1 (find-symbol "SHOWN" "DP-A")))') == \
        '(("DP-A") "doc" ("CAR" "LIST") :INTERNAL :INTERNAL :EXTERNAL)'


def test_defpackage_options_naming_one_symbol_twice_is_a_program_error() -> None:
    assert results("(eval '(defpackage \"DP-BAD\" (:shadow \"X\") (:intern \"X\")))") == ":PROGRAM-ERROR"


def test_defpackage_option_given_twice_that_may_appear_once_is_a_program_error() -> None:
    assert results("(eval '(defpackage \"DP-BAD\" (:size 1) (:size 2)))") == ":PROGRAM-ERROR"


def test_defpackage_of_an_existing_package_warns_of_what_it_keeps() -> None:
    evaluator.eval_string('(defpackage "DP-VAR" (:use) (:export "ONE"))')
    assert value('(let ((warned nil))'
                 ' (handler-bind ((warning (lambda (c) (setf warned (princ-to-string c)) (muffle-warning c))))'
                 '  (defpackage "DP-VAR" (:use) (:export "TWO")))'
                 ' (list warned (nth-value 1 (find-symbol "ONE" "DP-VAR"))))') == \
        '("DP-VAR also exports the following symbols:\n  (DP-VAR:ONE)" :EXTERNAL)'


def test_local_nicknames_are_read_and_found_from_their_package() -> None:
    evaluator.eval_string('(defpackage "LN-USER" (:use "CL") (:local-nicknames ("LNICK" "CL-USER")))')
    assert value('(let ((*package* (find-package "LN-USER")))'
                 ' (list (read-from-string "lnick::ln-read") (package-name (find-package "LNICK"))))') == \
        '(LN-READ "COMMON-LISP-USER")'


# -- package locks ----------------------------------------------------------------------------------


def test_common_lisp_is_locked_against_new_symbols() -> None:
    assert results('(intern "NEW-IN-CL-ZZ" "CL")') == "PACKAGE-LOCKED-ERROR"


def test_setf_symbol_function_of_a_common_lisp_symbol_is_refused() -> None:
    assert results("(setf (symbol-function 'car) #'cdr)") == "SYMBOL-PACKAGE-LOCKED-ERROR"


def test_without_package_locks_lets_a_definition_through() -> None:
    evaluator.eval_string("(defpackage \"LOCKED-T\" (:use \"CL\") (:export \"F\") (:lock t))")
    assert value("(progn (sb-ext:without-package-locks (defun locked-t:f () :mine)) (locked-t:f))") == ":MINE"


def test_unlock_package_lets_definitions_through_until_locked_again() -> None:
    evaluator.eval_string("(defpackage \"LOCKED-U\" (:use \"CL\") (:export \"G\" \"H\") (:lock t))")
    assert value("(progn (sb-ext:unlock-package \"LOCKED-U\") (defun locked-u:g () 1)"
                 " (sb-ext:lock-package \"LOCKED-U\")"
                 " (list (locked-u:g) (sb-ext:package-locked-p \"LOCKED-U\")"
                 "       (handler-case (eval '(defun locked-u:h () 2)) (package-error () :refused))))") == \
        "(1 T :REFUSED)"


def test_continue_restart_ignores_the_lock_once() -> None:
    evaluator.eval_string("(defpackage \"LOCKED-C\" (:use \"CL\") (:export \"K\") (:lock t))")
    assert value("(progn (handler-bind ((sb-ext:package-locked-error (function continue)))"
                 " (defun locked-c:k () :continued)) (locked-c:k))") == ":CONTINUED"


def test_disable_package_locks_declaration_is_accepted() -> None:
    assert value("(locally (declare (sb-ext:disable-package-locks car)) (flet ((car (x) x)) (car 5)))") == "5"


# -- the property list of NIL ------------------------------------------------------------------------


def test_nil_has_a_property_list() -> None:
    assert value("(progn (setf (get nil 'nil-prop-t) 1) (list (get nil 'nil-prop-t) (remprop nil 'nil-prop-t)"
                 " (get nil 'nil-prop-t)))") == "(1 T NIL)"


def test_nil_is_an_external_symbol_of_common_lisp() -> None:
    assert value("(let ((found nil)) (do-external-symbols (s :cl) (when (null s) (setf found t))) found)") == "T"
