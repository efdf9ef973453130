"""make-load-form(-saving-slots), (setf class-name), (setf macro-function), (setf ldb),
(setf mask-field), compile's values and upgraded-complex-part-type (answers checked against SBCL)."""

from __future__ import annotations

from lisp_results import results, value

from lisp import evaluator

evaluator.eval_string("(defclass mlf-class-t () ((a :initarg :a) (b :initarg :b) (c)))"
                      " (defstruct mlf-struct-t a (b 0 :read-only t))")

_REBUILT = ("(let* ((forms (multiple-value-list (make-load-form-saving-slots {obj} {args})))"
            "       (new (eval (first forms))))"
            "  (eval (subst new {obj} (second forms)))"
            "  (list (length forms) (eq (class-of new) (class-of {obj})) {check}))")


def rebuilt(make: str, check: str, args: str = "") -> str:
    return value(f"(let ((original {make})) "
                 + _REBUILT.format(obj="original", args=args, check=check.replace("OBJ", "new")) + ")")


def test_make_load_form_of_a_standard_object_is_an_error_unless_defined() -> None:
    assert results("(make-load-form (make-instance 'mlf-class-t))") == "SIMPLE-ERROR"


def test_make_load_form_of_a_structure_is_an_error_unless_defined() -> None:
    assert results("(make-load-form (make-mlf-struct-t))") == "SIMPLE-ERROR"


def test_make_load_form_has_applicable_methods_for_the_standard_kinds() -> None:
    assert value("(mapcar (lambda (x) (not (null (compute-applicable-methods #'make-load-form (list x)))))"
                 " (list (make-instance 'mlf-class-t) (make-mlf-struct-t) (make-condition 'error)))") == \
        "(T T T)"


def test_make_load_form_of_a_class_finds_it_by_name() -> None:
    assert value("(make-load-form (find-class 'mlf-class-t))") == "(FIND-CLASS 'MLF-CLASS-T)"


def test_a_user_method_on_make_load_form_is_called() -> None:
    evaluator.eval_string("(defclass mlf-own-t () ())"
                          " (defmethod make-load-form ((x mlf-own-t) &optional env) (declare (ignore env)) :mine)")
    assert value("(make-load-form (make-instance 'mlf-own-t))") == ":MINE"


def test_saving_slots_rebuilds_bound_slots_and_leaves_unbound_ones_unbound() -> None:
    assert rebuilt("(make-instance 'mlf-class-t :a 1 :b '(x))",
                   "(list (slot-value OBJ 'a) (slot-value OBJ 'b) (slot-boundp OBJ 'c))") == \
        "(2 T (1 (X) NIL))"


def test_saving_slots_keeps_only_the_slot_names_given() -> None:
    assert rebuilt("(make-instance 'mlf-class-t :a 1 :b 2)", "(list (slot-boundp OBJ 'a) (slot-boundp OBJ 'b))",
                   ":slot-names '(b)") == "(2 T (NIL T))"


def test_saving_slots_rebuilds_a_structure_with_read_only_slots() -> None:
    assert rebuilt("(make-mlf-struct-t :a 5 :b 7)", "(list (mlf-struct-t-a OBJ) (mlf-struct-t-b OBJ))") == \
        "(2 T (5 7))"


def test_setf_class_name_renames_the_class_and_returns_the_name() -> None:
    evaluator.eval_string("(defclass renamed-class-t () ())")
    assert value("(let ((c (find-class 'renamed-class-t)))"
                 " (list (setf (class-name c) 'new-name-t) (class-name c) (eq (find-class 'renamed-class-t) c)))") \
        == "(NEW-NAME-T NEW-NAME-T T)"


def test_defclass_of_a_renamed_class_name_makes_a_new_class() -> None:
    evaluator.eval_string("(defclass renamed-again-t () ())")
    assert value("(let ((c (find-class 'renamed-again-t))) (setf (class-name c) nil)"
                 " (defclass renamed-again-t () ()) (eq c (find-class 'renamed-again-t)))") == "NIL"


def test_class_name_and_its_setf_are_generic_functions() -> None:
    assert value("(list (typep #'class-name 'standard-generic-function)"
                 " (typep #'(setf class-name) 'standard-generic-function))") == "(T T)"


def test_setf_macro_function_defines_a_macro() -> None:
    assert value("(progn (setf (macro-function 'my-pop-t) (macro-function 'pop))"
                 " (eval '(let ((x (list 1 2))) (list (my-pop-t x) x))))") == "(1 (2))"


def test_setf_macro_function_of_a_common_lisp_symbol_is_refused() -> None:
    assert results("(setf (macro-function 'when) (macro-function 'unless))") == "SYMBOL-PACKAGE-LOCKED-ERROR"


def test_setf_ldb_stores_a_byte_into_an_integer_place() -> None:
    assert value("(let ((x 0)) (list (setf (ldb (byte 4 1) x) -1) x))") == "(-1 30)"


def test_setf_mask_field_stores_a_field_in_place() -> None:
    assert value("(let ((v (vector 63))) (list (setf (mask-field (byte 2 0) (aref v 0)) 1) v))") == "(1 #(61))"


def test_setf_ldb_evaluates_the_byte_spec_then_the_place_then_the_value() -> None:
    assert value("(let ((i 0) a b c (v (vector 0)))"
                 " (setf (ldb (progn (setf a (incf i)) (byte 3 1)) (aref (progn (setf b (incf i)) v) 0))"
                 "       (progn (setf c (incf i)) 7))"
                 " (list a b c v))") == "(1 2 3 #(14))"


def test_incf_of_ldb_reads_and_writes_the_byte() -> None:
    assert value("(let ((x 30)) (incf (ldb (byte 4 4) x)) x)") == "46"


def test_compile_with_a_name_returns_the_name() -> None:
    assert value("(list (multiple-value-list (compile 'compiled-t '(lambda (x) (* x 2)))) (compiled-t 4)"
                 " (multiple-value-list (compile 'compiled-t)))") == "((COMPILED-T NIL NIL) 8 (COMPILED-T NIL NIL))"


def test_compile_without_a_name_returns_the_function() -> None:
    assert value("(funcall (compile nil '(lambda () 7)))") == "7"


def test_upgraded_complex_part_type_is_real_for_real_types() -> None:
    assert value("(mapcar #'upgraded-complex-part-type '(integer fixnum (integer 0 3) ratio double-float real))") \
        == "(REAL REAL REAL REAL REAL REAL)"


def test_upgraded_complex_part_type_of_a_non_real_type_is_an_error() -> None:
    assert results("(upgraded-complex-part-type 'string)") == "SIMPLE-ERROR"
