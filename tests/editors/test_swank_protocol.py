"""The server against bad clients: a message that breaks the protocol gets a clear error and a
closed connection, an unknown request gets swank's ``:abort``, and the server serves on; who may
connect (loopback by default, the secret of ``~/.slime-secret``)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from swank_client import TIMEOUT, SwankClient, start_server, stop_server, sym

from lisp.swank.wire import ConnectionClosed, keyword, write_sexp

pytestmark = pytest.mark.timeout(180)

READER_ERROR = keyword("reader-error")


def _answers(port: int) -> bool:
    """Whether a new connection to the server gets its connection info."""
    with SwankClient(port) as client:
        info = client.call([sym("swank:connection-info")])
    return info[info.index(keyword("version")) + 1] == "2.27"


def _closed_with_error(client: SwankClient) -> str:
    """The text of the reader error the server sent before closing the connection."""
    message = client.receive()
    assert message[0] == READER_ERROR, message
    with pytest.raises(ConnectionClosed):
        client.receive()
    return message[2]


def test_a_header_that_is_not_hexadecimal_gets_an_error_then_the_connection_closes(swank: SwankClient) -> None:
    swank.send_raw(b"zzzzzz(swank:connection-info)")
    assert "six hexadecimal digits" in _closed_with_error(swank)


@pytest.mark.parametrize("payload, complaint", [
    (b"(:emacs-rex", "ends inside"),
    (b'"abc)', "not closed"),
    (b"\xff\xfe", "not UTF-8"),
    (b"hello", "list that starts with a keyword"),
    (b"(:emacs-rex)", "takes 4 arguments"),
    (b"(:emacs-rex (x) nil t t)", "request id must be an integer"),
])
def test_a_malformed_message_gets_an_error_then_the_connection_closes(swank: SwankClient, payload: bytes,
                                                                      complaint: str) -> None:
    swank.send_raw(b"%06x" % len(payload) + payload)
    assert complaint in _closed_with_error(swank)


def test_an_oversized_message_is_refused_without_waiting_for_its_payload(swank: SwankClient) -> None:
    swank.send_raw(b"f00000(")  # announces 15 MiB, sends one byte of it
    assert "over the limit" in _closed_with_error(swank)


def test_the_server_serves_new_connections_after_a_bad_one(swank_server: tuple[subprocess.Popen[str], int]) -> None:
    with SwankClient(swank_server[1]) as bad:
        bad.send_raw(b"garbage!")
        _closed_with_error(bad)
    assert _answers(swank_server[1])


def test_a_client_that_leaves_inside_a_message_does_not_stop_the_server(
        swank_server: tuple[subprocess.Popen[str], int]) -> None:
    with SwankClient(swank_server[1]) as gone:
        gone.send_raw(b"000100(:emacs-rex (swank:connection")
    assert _answers(swank_server[1])


def test_deep_nesting_in_a_message_is_read_and_answered(swank: SwankClient) -> None:
    deep: object = 1
    for _ in range(50_000):
        deep = [deep]
    answer = swank.call([sym("swank:ping"), [sym("quote"), deep]])
    assert write_sexp(answer) == write_sexp(deep)  # (== on such a nesting would overflow Python's stack)


def test_an_unknown_function_gets_an_abort_and_the_connection_goes_on(swank: SwankClient) -> None:
    outcome = swank.reply(swank.rex([sym("swank:no-such-function"), 1]))
    assert outcome[0] == keyword("abort") and "SWANK:NO-SUCH-FUNCTION is undefined" in outcome[1]
    assert swank.call([sym("swank:ping"), 7]) == 7


def test_wrong_arguments_get_an_abort(swank: SwankClient) -> None:
    outcome = swank.reply(swank.rex([sym("swank:ping"), 1, 2, 3]))
    assert outcome[0] == keyword("abort") and "wrong arguments" in outcome[1]


def test_an_unknown_event_is_ignored(swank: SwankClient) -> None:
    swank.send([keyword("no-such-event"), 1, 2])
    assert swank.call([sym("swank:ping"), 8]) == 8


def test_a_request_for_a_thread_that_does_not_exist_is_an_invalid_rpc(swank: SwankClient) -> None:
    swank.send([keyword("emacs-rex"), [sym("swank:ping"), 1], "CL-USER", 999, 5])
    assert swank.wait_for(lambda m: m[0] == keyword("invalid-rpc")) == [keyword("invalid-rpc"), 5,
                                                                        "Thread not found: 999"]


def _server_with_home(tmp_path: os.PathLike[str], *args: str) -> tuple[subprocess.Popen[str], int]:
    return start_server(*args, env={**os.environ, "HOME": str(tmp_path)})


def test_with_a_secret_file_a_client_that_sends_it_is_served(tmp_path: os.PathLike[str]) -> None:
    (tmp_path / ".slime-secret").write_text("open sesame\n")  # type: ignore[operator]
    process, port = _server_with_home(tmp_path)
    try:
        with SwankClient(port, secret="open sesame") as client:
            assert client.call([sym("swank:ping"), 1]) == 1
    finally:
        stop_server(process)


def test_with_a_secret_file_a_client_that_does_not_send_it_is_closed(tmp_path: os.PathLike[str]) -> None:
    (tmp_path / ".slime-secret").write_text("open sesame\n")  # type: ignore[operator]
    process, port = _server_with_home(tmp_path)
    try:
        with SwankClient(port, secret="wrong") as client:
            client.rex([sym("swank:ping"), 1])
            with pytest.raises(ConnectionClosed):
                client.receive()
    finally:
        assert "did not send the secret" in stop_server(process)


def test_listening_beyond_loopback_without_a_secret_is_refused(tmp_path: os.PathLike[str]) -> None:
    done = subprocess.run([sys.executable, "-m", "lisp", "swank", "--port", "0", "--host", "0.0.0.0"],
                          capture_output=True, text=True, timeout=TIMEOUT,
                          env={**os.environ, "HOME": str(tmp_path)})
    assert done.returncode == 1
    assert ".slime-secret" in done.stderr


def test_by_default_the_server_listens_on_loopback_only() -> None:
    from lisp.swank.server import Server  # (in this process: the socket's address is what is checked)

    server = Server(port=0)
    try:
        assert server._listener.getsockname()[0] == "127.0.0.1"
    finally:
        server.close()
