"""Lab: runs in a worker thread, Stop, invalid input, presets, errors, and 100 runs."""

import gc
import threading
import time

import ipywidgets
import matplotlib.pyplot as plt
import pytest

import kit
from kit.widgets import LECTURE, Lab

SMALL = {"iterations": 30, "N": 8, "D_in": 20, "H": 10, "D_out": 3}


@pytest.fixture
def lab():
    widget = Lab(stage="numpy", lang="en", **SMALL)
    yield widget
    widget.close()


def rss_mebibytes():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("VmRSS missing from /proc/self/status")


def test_lab_runs_and_diagnoses(lab):
    assert lab.run() is True
    assert lab.wait(60)

    assert lab.result.status == "finished"
    assert len(lab.result.losses) == 30
    assert lab.status == "finished"
    assert lab.running is False
    assert "data-symptom" in lab.diagnosis.view.value
    assert lab.plot.losses == lab.result.losses


def test_show_returns_ready_lab():
    lab = kit.show("autograd", bugs=["rebind-update"], lang="zh-CN", **SMALL)
    try:
        assert isinstance(lab, Lab)
        assert lab.bugs == ("rebind-update",)
        assert lab.bug_picker.rows["rebind-update"].checkbox.value is True
        assert lab.message == ""
        assert lab.run_button.description == "运行"
    finally:
        lab.close()


def test_lab_rejects_unknown_setting():
    with pytest.raises(TypeError, match="learnin_rate"):
        Lab(learnin_rate=1e-3)


def test_invalid_value_shows_message(lab):
    lab.iterations = 0

    assert "iterations" in lab.message
    assert lab.run() is False
    assert lab.running is False

    lab.lang = "zh-CN"
    assert "整数" in lab.message
    assert "整数" in lab.form.message_view.value

    lab.iterations = 5
    assert lab.message == ""


def test_invalid_learning_rate_and_sizes(lab):
    lab.learning_rate = -1.0
    assert "learning rate" in lab.message
    lab.learning_rate = None

    lab.N = 10**6
    lab.D_in = 10**6
    assert "MiB" in lab.message
    assert lab.run() is False


def test_raised_run_marks_code(lab):
    lab.stage = "autograd"
    lab.bugs = ("rebind-update",)
    lab.run()
    lab.wait(60)

    assert lab.result.status == "raised"
    assert lab.code_view.error_line == lab.result.error.line
    assert "kit-raise" in lab.code_view.code.value
    assert "AttributeError" in lab.diagnosis.view.value


def test_buggy_run_draws_reference(lab):
    lab.stage = "nn"
    lab.bugs = ("rebind-param",)
    lab.run()
    lab.wait(60)

    reference = lab.plot.reference_line.get_ydata()
    assert len(reference) == SMALL["iterations"]
    correct = kit.run(lab.settings().with_changes(bugs=()))
    assert list(reference) == pytest.approx(correct.losses)


def test_stop_takes_effect_quickly(lab):
    lab.stage = "autograd"
    lab.iterations = 100_000
    lab.run()
    while len(lab.plot.losses) < 5:
        time.sleep(0.01)
    asked = time.perf_counter()
    lab.stop()

    assert lab.wait(0.5)
    assert time.perf_counter() - asked < 0.5
    assert lab.result.status == "stopped"
    assert len(lab.result.losses) < 100_000


def test_second_run_is_ignored(lab):
    lab.iterations = 100_000
    assert lab.run() is True
    assert lab.run() is False
    running = [thread for thread in threading.enumerate() if thread.name == "kit-run"]
    assert len(running) == 1
    lab.stop()
    assert lab.wait(5)


def test_stage_change_stops_run(lab):
    lab.iterations = 100_000
    lab.run()
    lab.stage = "tensor"

    assert lab.running is False
    assert lab.result.status == "stopped"
    assert lab.code_view.program.settings.stage == "tensor"


def test_stage_change_drops_bugs(lab):
    lab.stage = "autograd"
    lab.bugs = ("rebind-update",)
    lab.stage = "nn"

    assert lab.bugs == ()
    assert set(lab.bug_picker.rows) == {bug.id for bug in kit.bugs_for_stage("nn")}


def test_lecture_steps(lab):
    lab.apply_step(3)
    assert (lab.stage, lab.bugs) == ("autograd", ("rebind-update",))

    lab.next_button.click()
    assert lab.stage == "function"
    assert lab.step_menu.value == 4

    mistakes = [step.bugs for step in LECTURE if step.bugs]
    assert mistakes == [("rebind-update",), ("rebind-param",), ("lr-after-optimizer",)]

    lab.apply_step(8)
    assert lab.stage == "optim"
    assert lab.learning_rate == 1e-3
    assert "learning_rate = 1e-06" in lab.code_view.program.source


def test_reset_restores_defaults(lab):
    lab.stage = "optim"
    lab.optimizer = "SGD"
    lab.learning_rate = 0.5
    lab.reset()

    assert lab.stage == "optim"
    assert lab.learning_rate is None
    assert lab.optimizer is None
    assert lab.iterations == 500


def test_callback_error_is_shown(lab, monkeypatch):
    def broken():
        raise RuntimeError("broken redraw")

    monkeypatch.setattr(lab.code_view, "render", broken)
    lab.code_view.compare = "previous"

    assert lab.code_view.error == "RuntimeError: broken redraw"
    assert lab.code_view.error_view.layout.display is None
    assert "broken redraw" in lab.code_view.error_view.value


def test_worker_error_is_shown(lab, monkeypatch):
    def broken(settings, reference=None):
        raise RuntimeError("plot unavailable")

    monkeypatch.setattr(lab.plot, "begin", broken)
    lab.run()
    lab.wait(30)

    assert lab.status == "failed"
    assert lab.running is False
    assert "plot unavailable" in lab.error_view.value


@pytest.mark.filterwarnings("ignore:Widget.widgets is deprecated")
def test_hundred_runs_do_not_leak():
    lab = Lab(stage="autograd", lang="en", iterations=5, N=4, D_in=8, H=6, D_out=2)
    lab.plot.mark_displayed()
    figures = len(plt.get_fignums())
    for _ in range(10):
        lab.run()
        lab.wait(30)
    gc.collect()
    widget_count = len(ipywidgets.Widget.widgets)
    memory = rss_mebibytes()

    for index in range(100):
        lab.bugs = ("no-zero-grad",) if index % 2 else ()
        assert lab.run()
        assert lab.wait(30)
        assert lab.result.status == "finished"
    gc.collect()

    assert len(plt.get_fignums()) == figures
    assert len(ipywidgets.Widget.widgets) == widget_count
    # bound: 100 runs may grow the process by at most 30 MiB (allocator noise, caches)
    assert rss_mebibytes() - memory < 30
    lab.close()


def test_language_switch_keeps_state(lab):
    lab.apply_step(6)
    lab.code_view.compare = "previous"
    lab.plot.log_scale = False
    lab.lang = "zh-CN"

    assert (lab.stage, lab.bugs) == ("nn", ("rebind-param",))
    assert lab.step_menu.value == 6
    assert lab.stage_picker.buttons.value == "nn"
    assert lab.code_view.compare == "previous"
    assert lab.plot.log_scale is False
    assert lab.run_button.description == "运行"
    assert lab.plot.axes.get_ylabel() == "loss"
    assert lab.plot.axes.get_xlabel() == "迭代次数"
