"""The gfjit Jupyter kernel driven by jupyter_client, as a notebook drives it: the kernelspec
installed by ``gfjit kernel install --user`` (into a data directory of the test's own) starts the
kernel; cells are executed, completed, inspected and interrupted over Jupyter's messages."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_missing = [name for name in ("ipykernel", "jupyter_client") if importlib.util.find_spec(name) is None]
pytestmark = [pytest.mark.skipif(bool(_missing), reason=f"{' and '.join(_missing)} not installed "
                                 "(pip install 'gfjit[jupyter]'): the Jupyter kernel cannot be tested"),
              pytest.mark.timeout(300)]

TIMEOUT = 60  # seconds any one reply may take


class Cell:
    """What executing a cell gave: the reply's content and the iopub messages it produced."""

    def __init__(self, reply: dict[str, Any], outputs: list[dict[str, Any]]) -> None:
        self.reply = reply["content"]
        self.outputs = outputs

    def stdout(self) -> str:
        return "".join(m["content"]["text"] for m in self.outputs
                       if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")

    def result(self) -> str | None:
        found = [m["content"]["data"]["text/plain"] for m in self.outputs if m["msg_type"] == "execute_result"]
        assert len(found) <= 1
        return found[0] if found else None

    def errors(self) -> list[dict[str, Any]]:
        return [m["content"] for m in self.outputs if m["msg_type"] == "error"]


@pytest.fixture(scope="module")
def kernel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("jupyter-data")
    done = subprocess.run([sys.executable, "-m", "lisp", "kernel", "install", "--user"], capture_output=True,
                          text=True, timeout=TIMEOUT, env={**os.environ, "JUPYTER_DATA_DIR": str(data)})
    assert done.returncode == 0, done.stderr
    return data / "kernels"


@pytest.fixture(scope="module")
def kernel(kernel_dir: Path) -> Iterator[Any]:
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    manager = KernelManager(kernel_name="gfjit", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernel_dir)]))
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=TIMEOUT)
        yield manager, client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


@pytest.fixture
def client(kernel: Any) -> Any:
    return kernel[1]


def execute(client: Any, code: str, **options: Any) -> Cell:
    outputs: list[dict[str, Any]] = []
    reply = client.execute_interactive(code, output_hook=outputs.append, timeout=TIMEOUT, **options)
    return Cell(reply, outputs)


def test_install_writes_a_kernelspec_that_runs_gfjit_with_this_python(kernel_dir: Path) -> None:
    spec = json.loads((kernel_dir / "gfjit" / "kernel.json").read_text())
    assert spec["argv"] == [sys.executable, "-m", "lisp", "kernel", "run", "-f", "{connection_file}"]
    assert spec["language"] == "common-lisp"


def test_kernel_info_names_the_language(client: Any) -> None:
    info = client.kernel_info(reply=True, timeout=TIMEOUT)["content"]
    assert (info["implementation"], info["language_info"]["name"]) == ("gfjit", "common-lisp")


def test_a_cell_s_result_is_its_last_form_s_value_printed_as_the_repl_does(client: Any) -> None:
    cell = execute(client, '(+ 1 2)\n(list "a" #\\b)')
    assert (cell.reply["status"], cell.result()) == ("ok", '("a" #\\b)')


def test_every_value_of_the_last_form_is_in_the_result_one_a_line(client: Any) -> None:
    assert execute(client, "(floor 7 2)").result() == "3\n1"


def test_a_form_with_no_values_gives_no_result(client: Any) -> None:
    cell = execute(client, "(values)")
    assert (cell.reply["status"], cell.result()) == ("ok", None)


def test_what_a_cell_prints_goes_to_stdout_before_its_result(client: Any) -> None:
    cell = execute(client, "(print 'hello) (format t \"~a~%\" 42) :done")
    assert cell.stdout() == "\nHELLO 42\n"
    kinds = [m["msg_type"] for m in cell.outputs if m["msg_type"] in ("stream", "execute_result")]
    assert kinds[-1] == "execute_result"


def test_the_repl_variables_carry_over_from_cell_to_cell(client: Any) -> None:
    execute(client, "(* 6 7)")
    assert execute(client, "(list * +)").result() == "(42 (* 6 7))"


def test_an_error_gives_its_condition_type_report_and_lisp_backtrace(client: Any) -> None:
    execute(client, "(defun gets-car (x) (car x))")
    cell = execute(client, "(gets-car 1)")
    assert (cell.reply["status"], cell.reply["ename"]) == ("error", "TYPE-ERROR")
    assert "1 is not of type LIST" in cell.reply["evalue"]
    assert cell.reply["traceback"][0].startswith("Error (TYPE-ERROR) at <cell ")
    assert any("(GETS-CAR 1)" in line for line in cell.reply["traceback"])
    assert cell.errors() == [{k: cell.reply[k] for k in ("ename", "evalue", "traceback")}]


def test_a_cell_stops_at_its_first_error(client: Any) -> None:
    execute(client, "(defvar *stops* 1)")
    execute(client, "(error \"boom\") (setq *stops* 2)")
    assert execute(client, "*stops*").result() == "1"


def test_an_unclosed_form_is_an_error_of_the_cell(client: Any) -> None:
    cell = execute(client, "(+ 1")
    assert (cell.reply["status"], cell.reply["ename"]) == ("error", "END-OF-FILE")


def test_dispatch_shows_a_generic_function_s_dispatch_table(client: Any) -> None:
    execute(client, "(defgeneric kernel-area (s)) (defmethod kernel-area ((s integer)) s) (kernel-area 1)")
    cell = execute(client, ":dispatch kernel-area")
    assert cell.reply["status"] == "ok"
    # (Whether the native dispatcher is compiled yet varies: the description's first line does not.)
    assert cell.stdout().startswith("generic function KERNEL-AREA(s), 1 methods, specialized positions [0]\n")


def test_a_cell_reads_standard_input_from_the_notebook_s_input_box(client: Any) -> None:
    cell = execute(client, "(read-line)", allow_stdin=True,
                   stdin_hook=lambda msg: client.input("typed text"))
    assert cell.result() == '"typed text"\nNIL'


def test_without_an_input_box_reading_meets_the_end_of_the_input(client: Any) -> None:
    cell = execute(client, "(read-line *standard-input* nil :none)", allow_stdin=False)
    assert cell.result() == ":NONE\nT"


def test_completion_completes_the_symbol_before_the_cursor(client: Any) -> None:
    reply = client.complete("(multiple-value-bi", reply=True, timeout=TIMEOUT)["content"]
    assert (reply["matches"], reply["cursor_start"], reply["cursor_end"]) == (["multiple-value-bind"], 1, 18)


def test_inspection_shows_the_lambda_list_and_documentation(client: Any) -> None:
    execute(client, '(defun documented-twice (x &key (times 2)) "Multiplies X by TIMES." (* x times))')
    code = "(documented-twice 3)"
    reply = client.inspect(code, cursor_pos=code.index("twice"), reply=True, timeout=TIMEOUT)["content"]
    assert reply["found"] is True
    text = reply["data"]["text/plain"]
    assert "(X &KEY (TIMES 2))" in text and "Multiplies X by TIMES." in text


def test_inspection_where_no_symbol_is_finds_nothing(client: Any) -> None:
    reply = client.inspect("(+ 1 2)", cursor_pos=5, reply=True, timeout=TIMEOUT)["content"]
    assert (reply["status"], reply["found"]) == ("ok", False)


def test_an_interrupt_stops_a_running_cell_and_the_kernel_carries_on(kernel: Any) -> None:
    manager, client = kernel
    msg_id = client.execute("(progn (print 'started) (finish-output) (loop))")
    while True:  # interrupt once the cell runs (its output says so), not before
        message = client.get_iopub_msg(timeout=TIMEOUT)
        if message["parent_header"].get("msg_id") == msg_id and message["msg_type"] == "stream":
            break
    manager.interrupt_kernel()
    reply = client.get_shell_msg(timeout=TIMEOUT)["content"]
    assert (reply["status"], reply["ename"]) == ("error", "KeyboardInterrupt")
    assert execute(client, "(+ 1 1)").result() == "2"
