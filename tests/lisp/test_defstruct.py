"""defstruct (CLHS 8.1): every option, the slot options, structures as classes, #S printed and read,
equalp, copy-structure, describe, redefinition, and accessors compiled to attribute access.

Each test defines structures with names of its own (``ts-...``), so the tests run in any order."""

from __future__ import annotations

import dis

import pytest
from lisp_eval import run, show

import lisp
from lisp.runtime.condition_classes import Condition


def error_type(form: str) -> str:
    """The most specific of a few standard condition types the error of ``form`` is of."""
    return show(f"""(handler-case (progn {form} :no-error)
                      (error (c) (find-if (lambda (type) (typep c type))
                                          '(type-error unbound-variable undefined-function reader-error
                                            program-error package-error simple-error error))))""")


# -- constructors and slots ------------------------------------------------------------------------

def test_keyword_constructor_sets_the_slots_given_and_the_initforms_of_the_others():
    assert show("(defstruct ts-point x (y 7)) (make-ts-point :x 1)") == "#S(TS-POINT :X 1 :Y 7)"


def test_slot_without_initform_is_nil():
    assert show("(defstruct ts-bare a) (ts-bare-a (make-ts-bare))") == "NIL"


def test_initforms_are_evaluated_at_each_construction():
    assert show("""(defvar *ts-count* 0) (defstruct ts-counted (n (incf *ts-count*)))
                   (list (ts-counted-n (make-ts-counted)) (ts-counted-n (make-ts-counted))
                         (ts-counted-n (make-ts-counted :n 0)) *ts-count*)""") == "(1 2 0 2)"


def test_initform_sees_the_lexical_environment_of_the_defstruct():
    assert show("""(let ((base 40)) (defstruct ts-lexical (n (+ base 2))))
                   (ts-lexical-n (make-ts-lexical))""") == "42"


def test_initform_of_keyword_constructor_does_not_see_the_other_slots():
    # (b a) reads the global A, as in SBCL: the constructor's parameters are not the slot names.
    assert show("(defvar ts-a 100) (defstruct ts-kw (ts-a 1) (b ts-a)) (make-ts-kw)") == \
        "#S(TS-KW :TS-A 1 :B 100)"


def test_keyword_constructor_takes_the_first_of_repeated_keys_and_allow_other_keys():
    assert show("(defstruct ts-keys a) (list (make-ts-keys :a 1 :a 2) (make-ts-keys :allow-other-keys t :b 1))") \
        == "(#S(TS-KEYS :A 1) #S(TS-KEYS :A NIL))"


def test_keyword_constructor_rejects_an_unknown_key():
    assert error_type("(defstruct ts-unknown a) (make-ts-unknown :b 1)") == "PROGRAM-ERROR"


def test_accessor_reads_and_setf_writes_returning_the_value():
    assert show("(defstruct ts-rw a) (let ((s (make-ts-rw :a 1))) (list (setf (ts-rw-a s) 5) (ts-rw-a s)))") \
        == "(5 5)"


def test_accessors_are_places_for_the_modify_macros():
    assert show("""(defstruct ts-place (n 0) (l nil))
                   (let ((s (make-ts-place)))
                     (incf (ts-place-n s) 5) (decf (ts-place-n s))
                     (push 1 (ts-place-l s)) (push 2 (ts-place-l s)) (pop (ts-place-l s))
                     (pushnew 1 (ts-place-l s))
                     (rotatef (ts-place-n s) (ts-place-l s))
                     s)""") == "#S(TS-PLACE :N (1) :L 4)"


def test_accessor_of_something_else_is_a_type_error_naming_it_and_the_structure():
    assert show("""(defstruct ts-checked a)
                   (handler-case (ts-checked-a 5)
                     (type-error (c) (list (type-error-datum c) (type-error-expected-type c))))""") \
        == "(5 TS-CHECKED)"


def test_setf_of_an_accessor_of_something_else_is_a_type_error():
    assert show("""(defstruct ts-checked2 a)
                   (handler-case (setf (ts-checked2-a (list 1)) 5)
                     (type-error (c) (list (type-error-datum c) (type-error-expected-type c))))""") \
        == "((1) TS-CHECKED2)"


def test_accessor_of_nil_is_a_type_error():
    assert error_type("(defstruct ts-nil a) (ts-nil-a nil)") == "TYPE-ERROR"


def test_accessor_with_wrong_argument_count_is_a_program_error():
    assert error_type("(defstruct ts-count2 a) (ts-count2-a (make-ts-count2) 1)") == "PROGRAM-ERROR"


def test_accessors_are_functions_for_funcall_apply_and_mapcar():
    assert show("""(defstruct ts-fn a)
                   (list (mapcar #'ts-fn-a (list (make-ts-fn :a 1) (make-ts-fn :a 2)))
                         (funcall 'ts-fn-a (make-ts-fn :a 3))
                         (apply #'make-ts-fn '(:a 4))
                         (let ((s (make-ts-fn))) (funcall #'(setf ts-fn-a) 5 s) (ts-fn-a s)))""") \
        == "((1 2) 3 #S(TS-FN :A 4) 5)"


def test_accessor_prints_as_a_named_function():
    assert show("(defstruct ts-named a) (prin1-to-string #'ts-named-a)") == '"#<FUNCTION TS-NAMED-A>"'


def test_read_only_slot_has_no_setf_function():
    assert show("(defstruct ts-ro (a 1 :read-only t) b) (list (fboundp '(setf ts-ro-a)) (not (fboundp '(setf ts-ro-b))))") \
        == "(NIL NIL)"
    assert error_type("(setf (ts-ro-a (make-ts-ro)) 2)") == "UNDEFINED-FUNCTION"


def test_setf_fdefinition_of_an_accessor_is_called_by_code_compiled_afterwards():
    assert show("""(defstruct ts-redef a)
                   (setf (fdefinition '(setf ts-redef-a)) (lambda (v s) (list :mine v (structurep s))))
                   (defun structurep (s) (ts-redef-p s))
                   (setf (ts-redef-a (make-ts-redef)) 1)""") == "(:MINE 1 T)"


def test_defun_of_an_accessor_replaces_it_in_code_compiled_afterwards():
    assert show("""(defstruct ts-redef2 a)
                   (defun ts-redef2-a (s) (list :mine s))
                   (ts-redef2-a 5)""") == "(:MINE 5)"


def test_local_function_shadows_an_accessor():
    assert show("(defstruct ts-local a) (flet ((ts-local-a (x) (list :local x))) (ts-local-a 1))") == "(:LOCAL 1)"


def test_accessor_calls_compile_to_attribute_loads_and_stores():
    run("(defstruct ts-fast x) (defun ts-fast-bump (p) (incf (ts-fast-x p)))")
    fn = lisp.function("ts-fast-bump")
    ops = [(i.opname, i.argval) for i in dis.get_instructions(fn)]
    attributes = {name for op, name in ops if op in ("LOAD_ATTR", "STORE_ATTR")}
    assert len(attributes) == 1 and attributes.pop().endswith("_X")
    assert not any(op == "LOAD_GLOBAL" and "TS-FAST-X" in str(name) for op, name in ops)


# -- slot types -----------------------------------------------------------------------------------

def test_typed_slot_checks_the_constructor_argument():
    assert show("""(defstruct ts-typed (a 0 :type fixnum))
                   (handler-case (make-ts-typed :a "x")
                     (type-error (c) (list (type-error-datum c) (type-error-expected-type c))))""") \
        == '("x" FIXNUM)'


def test_typed_slot_checks_setf_and_incf():
    assert show("""(defstruct ts-typed2 (a 0 :type (integer 0 10)))
                   (let ((s (make-ts-typed2)))
                     (list (incf (ts-typed2-a s) 10)
                           (handler-case (incf (ts-typed2-a s)) (type-error (c) (type-error-datum c)))
                           (handler-case (setf (ts-typed2-a s) -1) (type-error (c) (type-error-datum c)))
                           (ts-typed2-a s)))""") == "(10 11 -1 10)"


def test_slot_type_may_name_the_structure_being_defined():
    assert show("""(defstruct ts-node (next nil :type (or null ts-node)))
                   (list (ts-node-next (make-ts-node :next (make-ts-node)))
                         (handler-case (make-ts-node :next 5) (type-error () :refused)))""") \
        == "(#S(TS-NODE :NEXT NIL) :REFUSED)"


def test_slot_type_naming_a_deftype_follows_its_redefinition():
    assert show("""(deftype ts-small () '(integer 0 9))
                   (defstruct ts-deftyped (a 0 :type ts-small))
                   (deftype ts-small () 'string)
                   (list (ts-deftyped-a (make-ts-deftyped :a "now a string"))
                         (handler-case (make-ts-deftyped :a 5) (type-error () :refused)))""") \
        == '("now a string" :REFUSED)'


# -- predicate and copier ----------------------------------------------------------------------------

def test_predicate_is_true_for_instances_only():
    assert show("(defstruct ts-pred a) (list (ts-pred-p (make-ts-pred)) (ts-pred-p 5) (ts-pred-p nil))") \
        == "(T NIL NIL)"


def test_copier_copies_the_slots_not_the_values():
    assert show("""(defstruct ts-copy a)
                   (let* ((s (make-ts-copy :a (list 1))) (c (copy-ts-copy s)))
                     (setf (ts-copy-a s) nil)
                     (list c (eq s c)))""") == "(#S(TS-COPY :A (1)) NIL)"


def test_copier_of_something_else_is_a_type_error():
    assert error_type("(defstruct ts-copy2 a) (copy-ts-copy2 5)") == "TYPE-ERROR"


def test_copy_structure_copies_any_structure_and_refuses_others():
    assert show("(defstruct ts-cs a) (copy-structure (make-ts-cs :a 1))") == "#S(TS-CS :A 1)"
    assert show("(handler-case (copy-structure 5) (type-error (c) (type-error-expected-type c)))") == \
        "STRUCTURE-OBJECT"


# -- options ----------------------------------------------------------------------------------------

def test_conc_name_nil_names_accessors_after_the_slots():
    assert show("(defstruct (ts-conc (:conc-name nil)) ts-conc-slot) (ts-conc-slot (make-ts-conc :ts-conc-slot 3))") \
        == "3"


def test_conc_name_may_be_a_string_or_a_symbol():
    assert show("""(defstruct (ts-conc2 (:conc-name "TC2/")) a) (defstruct (ts-conc3 (:conc-name tc3-)) a)
                   (list (|TC2/A| (make-ts-conc2 :a 1)) (tc3-a (make-ts-conc3 :a 2)))""") == "(1 2)"


def test_conc_name_without_argument_is_no_prefix():
    assert show("(defstruct (ts-conc4 :conc-name) ts-c4) (ts-c4 (make-ts-conc4 :ts-c4 5))") == "5"


def test_constructor_nil_defines_none():
    assert show("(defstruct (ts-noctor (:constructor nil)) a) (fboundp 'make-ts-noctor)") == "NIL"


def test_named_keyword_constructor_replaces_the_default():
    assert show("(defstruct (ts-ctor (:constructor new-ts-ctor)) a) (list (new-ts-ctor :a 1) (fboundp 'make-ts-ctor))") \
        == "(#S(TS-CTOR :A 1) NIL)"


def test_several_constructors():
    assert show("""(defstruct (ts-ctors (:constructor make-ts-ctors) (:constructor ts-ctors-of (a))) a (b 2))
                   (list (make-ts-ctors :b 3) (ts-ctors-of 1))""") == "(#S(TS-CTORS :A NIL :B 3) #S(TS-CTORS :A 1 :B 2))"


def test_boa_constructor_follows_clhs_3_4_6():
    assert show("""(defstruct (ts-boa (:constructor mk-ts-boa (a &optional b (c 10 c-p) &rest r &key (k 5) m
                                                             &aux (d (list a c-p)) e)))
                     a (b 2) c r k (m 7) d (e 9) (f 11))
                   (list (mk-ts-boa 1) (mk-ts-boa 1 3 4 :k 6 :m 8))""") == \
        "(#S(TS-BOA :A 1 :B 2 :C 10 :R NIL :K 5 :M 7 :D (1 NIL) :E NIL :F 11) " \
        "#S(TS-BOA :A 1 :B 3 :C 4 :R (:K 6 :M 8) :K 6 :M 8 :D (1 T) :E NIL :F 11))"


def test_boa_keyword_parameter_may_name_its_keyword():
    assert show("(defstruct (ts-boa2 (:constructor mk-ts-boa2 (&key ((:kk x) 7)))) (x 5)) (list (mk-ts-boa2) (mk-ts-boa2 :kk 1))") \
        == "(#S(TS-BOA2 :X 7) #S(TS-BOA2 :X 1))"


def test_boa_initforms_of_unmentioned_slots_see_the_parameters():
    assert show("(defvar ts-x 100) (defstruct (ts-boa3 (:constructor mk-ts-boa3 (ts-x))) ts-x (y ts-x)) (mk-ts-boa3 1)") \
        == "#S(TS-BOA3 :TS-X 1 :Y 1)"


def test_boa_constructor_checks_its_argument_count():
    assert error_type("(defstruct (ts-boa4 (:constructor mk-ts-boa4 (a b))) a b) (mk-ts-boa4 1)") == "PROGRAM-ERROR"


def test_copier_and_predicate_options_name_or_suppress_them():
    assert show("""(defstruct (ts-cp (:copier dup-ts-cp) (:predicate is-ts-cp)) a)
                   (defstruct (ts-cp2 (:copier nil) (:predicate nil)) a)
                   (list (is-ts-cp (dup-ts-cp (make-ts-cp))) (fboundp 'copy-ts-cp)
                         (fboundp 'copy-ts-cp2) (fboundp 'ts-cp2-p))""") == "(T NIL NIL NIL)"


def test_include_inherits_slots_accessors_and_type():
    assert show("""(defstruct ts-base a (b 2)) (defstruct (ts-sub (:include ts-base)) c)
                   (let ((s (make-ts-sub :a 1 :c 3)))
                     (list s (ts-base-a s) (ts-sub-a s) (ts-base-p s) (typep s 'ts-base)
                           (subtypep 'ts-sub 'ts-base) (subtypep 'ts-base 'ts-sub)))""") == \
        "(#S(TS-SUB :A 1 :B 2 :C 3) 1 1 T T T NIL)"


def test_accessor_of_the_including_structure_refuses_an_instance_of_the_included_one():
    assert show("""(defstruct ts-base2 a) (defstruct (ts-sub2 (:include ts-base2)) c)
                   (handler-case (ts-sub2-a (make-ts-base2)) (type-error (c) (type-error-expected-type c)))""") \
        == "TS-SUB2"


def test_include_overrides_initforms_and_types_of_included_slots():
    assert show("""(defstruct ts-base3 (a 1) (b 2 :type integer))
                   (defstruct (ts-sub3 (:include ts-base3 (a 10) (b 5 :type (integer 0 9)))))
                   (list (make-ts-sub3) (handler-case (make-ts-sub3 :b 20) (type-error () :refused))
                         (make-ts-base3 :b 20))""") == "(#S(TS-SUB3 :A 10 :B 5) :REFUSED #S(TS-BASE3 :A 1 :B 20))"


def test_include_keeps_a_read_only_slot_read_only():
    assert error_type("(defstruct ts-base4 (a 1 :read-only t)) (eval '(defstruct (ts-sub4 (:include ts-base4 (a 2 :read-only nil)))))") \
        == "SIMPLE-ERROR"


def test_three_levels_of_include_with_methods():
    assert show("""(defstruct ts-l1 a) (defstruct (ts-l2 (:include ts-l1)) b) (defstruct (ts-l3 (:include ts-l2)) c)
                   (defgeneric ts-level (x))
                   (defmethod ts-level ((x ts-l1)) (list 1 (ts-l1-a x)))
                   (defmethod ts-level ((x ts-l3)) (cons 3 (call-next-method)))
                   (list (ts-level (make-ts-l3 :a :x)) (ts-level (make-ts-l2 :a :y)))""") == "((3 1 :X) (1 :Y))"


def test_copier_of_the_included_structure_copies_an_instance_whole():
    assert show("(defstruct ts-base5 a) (defstruct (ts-sub5 (:include ts-base5)) b) (copy-ts-base5 (make-ts-sub5 :b 2))") \
        == "#S(TS-SUB5 :A NIL :B 2)"


def test_print_function_option():
    assert show("""(defstruct (ts-pf (:print-function (lambda (s stream depth) (format stream "<pf ~a ~a>" (ts-pf-a s) depth)))) a)
                   (list (prin1-to-string (make-ts-pf :a 1)) (format nil "~a" (list (make-ts-pf :a 2))))""") == \
        '("<pf 1 0>" "(<pf 2 0>)")'


def test_print_object_option_and_its_inheritance():
    assert show("""(defstruct (ts-po (:print-object (lambda (s stream) (format stream "<po ~a>" (ts-po-a s))))) a)
                   (defstruct (ts-po2 (:include ts-po)) b)
                   (list (prin1-to-string (make-ts-po :a 1)) (prin1-to-string (make-ts-po2 :a 2)))""") == \
        '("<po 1>" "<po 2>")'


def test_print_object_option_without_a_function_prints_by_default():
    assert show("(defstruct (ts-po3 (:print-object)) a) (prin1-to-string (make-ts-po3))") == '"#S(TS-PO3 :A NIL)"'


def test_redefinition_without_print_option_removes_the_method():
    assert show("""(defstruct (ts-po4 (:print-object (lambda (s stream) (princ "<po4>" stream)))) a)
                   (defstruct ts-po4 a)
                   (prin1-to-string (make-ts-po4))""") == '"#S(TS-PO4 :A NIL)"'


def test_type_list_structure():
    assert show("""(defstruct (ts-list (:type list)) a (b 2 :read-only t))
                   (let ((s (make-ts-list :a 1)))
                     (setf (ts-list-a s) 5)
                     (list s (ts-list-b s) (copy-ts-list s) (fboundp 'ts-list-p) (fboundp '(setf ts-list-b))))""") \
        == "((5 2) 2 (5 2) NIL NIL)"


def test_type_list_named_with_initial_offset_and_include():
    assert show("""(defstruct (ts-nl (:type list) :named) a b)
                   (defstruct (ts-nl2 (:type list) (:include ts-nl) (:initial-offset 1)) c)
                   (let ((s (make-ts-nl2 :a 1 :c 3)))
                     (list s (ts-nl-a s) (ts-nl2-c s) (ts-nl-p s) (ts-nl-p '(x)) (ts-nl-p '(ts-nl . 5))))""") \
        == "((TS-NL 1 NIL NIL 3) 1 3 T NIL T)"


def test_type_vector_structure_with_initial_offset():
    assert show("(defstruct (ts-vec (:type vector) (:initial-offset 2)) a b) (make-ts-vec :a 1 :b 2)") == "#(0 0 1 2)"


def test_type_vector_named_predicate_checks_the_length():
    assert show("""(defstruct (ts-vn (:type vector) :named) a b)
                   (list (make-ts-vn :a 1) (ts-vn-p (make-ts-vn)) (ts-vn-p #(ts-vn)) (ts-vn-p #(x 1 2)) (ts-vn-a #(ts-vn 5 6)))""") \
        == "(#(TS-VN 1 NIL) T NIL NIL 5)"


def test_type_vector_with_an_element_type():
    assert show("(defstruct (ts-vt (:type (vector t)) :named) a) (make-ts-vt :a 1)") == "#(TS-VT 1)"


def test_typed_structure_is_no_type():
    assert error_type("(defstruct (ts-notype (:type list)) a) (typep '(1) 'ts-notype)") == "SIMPLE-ERROR"


def test_boa_constructor_of_a_typed_structure():
    assert show("(defstruct (ts-lboa (:type list) (:constructor mk-ts-lboa (a &optional b))) a (b 7)) (list (mk-ts-lboa 1) (mk-ts-lboa 1 2))") \
        == "((1 7) (1 2))"


def test_named_without_type_changes_nothing():
    assert show("(defstruct (ts-named2 :named) a) (make-ts-named2)") == "#S(TS-NAMED2 :A NIL)"


def test_documentation_string_is_kept_on_the_class():
    run('(defstruct ts-doc "A documented structure." a)')
    from lisp.clos.classes import find_class

    assert find_class(lisp.read_from_string("ts-doc")).documentation == "A documented structure."


# -- malformed definitions ---------------------------------------------------------------------------

@pytest.mark.parametrize(("definition", "kind"), [
    ("(defstruct ts-bad1 a a)", "PROGRAM-ERROR"),
    ("(defstruct (ts-bad2 (:frob 1)) a)", "SIMPLE-ERROR"),
    ("(defstruct ts-bad3 (a 1 :bogus 3))", "ERROR"),
    ("(defstruct ts-bad4 (a 1 :type))", "ERROR"),
    ("(defstruct (ts-bad5 (:initial-offset 2)) a)", "SIMPLE-ERROR"),
    ("(defstruct (ts-bad6 (:type list) (:predicate ts-bad6?)) a)", "SIMPLE-ERROR"),
    ("(defstruct (ts-bad7 (:include ts-no-such-structure)) a)", "SIMPLE-ERROR"),
    ("(defstruct (ts-bad8 (:type (vector fixnum)) :named) a)", "SIMPLE-ERROR"),
    ("(defstruct (ts-bad9 (:type hash-table)) a)", "SIMPLE-ERROR"),
    ("(defstruct (ts-bad10 (:constructor nil) (:constructor mk-bad10)) a)", "SIMPLE-ERROR"),
    ('(defstruct "ts-bad11" a)', "SIMPLE-ERROR"),
    ("(defstruct ts-bad12 (\"a\" 1))", "PROGRAM-ERROR"),
    ("(defstruct (ts-bad13 (:conc-name a) (:conc-name b)) a)", "SIMPLE-ERROR"),
    ("(defstruct (ts-bad14 (:print-function f) (:print-object g)) a)", "SIMPLE-ERROR"),
    ("(defstruct (ts-bad15 (:type list) (:print-object g)) a)", "SIMPLE-ERROR"),
])
def test_malformed_defstruct_is_an_error_of_sbcls_kind(definition: str, kind: str):
    assert error_type(f"(eval '{definition})") == kind


def test_slot_included_twice_is_a_program_error():
    assert error_type("(defstruct ts-inc a) (eval '(defstruct (ts-inc2 (:include ts-inc)) a))") == "PROGRAM-ERROR"


def test_include_of_a_typed_structure_in_a_class_one_is_an_error():
    assert error_type("(defstruct (ts-lst (:type list)) a) (eval '(defstruct (ts-cls (:include ts-lst)) b))") \
        == "SIMPLE-ERROR"


def test_accessor_in_common_lisp_is_a_package_lock_error_and_defines_nothing():
    assert error_type("(defstruct (ts-lock (:conc-name nil)) car)") == "PACKAGE-ERROR"
    assert show("(list (fboundp 'make-ts-lock) (find-class 'ts-lock nil))") == "(NIL NIL)"


def test_include_defined_earlier_in_the_same_non_toplevel_form():
    assert show("""(let () (defstruct ts-late1 a) (defstruct (ts-late2 (:include ts-late1)) b))
                   (make-ts-late2 :a 1)""") == "#S(TS-LATE2 :A 1 :B NIL)"


# -- structures are classes --------------------------------------------------------------------------

def test_type_of_typep_and_class_of():
    assert show("""(defstruct ts-cls1 a)
                   (let ((s (make-ts-cls1)))
                     (list (type-of s) (typep s 'ts-cls1) (typep s 'structure-object) (typep s 'standard-object)
                           (class-name (class-of s)) (eq (class-of s) (find-class 'ts-cls1))
                           (subtypep 'ts-cls1 'structure-object) (subtypep 'ts-cls1 'cons)))""") == \
        "(TS-CLS1 T T NIL TS-CLS1 T T NIL)"


def test_structure_classes_are_of_class_structure_class():
    assert show("""(defstruct ts-meta a)
                   (list (class-name (class-of (find-class 'ts-meta))) (typep (find-class 'ts-meta) 'structure-class)
                         (typep (find-class 'structure-object) 'structure-class)
                         (prin1-to-string (find-class 'ts-meta)))""") == \
        '(STRUCTURE-CLASS T T "#<STRUCTURE-CLASS TS-META>")'


def test_class_precedence_list_goes_through_structure_object():
    assert show("""(defstruct ts-cpl1 a) (defstruct (ts-cpl2 (:include ts-cpl1)))
                   (mapcar #'class-name (class-precedence-list (find-class 'ts-cpl2)))""") == \
        "(TS-CPL2 TS-CPL1 STRUCTURE-OBJECT T)"


def test_generic_functions_specialize_on_structures_and_structure_object():
    assert show("""(defstruct ts-gf a)
                   (defgeneric ts-kind (x))
                   (defmethod ts-kind ((x ts-gf)) (list :ts-gf (call-next-method)))
                   (defmethod ts-kind ((x structure-object)) :structure)
                   (defmethod ts-kind ((x t)) :other)
                   (list (ts-kind (make-ts-gf)) (ts-kind 1))""") == "((:TS-GF :STRUCTURE) :OTHER)"


def test_print_object_method_on_a_structure_is_used_by_the_printer():
    assert show("""(defstruct ts-pom a)
                   (defmethod print-object ((s ts-pom) stream) (format stream "<pom ~a>" (ts-pom-a s)))
                   (list (prin1-to-string (make-ts-pom :a 1)) (format nil "~a" (list (make-ts-pom :a 2))))""") == \
        '("<pom 1>" "(<pom 2>)")'


def test_call_next_method_in_print_object_prints_the_default_form():
    assert show("""(defstruct ts-next a)
                   (defmethod print-object ((s ts-next) stream) (princ "[" stream) (call-next-method) (princ "]" stream))
                   (prin1-to-string (make-ts-next :a 1))""") == '"[#S(TS-NEXT :A 1)]"'


def test_slot_value_with_slots_and_slot_predicates_on_structures():
    assert show("""(defstruct ts-sv a (b 2))
                   (let ((s (make-ts-sv :a 1)))
                     (setf (slot-value s 'b) 3)
                     (list (slot-value s 'a) (with-slots (a b) s (list a b)) (slot-boundp s 'a)
                           (slot-exists-p s 'a) (slot-exists-p s 'z)))""") == "(1 (1 3) T T NIL)"


def test_setf_slot_value_checks_the_slot_type():
    assert error_type("(defstruct ts-sv2 (a 0 :type fixnum)) (setf (slot-value (make-ts-sv2) 'a) :x)") == "TYPE-ERROR"


def test_slot_makunbound_of_a_structure_slot_is_an_error():
    assert error_type("(defstruct ts-unb a) (slot-makunbound (make-ts-unb) 'a)") == "SIMPLE-ERROR"


# -- printing and reading -----------------------------------------------------------------------------

def test_print_level_and_length_apply_to_structures():
    run("(defstruct ts-pl a b)")
    assert show("(let ((*print-length* 1)) (prin1-to-string (make-ts-pl)))") == '"#S(TS-PL :A NIL ...)"'
    assert show("(let ((*print-level* 1)) (prin1-to-string (list (make-ts-pl) (make-ts-pl))))") == '"(# #)"'
    assert show("(let ((*print-level* 0)) (prin1-to-string (make-ts-pl)))") == '"#"'
    assert show("(let ((*print-level* 1)) (prin1-to-string (make-ts-pl :a '(1))))") == '"#S(TS-PL :A # :B NIL)"'


def test_print_circle_labels_shared_and_circular_structures():
    run("(defstruct ts-circ next)")
    assert show("(let ((n (make-ts-circ))) (setf (ts-circ-next n) n) (let ((*print-circle* t)) (prin1-to-string n)))") \
        == '"#1=#S(TS-CIRC :NEXT #1#)"'
    assert show("(let ((s (make-ts-circ))) (let ((*print-circle* t)) (prin1-to-string (list s s))))") == \
        '"(#1=#S(TS-CIRC :NEXT NIL) #1#)"'


def test_princ_prints_slot_names_as_keywords_and_values_unescaped():
    assert show('(defstruct ts-princ a) (princ-to-string (make-ts-princ :a "x"))') == '"#S(TS-PRINC :A x)"'


def test_print_readably_prints_structures_as_sharp_s():
    assert show("(defstruct ts-readably a) (let ((*print-readably* t)) (prin1-to-string (make-ts-readably)))") == \
        '"#S(TS-READABLY :A NIL)"'


def test_print_case_applies_to_structure_and_slot_names():
    assert show("(defstruct ts-case a) (let ((*print-case* :downcase)) (prin1-to-string (make-ts-case :a 'b)))") == \
        '"#S(ts-case :a b)"'


def test_sharp_s_reads_with_the_keyword_constructor():
    assert show("""(defstruct ts-read a b (c 3))
                   (list (read-from-string "#S(TS-READ :A 1 :B 2)") (read-from-string "#s(ts-read \\"B\\" 5 a 6)")
                         (read-from-string "#S(ts-read #\\\\A 7)"))""") == \
        "(#S(TS-READ :A 1 :B 2 :C 3) #S(TS-READ :A 6 :B 5 :C 3) #S(TS-READ :A 7 :B NIL :C 3))"


def test_sharp_s_of_an_unknown_structure_is_a_reader_error():
    assert error_type('(read-from-string "#S(TS-NO-SUCH-STRUCTURE :A 1)")') == "READER-ERROR"


def test_sharp_s_of_a_structure_without_keyword_constructor_is_a_reader_error():
    assert error_type("""(defstruct (ts-nokw (:constructor mk-ts-nokw (a))) a)
                         (read-from-string "#S(TS-NOKW :A 1)")""") == "READER-ERROR"


def test_sharp_s_with_a_bad_slot_key_is_the_constructors_program_error():
    assert error_type('(defstruct ts-badkey a) (read-from-string "#S(TS-BADKEY :Z 1)")') == "PROGRAM-ERROR"


@pytest.mark.parametrize("text", ["#S()", "#S(5)", "#S ts-read", "#S(ts-read :a)"])
def test_malformed_sharp_s_is_a_reader_error(text: str):
    assert error_type(f'(read-from-string "{text}")') == "READER-ERROR"


def test_read_suppress_skips_sharp_s():
    assert show('(let ((*read-suppress* t)) (read-from-string "#S(ts-nothing-here :a 1)"))') == "NIL"


def test_sharp_s_at_end_of_input_is_end_of_file():
    assert show('(handler-case (read-from-string "#S(") (end-of-file () :eof))') == ":EOF"


def test_sharp_s_reads_circular_structures():
    assert show("""(defstruct ts-rc next)
                   (let ((n (read-from-string "#1=#S(TS-RC :NEXT #1#)"))) (eq n (ts-rc-next n)))""") == "T"


def test_printed_structure_reads_back_equalp():
    assert show("""(defstruct ts-round a b)
                   (let ((s (make-ts-round :a '(1 "two" #\\3) :b (make-ts-round :a 1.5))))
                     (equalp s (read-from-string (prin1-to-string s))))""") == "T"


def test_describe_lists_the_slots_as_sbcl_does():
    text = str(run('(defstruct ts-desc a (b "x")) (with-output-to-string (s) (describe (make-ts-desc :a 1) s))'))
    assert text == ('#S(TS-DESC :A 1 :B "x")\n  [structure-object]\n\nSlots with :INSTANCE allocation:\n'
                    f'  {"A".ljust(30)} = 1\n  {"B".ljust(30)} = "x"\n')


# -- equality ------------------------------------------------------------------------------------------

def test_equalp_compares_slots_and_equal_is_identity():
    assert show("""(defstruct ts-eq a) (defstruct (ts-eq2 (:include ts-eq)))
                   (list (equalp (make-ts-eq :a "X") (make-ts-eq :a "x")) (equalp (make-ts-eq :a 1) (make-ts-eq :a 1.0))
                         (equalp (make-ts-eq :a 1) (make-ts-eq :a 2)) (equal (make-ts-eq) (make-ts-eq))
                         (equalp (make-ts-eq) (make-ts-eq2)))""") == "(T T NIL NIL NIL)"


def test_equalp_hash_table_finds_a_structure_by_its_slots():
    assert show("""(defstruct ts-key a)
                   (let ((h (make-hash-table :test 'equalp)))
                     (setf (gethash (make-ts-key :a "K") h) :found)
                     (list (gethash (make-ts-key :a "k") h) (gethash (make-ts-key :a "other") h)))""") == "(:FOUND NIL)"


# -- redefinition ----------------------------------------------------------------------------------------

def test_same_redefinition_keeps_the_class_and_its_instances():
    assert show("""(defstruct ts-same a)
                   (let ((old (make-ts-same :a 1)) (class (find-class 'ts-same)))
                     (defstruct ts-same a)
                     (list (ts-same-a old) (typep old 'ts-same) (eq class (find-class 'ts-same))))""") == "(1 T T)"


def test_compatible_redefinition_may_change_initforms_and_conc_name():
    assert show("""(defstruct ts-comp (a 1))
                   (defstruct (ts-comp (:conc-name ts-comp-new-)) (a 2))
                   (list (make-ts-comp) (ts-comp-new-a (make-ts-comp)))""") == "(#S(TS-COMP :A 2) 2)"


def test_incompatible_redefinition_is_an_error_with_a_continue_restart():
    assert show("""(defstruct ts-incomp a)
                   (block found
                     (handler-bind ((error (lambda (c) (return-from found
                                                          (list (type-of c) (not (null (find-restart 'continue c))))))))
                       (defstruct ts-incomp a b)))""") == "(SIMPLE-ERROR T)"
    assert show("(make-ts-incomp :a 1)") == "#S(TS-INCOMP :A 1)"  # nothing changed


def test_continued_incompatible_redefinition_makes_a_new_class():
    assert show("""(defstruct ts-incomp2 a)
                   (defvar *ts-old* (make-ts-incomp2 :a 1))
                   (handler-bind ((error #'continue)) (defstruct ts-incomp2 a b))
                   (list (make-ts-incomp2 :b 2) (typep *ts-old* 'ts-incomp2)
                         (handler-case (ts-incomp2-a *ts-old*) (type-error () :obsolete)))""") == \
        "(#S(TS-INCOMP2 :A NIL :B 2) NIL :OBSOLETE)"


def test_changing_a_slot_type_is_incompatible():
    assert error_type("(defstruct ts-retype (a 0 :type fixnum)) (defstruct ts-retype (a 0 :type integer))") \
        == "SIMPLE-ERROR"


def test_structure_named_like_a_standard_class_is_an_error():
    assert error_type("(defclass ts-std () ()) (defstruct ts-std a)") == "SIMPLE-ERROR"


def test_conditions_from_python_code_are_lisp_conditions():
    with pytest.raises(Condition):
        run("(defstruct ts-py a) (ts-py-a 5)")


def test_make_instance_of_a_structure_class_uses_the_initforms_and_takes_no_initargs():
    assert show("""(defstruct (ts-mi (:constructor nil)) (a 1) (b (list 2)))
                   (list (make-instance 'ts-mi) (make-instance (find-class 'ts-mi)))""") == \
        "(#S(TS-MI :A 1 :B (2)) #S(TS-MI :A 1 :B (2)))"
    assert error_type("(make-instance 'ts-mi :a 5)") == "PROGRAM-ERROR"


def test_allocate_instance_of_a_structure_class_sets_every_slot_to_zero():
    assert show("(defstruct ts-ai a b) (allocate-instance (find-class 'ts-ai))") == "#S(TS-AI :A 0 :B 0)"


def test_pretty_printer_puts_each_slot_of_a_wide_structure_on_a_line():
    assert run("""(defstruct ts-wide a b c)
                  (let ((*print-right-margin* 30))
                    (prin1-to-string (list 1 (make-ts-wide :a 1 :b 2 :c (loop for i below 10 collect i)))))""") == \
        "(1\n #S(TS-WIDE\n    :A 1\n    :B 2\n    :C (0 1 2 3 4 5 6 7 8 9)))"


def test_print_function_named_by_a_symbol_may_be_defined_after_the_structure():
    assert show("""(defstruct (ts-later (:print-function print-ts-later)) a)
                   (defun print-ts-later (s stream depth) (format stream "<later ~a ~a>" (ts-later-a s) depth))
                   (prin1-to-string (make-ts-later :a 1))""") == '"<later 1 0>"'


def test_print_object_named_by_a_symbol_may_be_defined_after_the_structure():
    assert show("""(defstruct (ts-later2 (:print-object print-ts-later2)) a)
                   (defun print-ts-later2 (s stream) (format stream "<later2 ~a>" (ts-later2-a s)))
                   (prin1-to-string (make-ts-later2 :a 1))""") == '"<later2 1>"'


def test_redefinition_making_a_slot_read_only_removes_its_setf():
    assert error_type("""(defstruct ts-now-ro a)
                         (handler-bind ((error #'continue)) (defstruct ts-now-ro (a nil :read-only t)))
                         (setf (ts-now-ro-a (make-ts-now-ro)) 1)""") == "UNDEFINED-FUNCTION"


def test_boa_aux_variable_without_value_leaves_a_typed_slot_unchecked_and_nil():
    assert show("""(defstruct (ts-aux (:constructor mk-ts-aux (&aux a b))) a (b 0 :type integer))
                   (let ((s (mk-ts-aux))) (list (ts-aux-b s) (setf (ts-aux-b s) 10) s))""") == \
        "(NIL 10 #S(TS-AUX :A NIL :B 10))"


def test_conc_name_nil_keeps_the_slot_names_and_their_package():
    assert show("""(defpackage :ts-other (:use))
                   (defstruct (ts-pkg (:conc-name nil)) ts-other::ts-pkg-slot)
                   (funcall 'ts-other::ts-pkg-slot (make-ts-pkg :ts-pkg-slot 4))""") == "4"


def test_a_slot_may_be_named_nil():
    assert show("(defstruct ts-nilslot nil) (let ((s (make-ts-nilslot :nil 3))) (list s (ts-nilslot-nil s)))") == \
        "(#S(TS-NILSLOT :NIL 3) 3)"
