"""A dashboard visitor can drive widgets but cannot run code of their choosing.

These tests start ``kit serve`` on a free loopback port, open the kernel's
websocket as a browser would, and send raw kernel messages.
"""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest

from tests.browser.launch import free_port

websocket = pytest.importorskip("websocket")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    log_path = tmp_path_factory.mktemp("serve") / "serve.log"
    log = open(log_path, "w")
    env = dict(os.environ, KIT_LANG="en")
    process = subprocess.Popen(
        [sys.executable, "-m", "kit", "serve", "--no-browser", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            break
        except OSError:
            time.sleep(0.3)
    else:
        process.terminate()
        pytest.fail(f"kit serve did not answer on {url}; log: {log_path.read_text()}")
    yield url, log_path
    process.terminate()
    process.wait(timeout=20)
    log.close()


def _kernel_message(msg_type, content):
    header = {
        "msg_id": uuid.uuid4().hex,
        "username": "visitor",
        "session": uuid.uuid4().hex,
        "msg_type": msg_type,
        "version": "5.3",
        "date": "",
    }
    message = {
        "header": header,
        "parent_header": {},
        "metadata": {},
        "content": content,
        "channel": "shell",
        "buffers": [],
    }
    return json.dumps(message)


def _open_kernel_socket(url):
    html = urllib.request.urlopen(url, timeout=60).read().decode()
    match = re.search(r'kernelId": "([0-9a-f-]+)"', html)
    assert match, "the dashboard page names no kernel"
    ws_url = url.replace("http://", "ws://") + f"api/kernels/{match.group(1)}/channels"
    return websocket.create_connection(f"{ws_url}?session_id={uuid.uuid4()}", timeout=5)


def _message_types(connection, seconds):
    types = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            types.append(json.loads(connection.recv())["msg_type"])
        except websocket.WebSocketTimeoutException:
            break
    return types


def test_serve_binds_loopback_by_default(server):
    url, log_path = server
    assert url.startswith("http://127.0.0.1:")
    assert "http://127.0.0.1:" in log_path.read_text()


def test_execute_request_is_ignored(server, tmp_path):
    url, _ = server
    marker = tmp_path / "executed"
    code = f"open({str(marker)!r}, 'w').write('visitor code ran')"
    connection = _open_kernel_socket(url)
    try:
        request = {
            "code": code,
            "silent": False,
            "store_history": False,
            "user_expressions": {},
            "allow_stdin": False,
        }
        connection.send(_kernel_message("execute_request", request))
        # A message Voila allows, so the test can tell the channel works.
        connection.send(_kernel_message("kernel_info_request", {}))
        types = _message_types(connection, seconds=5)
    finally:
        connection.close()
    assert "kernel_info_reply" in types
    assert "execute_reply" not in types
    assert not marker.exists()
