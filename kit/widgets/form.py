"""Hyper-parameter form: learning rate on a log scale, iterations, seed, optimizer, sizes."""

import html

import ipywidgets as widgets
import traitlets

from kit.i18n import tr
from kit.stages import OPTIMIZERS, get_stage
from kit.widgets.base import Part, guarded

# Range of the learning-rate slider, as powers of ten.
LOG_LR_MIN = -9
LOG_LR_MAX = 1


def round_learning_rate(value):
    """Round a slider value to two significant digits, so the code shows ``1.3e-06``, not noise."""
    return float(f"{value:.2g}")


class HyperParameters(Part):
    """Controls for the run's hyper-parameters.

    The traits hold what the user entered, valid or not; the dashboard
    validates them all together with ``Settings.create`` and shows the
    message. ``None`` for ``learning_rate`` or ``optimizer`` means the
    stage's default.
    """

    stage = traitlets.Unicode("numpy", help="Stage id, which decides the defaults shown.")
    learning_rate = traitlets.Float(None, allow_none=True, help="Learning rate; None: default.")
    iterations = traitlets.Int(500, help="Number of training iterations.")
    seed = traitlets.Int(0, help="Seed of the data and initial weights.")
    optimizer = traitlets.Unicode(
        None, allow_none=True, help="Optimizer name for the optim and module stages; None: default."
    )
    N = traitlets.Int(64, help="Batch size.")
    D_in = traitlets.Int(1000, help="Input dimension.")
    H = traitlets.Int(100, help="Hidden dimension.")
    D_out = traitlets.Int(10, help="Output dimension.")
    message = traitlets.Unicode(
        "", help="Message about an invalid value, in ``lang``; empty if valid."
    )

    def __init__(self, lang=None, **kwargs):
        super().__init__(lang=lang)
        wide = {"description_width": "9em"}
        self.lr_slider = widgets.FloatLogSlider(
            base=10,
            min=LOG_LR_MIN,
            max=LOG_LR_MAX,
            step=0.1,
            readout_format=".1e",
            style=wide,
            layout=widgets.Layout(width="100%"),
            continuous_update=False,
        )
        self.iterations_box = widgets.IntText(style=wide, layout=widgets.Layout(width="16em"))
        self.seed_box = widgets.IntText(style=wide, layout=widgets.Layout(width="16em"))
        self.optimizer_menu = widgets.Dropdown(
            options=list(OPTIMIZERS), style=wide, layout=widgets.Layout(width="16em")
        )
        self.size_boxes = {
            name: widgets.IntText(style=wide, layout=widgets.Layout(width="16em"))
            for name in ("N", "D_in", "H", "D_out")
        }
        self.advanced = widgets.Accordion(children=[widgets.VBox(list(self.size_boxes.values()))])
        self.advanced.selected_index = None
        self.message_view = widgets.HTML()
        self.message_view.add_class("kit-message")
        self.children = [
            self.lr_slider,
            self.iterations_box,
            self.seed_box,
            self.optimizer_menu,
            self.advanced,
            self.message_view,
            self.error_view,
        ]
        for name, value in kwargs.items():
            setattr(self, name, value)

        widgets.link((self, "iterations"), (self.iterations_box, "value"))
        widgets.link((self, "seed"), (self.seed_box, "value"))
        for name, box in self.size_boxes.items():
            widgets.link((self, name), (box, "value"))
        self._showing_default = False
        self.lr_slider.observe(self._on_slider, names="value")
        self.optimizer_menu.observe(self._on_menu, names="value")
        self.observe(self._on_defaults, names=["stage", "learning_rate", "optimizer"])
        self.observe(self._on_message, names="message")
        self._show_defaults()
        self.relabel()

    @traitlets.validate("stage")
    def _validate_stage(self, proposal):
        from kit.widgets.pickers import validate_stage

        return validate_stage(proposal["value"])

    def relabel(self):
        lang = self.lang
        self.lr_slider.description = tr("dashboard.learning_rate", lang)
        self.lr_slider.tooltip = tr("dashboard.learning_rate_help", lang)
        self.iterations_box.description = tr("dashboard.iterations", lang)
        self.seed_box.description = tr("dashboard.seed", lang)
        self.optimizer_menu.description = tr("dashboard.optimizer", lang)
        for name, box in self.size_boxes.items():
            box.description = name
            box.tooltip = tr(f"dashboard.size_{name}", lang)
        self.advanced.set_title(0, tr("dashboard.advanced", lang))

    def _show_defaults(self):
        """Show the effective learning rate and optimizer without making them explicit."""
        stage = get_stage(self.stage)
        optimizer = self.optimizer if stage.selectable_optimizer and self.optimizer else None
        optimizer = optimizer or stage.default_optimizer
        rate = self.learning_rate
        if rate is None:
            rate = stage.default_learning_rate(optimizer)
        self._showing_default = True
        try:
            with self.lr_slider.hold_sync():
                self.lr_slider.value = rate
            if optimizer is not None:
                self.optimizer_menu.value = optimizer
        finally:
            self._showing_default = False
        self.optimizer_menu.layout.display = None if stage.selectable_optimizer else "none"

    @guarded
    def _on_defaults(self, change):
        self._show_defaults()

    @guarded
    def _on_slider(self, change):
        if not self._showing_default:
            self.learning_rate = round_learning_rate(change["new"])

    @guarded
    def _on_menu(self, change):
        if not self._showing_default:
            self.optimizer = change["new"]

    @guarded
    def _on_message(self, change):
        text = change["new"]
        self.message_view.value = (
            f'<div style="color:#b00020;font-weight:bold">{html.escape(text)}</div>' if text else ""
        )
