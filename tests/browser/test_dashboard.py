"""The dashboard in a real Voila server and a real headless Chromium."""

import time

import pytest

from tests.browser.conftest import PAGE_READY_TIMEOUT_MS

RUN_TIMEOUT_MS = 60_000


def open_dashboard(page, voila_url):
    page.goto(voila_url, timeout=PAGE_READY_TIMEOUT_MS)
    page.wait_for_selector(".kit-lab", timeout=PAGE_READY_TIMEOUT_MS)
    page.wait_for_selector(".kit-lab canvas", timeout=PAGE_READY_TIMEOUT_MS)
    page.wait_for_selector(".kit-status [data-status='idle']", timeout=PAGE_READY_TIMEOUT_MS)


def frames(page):
    return page.evaluate("window.__kitFrames")


def pick_stage(page, title):
    page.locator(".kit-lab .widget-toggle-button", has_text=title).first.click()


def pick_bug(page, bug_id):
    page.locator(f".kit-bug-{bug_id} input[type=checkbox]").check()


def set_number(page, label, value):
    box = page.locator(".widget-inline-hbox", has_text=label).locator("input").first
    box.fill(str(value))
    box.press("Enter")


def wait_status(page, statuses, timeout=RUN_TIMEOUT_MS):
    selector = ", ".join(f".kit-status [data-status='{status}']" for status in statuses)
    page.wait_for_selector(selector, timeout=timeout)


def test_page_renders_dashboard(page, voila_url, shoot):
    open_dashboard(page, voila_url)
    shoot("loaded")

    assert page.locator(".kit-run").is_enabled()
    assert page.locator(".kit-stop").is_disabled()
    assert page.locator(".kit-lab .widget-toggle-button").count() >= 8
    assert page.get_by_text("Error displaying widget").count() == 0
    assert page.locator(".jupyter-widgets-error-widget").count() == 0
    assert not page.locator(".kit-error").first.is_visible()
    assert page.locator(".kit-code .kit-line").count() > 20
    widget_errors = [text for text in page.console_errors if "widget" in text.lower()]
    assert widget_errors == []


def test_run_with_bug_plots_live(page, voila_url, shoot):
    open_dashboard(page, voila_url)
    pick_stage(page, "6. optim")
    pick_bug(page, "lr-after-optimizer")
    page.wait_for_selector(".kit-code .kit-add")
    canvas = page.locator(".kit-lab canvas").first
    before_image = canvas.screenshot()
    before = frames(page)

    page.locator(".kit-run").click()
    wait_status(page, ["running", "reference"], timeout=10_000)
    counts = []
    images = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        counts.append(frames(page))
        if len(images) < 3:
            images.append(canvas.screenshot())
        if page.locator(".kit-status [data-status='finished']").count():
            break
        time.sleep(0.5)
    shoot("finished")

    during = [count for count in counts if count > before]
    assert len(set(during)) >= 3, f"canvas frames during the run: {counts}"
    assert frames(page) - before >= 5
    assert any(image != before_image for image in images)
    diagnosis = page.locator(".kit-diagnosis [data-symptom]")
    assert diagnosis.count() == 1
    assert diagnosis.get_attribute("data-symptom") == "slow"


def test_stop_ends_run(page, voila_url, shoot):
    open_dashboard(page, voila_url)
    pick_stage(page, "6. optim")
    set_number(page, "iterations", 20000)
    page.wait_for_selector(".kit-code :text('iterations = 20000')")
    page.locator(".kit-run").click()
    wait_status(page, ["running"], timeout=10_000)
    page.wait_for_function("window.__kitFrames > 2", timeout=30_000)
    shoot("running")

    clicked = time.monotonic()
    page.locator(".kit-stop").click()
    wait_status(page, ["stopped"], timeout=10_000)
    latency = time.monotonic() - clicked
    shoot("stopped")

    assert latency < 3.0, f"Stop took {latency:.2f} s to show in the page"
    symptom = page.locator(".kit-diagnosis [data-symptom]").get_attribute("data-symptom")
    assert symptom == "stopped"
    assert page.locator(".kit-run").is_enabled()


def test_raising_bug_shows_error(page, voila_url, shoot):
    open_dashboard(page, voila_url)
    pick_stage(page, "3. autograd")
    pick_bug(page, "rebind-update")
    page.locator(".kit-run").click()
    wait_status(page, ["raised"])
    shoot("raised")

    error_box = page.locator(".kit-diagnosis .kit-run-error")
    assert "AttributeError" in error_box.inner_text()
    assert "zero_" in error_box.inner_text()
    marked = page.locator(".kit-code .kit-raise")
    assert marked.count() == 1
    assert "w1.grad.zero_()" in marked.inner_text()
    assert "AttributeError" in page.locator(".kit-code .kit-raise-note").inner_text()


def test_language_switch_relabels(page, voila_url, shoot):
    open_dashboard(page, voila_url)
    assert page.locator(".kit-run").inner_text().strip() == "Run"

    page.locator(".kit-language .widget-toggle-button", has_text="中文").click()
    page.wait_for_function(
        "document.querySelector('.kit-run').innerText.trim() === '运行'", timeout=10_000
    )
    shoot("chinese")

    assert page.locator(".kit-stop").inner_text().strip() == "停止"
    assert page.get_by_text("注入 bug", exact=True).count() == 1
    assert page.locator(".kit-lab .widget-toggle-button", has_text="1. 用 numpy 手写").count() == 1

    page.locator(".kit-language .widget-toggle-button", has_text="English").click()
    page.wait_for_function(
        "document.querySelector('.kit-run').innerText.trim() === 'Run'", timeout=10_000
    )


if __name__ == "__main__":
    pytest.main([__file__, "-v"])
