;;;; Fibonacci three ways: naive recursion, an iterative loop, and memoization in a hash table.

(defun fib (n)
  "The Nth Fibonacci number, by the definition."
  (if (< n 2)
      n
      (+ (fib (- n 1)) (fib (- n 2)))))

(defun fib-iter (n)
  "The Nth Fibonacci number, by walking the sequence."
  (let ((a 0) (b 1))
    (dotimes (i n a)
      (psetf a b
             b (+ a b)))))

(defvar *fib-memo* (make-hash-table))

(defun fib-memo (n)
  "The Nth Fibonacci number, remembering every one computed."
  (or (gethash n *fib-memo*)
      (setf (gethash n *fib-memo*)
            (if (< n 2) n (+ (fib-memo (- n 1)) (fib-memo (- n 2)))))))

(format t "fib(20) = ~d~%" (fib 20))
(format t "first 15: ~{~a~^ ~}~%" (loop for i below 15 collect (fib-iter i)))
(format t "fib(100) = ~d~%" (fib-memo 100))
(format t "agree up to 25: ~a~%"
        (loop for i to 25 always (= (fib i) (fib-iter i) (fib-memo i))))
