;;;; Word frequencies: strings, characters, hash tables, sorting, format directives.

(defparameter *text*
  "The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs.
A fox is quick, a dog is lazy.")

(defun split-words (text)
  "The words of TEXT, in lower case: runs of alphabetic characters."
  (let ((words '()) (start nil))
    (loop for i from 0 to (length text)
          for char = (if (< i (length text)) (char text i) #\Space)
          do (cond ((alpha-char-p char) (unless start (setf start i)))
                   (start (push (string-downcase (subseq text start i)) words)
                          (setf start nil))))
    (nreverse words)))

(defun frequencies (words)
  (let ((table (make-hash-table :test #'equal)))
    (dolist (word words table)
      (incf (gethash word table 0)))))

(defun top (table n)
  "The N most frequent (word . count) pairs, most frequent first, ties alphabetically."
  (let ((pairs '()))
    (maphash (lambda (word count) (push (cons word count) pairs)) table)
    (setf pairs (sort pairs (lambda (a b)
                              (or (> (cdr a) (cdr b))
                                  (and (= (cdr a) (cdr b)) (string< (car a) (car b)))))))
    (subseq pairs 0 (min n (length pairs)))))

(let* ((words (split-words *text*))
       (table (frequencies words)))
  (format t "~d words, ~d different~%" (length words) (hash-table-count table))
  (format t "~:{~8a ~d~%~}" (mapcar (lambda (pair) (list (car pair) (cdr pair))) (top table 5)))
  (format t "longest: ~a~%" (reduce (lambda (a b) (if (> (length b) (length a)) b a)) words))
  (format t "capitalized: ~a~%" (string-capitalize "the lazy dog")))
