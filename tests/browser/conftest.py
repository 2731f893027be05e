"""A real Voila server on 127.0.0.1 and Debian's Chromium driven by Playwright.

Every request to an address other than 127.0.0.1 is aborted: Voila's
template links a font stylesheet from a public CDN. Screenshots go to
test-artifacts/screenshots/ and a failing test's report lists their paths.
"""

import os
import socket
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from kit import serve

CHROMIUM = "/usr/bin/chromium"
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
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
SERVER_START_TIMEOUT = 90
# Launching a kernel, importing torch and rendering the widgets takes 4-10 s here.
PAGE_READY_TIMEOUT_MS = 90_000

# Counts the PNG frames the ipympl canvas receives: each frame becomes a Blob URL.
COUNT_FRAMES = """
window.__kitFrames = 0;
const originalCreate = URL.createObjectURL.bind(URL);
URL.createObjectURL = (blob) => {
  if (blob && blob.type === "image/png") { window.__kitFrames += 1; }
  return originalCreate(blob);
};
"""


def free_port():
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def chromium_path():
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    reason = f"{CHROMIUM} is not installed, so the dashboard browser tests cannot run"
    if os.environ.get("KIT_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " (KIT_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def voila_url(chromium_path):
    port = free_port()
    process, url = serve.start(port=port, lang="en")
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"Voila exited with status {process.returncode} before serving {url}")
            try:
                # a GET of the page would start a kernel; a TCP connect only checks listen()
                with socket.create_connection(("127.0.0.1", port), timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"Voila did not answer at {url} within {SERVER_START_TIMEOUT} s")
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except Exception:  # noqa: BLE001 -- a hung server must not hide the test result
            process.kill()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _only_loopback(route):
    host = urlparse(route.request.url).hostname
    if host == "127.0.0.1" or route.request.url.startswith(("data:", "blob:")):
        route.continue_()
    else:
        route.abort()


@pytest.fixture
def page(browser, voila_url, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.route("**/*", _only_loopback)
    page.add_init_script(COUNT_FRAMES)
    page.console_errors = []
    page.on(
        "console", lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None
    )
    request.node.kit_page = page
    request.node.kit_screenshots = []
    yield page
    context.close()


@pytest.fixture
def shoot(page, request):
    """Save a full-page screenshot named after the test and ``label``; return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(label):
        path = SCREENSHOTS / f"{request.node.name}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        request.node.kit_screenshots.append(str(path))
        return path

    return save


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    paths = list(getattr(item, "kit_screenshots", []))
    page = getattr(item, "kit_page", None)
    if page is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{item.name}-failure.png"
        try:
            page.screenshot(path=str(path), full_page=True)
            paths.append(str(path))
        except Exception as exc:  # noqa: BLE001 -- the report must still list the others
            paths.append(f"(failure screenshot not saved: {exc})")
    if paths:
        report.sections.append(("screenshots", "\n".join(paths)))
        print("screenshots:\n" + "\n".join(paths))
