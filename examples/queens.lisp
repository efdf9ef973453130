;;;; The N queens puzzle: count the solutions and show the first one, for N from 4 to 8.

(defun safe-p (column placed)
  "Whether a queen in COLUMN of the next row is attacked by none of PLACED (nearest row first)."
  (loop for other in placed
        for distance from 1
        never (or (= other column)
                  (= (abs (- other column)) distance))))

(defun solutions (n &optional (row 0) placed)
  "Every way to place queens on the rows from ROW on, each a list of columns, last row first."
  (if (= row n)
      (list placed)
      (loop for column below n
            when (safe-p column placed)
              append (solutions n (1+ row) (cons column placed)))))

(defun show-board (columns n)
  (dolist (column columns)
    (dotimes (i n)
      (write-string (if (= i column) "Q " ". ")))
    (terpri)))

(loop for n from 4 to 8
      do (format t "~d queens: ~d solutions~%" n (length (solutions n))))

(let ((first (first (solutions 6))))
  (format t "~%The first of 6:~%")
  (show-board (reverse first) 6))
