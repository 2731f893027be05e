"""Measure what the live loss plot costs, against the bare runner and two other ways to plot.

For each stage, at the lecture size (N=64, D_in=1000, H=100, D_out=10, 500
iterations), it times four ways of running the same settings, interleaved in
one process:

- bare: ``kit.runner.run`` with an ``on_loss`` that stores the loss;
- dashboard: ``kit.Lab`` driven without a browser, its canvas marked as
  displayed (as the browser's first message does) so every allowed draw
  renders a PNG frame and sends it; timed from ``run()`` to ``wait()``;
- every: the same ``LossPlot`` with its throttle off, drawing every iteration;
- livelossplot: ``PlotLosses`` updated and sent every iteration, each send
  rendered with the Agg canvas (its default output builds a new figure).

It prints the median time of each and the median per-repetition ratio to bare.
Target: dashboard / bare <= 1.25.

    pip install livelossplot   # for this benchmark only
    python3 benchmarks/plot_overhead.py [--repeats 3] [--slow-repeats 1] [--stages numpy optim]
"""

import argparse
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from kit.runner import run  # noqa: E402
from kit.settings import Settings  # noqa: E402
from kit.widgets import Lab, LossPlot  # noqa: E402


def time_bare(settings):
    losses = []
    start = time.perf_counter()
    run(settings, on_loss=lambda it, loss: losses.append(loss))
    return time.perf_counter() - start


def time_dashboard(lab):
    start = time.perf_counter()
    lab.run()
    lab.wait()
    elapsed = time.perf_counter() - start
    assert lab.result.status == "finished", lab.result.status
    return elapsed, lab.plot.redraws


def time_every(settings):
    plot = LossPlot(lang="en", max_redraws_per_second=1e9, draw_budget=1e9)
    plot.mark_displayed()
    start = time.perf_counter()
    plot.begin(settings)
    result = run(settings, on_loss=plot.add)
    plot.end(result)
    elapsed = time.perf_counter() - start
    plot.close()
    return elapsed


def time_livelossplot(settings):
    from livelossplot import PlotLosses
    from livelossplot.outputs import MatplotlibPlot

    def render_and_close(figure):
        figure.canvas.draw()
        plt.close(figure)

    liveloss = PlotLosses(outputs=[MatplotlibPlot(after_plots=render_and_close)])

    def on_loss(iteration, loss):
        liveloss.update({"loss": loss})
        liveloss.send()

    start = time.perf_counter()
    run(settings, on_loss=on_loss)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="repetitions of bare and dashboard")
    parser.add_argument(
        "--slow-repeats", type=int, default=1, help="repetitions of every and livelossplot"
    )
    parser.add_argument("--stages", nargs="+", default=["numpy", "autograd", "optim"])
    args = parser.parse_args()

    print(
        "| stage | bare (s) | dashboard (s) | redraws | every (s) | livelossplot (s) "
        "| dashboard/bare | every/bare | livelossplot/bare |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for stage in args.stages:
        settings = Settings.create(stage)
        lab = Lab(stage=stage, lang="en")
        lab.plot.mark_displayed()
        bare, dashboard, redraws, ratios = [], [], [], []
        every, every_ratios, llp, llp_ratios = [], [], [], []
        for index in range(args.repeats):
            bare.append(time_bare(settings))
            before = lab.plot.redraws
            elapsed, after = time_dashboard(lab)
            dashboard.append(elapsed)
            redraws.append(after - before)
            ratios.append(dashboard[-1] / bare[-1])
            if index < args.slow_repeats:
                every.append(time_every(settings))
                every_ratios.append(every[-1] / bare[-1])
                llp.append(time_livelossplot(settings))
                llp_ratios.append(llp[-1] / bare[-1])
        lab.close()
        print(
            f"| {stage} | {_median(bare, 2)} | {_median(dashboard, 2)} | {_median(redraws, 0)} "
            f"| {_median(every, 2)} | {_median(llp, 2)} | {_median(ratios, 2)} "
            f"| {_median(every_ratios, 1)} | {_median(llp_ratios, 1)} |",
            flush=True,
        )


def _median(values, digits):
    """Return the median with ``digits`` decimals, or "-" for a variant that did not run."""
    if not values:
        return "-"
    return f"{statistics.median(values):.{digits}f}"


if __name__ == "__main__":
    main()
