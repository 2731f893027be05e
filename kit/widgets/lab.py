"""The whole dashboard as one widget: pick a stage and bugs, run, watch, read the diagnosis."""

import collections
import logging
import threading

import ipywidgets as widgets
import traitlets

from kit.bugs import get_bug
from kit.i18n import KitError, get_language, normalize_language, tr
from kit.program import build_program
from kit.runner import FINISHED, NONFINITE, RAISED, STOPPED, RunResult, run, run_program
from kit.settings import Settings
from kit.widgets.base import Part, WorkerRun, guarded
from kit.widgets.code import CodeView
from kit.widgets.form import HyperParameters
from kit.widgets.panel import DiagnosisPanel
from kit.widgets.pickers import BugPicker, StagePicker, validate_stage
from kit.widgets.plot import LossPlot
from kit.widgets.presets import LECTURE

log = logging.getLogger("kit.widgets")

SETTING_NAMES = ("learning_rate", "iterations", "seed", "optimizer", "N", "D_in", "H", "D_out")
# Correct runs kept as faint references under buggy runs (least recently used dropped).
MAX_REFERENCES = 32
# How long a change of stage or bugs waits for the current run to end.
STOP_TIMEOUT = 5.0

IDLE = "idle"
RUNNING = "running"
REFERENCE = "reference"
FAILED = "failed"


class Lab(WorkerRun, Part):
    """The dashboard: stage picker, bug toggles, hyper-parameters, Run/Stop/Reset,
    code view, live loss plot and diagnosis, in Chinese or English.

    Parameters
    ----------
    stage : str
        Stage id, one of ``kit.STAGE_IDS``.
    bugs : str or sequence of str
        Bug id or ids to inject; each must apply to ``stage``.
    lang : str, optional
        ``"zh-CN"`` or ``"en"``; default from ``KIT_LANG`` or the locale.
    **settings
        Any of ``learning_rate, iterations, seed, optimizer, N, D_in, H, D_out``.

    Runs execute in a worker thread, so the kernel keeps handling widget
    messages (Stop, the language switch) while a run trains.

    Raises
    ------
    kit.i18n.KitError
        A ``ValueError`` in ``lang`` if a setting is invalid.
    """

    stage = traitlets.Unicode("numpy", help="Id of the chosen stage.")
    bugs = traitlets.Tuple(help="Ids of the injected bugs.")
    learning_rate = traitlets.Float(None, allow_none=True, help="Learning rate; None: default.")
    iterations = traitlets.Int(500, help="Number of training iterations.")
    seed = traitlets.Int(0, help="Seed of the data and initial weights.")
    optimizer = traitlets.Unicode(None, allow_none=True, help="Optimizer; None: stage default.")
    N = traitlets.Int(64, help="Batch size.")
    D_in = traitlets.Int(1000, help="Input dimension.")
    H = traitlets.Int(100, help="Hidden dimension.")
    D_out = traitlets.Int(10, help="Output dimension.")
    running = traitlets.Bool(False, help="True while a run (or its reference run) trains.")
    status = traitlets.Unicode(IDLE, help="idle, running, reference, or how the last run ended.")
    message = traitlets.Unicode("", help="Why the current settings are invalid, in lang; or empty.")
    result = traitlets.Instance(RunResult, allow_none=True, help="The last finished run.")

    # set in __init__; class defaults keep close() safe when __init__ raised early
    parts = ()
    _thread = None
    _stop_event = threading.Event()

    def __init__(self, stage="numpy", bugs=(), lang=None, **settings):
        unknown = sorted(set(settings) - set(SETTING_NAMES))
        if unknown:
            raise TypeError(f"Lab() got unknown settings {unknown}; valid: {list(SETTING_NAMES)}")
        if isinstance(bugs, str):
            bugs = (bugs,)
        language = normalize_language(lang) if lang else get_language()
        try:
            Settings.create(stage, bugs, **settings)
        except KitError as exc:
            # the same check as Run, raised in the dashboard's language
            raise KitError(exc.key, language, **exc.fields) from None
        super().__init__(lang=language)
        self._kit_error = None
        self._thread = None
        self._stop_event = threading.Event()
        self._start_lock = threading.Lock()
        self._references = collections.OrderedDict()
        self._applying_step = False

        self.stage = stage
        self.bugs = tuple(bugs)
        for name, value in settings.items():
            setattr(self, name, value)
        self._build(lang)
        self._link()
        self.relabel()
        self.refresh()

    # -- construction ---------------------------------------------------

    def _build(self, lang):
        lang = self.lang
        self.stage_picker = StagePicker(stage=self.stage, lang=lang)
        self.bug_picker = BugPicker(stage=self.stage, bugs=self.bugs, lang=lang)
        self.form = HyperParameters(
            lang=lang, stage=self.stage, **{name: getattr(self, name) for name in SETTING_NAMES}
        )
        self.plot = LossPlot(lang=lang)
        self.code_view = CodeView(lang=lang)
        self.diagnosis = DiagnosisPanel(lang=lang)
        self.parts = (
            self.stage_picker,
            self.bug_picker,
            self.form,
            self.plot,
            self.code_view,
            self.diagnosis,
        )

        self.title = widgets.HTML()
        self.language_switch = widgets.ToggleButtons(
            options=[("中文", "zh-CN"), ("English", "en")], value=self.lang
        )
        self.language_switch.style.button_width = "auto"
        self.language_switch.add_class("kit-language")
        self.step_menu = widgets.Dropdown(value=None, layout=widgets.Layout(width="34em"))
        self.next_button = widgets.Button(layout=widgets.Layout(width="auto"))
        self.run_button = widgets.Button(button_style="success", icon="play")
        self.stop_button = widgets.Button(button_style="danger", icon="stop", disabled=True)
        self.reset_button = widgets.Button(icon="undo")
        for button, name in (
            (self.run_button, "run"),
            (self.stop_button, "stop"),
            (self.reset_button, "reset"),
            (self.next_button, "next"),
        ):
            button.add_class(f"kit-{name}")
        self.status_view = widgets.HTML()
        self.status_view.add_class("kit-status")

        header = widgets.HBox(
            [self.title, self.step_menu, self.next_button, self.language_switch],
            layout=widgets.Layout(
                justify_content="space-between", align_items="center", flex_flow="row wrap"
            ),
        )
        buttons = widgets.HBox([self.run_button, self.stop_button, self.reset_button])
        controls = widgets.VBox(
            [self.bug_picker, self.form, buttons, self.status_view],
            layout=widgets.Layout(width="36em", margin="0 12px 0 0"),
        )
        top = widgets.HBox([controls, self.plot], layout=widgets.Layout(flex_flow="row wrap"))
        bottom = widgets.HBox(
            [self.code_view, self.diagnosis], layout=widgets.Layout(flex_flow="row wrap")
        )
        self.code_view.layout = widgets.Layout(flex="3 1 40em", margin="0 12px 0 0")
        self.diagnosis.layout = widgets.Layout(flex="2 1 24em")
        self.children = [header, self.stage_picker, top, bottom, self.error_view]
        self.add_class("kit-lab")

    def _link(self):
        for part in self.parts:
            traitlets.dlink((self, "lang"), (part, "lang"))
        widgets.link((self, "lang"), (self.language_switch, "value"))
        widgets.link((self, "stage"), (self.stage_picker, "stage"))
        traitlets.dlink((self, "stage"), (self.bug_picker, "stage"))
        traitlets.dlink((self, "stage"), (self.form, "stage"))
        widgets.link((self, "bugs"), (self.bug_picker, "bugs"))
        for name in SETTING_NAMES:
            widgets.link((self, name), (self.form, name))

        self.observe(self._on_stage, names="stage")
        self.observe(self._on_bugs, names="bugs")
        self.observe(self._on_setting, names=list(SETTING_NAMES))
        self.observe(self._on_running, names="running")
        self.observe(self._on_status, names=["status", "message"])
        self.form.observe(self._on_setting, names="input_message")
        self.run_button.on_click(self._on_run_click)
        self.stop_button.on_click(self._on_stop_click)
        self.reset_button.on_click(self._on_reset_click)
        self.next_button.on_click(self._on_next_click)
        self.step_menu.observe(self._on_step, names="value")

    @traitlets.validate("stage")
    def _validate_stage(self, proposal):
        return validate_stage(proposal["value"])

    # -- public API -----------------------------------------------------

    def settings(self):
        """Return the validated :class:`kit.settings.Settings` of the controls.

        Raises
        ------
        kit.i18n.KitError
            If a value is invalid.
        """
        values = {name: getattr(self, name) for name in SETTING_NAMES}
        return Settings.create(self.stage, self.bugs, **values)

    def run(self):
        """Start a run of the current settings in a worker thread and return at once.

        Returns False, and starts nothing, while a run is in progress or when
        the settings are invalid (``message`` then gives the reason).
        """
        with self._start_lock:
            if self.running:
                log.info("run ignored: a run is already in progress")
                return False
            if self.form.input_message:
                self.message = self.form.input_message
                return False
            try:
                program = build_program(self.settings())
            except KitError as exc:
                self.message = exc.message(self.lang)
                self._kit_error = exc
                return False
            self._stop_event = threading.Event()
            self.running = True
        self.code_view.program = program
        self.code_view.mark_error(None, "")
        self.diagnosis.result = None
        self.status = RUNNING
        self._thread = threading.Thread(
            target=self._work, args=(program, self._stop_event), name="kit-run", daemon=True
        )
        self._thread.start()
        return True

    def reset(self):
        """Stop any run, restore the default settings of the stage, and clear the plot."""
        self._stop_and_wait()
        with self.hold_trait_notifications():
            self.bugs = ()
            for name in SETTING_NAMES:
                setattr(self, name, self.traits()[name].default_value)
        self.result = None
        self.plot.clear()
        self.diagnosis.result = None
        self.status = IDLE
        self.refresh()

    def apply_step(self, index):
        """Set stage, bugs, optimizer and learning rate to step ``index`` of ``LECTURE``."""
        step = LECTURE[index]
        self._stop_and_wait()
        self._applying_step = True
        try:
            self.stage = step.stage
            self.bugs = step.bugs
            self.optimizer = step.optimizer
            self.learning_rate = step.learning_rate
            self.step_menu.value = index
        finally:
            self._applying_step = False
        self.refresh()

    def refresh(self):
        """Validate the settings, show their code, and set ``message``."""
        if self.form.input_message:
            # a box contains text that is not a number: report that before anything else
            self._kit_error = None
            self.message = self.form.input_message
            return
        try:
            settings = self.settings()
            program = build_program(settings)
        except KitError as exc:
            self._kit_error = exc
            self.message = exc.message(self.lang)
            return
        self._kit_error = None
        self.message = ""
        if not self.running:
            self.code_view.program = program
            self.code_view.mark_error(None, "")

    def close(self):
        """Stop any run and close every widget of the dashboard."""
        self._stop_and_wait()
        for part in self.parts:
            part.close()
        super().close()

    # -- the run, in the worker thread ------------------------------------

    def _work(self, program, stop_event):
        settings = program.settings
        try:
            reference = self._reference_for(settings, stop_event)
            if reference is None and settings.bugs and stop_event.is_set():
                self._finish(None, STOPPED)
                return
            self.status = RUNNING
            self.plot.begin(settings, reference)
            log.info("run started: stage %s, bugs %s", settings.stage, list(settings.bugs))
            result = run_program(program, self.plot.add, stop_event.is_set)
            log.info("run ended: %s after %d losses", result.status, len(result.losses))
            if not settings.bugs and result.status in (FINISHED, NONFINITE):
                self._remember(settings, result.losses)
            self.plot.end(result)
            self._finish(result, result.status)
        except Exception as exc:  # noqa: BLE001 -- shown in the page, never lost
            self.report_error(exc, "Lab._work")
            self._finish(None, FAILED)

    def _reference_for(self, settings, stop_event):
        """Return the losses of the correct code with these settings, running it if needed."""
        if not settings.bugs:
            return None
        key = settings.with_changes(bugs=())
        if key in self._references:
            self._references.move_to_end(key)
            return self._references[key]
        self.status = REFERENCE
        self.plot.begin(key)
        result = run(key, self.plot.add, stop_event.is_set)
        if result.status == STOPPED:
            return None
        self._remember(key, result.losses)
        return result.losses

    def _remember(self, settings, losses):
        key = settings.with_changes(bugs=())
        self._references[key] = list(losses)
        self._references.move_to_end(key)
        while len(self._references) > MAX_REFERENCES:
            self._references.popitem(last=False)

    def _finish(self, result, status):
        if result is not None:
            self.result = result
            self.diagnosis.result = result
            if result.status == RAISED and result.error is not None:
                text = f"{result.error.type}: {result.error.message}"
                self.code_view.mark_error(result.error.line, text)
        with self._start_lock:
            self.status = status
            self.running = False

    def _stop_and_wait(self):
        if self.running:
            self.stop()
            if not self.wait(STOP_TIMEOUT):
                log.warning("run did not stop within %.1f s", STOP_TIMEOUT)

    # -- labels -----------------------------------------------------------

    def relabel(self):
        lang = self.lang
        self.title.value = f'<h2 style="margin:4px 0">{tr("dashboard.title", lang)}</h2>'
        self.run_button.description = tr("dashboard.run", lang)
        self.stop_button.description = tr("dashboard.stop", lang)
        self.reset_button.description = tr("dashboard.reset", lang)
        self.next_button.description = tr("dashboard.next_step", lang)
        self.run_button.tooltip = tr("dashboard.run_help", lang)
        self.stop_button.tooltip = tr("dashboard.stop_help", lang)
        self.reset_button.tooltip = tr("dashboard.reset_help", lang)
        self.next_button.tooltip = tr("dashboard.next_step_help", lang)
        self.set_options(
            self.step_menu, [(self._step_label(index), index) for index in range(len(LECTURE))]
        )
        self.step_menu.description = tr("dashboard.lecture_step", lang)
        if self._kit_error is not None:
            self.message = self._kit_error.message(lang)
        self._show_status()

    def _step_label(self, index):
        step = LECTURE[index]
        stage = tr(f"stages.{step.stage}.title", self.lang)
        if not step.bugs:
            return tr("dashboard.step", self.lang, number=index + 1, stage=stage)
        bug = get_bug(step.bugs[0]).text("title", self.lang)
        return tr("dashboard.step_bug", self.lang, number=index + 1, stage=stage, bug=bug)

    def _show_status(self):
        text = tr(f"dashboard.status_{self.status}", self.lang)
        if self.status not in (IDLE, RUNNING, REFERENCE, FAILED) and self.result is not None:
            text = tr(
                "dashboard.status_done",
                self.lang,
                status=text,
                seconds=f"{self.result.seconds:.2f}",
                count=len(self.result.losses),
            )
        color = "#b00020" if self.message else "#57606a"
        message = f" — {self.message}" if self.message else ""
        self.status_view.value = (
            f'<div style="color:{color}" data-status="{self.status}">{text}{message}</div>'
        )
        self.form.message = self.message

    # -- observers ----------------------------------------------------------

    @guarded
    def _on_stage(self, change):
        self._stop_and_wait()
        # the curve of another stage would sit under this stage's title
        self.plot.clear()
        if not self._applying_step:
            with self.hold_trait_notifications():
                self.learning_rate = None
                self.optimizer = None
            self.step_menu.value = None
        self.refresh()

    @guarded
    def _on_bugs(self, change):
        self._stop_and_wait()
        if not self._applying_step:
            self.step_menu.value = None
        self.refresh()

    @guarded
    def _on_setting(self, change):
        self.refresh()

    @guarded
    def _on_running(self, change):
        running = change["new"]
        self.run_button.disabled = running
        self.stop_button.disabled = not running

    @guarded
    def _on_status(self, change):
        self._show_status()

    @guarded
    def _on_run_click(self, button):
        self.run()

    @guarded
    def _on_stop_click(self, button):
        self.stop()

    @guarded
    def _on_reset_click(self, button):
        self.reset()

    @guarded
    def _on_next_click(self, button):
        current = self.step_menu.value
        self.apply_step(0 if current is None else (current + 1) % len(LECTURE))

    @guarded
    def _on_step(self, change):
        if change["new"] is not None and not self._applying_step and not self._relabeling:
            self.apply_step(change["new"])


def show(stage="numpy", bugs=(), lang=None, **settings):
    """Return a ready :class:`Lab` for ``stage`` with ``bugs`` injected; display it in a cell."""
    return Lab(stage=stage, bugs=bugs, lang=lang, **settings)
