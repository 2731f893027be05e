"""Hyper-parameter form: learning rate on a log scale, iterations, seed, optimizer, sizes."""

import html
import math

import ipywidgets as widgets
import traitlets

from kit.i18n import tr
from kit.settings import MAX_ITERATIONS, MAX_SEED
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

    input_message = traitlets.Unicode(
        "", help="Message about a box whose text is not a valid number, in ``lang``; or empty."
    )

    def __init__(self, lang=None, **kwargs):
        super().__init__(lang=lang)
        wide = {"description_width": "9em"}
        self.lr_slider = widgets.FloatLogSlider(
            base=10,
            min=LOG_LR_MIN,
            max=LOG_LR_MAX,
            step=0.1,
            readout=False,
            style=wide,
            layout=widgets.Layout(flex="1 1 auto"),
            continuous_update=False,
        )
        # the exact value, typed or shown; the slider only covers LOG_LR_MIN..LOG_LR_MAX
        self.lr_text = widgets.Text(continuous_update=False, layout=widgets.Layout(width="7em"))
        self.lr_text.add_class("kit-lr-text")
        self.iterations_box = _number_box(wide)
        self.seed_box = _number_box(wide)
        self.optimizer_menu = widgets.Dropdown(
            options=list(OPTIMIZERS), style=wide, layout=widgets.Layout(width="16em")
        )
        self.size_boxes = {name: _number_box(wide) for name in ("N", "D_in", "H", "D_out")}
        self.number_boxes = {"iterations": self.iterations_box, "seed": self.seed_box}
        self.number_boxes.update(self.size_boxes)
        self.advanced = widgets.Accordion(children=[widgets.VBox(list(self.size_boxes.values()))])
        self.advanced.selected_index = None
        self.message_view = widgets.HTML()
        self.message_view.add_class("kit-message")
        self.children = [
            widgets.HBox([self.lr_slider, self.lr_text], layout=widgets.Layout(width="100%")),
            self.iterations_box,
            self.seed_box,
            self.optimizer_menu,
            self.advanced,
            self.message_view,
            self.error_view,
        ]
        for name, value in kwargs.items():
            setattr(self, name, value)

        # text that does not parse, per box: (message key, fields)
        self._input_errors = {}
        for name, box in self.number_boxes.items():
            box.value = str(getattr(self, name))
            box.observe(self._on_number_text, names="value")
        self.observe(self._on_number_trait, names=list(self.number_boxes))
        self._showing_default = False
        self.lr_slider.observe(self._on_slider, names="value")
        self.lr_text.observe(self._on_lr_text, names="value")
        self.optimizer_menu.observe(self._on_menu, names="value")
        self.observe(self._on_defaults, names=["stage", "learning_rate", "optimizer"])
        self.observe(self._on_message, names=["message", "input_message"])
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
        self._show_input_errors()

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
            self.lr_text.value = f"{rate:g}"
            self._input_errors.pop("learning_rate", None)
            self._show_input_errors()
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
    def _on_lr_text(self, change):
        if self._showing_default:
            return
        text = change["new"].strip()
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value <= 0:
            self._input_errors["learning_rate"] = ("errors.bad_learning_rate", {"value": text})
            self._show_input_errors()
            return
        self._input_errors.pop("learning_rate", None)
        self._show_input_errors()
        self.learning_rate = value

    @guarded
    def _on_number_text(self, change):
        name = next(key for key, box in self.number_boxes.items() if box is change["owner"])
        text = change["new"].strip()
        try:
            value = int(text)
        except ValueError:
            self._input_errors[name] = _integer_error(name, text)
            self._show_input_errors()
            return
        self._input_errors.pop(name, None)
        self._show_input_errors()
        setattr(self, name, value)

    @guarded
    def _on_number_trait(self, change):
        box = self.number_boxes[change["name"]]
        if box.value.strip() != str(change["new"]):
            box.value = str(change["new"])

    def _show_input_errors(self):
        messages = [tr(key, self.lang, **fields) for key, fields in self._input_errors.values()]
        self.input_message = " ".join(messages)

    @guarded
    def _on_menu(self, change):
        if not self._showing_default:
            self.optimizer = change["new"]

    @guarded
    def _on_message(self, change):
        text = self.input_message or self.message
        self.message_view.value = (
            f'<div style="color:#b00020;font-weight:bold">{html.escape(text)}</div>' if text else ""
        )


def _number_box(style):
    """Return a text box for a whole number; the form parses it and explains bad text."""
    return widgets.Text(continuous_update=False, style=style, layout=widgets.Layout(width="16em"))


def _integer_error(name, text):
    """Return the message key and fields for ``text`` that is not a whole number."""
    if name == "iterations":
        return "errors.int_range", {"name": name, "value": text, "low": 1, "high": MAX_ITERATIONS}
    if name == "seed":
        return "errors.int_range", {"name": name, "value": text, "low": 0, "high": MAX_SEED}
    return "errors.int_at_least", {"name": name, "value": text, "low": 1}
