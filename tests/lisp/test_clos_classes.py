"""Classes, instances and slots (CLHS 4.3, 7.1, 7.5); expected values checked with SBCL."""

import pytest

import lisp
import lisp.clos
from lisp.runtime.condition_classes import Error, ProgramError, UnboundSlot
from lisp.syntax.printer import write_to_string

lisp.clos.install()


def ev(text):
    return lisp.eval_string(text)


def show(text):
    """The value of ``text`` as prin1 prints it on one line (no pretty-printer line breaks)."""
    return write_to_string(ev(text), pretty=None)


# -- built-in classes ---------------------------------------------------------------------------------

@pytest.mark.parametrize("form, cpl", [
    ("1", "(INTEGER RATIONAL REAL NUMBER T)"),
    ("1/2", "(RATIO RATIONAL REAL NUMBER T)"),
    ("1.5", "(FLOAT REAL NUMBER T)"),
    ("nil", "(NULL SYMBOL LIST SEQUENCE T)"),
    ("'(1)", "(CONS LIST SEQUENCE T)"),
    ("'a", "(SYMBOL T)"),
    ("\"s\"", "(STRING VECTOR ARRAY SEQUENCE T)"),
    ("#(1 2)", "(VECTOR ARRAY SEQUENCE T)"),
    ("#\\a", "(CHARACTER T)"),
    ("#'car", "(FUNCTION T)"),
])
def test_built_in_class_precedence_lists_are_the_standard_ones(form, cpl):
    assert show(f"(mapcar #'class-name (class-precedence-list (class-of {form})))") == cpl


def test_class_of_a_read_cons_is_cons():
    assert show("(class-name (class-of (read-from-string \"(a b)\")))") == "CONS"


def test_find_class_of_unknown_name_signals_error_or_returns_nil():
    assert ev("(find-class 'no-such-class-anywhere nil)") is None
    with pytest.raises(Error, match="NO-SUCH-CLASS-ANYWHERE"):
        ev("(find-class 'no-such-class-anywhere)")


# -- defclass and make-instance ------------------------------------------------------------------------

def test_initargs_initforms_and_accessors():
    ev("(defclass pt1 () ((x :initarg :x :initform 0 :accessor pt1-x) (y :initarg :y :reader pt1-y)))")
    assert show("(let ((p (make-instance 'pt1 :y 5))) (list (pt1-x p) (pt1-y p)))") == "(0 5)"


def test_the_leftmost_initarg_wins():
    ev("(defclass pt2 () ((x :initarg :x :initarg :x2)))")
    assert ev("(slot-value (make-instance 'pt2 :x2 1 :x 2 :x2 3) 'x)") == 1


def test_initforms_are_evaluated_per_instance_in_their_lexical_environment():
    ev("(let ((n 0)) (defclass counted () ((id :initform (incf n) :reader id))))")
    assert show("(list (id (make-instance 'counted)) (id (make-instance 'counted)))") == "(1 2)"


def test_default_initargs_are_used_when_not_supplied_and_inherited():
    ev("(defclass di-base () ((x :initarg :x :reader di-x)) (:default-initargs :x 7))")
    ev("(defclass di-sub (di-base) ())")
    assert show("(list (di-x (make-instance 'di-sub)) (di-x (make-instance 'di-sub :x 1)))") == "(7 1)"


def test_class_allocated_slot_is_shared_by_all_instances():
    ev("(defclass sh () ((count :allocation :class :initform 0 :accessor sh-count)))")
    ev("(defparameter *sh1* (make-instance 'sh))")
    ev("(setf (sh-count *sh1*) 42)")
    assert ev("(sh-count (make-instance 'sh))") == 42


def test_invalid_initarg_is_a_program_error_naming_it():
    ev("(defclass strict () ((x :initarg :x)))")
    with pytest.raises(ProgramError, match=":BOGUS"):
        ev("(make-instance 'strict :bogus 1)")


def test_allow_other_keys_initarg_disables_the_check():
    ev("(defclass lenient () ((x :initarg :x :reader lenient-x)))")
    assert ev("(lenient-x (make-instance 'lenient :bogus 1 :allow-other-keys t :x 3))") == 3


def test_keyword_of_an_initialize_instance_method_is_a_valid_initarg():
    ev("(defclass withinit () ((z :accessor withinit-z)))")
    ev("(defmethod initialize-instance :after ((o withinit) &key extra) (setf (withinit-z o) extra))")
    assert ev("(withinit-z (make-instance 'withinit :extra 5))") == 5


def test_make_instance_of_unknown_class_is_an_error():
    with pytest.raises(Error, match="NO-SUCH-CLASS-EITHER"):
        ev("(make-instance 'no-such-class-either)")


def test_make_instance_of_built_in_class_is_an_error():
    with pytest.raises(Error, match="built-in class INTEGER"):
        ev("(make-instance 'integer)")


def test_duplicate_slot_is_a_program_error_and_defines_nothing():
    with pytest.raises(ProgramError, match="twice"):
        ev("(defclass dup-slots () (a a))")
    assert ev("(find-class 'dup-slots nil)") is None


def test_unknown_slot_option_is_a_program_error():
    with pytest.raises(ProgramError, match=":INITFROM"):
        ev("(defclass typo () ((a :initfrom 1)))")


# -- slot access ---------------------------------------------------------------------------------------

def test_slot_boundp_makunbound_and_exists_p():
    ev("(defclass sl () ((a :initarg :a) b))")
    ev("(defparameter *sl* (make-instance 'sl :a 1))")
    assert show("(list (slot-boundp *sl* 'a) (slot-boundp *sl* 'b) (slot-exists-p *sl* 'b) "
                "(slot-exists-p *sl* 'c))") == "(T NIL T NIL)"
    ev("(slot-makunbound *sl* 'a)")
    assert ev("(slot-boundp *sl* 'a)") is None


def test_reading_an_unbound_slot_signals_unbound_slot():
    ev("(defclass ub () (a))")
    with pytest.raises(UnboundSlot, match="the slot A is unbound"):
        ev("(slot-value (make-instance 'ub) 'a)")


def test_unbound_slot_condition_is_caught_by_handler_case():
    ev("(defclass ub2 () (a))")
    assert show("(handler-case (slot-value (make-instance 'ub2) 'a) "
                "(unbound-slot (c) (list :unbound (cell-error-name c))))") == "(:UNBOUND A)"


def test_missing_slot_signals_an_error_naming_slot_and_operation():
    ev("(defclass ms () (a))")
    with pytest.raises(Error, match="SLOT-VALUE, the slot NOPE is missing"):
        ev("(slot-value (make-instance 'ms) 'nope)")


def test_slot_missing_method_supplies_a_value():
    ev("(defclass ms2 () ())")
    ev("(defmethod slot-missing ((c t) (o ms2) name op &optional v) (list :missing name op))")
    assert show("(slot-value (make-instance 'ms2) 'zz)") == "(:MISSING ZZ SLOT-VALUE)"


def test_slot_unbound_method_supplies_a_value():
    ev("(defclass ub3 () (a))")
    ev("(defmethod slot-unbound ((c t) (o ub3) name) (list :default name))")
    assert show("(slot-value (make-instance 'ub3) 'a)") == "(:DEFAULT A)"


def test_slot_value_on_a_non_instance_is_slot_missing():
    with pytest.raises(Error, match="missing from the object 42"):
        ev("(slot-value 42 'x)")


def test_with_slots_reads_and_writes_slots():
    ev("(defclass ws () ((x :initarg :x) (y :initarg :y)))")
    assert show("(let ((o (make-instance 'ws :x 1 :y 2))) "
                "(with-slots (x (why y)) o (setf why (+ x why)) (list x why (slot-value o 'y))))") \
        == "(1 3 3)"


def test_with_accessors_reads_and_writes_through_accessors():
    ev("(defclass wa () ((x :initarg :x :accessor wa-x)))")
    assert show("(let ((o (make-instance 'wa :x 1))) (with-accessors ((v wa-x)) o (incf v 10) "
                "(list v (wa-x o))))") == "(11 11)"


def test_reinitialize_instance_sets_slots_from_initargs_only():
    ev("(defclass ri () ((a :initarg :a :initform 1 :reader ri-a) (b :initarg :b :initform 2 :reader ri-b)))")
    assert show("(let ((o (make-instance 'ri :b 5))) (slot-makunbound o 'a) "
                "(reinitialize-instance o :b 9) (list (slot-boundp o 'a) (ri-b o)))") == "(NIL 9)"


# -- inheritance -----------------------------------------------------------------------------------------

def test_slots_are_inherited_and_merged_along_the_cpl():
    ev("(defclass in-a () ((s :initarg :s :initform :from-a :reader in-s)))")
    ev("(defclass in-b (in-a) ((s :initform :from-b)))")
    assert show("(list (in-s (make-instance 'in-b)) (in-s (make-instance 'in-b :s 1)))") == "(:FROM-B 1)"


def test_clos_precedence_where_c3_differs():
    ev("""(progn (defclass boat () ()) (defclass day-boat (boat) ()) (defclass wheel-boat (boat) ())
               (defclass engine-less (day-boat) ()) (defclass pedal-wheel-boat (engine-less wheel-boat) ())
               (defclass small-multihull (day-boat) ()) (defclass small-catamaran (small-multihull) ())
               (defclass pedalo (pedal-wheel-boat small-catamaran) ()))""")
    assert show("(mapcar #'class-name (class-precedence-list (find-class 'pedalo)))") == \
        ("(PEDALO PEDAL-WHEEL-BOAT ENGINE-LESS WHEEL-BOAT SMALL-CATAMARAN SMALL-MULTIHULL DAY-BOAT "
         "BOAT STANDARD-OBJECT T)")


def test_hierarchy_rejected_by_c3_works_for_instances_and_dispatch():
    ev("""(progn (defclass pa () ()) (defclass pb () ()) (defclass d1 (pa) ()) (defclass d2 (pb) ())
               (defclass e1 (pb) ()) (defclass e2 (pa) ()) (defclass pp (d1 d2) ()) (defclass qq (e1 e2) ())
               (defclass zz (pp qq) ()))""")
    ev("(defgeneric which (x))")
    ev("(defmethod which ((x pa)) :pa)")
    ev("(defmethod which ((x pb)) :pb)")
    # CLOS order: ZZ PP D1 D2 QQ E1 PB E2 PA ... so PB is more specific than PA.
    assert show("(which (make-instance 'zz))") == ":PB"


def test_inconsistent_superclasses_are_an_error_and_define_nothing():
    ev("(defclass ia () ()) (defclass ib (ia) ())")
    with pytest.raises(Error, match="contradict"):
        ev("(defclass ic (ia ib) ())")
    assert ev("(find-class 'ic nil)") is None


def test_built_in_superclass_is_rejected():
    with pytest.raises(Error, match="not a standard class"):
        ev("(defclass my-int (integer) ())")


# -- redefinition ----------------------------------------------------------------------------------------

def test_redefinition_keeps_values_of_retained_slots_and_initializes_added_ones():
    ev("(defclass rd () ((x :initarg :x)))")
    ev("(defparameter *rd* (make-instance 'rd :x 3))")
    ev("(defclass rd () ((x :initarg :x) (z :initform 99)))")
    assert show("(list (slot-value *rd* 'x) (slot-value *rd* 'z))") == "(3 99)"


def test_redefinition_discards_removed_slots():
    ev("(defclass rd2 () ((x :initarg :x) (gone :initform 1)))")
    ev("(defparameter *rd2* (make-instance 'rd2 :x 3))")
    ev("(defclass rd2 () ((x :initarg :x)))")
    assert show("(list (slot-exists-p *rd2* 'gone) (slot-value *rd2* 'x))") == "(NIL 3)"


def test_shared_slot_made_local_keeps_its_value():
    ev("(defclass rd3 () ((s :allocation :class :initform 5)))")
    ev("(defparameter *rd3* (make-instance 'rd3))")
    ev("(defclass rd3 () ((s)))")
    assert ev("(slot-value *rd3* 's)") == 5


def test_update_instance_for_redefined_class_sees_added_and_discarded_slots():
    ev("(defclass rd4 () ((old :initform :o)))")
    ev("(defparameter *rd4* (make-instance 'rd4))")
    ev("(defvar *rd4-log* nil)")
    ev("(defmethod update-instance-for-redefined-class :after ((i rd4) added discarded plist &key) "
       "(setf *rd4-log* (list added discarded plist)))")
    ev("(defclass rd4 () ((new :initform :n)))")
    ev("(slot-value *rd4* 'new)")
    assert show("*rd4-log*") == "((NEW) (OLD) (OLD :O))"


def test_redefining_superclasses_changes_dispatch_of_existing_instances():
    ev("(defclass rs-a () ()) (defclass rs-b () ()) (defclass rs-c (rs-a) ())")
    ev("(defgeneric rs-kind (x)) (defmethod rs-kind ((x rs-a)) :a) (defmethod rs-kind ((x rs-b)) :b)")
    ev("(defparameter *rs* (make-instance 'rs-c))")
    assert show("(rs-kind *rs*)") == ":A"
    ev("(defclass rs-c (rs-b) ())")
    assert show("(rs-kind *rs*)") == ":B"


def test_redefinition_removes_accessors_no_longer_declared():
    ev("(defclass ra () ((x :initform 1 :reader ra-old)))")
    ev("(defclass ra () ((x :initform 1 :reader ra-new)))")
    assert ev("(ra-new (make-instance 'ra))") == 1
    with pytest.raises(Error, match="no applicable method"):
        ev("(ra-old (make-instance 'ra))")


# -- printing and describe ---------------------------------------------------------------------------------

def test_default_print_object_of_instances_and_classes():
    ev("(defclass pr () ())")
    assert show("(prin1-to-string (make-instance 'pr))").startswith('"#<PR {')
    assert show("(prin1-to-string (find-class 'pr))") == '"#<STANDARD-CLASS PR>"'
    assert show("(prin1-to-string (find-class 'integer))") == '"#<BUILT-IN-CLASS INTEGER>"'


def test_print_object_method_is_used_by_the_printer():
    ev("(defclass money () ((amount :initarg :amount)))")
    ev("(defmethod print-object ((m money) stream) (format stream \"#<MONEY ~a>\" (slot-value m 'amount)))")
    assert str(ev("(format nil \"~a and ~s\" (make-instance 'money :amount 3) "
                  "(list (make-instance 'money :amount 4)))")) == "#<MONEY 3> and (#<MONEY 4>)"


def test_describe_lists_slots_and_values():
    ev("(defclass ds () ((a :initform 1) b))")
    text = str(ev("(with-output-to-string (*standard-output*) (describe (make-instance 'ds)))"))
    assert "Slots with :INSTANCE allocation:" in text
    assert "A = 1" in text and "B = #<unbound>" in text


def test_condition_types_are_classes_usable_as_specializers():
    ev("(defgeneric cond-kind (c))")
    ev("(defmethod cond-kind ((c condition)) :condition)")
    ev("(defmethod cond-kind ((c error)) :error)")
    assert show("(list (cond-kind (make-condition 'simple-warning)) "
                "(handler-case (error \"x\") (error (e) (cond-kind e))))") == "(:CONDITION :ERROR)"


def test_condition_class_precedence_follows_the_condition_hierarchy():
    cpl = show("(mapcar #'class-name (class-precedence-list (find-class 'simple-error)))")
    assert cpl.startswith("(SIMPLE-ERROR SIMPLE-CONDITION ERROR SERIOUS-CONDITION CONDITION")
    assert cpl.endswith(" T)")


def test_hash_tables_and_streams_have_their_built_in_classes():
    assert show("(list (class-name (class-of (make-hash-table))) "
                "(not (null (member (find-class 'stream) "
                "(class-precedence-list (class-of *standard-output*))))))") == "(HASH-TABLE T)"


def test_superclass_may_be_defined_after_its_subclass():
    ev("(defclass fw-sub (fw-later) ((own :initform 1 :reader fw-own)))")
    with pytest.raises(Error, match="FW-LATER is not defined"):
        ev("(make-instance 'fw-sub)")
    ev("(defclass fw-later () ((inherited :initform 2 :reader fw-inherited)))")
    assert show("(let ((o (make-instance 'fw-sub))) (list (fw-own o) (fw-inherited o)))") == "(1 2)"
    assert show("(mapcar #'class-name (class-precedence-list (find-class 'fw-sub)))") == \
        "(FW-SUB FW-LATER STANDARD-OBJECT T)"


def test_method_on_a_class_not_yet_defined_is_an_error():
    ev("(defclass fw-sub2 (fw-later2) ())")
    with pytest.raises(Error, match="FW-LATER2 is not defined yet"):
        ev("(defmethod fw-m ((x fw-later2)) x)")


def test_failed_defclass_leaves_no_forward_reference_behind():
    with pytest.raises(ProgramError):
        ev("(defclass fw-bad (fw-never) (a a))")
    assert ev("(find-class 'fw-never nil)") is None


def test_change_class_keeps_common_slots_and_initializes_new_ones():
    ev("(defclass cc-point () ((x :initarg :x :reader cc-x) (y :initarg :y)))")
    ev("(defclass cc-color-point () ((x :reader cc-x) (color :initarg :color :initform :red :reader cc-color)))")
    ev("(defgeneric cc-kind (p)) (defmethod cc-kind ((p cc-point)) :plain) "
       "(defmethod cc-kind ((p cc-color-point)) :colored)")
    ev("(defparameter *cc* (make-instance 'cc-point :x 1 :y 2))")
    assert ev("(cc-kind *cc*)") is not None
    ev("(change-class *cc* 'cc-color-point)")
    assert show("(list (cc-kind *cc*) (cc-x *cc*) (cc-color *cc*) (slot-exists-p *cc* 'y) "
                "(class-name (class-of *cc*)))") == "(:COLORED 1 :RED NIL CC-COLOR-POINT)"


def test_change_class_initargs_fill_new_slots_and_are_checked():
    ev("(defclass cc-a () ()) (defclass cc-b () ((v :initarg :v :reader cc-v)))")
    assert ev("(cc-v (change-class (make-instance 'cc-a) 'cc-b :v 7))") == 7
    with pytest.raises(ProgramError, match=":NOPE"):
        ev("(change-class (make-instance 'cc-a) 'cc-b :nope 1)")


def test_update_instance_for_different_class_sees_the_previous_object():
    ev("(defclass cc-c () ((n :initarg :n))) (defclass cc-d () ((double :reader cc-double)))")
    ev("(defmethod update-instance-for-different-class :after ((old cc-c) (new cc-d) &key) "
       "(setf (slot-value new 'double) (* 2 (slot-value old 'n))))")
    assert ev("(cc-double (change-class (make-instance 'cc-c :n 21) 'cc-d))") == 42


def test_a_python_class_that_reached_a_generic_function_is_still_collected():
    import gc
    import weakref

    import dispatch
    from lisp.clos.classes import class_of

    class Base:
        pass

    f = dispatch.make_generic("collectable", ["x"])
    f.add_method(dispatch.Method(lambda x: 1, (Base,)))
    temporary = type("Temporary", (Base,), {})
    assert f(temporary()) == 1
    assert class_of(temporary()).precedence_types[0] is temporary
    alive = weakref.ref(temporary)
    del temporary
    gc.collect()
    assert alive() is None
