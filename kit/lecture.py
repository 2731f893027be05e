"""Helpers for the lecture notebooks: "five ways, one curve" and the notebooks' run size.

The numpy, tensor, autograd, function and nn stages compute the same
network from the same data, initial weights and learning rate. Run in
float64, their loss trajectories agree to rounding error: the five codes
differ in who computes the gradient, not in what is computed.
"""

import io
import os
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from kit.fonts import font_families, plot_language
from kit.i18n import KitError, get_language, tr
from kit.runner import FINISHED, run
from kit.settings import Settings

FIVE_WAYS = ("numpy", "tensor", "autograd", "function", "nn")
ITERATIONS_VARIABLE = "KIT_LECTURE_ITERATIONS"


def lecture_iterations(default=500):
    """Return the iteration count the lecture notebooks use.

    ``KIT_LECTURE_ITERATIONS`` overrides ``default``, so a test can execute
    the notebooks with short runs.
    """
    text = os.environ.get(ITERATIONS_VARIABLE)
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise KitError("errors.int_at_least", name=ITERATIONS_VARIABLE, value=text, low=1) from None
    if value < 1:
        raise KitError("errors.int_at_least", name=ITERATIONS_VARIABLE, value=text, low=1)
    return value


@dataclass
class StageComparison:
    """Loss trajectories of several stages run with the same settings.

    Attributes
    ----------
    losses : dict
        ``{stage id: list of float}``, in the order the stages were given.
    max_relative_difference : float
        The largest ``|loss_s[i] - loss_0[i]| / |loss_0[i]|`` over every stage
        ``s`` and iteration ``i``, where stage 0 is the first stage given.
    settings : dict
        The settings every stage ran with.
    """

    losses: dict
    max_relative_difference: float
    settings: dict

    def summary(self, lang=None):
        """Return one Markdown sentence: how many stages, iterations, and the largest difference."""
        names = tr("lecture.list_separator", lang).join(f"`{stage}`" for stage in self.losses)
        count = min(len(values) for values in self.losses.values())
        return tr(
            "lecture.five_ways_summary",
            lang,
            stages=names,
            count=count,
            difference=f"{self.max_relative_difference:.1e}",
        )


def compare_stages(stages=FIVE_WAYS, dtype="float64", **settings):
    """Run ``stages`` with identical settings and compare their loss trajectories.

    Parameters
    ----------
    stages : sequence of str
        Stage ids; the first is the one the others are compared with.
    dtype : str
        ``"float64"`` makes the agreement a matter of rounding only.
    **settings
        Passed to :meth:`kit.settings.Settings.create` for every stage
        (``iterations``, ``seed``, sizes, ``learning_rate``). ``iterations``
        defaults to :func:`lecture_iterations`.

    Raises
    ------
    kit.i18n.KitError
        If a setting is invalid for one of the stages.
    RuntimeError
        If a stage does not finish, which only a broken stage file can cause.
    """
    if not stages:
        raise KitError("errors.unknown_stage", value="", choices=", ".join(FIVE_WAYS))
    settings.setdefault("iterations", lecture_iterations())
    losses = {}
    for stage in stages:
        result = run(Settings.create(stage, dtype=dtype, **settings))
        if result.status != FINISHED:
            raise RuntimeError(f"stage {stage} ended with status {result.status}")
        losses[stage] = result.losses
    base = np.asarray(losses[stages[0]], dtype=np.float64)
    worst = 0.0
    for values in losses.values():
        other = np.asarray(values, dtype=np.float64)
        count = min(len(base), len(other))
        difference = np.abs(other[:count] - base[:count]) / np.abs(base[:count])
        worst = max(worst, float(difference.max(initial=0.0)))
    return StageComparison(losses, worst, {"dtype": dtype, **settings})


def plot_comparison(comparison, lang=None, width=7.0, height=3.4):
    """Draw each stage's loss curve on one log-scale figure and return the figure.

    Each later stage is drawn thinner and dashed over the first, so agreeing
    curves show as one line.
    """
    lang = plot_language(lang or get_language())
    figure = Figure(figsize=(width, height), layout="constrained")
    axes = figure.add_subplot()
    families = font_families(lang)
    styles = ("-", "--", "-.", ":", (0, (5, 2)))
    for index, (stage, values) in enumerate(comparison.losses.items()):
        axes.plot(
            range(len(values)),
            values,
            linestyle=styles[index % len(styles)],
            linewidth=3.0 - 0.45 * index,
            label=tr(f"stages.{stage}.title", lang),
        )
    axes.set_yscale("log")
    axes.set_xlabel(tr("plot.iteration", lang), fontfamily=families)
    axes.set_ylabel(tr("plot.loss", lang), fontfamily=families)
    title = tr(
        "lecture.five_ways_title",
        lang,
        difference=f"{comparison.max_relative_difference:.1e}",
    )
    axes.set_title(title, loc="left", fontsize=11, fontfamily=families)
    legend = axes.legend(fontsize=9)
    for text in legend.get_texts():
        text.set_fontfamily(families)
    axes.grid(True, alpha=0.3)
    return figure


def figure_image(figure, dpi=96):
    """Return ``figure`` as an ``IPython.display.Image`` (PNG), which any front end shows.

    A bare matplotlib ``Figure`` displays only under the inline backend; the
    PNG also shows under ipympl, in Voila and in a notebook run by nbclient.
    """
    from IPython.display import Image

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return Image(data=buffer.getvalue(), format="png")
