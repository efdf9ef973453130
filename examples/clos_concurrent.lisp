;;;; Threads that define classes and methods while other threads call the generic function.
;;;; Uses the bordeaux-threads names (MAKE-THREAD, JOIN-THREAD, WITH-LOCK-HELD, atomic counters).
;;;; Every call must see a method set that existed at some moment: an event published after its
;;;; method was defined is never handled by the default method.

(defgeneric handle (event)
  (:documentation "What a worker does with an event."))

(defmethod handle ((event t)) :unhandled)

(defclass event () ((id :initarg :id :reader event-id)))

(defvar *published* '())
(defvar *lock* (make-lock "published"))
(defvar *calls* (make-atomic-counter))
(defvar *wrong* (make-atomic-counter))
(defvar *done* nil)

(defun define-kind (team index)
  "Define class TEAM-INDEX-EVENT and its HANDLE method, then publish one instance."
  (let ((name (intern (format nil "~:@(~a~)-~d-EVENT" team index))))
    (eval `(defclass ,name (event) ()))
    (eval `(defmethod handle ((e ,name)) (list ',name (event-id e))))
    (with-lock-held (*lock*)
      (push (make-instance name :id index) *published*))))

(defun definer (team)
  (dotimes (i 8)
    (define-kind team i)
    (thread-yield))
  team)

(defun worker ()
  (loop
    (let ((finished *done*)
          (events (with-lock-held (*lock*) *published*)))
      (dolist (e events)
        (atomic-incf *calls*)
        (let ((result (handle e)))
          (unless (and (consp result)
                       (eq (first result) (class-name (class-of e)))
                       (eql (second result) (event-id e)))
            (atomic-incf *wrong*))))
      (when finished (return :stopped))
      (thread-yield))))

(let ((workers (loop for i below 3
                     collect (make-thread #'worker :name (format nil "worker-~d" i))))
      (definers (loop for team in '(red green blue)
                      collect (let ((team team))
                                (make-thread (lambda () (definer team))
                                             :name (format nil "definer-~(~a~)" team))))))
  (format t "definers finished: ~{~a~^ ~}~%" (mapcar #'join-thread definers))
  (setf *done* t)
  (format t "workers: ~{~a~^ ~}~%" (mapcar #'join-thread workers)))

(format t "classes defined: ~d~%" (length *published*))
(format t "methods of HANDLE: ~d~%" (length (generic-function-methods #'handle)))
(format t "calls made: ~:[none~;some~]~%" (plusp (atomic-counter-value *calls*)))
(format t "wrong results: ~d~%" (atomic-counter-value *wrong*))
(format t "a green event now: ~s~%" (handle (make-instance 'green-3-event :id 42)))
(format t "anything else: ~s~%" (handle "a string"))
