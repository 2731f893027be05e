"""Diagnosis panel: what the run did, why, and what to change."""

import html

import ipywidgets as widgets
import traitlets

from kit.diagnosis import analyze, explain
from kit.i18n import tr
from kit.runner import RunResult
from kit.widgets.base import Part, guarded, inline_html, markdown_html

# Border colour of the panel for each symptom.
SYMPTOM_COLORS = {
    "converged": "#1a7f37",
    "slow": "#bf8700",
    "flat": "#bf8700",
    "oscillating": "#bf8700",
    "diverged": "#cf222e",
    "raised": "#cf222e",
    "stopped": "#57606a",
}


class DiagnosisPanel(Part):
    """The symptom, explanation and fix hint of ``result`` (kit.diagnosis.explain)."""

    result = traitlets.Instance(
        RunResult, allow_none=True, help="The run to explain, or None for an empty panel."
    )
    status = traitlets.Unicode(
        "", help="Text shown while no result is set, for example while a run is in progress."
    )

    def __init__(self, result=None, lang=None, **kwargs):
        super().__init__(lang=lang, **kwargs)
        self.view = widgets.HTML()
        self.view.add_class("kit-diagnosis")
        self.children = [self.view, self.error_view]
        self._analysis = None
        self.observe(self._on_result, names="result")
        self.observe(self._on_change, names="status")
        self.result = result
        self.relabel()

    def relabel(self):
        self.render()

    @guarded
    def _on_result(self, change):
        # analyzed once per run: a language switch only renders the text again
        self._analysis = None if change["new"] is None else analyze(change["new"])
        self.render()

    @guarded
    def _on_change(self, change):
        self.render()

    def render(self):
        """Rebuild the panel's HTML in ``self.lang``."""
        if self._analysis is None:
            text = html.escape(self.status or tr("dashboard.diagnosis_empty", self.lang))
            self.view.value = f'<div style="color:#57606a;padding:6px">{text}</div>'
            return
        diagnosis = explain(self._analysis, self.lang)
        color = SYMPTOM_COLORS.get(diagnosis.symptom, "#57606a")
        parts = [
            f'<div data-symptom="{diagnosis.symptom}" style="border-left:5px solid {color};'
            f'padding:4px 10px;font-size:14px">',
            f'<div style="font-size:16px;font-weight:bold;color:{color}">'
            f"{html.escape(diagnosis.title)}</div>",
        ]
        error = self.result.error
        if error is not None:
            label = html.escape(tr("dashboard.error_label", self.lang))
            line = ""
            if error.line:
                line = html.escape(tr("dashboard.error_line", self.lang, line=error.line))
            parts.append(
                f'<div class="kit-run-error" style="background:#fff5f5;border:1px solid #cf222e;'
                f'padding:4px 8px;margin:4px 0"><b>{label}</b> {line}<br>'
                f"<code>{html.escape(error.type)}: {html.escape(error.message)}</code></div>"
            )
        parts.append(markdown_html(diagnosis.explanation))
        hint = html.escape(tr("dashboard.hint_label", self.lang))
        parts.append(f"<div><b>{hint}</b>{markdown_html(diagnosis.hint)}</div>")
        if diagnosis.facts:
            facts = "".join(f"<li>{inline_html(fact)}</li>" for fact in diagnosis.facts)
            heading = html.escape(tr("dashboard.facts_label", self.lang))
            parts.append(f'<div style="color:#444"><b>{heading}</b><ul>{facts}</ul></div>')
        parts.append("</div>")
        self.view.value = "".join(parts)
