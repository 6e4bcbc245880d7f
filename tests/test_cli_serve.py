"""`xxgk serve` says in one line why it cannot listen, before it starts anything.

Found once: a port in use gave uvicorn's English log line and exit code 3, and `--port 99999`
started the upload readers and then hung, deaf to SIGTERM and SIGINT.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xxgk.cli import app
from xxgk.i18n import set_lang

pytest.importorskip("uvicorn")
runner = CliRunner()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    yield
    set_lang(None)


def serve(*args: str, db: Path) -> tuple[int, str]:
    r = runner.invoke(app, ["serve", "--db", str(db), "-j", "0", *args], env={"COLUMNS": "200"})
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.stderr


@pytest.mark.parametrize("port", ["0", "65536", "99999", "http"])
def test_a_port_out_of_range_is_one_line(port: str, tmp_path: Path) -> None:
    code, err = serve("--port", port, db=tmp_path / "w.sqlite")
    assert code == 2 and err.count("\n") == 1 and "--port" in err and err.startswith("错误 ")
    assert not (tmp_path / "w.sqlite").exists()  # nothing was started or created


def test_a_port_in_use_is_one_line_in_the_readers_language(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        code, err = serve("--port", port, db=tmp_path / "w.sqlite")
        assert code == 2 and err == f"错误 无法在 127.0.0.1:{port} 上监听：端口已被其他程序占用（是否已有一个 xxgk serve 在运行？）\n"
        r = runner.invoke(app, ["--lang", "en", "serve", "--db", str(tmp_path / "w.sqlite"), "--port", port])
        assert r.exit_code == 2 and "cannot listen on 127.0.0.1:" in r.stderr and "in use" in r.stderr


def test_an_unknown_host_is_one_line(tmp_path: Path) -> None:
    code, err = serve("--host", "no-such-host.invalid", "--port", "8000", db=tmp_path / "w.sqlite")
    assert code == 2 and err.count("\n") == 1 and "no-such-host.invalid:8000" in err
