"""Regenerate docs/dashboard.png: the Chinese dashboard mid-run with a bug injected.

    python3 docs/screenshot.py

Starts ``kit serve`` on a free loopback port, opens the page in Debian's
Chromium (every request to an address other than 127.0.0.1 is aborted),
picks the optim stage with ``lr-after-optimizer``, runs 3000 iterations and
takes the screenshot while the run trains.
"""

import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere, with the repository's packages

from kit import serve  # noqa: E402
from tests.browser.launch import CHROMIUM, CHROMIUM_ARGS, free_port, only_loopback  # noqa: E402

OUTPUT = ROOT / "docs" / "dashboard.png"


def main():
    process, url = serve.start(port=free_port(), lang="zh-CN")
    try:
        if not serve.wait_until_ready(process, url):
            print(f"Voila did not start at {url}", file=sys.stderr)
            return 1
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.route("**/*", only_loopback)
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
