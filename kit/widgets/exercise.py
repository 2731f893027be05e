"""Exercise widget: hidden-bug code, live loss, a diagnosis to pick and a fix to submit.

The logic lives in :mod:`kit.exercises`; this module only lays it out. The
code is shown without any diff marking, so the student has to find the bug.
Runs started by the buttons execute in a worker thread, so Stop and the
other widgets keep working meanwhile. Submitted code runs in the kernel that
displays the widget: a student's own notebook kernel. For that reason the
code editor is off under Voila unless the environment variable
``KIT_EXERCISE_EDITING=1`` is set in the environment Voila starts from
(``kit serve`` has no option for it).
"""

import html
import os
import threading

import ipywidgets as widgets
import traitlets
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from kit.bugs import get_bug
from kit.diagnosis import classify
from kit.exercises import HINT_AFTER, ExerciseSession, ExerciseSpec, reference_run
from kit.i18n import tr
from kit.runner import run_program
from kit.widgets.base import Part, WorkerRun, guarded, inline_html, markdown_html, plain_text
from kit.widgets.plot import LossPlot

# Variables a Voila kernel has in its environment (voila 0.5.13, voila/handler.py).
_VOILA_VARIABLES = ("VOILA_REQUEST_URL", "VOILA_BASE_URL", "VOILA_SERVER_URL", "VOILA_PREHEAT")
EDITING_VARIABLE = "KIT_EXERCISE_EDITING"


def running_in_voila():
    """Return whether this kernel was started by Voila."""
    return any(name in os.environ for name in _VOILA_VARIABLES)


def editing_permitted():
    """Return whether a code editor may be shown in this kernel.

    Always in a notebook; under Voila only when ``KIT_EXERCISE_EDITING=1``.
    """
    return not running_in_voila() or os.environ.get(EDITING_VARIABLE) == "1"


def _code_html(source):
    formatter = HtmlFormatter(noclasses=True, linenos="inline", nobackground=True)
    body = highlight(source, PythonLexer(), formatter)
    return (
        '<div class="kit-exercise-code" style="max-height:480px;overflow:auto;'
        'border:1px solid #d0d7de;padding:4px 8px;font-size:12.5px;line-height:1.45">'
        f"{body}</div>"
    )


class Exercise(WorkerRun, Part):
    """One debugging exercise for a student.

    Parameters
    ----------
    token : str, optional
        A token from :func:`kit.exercises.make_token`; hides the bug id.
    stage, bug : str, optional
        The exercise in plain sight, for a teacher trying it out.
    seed : int, optional
        Picks the exercise when neither a token nor a stage and bug is given,
        and orders the diagnosis choices.
    lang : str, optional
        ``"zh-CN"`` or ``"en"``; default from :func:`kit.i18n.get_language`.
    allow_editing : bool
        Show the code editor. It stays off under Voila unless
        ``KIT_EXERCISE_EDITING=1``, whatever this argument is.
    hint_after : int
        Failed tries after which the catalogue's hint is shown.
    student : str
        Name or id written into the progress file.
    **settings
        Passed to :meth:`kit.settings.Settings.create` (``iterations``, sizes).
    """

    allow_editing = traitlets.Bool(
        True, read_only=True, help="Whether the code editor and its Submit button are shown."
    )
    running = traitlets.Bool(
        False, read_only=True, help="True while the buggy code or a submitted fix runs."
    )
    passed = traitlets.Bool(False, read_only=True, help="True once diagnosis and fix are right.")
    diagnosis_feedback = traitlets.Unicode(
        "", read_only=True, help="Markdown feedback on the last diagnosis, in lang."
    )
    fix_feedback = traitlets.Unicode(
        "", read_only=True, help="Markdown feedback on the last submitted fix, in lang."
    )

    def __init__(
        self,
        token=None,
        stage=None,
        bug=None,
        seed=None,
        lang=None,
        allow_editing=True,
        hint_after=HINT_AFTER,
        student="",
        **settings,
    ):
        super().__init__(lang=lang)
        self.spec = ExerciseSpec.create(token=token, stage=stage, bug=bug, seed=seed, **settings)
        self.session = ExerciseSession(self.spec, hint_after=hint_after, student=student)
        self.set_trait("allow_editing", bool(allow_editing) and editing_permitted())
        self.buggy_result = None
        self._thread = None
        self._stop_event = threading.Event()
        self._start_lock = threading.Lock()
        self._last_diagnosis = None
        self._last_report = None
        self._build()
        self.relabel()

    # -- layout ---------------------------------------------------------

    def _build(self):
        program = self.spec.program
        self.title = widgets.HTML()
        self.intro = widgets.HTML()
        self.code = widgets.HTML(_code_html(program.source))
        self.run_button = widgets.Button(icon="play", button_style="primary")
        self.stop_button = widgets.Button(icon="stop", button_style="danger", disabled=True)
        self.run_status = widgets.HTML()
        self.plot = LossPlot(lang=self.lang)

        self.diagnosis_step = widgets.HTML()
        self.choices = widgets.RadioButtons(options=[], value=None)
        self.choices.layout.width = "auto"
        self.check_button = widgets.Button(icon="check")
        self.diagnosis_view = widgets.HTML()

        self.fix_step = widgets.HTML()
        self.editor = widgets.Textarea(
            value=program.source, rows=min(40, program.source.count("\n") + 2)
        )
        self.editor.layout.width = "100%"
        self.editor.add_class("kit-exercise-editor")
        self.submit_button = widgets.Button(icon="upload", button_style="success")
        self.reset_button = widgets.Button(icon="undo")
        self.fix_view = widgets.HTML()

        self.student = widgets.Text(value=self.session.student)
        self.export_path = widgets.Text(value=self._default_path())
        self.export_button = widgets.Button(icon="download")
        self.export_view = widgets.HTML()
        self.summary = widgets.HTML()
        # monospace editor text; ipywidgets' Textarea has no font style of its own
        style = widgets.HTML(
            "<style>.kit-exercise-editor textarea{font-family:monospace;font-size:12.5px}</style>"
        )

        self.run_button.on_click(self._on_run)
        self.stop_button.on_click(self._on_stop)
        self.observe(self._on_running, names="running")
        self.check_button.on_click(self._on_check)
        self.submit_button.on_click(self._on_submit)
        self.reset_button.on_click(self._on_reset)
        self.export_button.on_click(self._on_export)
        self.student.observe(self._on_student, names="value")

        # A Voila visitor must not choose where the server writes files, so there
        # the progress goes to the default file name in the notebook's folder.
        export_parts = [self.student, self.export_button]
        if not running_in_voila():
            export_parts.insert(1, self.export_path)
        fix_parts = [self.fix_step]
        if self.allow_editing:
            fix_parts += [self.editor, widgets.HBox([self.submit_button, self.reset_button])]
        fix_parts.append(self.fix_view)
        for button in (
            self.run_button,
            self.stop_button,
            self.check_button,
            self.submit_button,
            self.reset_button,
            self.export_button,
        ):
            button.layout.width = "auto"
        self.children = [
            style,
            self.title,
            self.intro,
            self.code,
            widgets.HBox([self.run_button, self.stop_button, self.run_status]),
            self.plot,
            self.diagnosis_step,
            self.choices,
            widgets.HBox([self.check_button]),
            self.diagnosis_view,
            *fix_parts,
            widgets.HBox(export_parts),
            self.export_view,
            self.summary,
            self.error_view,
        ]

    def _default_path(self):
        return f"kit-progress-{self.spec.stage}-{self.spec.token[-8:]}.json"

    def relabel(self):
        lang = self.lang
        stage = tr(f"stages.{self.spec.stage}.title", lang)
        self.title.value = (
            f"<h3>{html.escape(tr('exercises.widget.title', lang, stage=stage))}</h3>"
        )
        self.intro.value = markdown_html(tr("exercises.widget.intro", lang))
        self.run_button.description = tr("exercises.widget.run", lang)
        self.stop_button.description = tr("exercises.widget.stop", lang)
        self.diagnosis_step.value = markdown_html(tr("exercises.widget.step_diagnosis", lang))
        with self.choices.hold_sync():
            value = self.choices.value
            self.choices.options = [
                (plain_text(get_bug(bug_id).text("title", lang)), bug_id)
                for bug_id in self.spec.choices()
            ]
            self.choices.value = value
        self.check_button.description = tr("exercises.widget.check_diagnosis", lang)
        if self.allow_editing:
            step = "step_fix"
        elif running_in_voila():
            step = "editing_off"
        else:
            step = "step_fix_cell"
        self.fix_step.value = markdown_html(tr(f"exercises.widget.{step}", lang))
        self.submit_button.description = tr("exercises.widget.submit", lang)
        self.reset_button.description = tr("exercises.widget.reset_code", lang)
        self.student.description = tr("exercises.widget.student", lang)
        self.student.placeholder = tr("exercises.widget.student_placeholder", lang)
        self.export_path.description = tr("exercises.widget.export_path", lang)
        self.export_button.description = tr("exercises.widget.export", lang)
        self.plot.lang = lang
        self._show_run_status()
        self._show_feedback()

    def _show_run_status(self):
        result = self.buggy_result
        if result is None:
            self.run_status.value = ""
            return
        status = tr(f"diagnosis.{_symptom(result)}.title", self.lang)
        text = tr("exercises.widget.run_done", self.lang, count=len(result.losses), status=status)
        self.run_status.value = inline_html(text)

    def _show_feedback(self):
        lang = self.lang
        session = self.session
        if self._last_diagnosis is not None:
            text = session.diagnosis_feedback(self._last_diagnosis, lang, self.buggy_result)
            self.set_trait("diagnosis_feedback", text)
            self.diagnosis_view.value = markdown_html(text)
        if self._last_report is not None:
            self._last_report.lang = lang
            text = session.fix_feedback(self._last_report, lang)
            self.set_trait("fix_feedback", text)
            self.fix_view.value = _feedback_html(text, self._last_report.accepted)
        parts = [tr("exercises.widget.token", lang, token=self.spec.token)]
        parts.append(tr("exercises.widget.tries", lang, count=session.failed_tries))
        if session.passed:
            parts.insert(0, tr("exercises.widget.passed", lang))
        self.summary.value = markdown_html("\n\n".join(parts))
        self.set_trait("passed", session.passed)

    # -- actions --------------------------------------------------------

    def run(self):
        """Start a run of the buggy code in a worker thread, with a live loss curve.

        Returns False, and starts nothing, while another run is in progress.
        :meth:`wait` blocks until it ends; ``buggy_result`` then holds the result.
        """
        return self._start(self._run_buggy)

    def _start(self, target, *args):
        with self._start_lock:
            if self.running:
                return False
            self._stop_event = threading.Event()
            self.set_trait("running", True)
        self._thread = threading.Thread(
            target=self._work, args=(target, args), name="kit-exercise", daemon=True
        )
        self._thread.start()
        return True

    def _work(self, target, args):
        try:
            target(*args)
        except Exception as exc:  # noqa: BLE001 -- a worker error must reach the page
            self.report_error(exc, target.__name__)
        finally:
            self.set_trait("running", False)

    def _run_buggy(self):
        reference = reference_run(self.spec).losses
        self.run_status.value = inline_html(tr("exercises.widget.running", self.lang))
        self.plot.begin(self.spec.settings, reference=reference)
        stop_event = self._stop_event
        result = run_program(self.spec.program, self.plot.add, stop_event.is_set)
        self.buggy_result = result
        self.plot.end(result)
        self._show_run_status()

    def answer(self, bug_id):
        """Check a diagnosis (a bug id among the choices) and return whether it is right."""
        correct = self.session.answer(bug_id)
        self._last_diagnosis = correct
        self._show_feedback()
        return correct

    def submit(self, source=None):
        """Check a fix in this thread and return its :class:`kit.exercises.FixReport`.

        ``source`` is the fixed code as a string; None takes the editor's text.
        The code runs in this kernel, and its loss curve replaces the plot's.
        A run in progress is stopped first.
        """
        if source is None:
            source = self.editor.value
        self.stop()
        self.wait()
        with self._start_lock:
            self._stop_event = threading.Event()
            self.set_trait("running", True)
        try:
            return self._check(source)
        finally:
            self.set_trait("running", False)

    def _check(self, source):
        self.fix_view.value = inline_html(tr("exercises.widget.checking", self.lang))
        self.plot.begin(self.spec.settings, reference=reference_run(self.spec).losses)
        report = self.session.submit(source, self.plot.add, self._stop_event.is_set)
        if report.result is not None:
            self.plot.end(report.result)
        report.lang = self.lang
        self._last_report = report
        self._show_feedback()
        return report

    def export_progress(self, path=None):
        """Write the progress JSON (format in docs/exercises.md) and return its path."""
        path = path or self.export_path.value or self._default_path()
        return self.session.export_progress(path, self.lang)

    def progress(self):
        """Return the progress record as a dict."""
        return self.session.progress(self.lang)

    # -- callbacks ------------------------------------------------------

    @guarded
    def _on_run(self, button):
        self.clear_error()
        self.run()

    @guarded
    def _on_check(self, button):
        self.clear_error()
        if self.choices.value is None:
            self.diagnosis_view.value = inline_html(tr("exercises.widget.choose_first", self.lang))
            return
        self.answer(self.choices.value)

    @guarded
    def _on_submit(self, button):
        self.clear_error()
        if not self.allow_editing:
            return
        self._start(self._check, self.editor.value)

    @guarded
    def _on_stop(self, button):
        self.stop()

    @guarded
    def _on_running(self, change):
        running = change["new"]
        self.run_button.disabled = running
        self.submit_button.disabled = running
        self.stop_button.disabled = not running

    @guarded
    def _on_reset(self, button):
        self.editor.value = self.spec.program.source

    @guarded
    def _on_export(self, button):
        self.clear_error()
        path = self.export_path.value.strip() or self._default_path()
        if running_in_voila():
            path = self._default_path()
        try:
            written = self.export_progress(path)
        except OSError as exc:
            text = tr("exercises.widget.export_failed", self.lang, path=path, error=exc)
            self.export_view.value = inline_html(text)
            return
        self.export_view.value = inline_html(
            tr("exercises.widget.exported", self.lang, path=written)
        )

    @guarded
    def _on_student(self, change):
        self.session.student = change["new"]

    def report_error(self, exc, where=""):
        """Show a callback error in the widget, in the user's language, and log it."""
        super().report_error(exc, where)
        message = (
            exc.message(self.lang) if hasattr(exc, "message") else f"{type(exc).__name__}: {exc}"
        )
        self.run_status.value = inline_html(tr("exercises.widget.error", self.lang, error=message))


def _symptom(result):
    return classify(result)[0]


def _feedback_html(text, accepted):
    color = "#1a7f37" if accepted else "#bf8700"
    return (
        f'<div style="border-left:5px solid {color};padding:2px 10px">{markdown_html(text)}</div>'
    )
