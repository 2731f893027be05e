"""Stage picker and bug picker."""

import ipywidgets as widgets
import traitlets

from kit.bugs import bugs_for_stage, check_bugs, get_bug
from kit.i18n import KitError, tr
from kit.stages import STAGE_IDS, get_stage
from kit.widgets.base import Part, guarded, markdown_html, plain_text


def validate_stage(stage_id):
    """Return ``stage_id`` if it names a stage, else raise ``TraitError`` with the kit message."""
    try:
        get_stage(stage_id)
    except KitError as exc:
        raise traitlets.TraitError(str(exc)) from None
    return stage_id


class StagePicker(Part):
    """The eight stages as buttons in lecture order, titled in ``lang``, with a summary line."""

    stage = traitlets.Unicode("numpy", help="Id of the chosen stage, one of kit.STAGE_IDS.")

    def __init__(self, stage="numpy", lang=None, **kwargs):
        super().__init__(lang=lang, **kwargs)
        self.buttons = widgets.ToggleButtons(
            options=[(stage_id, stage_id) for stage_id in STAGE_IDS]
        )
        self.buttons.style.button_width = "auto"
        self.summary = widgets.HTML()
        self.children = [self.buttons, self.summary, self.error_view]
        self.stage = stage
        self.bind_selection(self.buttons, "stage")
        self.observe(self._on_stage, names="stage")
        self.relabel()

    @traitlets.validate("stage")
    def _validate_stage(self, proposal):
        return validate_stage(proposal["value"])

    def relabel(self):
        self.set_options(
            self.buttons,
            [(tr(f"stages.{stage_id}.title", self.lang), stage_id) for stage_id in STAGE_IDS],
        )
        self.buttons.tooltips = [
            plain_text(tr(f"stages.{stage_id}.summary", self.lang)) for stage_id in STAGE_IDS
        ]
        self._show_summary()

    @guarded
    def _on_stage(self, change):
        self._show_summary()

    def _show_summary(self):
        self.summary.value = markdown_html(tr(f"stages.{self.stage}.summary", self.lang))


class BugRow(widgets.VBox):
    """One bug: a checkbox with its title, a button that expands the explanation."""

    def __init__(self, bug_id):
        self.bug_id = bug_id
        self.checkbox = widgets.Checkbox(
            indent=False, layout=widgets.Layout(width="auto"), style={"description_width": "0px"}
        )
        self.more = widgets.ToggleButton(
            description="?", layout=widgets.Layout(width="2.2em", height="1.8em")
        )
        self.explanation = widgets.HTML(layout=widgets.Layout(display="none", margin="0 0 0 1.8em"))
        self.more.observe(self._on_more, names="value")
        super().__init__(
            children=[widgets.HBox([self.checkbox, self.more]), self.explanation],
            layout=widgets.Layout(margin="0 0 2px 0"),
        )
        self.add_class("kit-bug")
        self.add_class(f"kit-bug-{bug_id}")

    def _on_more(self, change):
        self.explanation.layout.display = None if change["new"] else "none"

    def relabel(self, lang):
        bug = get_bug(self.bug_id)
        title = bug.text("title", lang)
        explanation = bug.text("explanation", lang)
        with self.checkbox.hold_sync():
            self.checkbox.description = plain_text(title)
            self.checkbox.tooltip = plain_text(explanation)
        self.more.tooltip = tr("dashboard.bug_more", lang)
        self.explanation.value = (
            f'<div style="font-size:13px;color:#333">{markdown_html(explanation)}</div>'
        )

    def close(self):
        for child in (self.checkbox, self.more, self.explanation, self.children[0]):
            child.close()
        super().close()


class BugPicker(Part):
    """Toggles for the bugs that apply to ``stage``, each with its title and explanation."""

    stage = traitlets.Unicode("numpy", help="Id of the stage whose bugs are listed.")
    bugs = traitlets.Tuple(help="Ids of the chosen bugs, all applicable to ``stage``.")

    def __init__(self, stage="numpy", bugs=(), lang=None, **kwargs):
        super().__init__(lang=lang, **kwargs)
        self.heading = widgets.HTML()
        self.empty = widgets.HTML()
        self.rows_box = widgets.VBox()
        self.rows = {}
        self.children = [self.heading, self.rows_box, self.empty, self.error_view]
        with self.hold_trait_notifications():
            self.stage = stage
            self.bugs = tuple(bugs)
        self._build_rows()
        self.observe(self._on_stage, names="stage")
        self.observe(self._on_bugs, names="bugs")
        self.relabel()

    @traitlets.validate("stage")
    def _validate_stage(self, proposal):
        return validate_stage(proposal["value"])

    @traitlets.validate("bugs")
    def _validate_bugs(self, proposal):
        bugs = tuple(proposal["value"])
        try:
            check_bugs(self.stage, bugs)
        except KitError as exc:
            raise traitlets.TraitError(str(exc)) from None
        return bugs

    def _build_rows(self):
        for row in self.rows.values():
            row.checkbox.unobserve(self._on_checkbox, names="value")
            row.close()
        self.rows = {bug.id: BugRow(bug.id) for bug in bugs_for_stage(self.stage)}
        for bug_id, row in self.rows.items():
            row.checkbox.value = bug_id in self.bugs
            row.checkbox.observe(self._on_checkbox, names="value")
        self.rows_box.children = list(self.rows.values())

    def relabel(self):
        self.heading.value = f"<b>{tr('dashboard.bugs_heading', self.lang)}</b>"
        self.empty.value = tr("dashboard.bugs_none", self.lang) if not self.rows else ""
        for row in self.rows.values():
            row.relabel(self.lang)

    @guarded
    def _on_stage(self, change):
        applicable = {bug.id for bug in bugs_for_stage(change["new"])}
        with self.hold_trait_notifications():
            self.bugs = tuple(bug_id for bug_id in self.bugs if bug_id in applicable)
        self._build_rows()
        self.relabel()

    @guarded
    def _on_bugs(self, change):
        for bug_id, row in self.rows.items():
            row.checkbox.value = bug_id in change["new"]

    @guarded
    def _on_checkbox(self, change):
        chosen = [bug_id for bug_id, row in self.rows.items() if row.checkbox.value]
        if tuple(chosen) != self.bugs:
            self.bugs = tuple(chosen)
