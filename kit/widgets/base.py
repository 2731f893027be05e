"""Shared pieces of the dashboard widgets: language trait, error area, text helpers.

Voila shows no tracebacks, so every observer and click handler of a part is
wrapped by :func:`guarded`: an exception is logged and shown in the part's
error area instead of disappearing, and the widget keeps working.
"""

import functools
import html
import logging
import re

import ipywidgets as widgets
import traitlets

from kit.i18n import get_language, normalize_language, tr

log = logging.getLogger("kit.widgets")

_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")


def guarded(method):
    """Wrap a callback method so that an exception is logged and shown, never lost."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 -- a callback error must reach the page
            self.report_error(exc, method.__qualname__)
            return None

    return wrapper


def inline_html(text):
    """Render one line of the catalogue's Markdown (`code`, **bold**) as safe HTML."""
    escaped = html.escape(text.strip())
    escaped = _CODE.sub(r"<code>\1</code>", escaped)
    return _BOLD.sub(r"<b>\1</b>", escaped)


def markdown_html(text):
    """Render the catalogue's small Markdown (paragraphs, `code`, **bold**) as safe HTML."""
    paragraphs = [part for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    return "".join(f"<p>{inline_html(paragraph)}</p>" for paragraph in paragraphs)


def plain_text(text):
    """Strip the catalogue's Markdown marks for a tooltip."""
    return " ".join(text.replace("`", "").replace("**", "").split())


class Part(widgets.VBox):
    """Base of every dashboard part: a ``lang`` trait and an error area.

    Subclasses set ``children`` (ending with ``self.error_view``) and
    implement :meth:`relabel`, which sets every visible text in ``self.lang``.
    """

    lang = traitlets.Unicode(help="Language of every label: 'zh-CN' or 'en'.")
    error = traitlets.Unicode(
        "", help="Type and message of the last exception raised in a callback, empty when none."
    )

    def __init__(self, lang=None, **kwargs):
        self._relabeling = False
        self.error_view = widgets.HTML(layout=widgets.Layout(display="none"))
        self.error_view.add_class("kit-error")
        super().__init__(**kwargs)
        self.lang = normalize_language(lang) if lang else get_language()
        self.observe(self._on_error, names="error")
        self.observe(self._on_lang, names="lang")

    @traitlets.validate("lang")
    def _validate_lang(self, proposal):
        try:
            return normalize_language(proposal["value"])
        except ValueError as exc:
            raise traitlets.TraitError(str(exc)) from None

    def report_error(self, exc, where=""):
        """Log ``exc`` with its traceback and show its type and message in the error area."""
        log.error("callback %s raised %s: %s", where, type(exc).__name__, exc, exc_info=exc)
        self.error = f"{type(exc).__name__}: {exc}"

    def clear_error(self):
        """Hide the error area."""
        self.error = ""

    def _on_error(self, change):
        text = change["new"]
        if not text:
            self.error_view.layout.display = "none"
            self.error_view.value = ""
            return
        title = html.escape(tr("dashboard.callback_error", self.lang))
        self.error_view.value = (
            f'<div style="color:#b00020;border:1px solid #b00020;padding:4px 8px">'
            f"<b>{title}</b> <code>{html.escape(text)}</code></div>"
        )
        self.error_view.layout.display = None

    @guarded
    def _on_lang(self, change):
        self.relabel()
        if self.error:
            self._on_error({"new": self.error})

    def relabel(self):
        """Set every visible text in ``self.lang``; subclasses override it."""

    def set_options(self, selection, options):
        """Replace the labels of ``selection`` and keep its value.

        Assigning ``options`` makes an ipywidgets selection jump to its first
        option; the widgets bound with :meth:`bind_selection` ignore that jump.
        """
        value = selection.value
        self._relabeling = True
        try:
            with selection.hold_sync():
                selection.options = options
                selection.value = value
        finally:
            self._relabeling = False

    def bind_selection(self, selection, name):
        """Keep ``selection.value`` and the trait ``name`` equal, ignoring relabeling."""

        def to_trait(change):
            if not self._relabeling:
                setattr(self, name, change["new"])

        def to_selection(change):
            selection.value = change["new"]

        selection.value = getattr(self, name)
        selection.observe(to_trait, names="value")
        self.observe(to_selection, names=name)


class WorkerRun:
    """Stop and wait for a run that trains in a worker thread.

    The class using it sets ``_thread`` (the running ``threading.Thread`` or
    None) and ``_stop_event`` (the ``threading.Event`` the run polls).
    """

    _thread = None

    def stop(self):
        """Ask the current run to end after its current iteration."""
        self._stop_event.set()

    def wait(self, timeout=None):
        """Block until the current run ends; return False if ``timeout`` seconds passed first."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()
