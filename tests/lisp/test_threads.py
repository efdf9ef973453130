"""Lisp threads with bordeaux-threads names: threads, specials per thread, errors, locks,
condition variables, atomic counters, and threads defining methods while others call."""

import pytest

import lisp
import lisp.clos
from lisp.runtime.condition_classes import Error
from lisp.syntax.printer import write_to_string

lisp.clos.install()


def ev(text):
    return lisp.eval_string(text)


def show(text):
    """The value of ``text`` as prin1 prints it on one line (no pretty-printer line breaks)."""
    return write_to_string(ev(text), pretty=None)


@pytest.mark.timeout(30)
def test_join_thread_returns_the_function_value():
    assert ev("(join-thread (make-thread (lambda () (+ 1 2))))") == 3


@pytest.mark.timeout(30)
def test_thread_name_and_current_thread():
    assert show("(join-thread (make-thread (lambda () (thread-name (current-thread))) :name \"worker-7\"))") \
        == '"worker-7"'
    assert show("(thread-name (make-thread (lambda () nil) :name \"named\"))") == '"named"'


@pytest.mark.timeout(30)
def test_new_thread_sees_global_values_not_the_creators_bindings():
    ev("(defvar *th-special* :global)")
    assert show("(let ((*th-special* :bound)) "
                "(list *th-special* (join-thread (make-thread (lambda () *th-special*)))))") \
        == "(:BOUND :GLOBAL)"


@pytest.mark.timeout(30)
def test_binding_in_a_thread_is_invisible_to_others():
    ev("(defvar *th-special2* 0)")
    ev("(join-thread (make-thread (lambda () (let ((*th-special2* 99)) *th-special2*))))")
    assert ev("*th-special2*") == 0


@pytest.mark.timeout(30)
def test_error_in_a_thread_is_signalled_by_join_thread_and_reported_with_its_name(capfd):
    with pytest.raises(Error, match="boom in thread"):
        ev("(join-thread (make-thread (lambda () (error \"boom in thread\")) :name \"failing\"))")
    assert 'error in thread "failing"' in capfd.readouterr().err


@pytest.mark.timeout(30)
def test_error_from_thread_is_handled_by_handler_case_around_join():
    assert show("(handler-case (join-thread (make-thread (lambda () (error \"x\")))) "
                "(error () :caught))") == ":CAUGHT"


@pytest.mark.timeout(30)
def test_all_threads_includes_the_current_thread():
    assert ev("(not (null (member (current-thread) (all-threads))))") is not None


@pytest.mark.timeout(60)
def test_lock_protects_a_shared_counter():
    ev("(defvar *th-lock* (make-lock \"counter\"))")
    ev("(defvar *th-count* 0)")
    ev("(let ((threads (loop repeat 4 collect (make-thread (lambda () "
       "  (dotimes (i 500) (with-lock-held (*th-lock*) (setf *th-count* (+ *th-count* 1))))))))) "
       "(mapc #'join-thread threads))")
    assert ev("*th-count*") == 2000


@pytest.mark.timeout(30)
def test_recursive_lock_can_be_taken_twice():
    assert show("(let ((l (make-recursive-lock))) "
                "(with-recursive-lock-held (l) (with-recursive-lock-held (l) :inner)))") == ":INNER"


@pytest.mark.timeout(60)
@pytest.mark.timeout(30)
def test_taking_a_held_plain_lock_again_in_the_same_thread_is_an_error_not_a_deadlock():
    assert show("(let ((l (make-lock))) (handler-case (with-lock-held (l) (with-lock-held (l) :inner)) "
                "(error (c) (search \"Recursive lock attempt\" (princ-to-string c)))))") == "0"
    # The lock was released on the way out: it can be taken again.
    assert show("(let ((l (make-lock))) (ignore-errors (with-lock-held (l) (with-lock-held (l) 1))) "
                "(with-lock-held (l) :free))") == ":FREE"


@pytest.mark.timeout(30)
def test_acquire_lock_without_waiting_fails_on_a_lock_another_thread_holds():
    assert show("(let ((l (make-lock))) (list (acquire-lock l) "
                "(join-thread (make-thread (lambda () (acquire-lock l nil)))) (progn (release-lock l) :released)))"
                ) == "(T NIL :RELEASED)"


def test_atomic_counter_loses_no_increment():
    ev("(defvar *th-atomic* (make-atomic-counter))")
    ev("(mapc #'join-thread (loop repeat 4 collect "
       "(make-thread (lambda () (dotimes (i 1000) (atomic-incf *th-atomic*))))))")
    assert ev("(atomic-counter-value *th-atomic*)") == 4000


@pytest.mark.timeout(60)
def test_condition_variable_hands_values_from_producer_to_consumer():
    ev("(defvar *cv-lock* (make-lock)) (defvar *cv* (make-condition-variable)) (defvar *cv-queue* nil)")
    ev("""(defun cv-consume (n)
            (let ((got nil))
              (with-lock-held (*cv-lock*)
                (loop while (< (length got) n)
                      do (if *cv-queue*
                             (push (pop *cv-queue*) got)
                             (condition-wait *cv* *cv-lock*))))
              (sort got #'<)))""")
    ev("(defvar *consumer* (make-thread (lambda () (cv-consume 20))))")
    ev("(dotimes (i 20) (with-lock-held (*cv-lock*) (push i *cv-queue*) (condition-notify *cv*)))")
    assert show("(join-thread *consumer*)") == "(" + " ".join(str(i) for i in range(20)) + ")"


@pytest.mark.timeout(30)
def test_condition_wait_with_timeout_returns_nil_when_not_notified():
    assert ev("(let ((l (make-lock)) (cv (make-condition-variable))) "
              "(with-lock-held (l) (condition-wait cv l :timeout 0.01)))") is None


@pytest.mark.timeout(30)
def test_make_thread_of_a_non_function_is_a_type_error():
    with pytest.raises(Error, match="not a function"):
        ev("(make-thread 42)")


@pytest.mark.timeout(120)
def test_threads_define_classes_and_methods_while_others_call():
    # Definers make a class and its method, then publish an instance; callers keep calling on
    # every published instance and must always get that class's method, never the default.
    ev("(defgeneric th-kind (x))")
    ev("(defmethod th-kind ((x t)) :default)")
    ev("(defvar *th-published* nil) (defvar *th-pub-lock* (make-lock))")
    ev("""(defun th-define (k)
            (dotimes (i 10)
              (let ((name (intern (format nil "TH-CLASS-~d-~d" k i))))
                (eval `(defclass ,name () ()))
                (eval `(defmethod th-kind ((x ,name)) ',name))
                (let ((object (make-instance name)))
                  (with-lock-held (*th-pub-lock*) (push object *th-published*))))))""")
    ev("""(defun th-call ()
            (let ((wrong 0) (calls 0))
              (dotimes (round 300)
                (dolist (o (with-lock-held (*th-pub-lock*) *th-published*))
                  (incf calls)
                  (unless (eq (th-kind o) (class-name (class-of o)))
                    (incf wrong)))
                (thread-yield))
              (list wrong (> calls 0))))""")
    result = show("""(let ((callers (loop repeat 2 collect (make-thread #'th-call)))
                           (definers (loop for k below 3 collect
                                       (let ((k k)) (make-thread (lambda () (th-define k)))))))
                       (mapc #'join-thread definers)
                       (list (mapcar #'join-thread callers) (length *th-published*)))""")
    assert result == "(((0 T) (0 T)) 30)"
    assert show("(th-kind (make-instance 'th-class-2-9))") == "TH-CLASS-2-9"
    assert show("(th-kind 5)") == ":DEFAULT"


@pytest.mark.timeout(120)
def test_class_redefinitions_racing_slot_reads_never_lose_a_retained_slot():
    # One thread redefines the class again and again (adding and dropping a slot); readers keep
    # reading the slot every definition keeps, through the accessor and slot-value.
    ev("(defclass th-rd () ((keep :initarg :keep :accessor th-keep)))")
    ev("(defparameter *th-rd-objects* (loop for i below 20 collect (make-instance 'th-rd :keep i)))")
    ev("""(defun th-redefine ()
            (dotimes (i 30)
              (if (evenp i)
                  (eval '(defclass th-rd () ((keep :initarg :keep :accessor th-keep) (extra :initform 0))))
                  (eval '(defclass th-rd () ((keep :initarg :keep :accessor th-keep)))))
              (thread-yield))
            :done)""")
    ev("""(defun th-read ()
            (let ((wrong 0))
              (dotimes (round 100)
                (loop for o in *th-rd-objects* for i from 0
                      unless (and (eql (th-keep o) i) (eql (slot-value o 'keep) i))
                        do (incf wrong)))
              wrong))""")
    assert show("(let ((readers (loop repeat 2 collect (make-thread #'th-read))) "
                "(writer (make-thread #'th-redefine))) "
                "(list (join-thread writer) (mapcar #'join-thread readers)))") == "(:DONE (0 0))"


def test_return_from_a_block_of_another_thread_is_a_control_error_not_a_return_in_the_joiner(capfd):
    assert show("(block outer (handler-case (join-thread (make-thread (lambda () (return-from outer :escaped))))"
                " (control-error () :control-error)))") == ":CONTROL-ERROR"


def test_a_thread_leaving_for_another_threads_block_reports_a_control_error(capfd):
    ev("(block outer (handler-case (join-thread (make-thread (lambda () (return-from outer 1)) :name \"leaver\"))"
       " (control-error () nil)))")
    err = capfd.readouterr().err
    assert 'error in thread "leaver"' in err and "exit point of another thread" in err


def test_join_thread_of_the_current_thread_is_a_lisp_error():
    assert show("(handler-case (join-thread (current-thread)) (simple-error (c) (princ-to-string c)))") \
        == '"JOIN-THREAD: a thread cannot wait for itself to end"'


def test_atomic_incf_of_a_non_counter_is_a_type_error():
    assert show("(handler-case (atomic-incf 5) (type-error (c) (type-error-datum c)))") == "5"
    assert show("(handler-case (atomic-incf (make-atomic-counter) 1.5) (type-error (c) (type-error-datum c)))") \
        == "1.5"
