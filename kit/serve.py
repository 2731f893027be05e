"""Serve the dashboard notebook with Voila.

Visitors get the dashboard and nothing else: Voila's standalone server only
forwards widget comm messages and kernel_info/shutdown requests to the
kernel (voila 0.5 ``allowed_message_types``), so a page cannot send code to
execute. The notebook is copied into an empty temporary folder, which is all
Voila's file handler can see, and no file type is allowed through it.
"""

import ipaddress
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from importlib import resources

from kit.i18n import get_language, normalize_language, tr

NOTEBOOK_NAME = "dashboard.ipynb"
LOOPBACK = "127.0.0.1"
# Voila needs 4-5 s to start on a warm 2-core machine; a cold start takes longer.
STARTUP_TIMEOUT = 90.0

log = logging.getLogger(__name__)


def notebook_source():
    """Return the notebook shipped in the package, a copy of notebooks/dashboard.ipynb."""
    return resources.files("kit") / "widgets" / NOTEBOOK_NAME


def is_loopback(ip):
    """Return True if ``ip`` is a loopback address or ``localhost``."""
    if ip == "localhost":
        return True
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def voila_command(notebook, ip=LOOPBACK, port=8866, open_browser=False):
    """Return the argument list that starts Voila on ``notebook`` with the safe options.

    The file allowlist lives in ``voila.json`` beside the notebook (see
    :func:`prepare_folder`), because traitlets deprecates list values on the
    command line.
    """
    command = [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        f"--Voila.ip={ip}",
        f"--port={port}",
        "--Voila.port_retries=0",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.strip_sources=True",
    ]
    if not open_browser:
        command.append("--no-browser")
    return command


def prepare_folder():
    """Copy the notebook and a ``voila.json`` into a new empty folder; return the notebook path."""
    folder = tempfile.mkdtemp(prefix="kit-voila-")
    target = os.path.join(folder, NOTEBOOK_NAME)
    with resources.as_file(notebook_source()) as source:
        shutil.copyfile(source, target)
    # Voila reads voila.json from its working directory. A pattern that matches
    # no file name: Voila serves no file of the folder.
    config = {"VoilaConfiguration": {"file_allowlist": ["(?!)"]}}
    with open(os.path.join(folder, "voila.json"), "w", encoding="utf-8") as handle:
        json.dump(config, handle)
    return target


def server_environment(lang=None):
    """Return the environment for the Voila process."""
    env = dict(os.environ)
    if lang:
        env["KIT_LANG"] = normalize_language(lang)
    # Lecture-size matrices are too small to gain from BLAS threads, and on a
    # busy 2-core machine spinning BLAS threads made a 500-iteration numpy run
    # about 10 times slower. Every visitor gets a kernel, so one thread each.
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    # Voila finds its page templates under share/jupyter. In a virtual
    # environment made with --system-site-packages they sit under the base
    # Python's prefix, which Jupyter does not search by itself.
    base_data = os.path.join(sys.base_prefix, "share", "jupyter")
    if os.path.isdir(base_data):
        paths = [env["JUPYTER_PATH"]] if env.get("JUPYTER_PATH") else []
        env["JUPYTER_PATH"] = os.pathsep.join([*paths, base_data])
    return env


def start(ip=LOOPBACK, port=8866, open_browser=False, lang=None, log_file=None):
    """Start Voila in a child process and return ``(process, url)`` without waiting.

    Voila's output goes to ``log_file`` (an open file) when given, else to
    this process's standard streams.
    """
    env = server_environment(lang)
    notebook = prepare_folder()
    command = voila_command(notebook, ip=ip, port=port, open_browser=open_browser)
    log.info("starting Voila: %s", " ".join(command))
    streams = {"stdout": log_file, "stderr": subprocess.STDOUT} if log_file else {}
    process = subprocess.Popen(command, env=env, cwd=os.path.dirname(notebook), **streams)
    host = f"[{ip}]" if ":" in ip else ip
    return process, f"http://{host}:{port}/"


def wait_until_ready(process, url, timeout=STARTUP_TIMEOUT):
    """Return True once ``url`` responds, False if the process ended or ``timeout`` passed."""
    probe = url.replace("[::]", "[::1]").replace("0.0.0.0", LOOPBACK)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            # the tree page responds without starting a kernel
            with urllib.request.urlopen(probe + "voila/tree", timeout=2):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.3)
    return False


def serve(ip=LOOPBACK, port=8866, open_browser=False, lang=None):
    """Serve the dashboard with Voila until interrupted; return an exit status.

    Prints the URL once the server responds. Voila's own log goes to a file
    whose path is printed, so that its tracebacks never reach the terminal.
    If Voila fails to start, its last log line is printed instead.

    Parameters
    ----------
    ip : str
        Address to bind. The default is loopback only; any other address
        lets every machine that reaches it use the dashboard.
    port : int
        TCP port. Voila exits with an error if it is in use.
    open_browser : bool
        Open the page in the default browser.
    lang : str, optional
        ``"zh-CN"`` or ``"en"`` for the dashboard and these messages; default
        from KIT_LANG or the locale.
    """
    lang = normalize_language(lang) if lang else get_language()
    if not is_loopback(ip):
        print(tr("cli.serve_public", lang, ip=ip), file=sys.stderr, flush=True)
    check_port_free(ip, port)
    log_path = os.path.join(tempfile.gettempdir(), f"kit-voila-{port}.log")
    with open(log_path, "w", encoding="utf-8") as log_file:
        process, url = start(ip, port, open_browser, lang, log_file=log_file)
        folder = os.path.dirname(process.args[3])
        # `kill` of kit serve must not leave Voila running and holding the port
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            if not wait_until_ready(process, url):
                process.terminate()
                process.wait()
                reason = _last_line(log_path) or tr("cli.serve_no_answer", lang)
                print(tr("cli.server_failed", lang, reason=reason), file=sys.stderr)
                print(tr("cli.serve_log", lang, path=log_path), file=sys.stderr)
                return 1
            print(tr("cli.serve_ready", lang, url=url, path=log_path), flush=True)
            return process.wait()
        except KeyboardInterrupt:
            return 0
        finally:
            signal.signal(signal.SIGTERM, previous)
            if process.poll() is None:
                process.terminate()
                process.wait()
            shutil.rmtree(folder, ignore_errors=True)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def check_port_free(ip, port):
    """Raise OSError if another program already listens on ``ip:port``.

    Checked before Voila starts, so that the readiness probe cannot mistake
    that program for Voila.
    """
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((ip, port))


def _last_line(path):
    """Return the last line of Voila's log that is not blank, or an empty string."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        lines = [line.strip() for line in handle if line.strip()]
    return lines[-1] if lines else ""
