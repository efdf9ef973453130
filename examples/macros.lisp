;;;; Macros: backquote, destructuring lambda lists, gensym, macroexpand.

(defmacro while (test &body body)
  "Run BODY as long as TEST is true."
  `(loop (unless ,test (return)) ,@body))

(defmacro swap-pair ((a b))
  "Exchange the values of the places A and B."
  (let ((tmp (gensym "TMP")))
    `(let ((,tmp ,a))
       (setf ,a ,b ,b ,tmp))))

(defmacro with-collector ((name) &body body)
  "Run BODY with (NAME x) collecting x; return the list collected, in order."
  (let ((items (gensym "ITEMS")))
    `(let ((,items '()))
       (flet ((,name (x) (push x ,items)))
         ,@body)
       (nreverse ,items))))

(let ((n 5) (steps '()))
  (while (> n 0)
    (push n steps)
    (decf n 2))
  (format t "while: ~s~%" steps))

(let ((x 1) (y 2))
  (swap-pair (x y))
  (format t "swapped: ~a ~a~%" x y))

(format t "collected: ~s~%"
        (with-collector (collect)
          (dolist (word '("apple" "kiwi" "banana" "fig"))
            (when (> (length word) 3)
              (collect (string-upcase word))))))

(let ((*print-pretty* nil))
  (format t "expansion: ~s~%" (macroexpand-1 '(while (ready-p) (work)))))

(defmacro my-and (&rest forms)
  (cond ((null forms) t)
        ((null (rest forms)) (first forms))
        (t `(if ,(first forms) (my-and ,@(rest forms)) nil))))

(format t "my-and: ~s ~s ~s~%" (my-and) (my-and 1 2 3) (my-and 1 nil 3))
