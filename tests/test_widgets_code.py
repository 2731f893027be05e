"""CodeView shows exactly the source that runs, with the bug's diff; pickers and panel."""

import html
import re

import pytest

from kit.bugs import bugs_for_stage
from kit.program import build_program
from kit.runner import run
from kit.settings import Settings
from kit.widgets import BugPicker, CodeView, DiagnosisPanel, StagePicker

TAG = re.compile(r"<[^>]+>")


def visible_lines(view_html, classes=""):
    """Return the text of the code lines whose class list contains ``classes``."""
    end = r'(?=<span class="kit-line|</pre>|<span class="kit-raise-note)'
    rows = re.findall(r'<span class="kit-line ([^"]*)">(.*?)</span>' + end, view_html)
    lines = []
    for row_classes, body in rows:
        if classes in row_classes:
            text = html.unescape(TAG.sub("", body))
            lines.append(re.sub(r"^\d*[+−]?", "", text, count=1))
    return lines


def test_code_view_shows_exact_source():
    program = build_program(Settings.create("autograd", bugs=("rebind-update",)))
    view = CodeView(program=program, lang="en")

    shown = [line for line in visible_lines(view.code.value) if line is not None]
    removed = visible_lines(view.code.value, "kit-del")
    kept = [line for line in shown if line not in removed or line in program.source.splitlines()]
    assert "\n".join(line for line in kept if line not in removed) == program.source.rstrip("\n")
    added = visible_lines(view.code.value, "kit-add")
    assert added == [program.source.splitlines()[n - 1] for n in program.changed_lines]
    assert any("w1 -= learning_rate" in line for line in removed)


def test_code_view_compares_previous_stage():
    view = CodeView(lang="en", stage="nn")
    view.compare = "previous"

    assert "nn.Sequential" in "".join(visible_lines(view.code.value, "kit-add"))
    assert visible_lines(view.code.value, "kit-del")
    assert "new in this stage" in view.legend.value

    first = CodeView(lang="en", stage="numpy", compare="previous")
    assert "first stage" in first.legend.value


def test_code_view_marks_error_line():
    settings = Settings.create("autograd", bugs=("rebind-update",), iterations=3)
    result = run(settings)
    view = CodeView(program=result.program, lang="en")
    view.mark_error(result.error.line, "AttributeError: boom")

    marked = visible_lines(view.code.value, "kit-raise")
    assert marked == ["        w1.grad.zero_()"]
    assert "AttributeError: boom" in view.code.value


def test_stage_picker_titles_follow_language():
    picker = StagePicker(stage="nn", lang="en")
    assert picker.buttons.options[0][0] == "1. numpy by hand"
    assert picker.buttons.value == "nn"

    picker.lang = "zh-CN"
    assert picker.buttons.options[0][0] == "1. 用 numpy 手写"
    assert picker.buttons.value == "nn"

    with pytest.raises(Exception, match="Unknown stage"):
        picker.stage = "numpyy"


def test_bug_picker_lists_applicable_bugs():
    picker = BugPicker(stage="optim", lang="en")
    assert list(picker.rows) == [bug.id for bug in bugs_for_stage("optim")]

    picker.rows["lr-after-optimizer"].checkbox.value = True
    assert picker.bugs == ("lr-after-optimizer",)

    row = picker.rows["lr-after-optimizer"]
    assert row.checkbox.description == "Set the learning rate after building the optimizer"
    assert "param_groups" in row.checkbox.tooltip
    assert row.explanation.layout.display == "none"
    row.more.value = True
    assert row.explanation.layout.display is None

    picker.stage = "nn"
    assert picker.bugs == ()
    with pytest.raises(Exception, match="does not apply"):
        picker.bugs = ("lr-after-optimizer",)


def test_diagnosis_panel_in_both_languages():
    result = run(Settings.create("nn", bugs=("rebind-param",), iterations=20))
    panel = DiagnosisPanel(result=result, lang="en")
    assert 'data-symptom="flat"' in panel.view.value

    panel.lang = "zh-CN"
    assert "给循环变量重新赋值" in panel.view.value
