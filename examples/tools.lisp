#!/usr/bin/env -S gfjit run
;;;; The interactive tools from a program: documentation strings, describe, apropos, trace, and
;;;; a handler that looks at the debugger's hook. (At the REPL an unhandled error enters the
;;;; debugger; see the README.)

(defun collatz-steps (n &optional (steps 0))
  "How many steps of the Collatz map take N to 1."
  (cond ((= n 1) steps)
        ((evenp n) (collatz-steps (/ n 2) (1+ steps)))
        (t (collatz-steps (1+ (* 3 n)) (1+ steps)))))

(defvar *longest* nil "The longest trajectory found so far, as (start . steps).")

(format t "~a~%" (documentation 'collatz-steps 'function))
(format t "~a~%" (documentation '*longest* 'variable))

;; TRACE prints each call with its arguments and each return, indented by depth.
(trace collatz-steps)
(collatz-steps 4)
(untrace collatz-steps)

(dolist (start '(7 27 97))
  (let ((steps (collatz-steps start)))
    (when (or (null *longest*) (> steps (cdr *longest*)))
      (setf *longest* (cons start steps)))))
(format t "longest: ~a~%" *longest*)

;; DESCRIBE says what a symbol names, as SBCL does.
(describe '*longest*)

(defun collatz-loop ()
  "A helper, to show APROPOS finding it by part of its name.")
(apropos "COLLATZ-")
(terpri)

;; The debugger's hook runs before the debugger would: here it reports and goes on with a restart.
(let ((*debugger-hook* (lambda (condition hook)
                         (declare (ignore hook))
                         (format t "hook saw: ~a~%" condition)
                         (invoke-restart 'use-value 0))))
  (format t "value: ~a~%" (restart-case (error "no trajectory for ~a" -1)
                            (use-value (v) v))))
