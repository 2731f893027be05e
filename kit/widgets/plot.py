"""Live loss plot: one ipympl figure per widget, updated in place and throttled."""

import math
import threading
import time

import ipywidgets as widgets
import numpy as np
import traitlets
from ipympl.backend_nbagg import Canvas, FigureManager
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from kit.fonts import font_families, plot_language
from kit.i18n import tr
from kit.runner import NONFINITE, RAISED, STOPPED
from kit.widgets.base import Part, guarded


class LiveCanvas(Canvas):
    """An ipympl canvas that records whether a browser has displayed it.

    ipympl 0.10.0 keeps the first image without its ``data:image/png;base64,``
    prefix if the figure is drawn before the front end sent its
    ``initialized`` message, and the plot then stays blank. The front end
    sends that message when it creates the canvas model, before its first
    ``refresh``; :class:`LossPlot` draws only once ``displayed`` is True.
    """

    displayed = traitlets.Bool(
        False, help="True once a front end sent the canvas its 'initialized' message."
    )

    def __init__(self, figure, lock, **kwargs):
        self._figure_lock = lock
        super().__init__(figure, **kwargs)

    def _handle_message(self, object, content, buffers):
        # front-end requests (refresh, draw, resize) draw the figure, which the
        # worker thread may be drawing too
        with self._figure_lock:
            super()._handle_message(object, content, buffers)
        if content.get("type") == "initialized":
            self.displayed = True


class LossPlot(Part):
    """Loss against iteration, drawn live while a run trains.

    Feed it with :meth:`begin`, :meth:`add` (safe to call from a worker
    thread, once per iteration) and :meth:`end`. Redraws are throttled to
    ``max_redraws_per_second`` and to ``draw_budget`` of the run's wall time,
    and long runs are decimated to ``max_points`` points per line.
    """

    log_scale = traitlets.Bool(True, help="Log-scale y axis; False gives a linear axis.")
    max_redraws_per_second = traitlets.Float(10.0, help="Upper bound on redraws during a run.")
    draw_budget = traitlets.Float(
        0.2,
        help="Largest fraction of a run's expected wall time spent drawing, final draw included.",
    )
    max_points = traitlets.Int(1000, help="Points drawn per line; longer runs are decimated.")
    redraws = traitlets.Int(0, help="Number of figure draws sent to the front end so far.")

    @traitlets.validate("max_redraws_per_second", "draw_budget")
    def _validate_positive(self, proposal):
        if not proposal["value"] > 0:
            raise traitlets.TraitError(f"{proposal['trait'].name} must be greater than 0")
        return proposal["value"]

    @traitlets.validate("max_points")
    def _validate_max_points(self, proposal):
        if proposal["value"] < 2:
            raise traitlets.TraitError("max_points must be at least 2")
        return proposal["value"]

    def __init__(self, lang=None, width=7.0, height=3.4, dpi=96, **kwargs):
        super().__init__(lang=lang, **kwargs)
        self._lock = threading.RLock()
        self._settings = None
        self._iterations = []
        self._losses = []
        self._reference = None
        self._result = None
        self._start = 0.0
        self._last_draw = -math.inf
        self._draw_seconds = 0.0
        # cost of the last draw; the first run starts from an estimate (a draw of
        # this figure measured 30-35 ms on a 2-core machine)
        self._last_cost = 0.03

        self.figure = Figure(figsize=(width, height), dpi=dpi)
        self.figure.subplots_adjust(left=0.11, right=0.98, top=0.9, bottom=0.15)
        self.canvas = LiveCanvas(self.figure, self._lock)
        self.manager = FigureManager(self.canvas, 0)
        self.canvas.header_visible = False
        self.canvas.footer_visible = False
        self.canvas.toolbar_visible = False
        self.canvas.resizable = False

        self.axes = self.figure.add_subplot()
        (self.reference_line,) = self.axes.plot(
            [], [], color="0.55", linewidth=1.5, linestyle="--", alpha=0.6, zorder=1
        )
        (self.line,) = self.axes.plot([], [], color="C0", linewidth=2.0, zorder=2)
        edge = blended_transform_factory(self.axes.transData, self.axes.transAxes)
        (self.nonfinite_mark,) = self.axes.plot(
            [],
            [],
            marker="X",
            markersize=12,
            color="#c62828",
            linestyle="none",
            transform=edge,
            clip_on=False,
            zorder=3,
        )
        # progress above the axes, right of the title, so it never covers a curve
        self.corner_text = self.axes.text(
            1.0, 1.02, "", transform=self.axes.transAxes, ha="right", va="bottom", fontsize=9
        )
        self.message_text = self.axes.text(
            0.5,
            0.5,
            "",
            transform=self.axes.transAxes,
            ha="center",
            va="center",
            color="#b00020",
            fontsize=10,
            wrap=True,
            bbox={"facecolor": "white", "edgecolor": "#b00020", "alpha": 0.9},
        )
        self.axes.grid(True, which="major", alpha=0.3)
        self.scale_switch = widgets.ToggleButtons(options=[("log", True), ("linear", False)])
        self.scale_switch.style.button_width = "auto"
        self.bind_selection(self.scale_switch, "log_scale")
        self.observe(self._on_scale, names="log_scale")
        self.canvas.observe(self._on_displayed, names="displayed")

        self.children = [self.canvas, self.scale_switch, self.error_view]
        self._apply_scale()
        self.relabel()

    # -- run feed -------------------------------------------------------

    def begin(self, settings=None, reference=None):
        """Clear the plot for a new run of ``settings``.

        ``reference`` is the loss list of the correct code with the same
        settings, drawn faintly underneath, or None.
        """
        with self._lock:
            self._settings = settings
            self._iterations = []
            self._losses = []
            self.corner_text.set_text("")
            self._reference = list(reference) if reference else None
            self._result = None
            self._start = time.perf_counter()
            self._last_draw = self._start
            self._draw_seconds = 0.0
            self.line.set_data([], [])
            self.nonfinite_mark.set_data([], [])
            self.message_text.set_text("")
            self.message_text.set_visible(False)
            self._set_reference_data()
            self._label_texts()
            # Only the artists change here: a draw now would cost as much as a
            # frame of the run, and the run's first frame follows shortly.
            self._set_line_data()

    def add(self, iteration, loss):
        """Record one loss and redraw if the throttle allows it."""
        self._iterations.append(iteration)
        self._losses.append(loss)
        if not self.canvas.displayed:
            return  # nothing shows it yet; the first display draws all points
        now = time.perf_counter()
        if now - self._last_draw < 1.0 / self.max_redraws_per_second:
            return
        elapsed = now - self._start
        # Budget against the run's expected length, estimated from the share of
        # iterations done, and keep room for this draw and the final one in end().
        total = self._settings.iterations if self._settings is not None else 0
        expected = elapsed * total / (iteration + 1) if total > iteration >= 0 else elapsed
        budget = self.draw_budget * max(elapsed, expected)
        if self._draw_seconds + 2 * self._last_cost > budget:
            return
        self.redraw()

    def end(self, result):
        """Draw the final state of a :class:`kit.runner.RunResult`."""
        with self._lock:
            self._result = result
            if not self._losses and result.losses:
                self._losses = list(result.losses)
                self._iterations = list(range(len(result.losses)))
            self._label_texts()
        self.redraw()

    def clear(self):
        """Remove every line and message, and draw the empty plot."""
        self.begin()
        self.redraw()

    @property
    def losses(self):
        """The losses of the current run received so far."""
        return list(self._losses)

    # -- drawing --------------------------------------------------------

    def mark_displayed(self):
        """Treat the canvas as displayed without a browser (benchmarks, static export).

        Does what ipympl does on the front end's ``initialized`` message: the
        canvas stops storing every frame as a PNG data URL.
        """
        self.canvas.syncing_data_url = False
        self.canvas.displayed = True

    def redraw(self):
        """Update the lines in place and, once the browser shows the canvas, draw."""
        with self._lock:
            self._set_line_data()
            if not self.canvas.displayed:
                return
            start = time.perf_counter()
            self.canvas.draw()
            end = time.perf_counter()
            self._last_cost = end - start
            self._draw_seconds += self._last_cost
            self._last_draw = end
        self.redraws += 1

    def _decimate(self, xs, ys):
        count = len(xs)
        if count <= self.max_points:
            return np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
        stride = math.ceil(count / self.max_points)
        index = np.arange(0, count, stride)
        if index[-1] != count - 1:
            index = np.append(index, count - 1)
        return np.asarray(xs, dtype=float)[index], np.asarray(ys, dtype=float)[index]

    def _set_line_data(self):
        count = min(len(self._iterations), len(self._losses))
        xs, ys = self._decimate(self._iterations[:count], self._losses[:count])
        finite = np.isfinite(ys)
        self.line.set_data(xs[finite], ys[finite])
        # a lone point or the last point of a run that raised gets a dot, else it is invisible
        drawn = int(finite.sum())
        raised = self._result is not None and self._result.status == RAISED
        if drawn and (raised or drawn == 1):
            self.line.set_marker("o")
            self.line.set_markevery([drawn - 1])
        else:
            self.line.set_marker("")
        nonfinite = self._result is not None and self._result.status == NONFINITE
        if nonfinite and count:
            # just inside the top edge, below the title
            self.nonfinite_mark.set_data([self._iterations[count - 1]], [0.96])
        if count:
            self.corner_text.set_text(
                tr(
                    "plot.progress",
                    self._plot_lang,
                    iteration=self._iterations[count - 1],
                    loss=_format_loss(self._losses[count - 1]),
                )
            )
        self._rescale(xs[finite], ys[finite])

    def _set_reference_data(self):
        if self._reference:
            xs, ys = self._decimate(list(range(len(self._reference))), self._reference)
            finite = np.isfinite(ys)
            self.reference_line.set_data(xs[finite], ys[finite])
        else:
            self.reference_line.set_data([], [])

    def _rescale(self, xs, ys):
        values = [ys]
        xmax = xs[-1] if len(xs) else 1
        if self._reference:
            ref_x, ref_y = self.reference_line.get_data()
            values.append(np.asarray(ref_y, dtype=float))
            if len(ref_x):
                xmax = max(xmax, ref_x[-1])
        if self._settings is not None:
            xmax = max(xmax, self._settings.iterations - 1)
        self.axes.set_xlim(0, max(xmax, 1))
        data = np.concatenate(values) if values else np.array([])
        if self.log_scale:
            data = data[data > 0]
        if not len(data):
            self.axes.set_ylim(*((1e-1, 1e1) if self.log_scale else (0, 1)))
            return
        low, high = float(data.min()), float(data.max())
        if self.log_scale:
            self.axes.set_ylim(low / 2, high * 2)
        else:
            pad = (high - low) * 0.05 or abs(high) * 0.05 or 1.0
            self.axes.set_ylim(low - pad, high + pad)

    def _apply_scale(self):
        self.axes.set_yscale("log" if self.log_scale else "linear")

    @property
    def _plot_lang(self):
        return plot_language(self.lang)

    def _label_texts(self):
        lang = self._plot_lang
        settings = self._settings
        self.axes.set_xlabel(tr("plot.iteration", lang))
        self.axes.set_ylabel(tr("plot.loss", lang))
        title = tr(f"stages.{settings.stage}.title", lang) if settings else ""
        title_text = self.axes.set_title(title, loc="left", fontsize=11)
        run_label = tr("plot.run_buggy" if settings and settings.bugs else "plot.run", lang)
        self.line.set_label(run_label)
        self.reference_line.set_label(tr("plot.reference", lang))
        handles = [self.line] + ([self.reference_line] if self._reference else [])
        # "best" avoids the lines: a flat buggy run sits where a falling one leaves space
        legend = self.axes.legend(handles=handles, loc="best", fontsize=9)
        result = self._result
        message = ""
        if result is not None and result.status == RAISED and result.error is not None:
            message = tr(
                "plot.raised", lang, type=result.error.type, message=_shorten(result.error.message)
            )
        elif result is not None and result.status == NONFINITE:
            message = tr("plot.nonfinite", lang)
        elif result is not None and result.status == STOPPED:
            message = tr("plot.stopped", lang)
        elif settings is None:
            message = tr("plot.empty", lang)
        self.message_text.set_text(message)
        self.message_text.set_visible(bool(message))
        self.message_text.set_color("#555555" if settings is None else "#b00020")
        families = font_families(lang)
        texts = [
            self.axes.xaxis.label,
            self.axes.yaxis.label,
            title_text,
            self.corner_text,
            self.message_text,
        ]
        texts += legend.get_texts()
        for text in texts:
            text.set_fontfamily(families)

    # -- observers ------------------------------------------------------

    def relabel(self):
        self.set_options(
            self.scale_switch,
            [(tr("plot.scale_log", self.lang), True), (tr("plot.scale_linear", self.lang), False)],
        )
        with self._lock:
            self._label_texts()
        self.redraw()

    @guarded
    def _on_scale(self, change):
        with self._lock:
            self._apply_scale()
        self.redraw()

    @guarded
    def _on_displayed(self, change):
        if change["new"]:
            self.redraw()

    def close(self):
        """Close the canvas, its toolbar and this widget."""
        toolbar = self.manager.toolbar
        self.canvas.close()
        if toolbar is not None:
            toolbar.close()
        self.scale_switch.close()
        self.error_view.close()
        super().close()


def _format_loss(value):
    return f"{value:.4g}" if math.isfinite(value) else str(value)


def _shorten(text, limit=120):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
