"""Regenerate docs/dashboard.png: the Chinese dashboard mid-run with a bug injected.

    python3 docs/screenshot.py

Starts ``kit serve`` on a free loopback port, opens the page in Debian's
Chromium (every request to an address other than 127.0.0.1 is aborted),
picks the optim stage with ``lr-after-optimizer``, runs 3000 iterations and
takes the screenshot while the run trains.
"""

import socket
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright

from kit import serve

OUTPUT = Path(__file__).resolve().parent / "dashboard.png"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def block_other_hosts(route):
    if urlparse(route.request.url).hostname == "127.0.0.1":
        route.continue_()
    else:
        route.abort()


def main():
    process, url = serve.start(port=free_port(), lang="zh-CN")
    try:
        if not serve.wait_until_ready(process, url):
            print(f"Voila did not start at {url}", file=sys.stderr)
            return 1
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.route("**/*", block_other_hosts)
            page.goto(url, timeout=120_000)
            page.wait_for_selector(".kit-status [data-status='idle']", timeout=120_000)
            page.locator(".kit-lab .widget-toggle-button", has_text="6. optim").first.click()
            page.locator(".kit-bug-lr-after-optimizer input[type=checkbox]").check()
            box = page.locator(".widget-inline-hbox", has_text="迭代次数").locator("input").first
            box.fill("3000")
            box.press("Enter")
            page.wait_for_selector(".kit-code :text('iterations = 3000')")
            page.locator(".kit-run").click()
            page.wait_for_selector(".kit-status [data-status='running']", timeout=60_000)
            time.sleep(2.0)
            page.screenshot(path=str(OUTPUT))
            page.locator(".kit-stop").click()
            browser.close()
        print(f"wrote {OUTPUT}")
        return 0
    finally:
        process.terminate()
        process.wait()


if __name__ == "__main__":
    sys.exit(main())
