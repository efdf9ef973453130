;;;; Command-line arguments: sys:*posix-argv* is the script followed by its arguments.
;;;; Run: gfjit run examples/hello.lisp Ada Grace

(let ((names (rest sys:*posix-argv*)))
  (if names
      (format t "Hello, ~{~a~^, ~}!~%" names)
      (format t "Hello, world!~%"))
  (format t "~d argument~a~%" (length names) (if (= (length names) 1) "" "s")))
