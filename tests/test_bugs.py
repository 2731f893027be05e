"""The bug catalogue, and every bug's effect on every stage it lists."""

import functools

import pytest

from kit.bugs import BUG_ORDER, SYMPTOMS, all_bugs, bug_ids, bugs_for_stage, get_bug
from kit.diagnosis import diagnose
from kit.i18n import LANGUAGES
from kit.program import build_program
from kit.runner import run
from kit.settings import Settings
from kit.stages import STAGE_IDS


@functools.cache
def correct_symptom(stage_id):
    return diagnose(run(Settings.create(stage_id)), "en").symptom


CASES = [(bug.id, stage_id) for bug in all_bugs() for stage_id in bug.stages]


def test_catalogue_is_complete():
    assert set(bug_ids()) == set(BUG_ORDER)
    assert bug_ids() == BUG_ORDER


@pytest.mark.parametrize("bug_id", BUG_ORDER)
def test_bug_has_texts_stages_and_symptoms(bug_id):
    bug = get_bug(bug_id)
    assert bug.stages
    assert set(bug.stages) <= set(STAGE_IDS)
    assert bug.symptoms
    assert set(bug.symptoms) <= set(SYMPTOMS)
    for lang in LANGUAGES:
        for field in ("title", "explanation", "hint"):
            assert bug.text(field, lang).strip(), (lang, field)
    assert bug.text("title", "en") != bug.text("title", "zh-CN")


def test_bugs_for_stage_lists_applicable():
    assert [bug.id for bug in bugs_for_stage("nn")] == [
        bug_id for bug_id in BUG_ORDER if "nn" in get_bug(bug_id).stages
    ]
    assert "rebind-param" in [bug.id for bug in bugs_for_stage("nn")]
    assert "rebind-param" not in [bug.id for bug in bugs_for_stage("numpy")]


def test_unknown_bug_raises():
    with pytest.raises(ValueError, match="Valid bugs: rebind-update"):
        get_bug("rebind")


def test_overlapping_bugs_are_rejected():
    settings = Settings.create("autograd", bugs=["no-zero-grad", "update-outside-no-grad"])
    with pytest.raises(ValueError, match="no-zero-grad"):
        build_program(settings)


@pytest.mark.parametrize(("bug_id", "stage_id"), CASES)
def test_bug_changes_code(bug_id, stage_id):
    program = build_program(Settings.create(stage_id, bugs=[bug_id]))
    assert program.source != program.base_source
    assert program.changed_lines


@pytest.mark.parametrize(("bug_id", "stage_id"), CASES)
def test_bug_produces_declared_symptom(bug_id, stage_id):
    result = run(Settings.create(stage_id, bugs=[bug_id]))
    diagnosis = diagnose(result, "en")
    assert correct_symptom(stage_id) == "converged"
    assert diagnosis.symptom in get_bug(bug_id).symptoms, (result.status, result.losses[-3:])
