"""Time from starting the dashboard server to its first rendered widget, against plain Voila.

Each repetition starts a server, polls its port, opens the page in headless
Chromium and waits for a rendered widget:

- kit: ``kit.serve.start`` (the code behind ``kit serve``), waiting for the Run button;
- one-button: the same Voila options on a notebook with one ``ipywidgets.Button``.

The two alternate, and the script prints the median times and the median ratio.
Every request that is not to 127.0.0.1 is aborted.

    python3 benchmarks/serve_startup.py [--repeats 3]
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from playwright.sync_api import sync_playwright

from kit import serve

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

ONE_BUTTON = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "one",
            "metadata": {},
            "outputs": [],
            "source": ["import ipywidgets\n", "ipywidgets.Button(description='go')"],
        }
    ],
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


def wait_listening(port, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listened on 127.0.0.1:{port} within {timeout} s")


def only_loopback(route):
    if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:")):
        route.continue_()
    else:
        route.abort()


def time_to_widget(browser, start_server, selector):
    start = time.perf_counter()
    process, url, port = start_server()
    try:
        wait_listening(port)
        page = browser.new_page()
        page.route("**/*", only_loopback)
        page.goto(url, timeout=120_000)
        page.wait_for_selector(selector, timeout=120_000)
        elapsed = time.perf_counter() - start
        page.close()
        return elapsed
    finally:
        process.terminate()
        process.wait(20)


def start_kit():
    port = free_port()
    process, url = serve.start(port=port, lang="en")
    return process, url, port


def start_one_button(folder):
    def start():
        port = free_port()
        notebook = os.path.join(folder, "one_button.ipynb")
        command = serve.voila_command(notebook, port=port)
        process = subprocess.Popen(command, cwd=folder, stderr=subprocess.DEVNULL)
        return process, f"http://127.0.0.1:{port}/", port

    return start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="kit-bench-")
    with open(os.path.join(folder, "one_button.ipynb"), "w") as handle:
        json.dump(ONE_BUTTON, handle)

    kit_times, plain_times, ratios = [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        for _ in range(args.repeats):
            kit_times.append(time_to_widget(browser, start_kit, ".kit-run"))
            plain_times.append(time_to_widget(browser, start_one_button(folder), ".widget-button"))
            ratios.append(kit_times[-1] / plain_times[-1])
            print(f"kit {kit_times[-1]:.2f} s, one-button {plain_times[-1]:.2f} s", flush=True)
        browser.close()
    median = statistics.median
    print(
        f"median: kit {median(kit_times):.2f} s, one-button {median(plain_times):.2f} s, "
        f"ratio {median(ratios):.2f} (n={args.repeats})"
    )


if __name__ == "__main__":
    main()
