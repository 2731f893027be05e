"""A real Voila server on 127.0.0.1 and Debian's Chromium driven by Playwright.

Every request to an address other than 127.0.0.1 is aborted: Voila's
template links a font stylesheet from a public CDN. Screenshots go to
test-artifacts/screenshots/ and a failing test's report lists their paths.
"""

import os
import subprocess
from pathlib import Path

import pytest

from kit import serve
from tests.browser.launch import CHROMIUM, CHROMIUM_ARGS, free_port, only_loopback

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
    try:
        if not serve.wait_until_ready(process, url, timeout=SERVER_START_TIMEOUT):
            status = process.poll()
            if status is not None:
                pytest.fail(f"Voila exited with status {status} before serving {url}")
            pytest.fail(f"Voila did not respond at {url} within {SERVER_START_TIMEOUT} s")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            # a hung server must not hide the test result
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


@pytest.fixture
def page(browser, voila_url, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.route("**/*", only_loopback)
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
