"""``tregsim app``: loopback only unless --allow-remote, bad ports exit 2."""

from __future__ import annotations

import socket

import pytest

from tregsim.app import is_loopback


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "0"], "--port must be between 1 and 65535 (got 0)"),
        (["--port", "70000"], "--port must be between 1 and 65535 (got 70000)"),
        (["--port", "http"], "Invalid value for '--port'"),
        (["--host", "0.0.0.0"], "--host 0.0.0.0 is not this machine (loopback)"),
        (["--host", "example.org"], "unless you add --allow-remote"),
        (["--host", " "], "--host is empty"),
    ],
)
def test_bad_options_exit_2_with_one_sentence(tregsim_cli, args, message):
    result = tregsim_cli("app", *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_port_in_use_exits_2(tregsim_cli):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = tregsim_cli("app", "--port", str(port))
    assert result.returncode == 2
    assert f"--port {port} is already in use" in result.stderr


def test_loopback_addresses():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert is_loopback("[::1]") and is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.5") and not is_loopback("x")
