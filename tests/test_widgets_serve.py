"""kit.serve: the shipped notebook, loopback default and Voila's safe options."""

from pathlib import Path

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
    assert "--VoilaConfiguration.file_allowlist=(?!)" in command
    assert "--VoilaConfiguration.show_tracebacks=False" in command


def test_loopback_detection():
    assert serve.is_loopback("127.0.0.1")
    assert serve.is_loopback("::1")
    assert serve.is_loopback("localhost")
    assert not serve.is_loopback("0.0.0.0")
    assert not serve.is_loopback("192.168.1.5")


def test_prepared_folder_holds_only_notebook():
    notebook = Path(serve.prepare_folder())
    try:
        assert [entry.name for entry in notebook.parent.iterdir()] == ["dashboard.ipynb"]
    finally:
        notebook.unlink()
        notebook.parent.rmdir()
