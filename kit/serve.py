"""Serve the dashboard notebook with Voila.

Visitors get the dashboard and nothing else: Voila's standalone server only
forwards widget comm messages and kernel_info/shutdown requests to the
kernel (voila 0.5 ``allowed_message_types``), so a page cannot send code to
execute. The notebook is copied into an empty temporary folder, which is all
Voila's file handler can see, and no file type is allowed through it.
"""

import ipaddress
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from importlib import resources

from kit.i18n import normalize_language

NOTEBOOK_NAME = "dashboard.ipynb"
LOOPBACK = "127.0.0.1"

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
    """Return the argument list that starts Voila on ``notebook`` with the safe options."""
    command = [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        f"--Voila.ip={ip}",
        f"--port={port}",
        "--Voila.port_retries=0",
        # a pattern that matches no file name: Voila serves no file of the folder
        "--VoilaConfiguration.file_allowlist=(?!)",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.strip_sources=True",
    ]
    if not open_browser:
        command.append("--no-browser")
    return command


def prepare_folder():
    """Copy the notebook into a new empty temporary folder and return the notebook's path."""
    folder = tempfile.mkdtemp(prefix="kit-voila-")
    target = os.path.join(folder, NOTEBOOK_NAME)
    with resources.as_file(notebook_source()) as source:
        shutil.copyfile(source, target)
    return target


def start(ip=LOOPBACK, port=8866, open_browser=False, lang=None):
    """Start Voila in a child process and return ``(process, url)`` without waiting."""
    env = dict(os.environ)
    if lang:
        env["KIT_LANG"] = normalize_language(lang)
    notebook = prepare_folder()
    command = voila_command(notebook, ip=ip, port=port, open_browser=open_browser)
    log.info("starting Voila: %s", " ".join(command))
    process = subprocess.Popen(command, env=env, cwd=os.path.dirname(notebook))
    host = f"[{ip}]" if ":" in ip else ip
    return process, f"http://{host}:{port}/"


def serve(ip=LOOPBACK, port=8866, open_browser=False, lang=None):
    """Serve the dashboard with Voila until interrupted; return Voila's exit status.

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
        ``"zh-CN"`` or ``"en"`` for the dashboard; default from KIT_LANG or the locale.
    """
    if not is_loopback(ip):
        print(
            f"Warning: binding {ip}: anyone who can reach this address can use the dashboard.",
            file=sys.stderr,
        )
    process, url = start(ip=ip, port=port, open_browser=open_browser, lang=lang)
    print(f"kit dashboard: {url}", flush=True)
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        return process.wait()
    finally:
        shutil.rmtree(os.path.dirname(process.args[3]), ignore_errors=True)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Serve the kit dashboard with Voila.")
    parser.add_argument("--ip", default=LOOPBACK, help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8866, help="TCP port (default 8866)")
    parser.add_argument("--browser", action="store_true", help="open the page in a browser")
    parser.add_argument("--lang", help="zh-CN or en (default: KIT_LANG or the locale)")
    arguments = parser.parse_args()
    sys.exit(serve(arguments.ip, arguments.port, arguments.browser, arguments.lang))
