"""kit.serve: the shipped notebook, loopback default and Voila's safe options."""

import json
import socket
from pathlib import Path

import pytest

from kit import serve

REPO = Path(__file__).resolve().parents[1]


def test_shipped_notebook_matches_repository_copy():
    shipped = serve.notebook_source().read_text(encoding="utf-8")
    assert shipped == (REPO / "notebooks" / "dashboard.ipynb").read_text(encoding="utf-8")
    assert "kit.Lab()" in shipped


def test_voila_command_is_safe_by_default():
    command = serve.voila_command("/tmp/x/dashboard.ipynb", port=9999)

    assert "--Voila.ip=127.0.0.1" in command
    assert "--port=9999" in command
    assert "--no-browser" in command
    assert "--Voila.port_retries=0" in command
    assert "--VoilaConfiguration.show_tracebacks=False" in command
    assert not any(part.startswith("--VoilaConfiguration.file_allowlist") for part in command)


def test_loopback_detection():
    assert serve.is_loopback("127.0.0.1")
    assert serve.is_loopback("::1")
    assert serve.is_loopback("localhost")
    assert not serve.is_loopback("0.0.0.0")
    assert not serve.is_loopback("192.168.1.5")


def test_prepared_folder_holds_notebook_and_config():
    notebook = Path(serve.prepare_folder())
    config_path = notebook.parent / "voila.json"
    try:
        assert sorted(entry.name for entry in notebook.parent.iterdir()) == [
            "dashboard.ipynb",
            "voila.json",
        ]
        config = json.loads(config_path.read_text())
        # a pattern that matches no file name, so Voila serves no file of the folder
        assert config["VoilaConfiguration"]["file_allowlist"] == ["(?!)"]
    finally:
        notebook.unlink()
        config_path.unlink()
        notebook.parent.rmdir()


def test_server_environment_single_blas_thread(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "4")
    env = serve.server_environment("zh")
    assert env["OMP_NUM_THREADS"] == "1"
    assert env["MKL_NUM_THREADS"] == "4"  # a value the user set is kept
    assert env["KIT_LANG"] == "zh-CN"


def test_port_in_use_is_reported():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError):
            serve.check_port_free("127.0.0.1", taken.getsockname()[1])
