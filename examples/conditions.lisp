;;;; The condition system: define-condition, handler-case, handler-bind, restarts, unwind-protect.

(define-condition bad-reading (error)
  ((value :initarg :value :reader bad-reading-value))
  (:report (lambda (condition stream)
             (format stream "bad sensor reading ~s" (bad-reading-value condition)))))

(defun check-reading (x)
  "X when it is a plausible reading; otherwise signal BAD-READING, offering two restarts."
  (restart-case (if (and (realp x) (<= 0 x 100))
                    x
                    (error 'bad-reading :value x))
    (use-default ()
      :report "Use 50 instead."
      50)
    (use-value (v)
      :report "Use another value."
      v)))

(defun average (readings)
  (/ (reduce #'+ (mapcar #'check-reading readings)) (length readings)))

;; handler-case unwinds: the whole computation is abandoned.
(format t "handler-case: ~a~%"
        (handler-case (average '(10 20 bogus))
          (bad-reading (c) (format nil "gave up: ~a" c))))

;; handler-bind does not unwind: the handler picks a restart and the computation goes on.
(format t "use-default: ~a~%"
        (handler-bind ((bad-reading (lambda (c)
                                      (declare (ignore c))
                                      (invoke-restart 'use-default))))
          (average '(10 20 bogus 40))))

(format t "use-value: ~a~%"
        (handler-bind ((bad-reading (lambda (c)
                                      (use-value (if (numberp (bad-reading-value c)) 100 0)))))
          (average '(10 -5 bogus 30))))

;; unwind-protect runs its cleanup however the protected form is left.
(defvar *log* '())
(catch 'done
  (unwind-protect
       (progn (push :working *log*)
              (throw 'done nil)
              (push :unreachable *log*))
    (push :cleaned-up *log*)))
(format t "log: ~s~%" (reverse *log*))

;; Errors signalled by the runtime are conditions too.
(format t "~a~%" (handler-case (/ 1 0)
                   (division-by-zero () "division by zero caught")))
(format t "~a~%" (handler-case (funcall 'no-such-function-here)
                   (undefined-function (c) (format nil "undefined: ~s" (cell-error-name c)))))
(multiple-value-bind (value condition) (ignore-errors (error "oops: ~a" 42))
  (format t "ignore-errors: ~s, ~a~%" value condition))
