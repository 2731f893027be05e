"""LossPlot: no draw before display, throttling, decimation, marks and fonts."""

import warnings

import matplotlib.pyplot as plt
import pytest

from kit.runner import run
from kit.settings import Settings
from kit.widgets import LossPlot


@pytest.fixture
def plot():
    widget = LossPlot(lang="en")
    yield widget
    widget.close()


def small(stage="numpy", **values):
    values = {"iterations": 40, "N": 8, "D_in": 20, "H": 10, "D_out": 3, **values}
    return Settings.create(stage, **values)


def test_plot_waits_for_display(plot):
    plot.begin(small())
    for iteration in range(50):
        plot.add(iteration, 1000.0 / (iteration + 1))

    assert plot.redraws == 0

    plot.mark_displayed()

    assert plot.redraws == 1
    assert len(plot.line.get_xdata()) == 50
    assert plot.canvas.syncing_data_url is False


def test_plot_throttles_redraws(plot):
    plot.mark_displayed()
    plot.begin(small(iterations=5000))
    start = plot.redraws
    for iteration in range(5000):
        plot.add(iteration, 1.0 + 1.0 / (iteration + 1))

    assert plot.redraws - start <= 3


def test_plot_draws_every_allowed_step(plot):
    plot.mark_displayed()
    plot.max_redraws_per_second = 1e9
    plot.draw_budget = 1e9
    plot.begin(small(iterations=20))
    start = plot.redraws
    for iteration in range(20):
        plot.add(iteration, 10.0 - iteration * 0.1)

    assert plot.redraws - start == 20


def test_plot_decimates_long_runs(plot):
    plot.max_points = 100
    plot.begin(small(iterations=10_000))
    for iteration in range(10_000):
        plot.add(iteration, 1.0 + iteration)
    plot.redraw()

    xs = plot.line.get_xdata()
    assert len(xs) <= 101
    assert xs[-1] == 9999


def test_plot_scale_switch(plot):
    assert plot.axes.get_yscale() == "log"
    plot.log_scale = False
    assert plot.axes.get_yscale() == "linear"
    assert plot.scale_switch.value is False


def test_plot_marks_nonfinite_loss(plot):
    settings = Settings.create("numpy", bugs=("lr-too-large",), iterations=40)
    plot.begin(settings)
    result = run(settings, plot.add)
    plot.end(result)

    assert result.status == "nonfinite"
    assert len(plot.nonfinite_mark.get_xdata()) == 1
    assert plot.nonfinite_mark.get_ydata()[0] > 0.9  # at the top edge, in axes units
    assert "inf or NaN" in plot.message_text.get_text()


def test_plot_keeps_points_of_raised_run(plot):
    settings = small("autograd", bugs=("rebind-update",))
    plot.begin(settings)
    result = run(settings, plot.add)
    plot.end(result)

    assert result.status == "raised"
    assert len(plot.line.get_xdata()) == len(result.losses) >= 1
    assert plot.line.get_marker() == "o"  # the last point is visible even when it is alone
    assert "AttributeError" in plot.message_text.get_text()


def test_plot_reference_line(plot):
    reference = [100.0, 10.0, 1.0]
    plot.begin(small(bugs=("relu-mask",)), reference=reference)

    assert list(plot.reference_line.get_ydata()) == reference
    assert "correct code" in plot.reference_line.get_label()


def test_plot_chinese_has_no_missing_glyphs(plot):
    plot.mark_displayed()
    plot.lang = "zh-CN"
    plot.begin(small())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plot.add(0, 5.0)
        plot.end(run(small(), plot.add))
        plot.figure.canvas.draw()

    assert plot.axes.get_xlabel() == "迭代次数"
    missing = [str(item.message) for item in caught if "missing" in str(item.message)]
    assert missing == []
    assert "Noto Sans CJK SC" in plot.axes.xaxis.label.get_fontfamily()


def test_plot_opens_no_pyplot_figure():
    before = len(plt.get_fignums())
    widgets = [LossPlot(lang="en") for _ in range(3)]
    for widget in widgets:
        widget.close()

    assert len(plt.get_fignums()) == before


def test_clear_removes_progress_text(plot):
    settings = small("numpy")
    plot.begin(settings)
    plot.end(run(settings, plot.add))
    assert plot.corner_text.get_text()

    plot.clear()
    assert plot.corner_text.get_text() == ""
    assert len(plot.line.get_xdata()) == 0
