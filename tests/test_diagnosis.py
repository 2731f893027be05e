"""Diagnoses of real runs, in both languages."""

import pytest

from kit.diagnosis import SYMPTOMS, diagnose
from kit.i18n import LANGUAGES
from kit.runner import run
from kit.settings import Settings

SMALL = {"N": 8, "D_in": 20, "H": 10, "D_out": 3}


def check_texts(diagnosis):
    assert diagnosis.symptom in SYMPTOMS
    for text in (diagnosis.title, diagnosis.explanation, diagnosis.hint):
        assert isinstance(text, str)
        assert text.strip()
    assert all(isinstance(fact, str) and fact for fact in diagnosis.facts)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_correct_run_converged(lang):
    diagnosis = diagnose(run(Settings.create("nn")), lang)
    check_texts(diagnosis)
    assert diagnosis.symptom == "converged"
    assert diagnosis.bug_titles == []


def test_languages_differ():
    result = run(Settings.create("nn", bugs=["rebind-param"]))
    english = diagnose(result, "en")
    chinese = diagnose(result, "zh-CN")
    assert english.symptom == chinese.symptom == "flat"
    assert english.title != chinese.title
    assert english.explanation != chinese.explanation
    assert chinese.bug_titles == ["给循环变量重新赋值，参数没有更新"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_raised_run_names_error_and_line(lang):
    diagnosis = diagnose(run(Settings.create("autograd", bugs=["rebind-update"])), lang)
    check_texts(diagnosis)
    assert diagnosis.symptom == "raised"
    facts = "\n".join(diagnosis.facts)
    assert "AttributeError" in facts
    assert "34" in facts
    assert "w1.grad.zero_()" in facts


def test_diverged_run():
    diagnosis = diagnose(run(Settings.create("numpy", bugs=["lr-too-large"])), "en")
    assert diagnosis.symptom == "diverged"


def test_stopped_run():
    result = run(Settings.create("tensor", iterations=50, **SMALL), should_stop=lambda: True)
    diagnosis = diagnose(result, "en")
    check_texts(diagnosis)
    assert diagnosis.symptom == "stopped"


def test_slow_run_with_stale_lr():
    diagnosis = diagnose(run(Settings.create("optim", bugs=["lr-after-optimizer"])), "en")
    assert diagnosis.symptom == "slow"
    assert any("1e-06" in fact for fact in diagnosis.facts)


def test_too_few_iterations_slow():
    diagnosis = diagnose(run(Settings.create("numpy", iterations=5)), "en")
    assert diagnosis.symptom == "slow"


def test_no_loss_before_error():
    result = run(Settings.create("autograd", bugs=["zero-grad-before-backward"]))
    assert result.losses == []
    diagnosis = diagnose(result, "zh-CN")
    check_texts(diagnosis)
    assert diagnosis.symptom == "raised"
