"""Debugging exercises: tokens, choices, fix checking, feedback, progress and the widget."""

import json
import re

import pytest

from kit.bugs import get_bug
from kit.exercises import (
    CHECK_NAMES,
    CHOICE_COUNT,
    EXERCISE_SET,
    PROGRESS_SCHEMA,
    PROGRESS_VERSION,
    ExerciseSession,
    ExerciseSpec,
    check_fix,
    exercise_pairs,
    load_progress,
    make_token,
    pick_exercise,
    read_token,
    recompute_loss,
    reference_run,
    summarize_progress,
)
from kit.i18n import KitError
from kit.runner import run_program

PRINT_LINE = re.compile(r"^(\s*)print\(it, (.*)\)$", re.MULTILINE)
UPDATE_LINE = re.compile(r"^(\s*)(w1 -=|w2 -=|param -=|optimizer\.step\(\)).*$", re.MULTILINE)
CJK = re.compile(r"[\u4e00-\u9fff]")


def spec_for(stage, bug):
    return ExerciseSpec.create(stage=stage, bug=bug)


def without_update(source):
    """The correct code with every weight update replaced by ``pass``."""
    changed, count = UPDATE_LINE.subn(r"\1pass", source)
    assert count >= 1, "no update line found"
    return changed


def print_instead(source, expression):
    """Replace the loss report with ``print(it, <expression>)``; ``real`` is the real loss."""
    changed, count = PRINT_LINE.subn(rf"\1real = float(\2)\n\1print(it, {expression})", source)
    assert count == 1
    return changed


# ---------------------------------------------------------------- tokens and choices


@pytest.mark.parametrize("stage, bug", EXERCISE_SET)
def test_token_round_trip(stage, bug):
    token = make_token(stage, bug, seed=7)
    assert read_token(token) == (stage, bug, 7)
    assert bug not in token
    assert stage not in token


def test_token_hides_every_pair():
    for stage, bug in exercise_pairs():
        token = make_token(stage, bug)
        assert bug not in token
        assert bug.replace("-", "") not in token
        assert read_token(token) == (stage, bug, 0)


@pytest.mark.parametrize(
    "token",
    ["", "kx1-", "kx2-abcdef", "not a token", "kx1-AAAA", "kx1-%%%%"],
)
def test_token_invalid_rejected(token):
    with pytest.raises(KitError) as info:
        read_token(token)
    assert info.value.key == "exercises.bad_token"


def test_token_typo_rejected():
    token = make_token("nn", "rebind-param")
    index = len(token) // 2
    typo = token[:index] + ("A" if token[index] != "A" else "B") + token[index + 1 :]
    with pytest.raises(KitError):
        read_token(typo)


def test_token_bug_not_for_stage():
    with pytest.raises(KitError) as info:
        make_token("numpy", "rebind-param")
    assert info.value.key == "exercises.bad_pair"
    with pytest.raises(KitError):
        make_token("dynamic", "no-zero-grad")
    with pytest.raises(KitError):
        make_token("nn", "no-such-bug")


@pytest.mark.parametrize("seed", [-1, 1.5, "3", True])
def test_token_bad_seed(seed):
    with pytest.raises(KitError):
        make_token("nn", "rebind-param", seed=seed)


def test_pick_exercise_deterministic():
    picks = [pick_exercise(seed) for seed in range(40)]
    assert picks == [pick_exercise(seed) for seed in range(40)]
    assert set(picks) <= set(EXERCISE_SET)
    assert len(set(picks)) > 5


def test_spec_create_variants():
    token = make_token("optim", "lr-after-optimizer", seed=3)
    spec = ExerciseSpec.create(token=token)
    assert (spec.stage, spec.bug, spec.seed) == ("optim", "lr-after-optimizer", 3)
    assert spec.settings.bugs == ("lr-after-optimizer",)
    assert spec.token == token
    by_seed = ExerciseSpec.create(seed=5)
    assert (by_seed.stage, by_seed.bug) == pick_exercise(5)
    with pytest.raises(KitError):
        ExerciseSpec.create(token=token, stage="nn", bug="rebind-param")
    with pytest.raises(KitError):
        ExerciseSpec.create(stage="nn")


def test_program_shows_no_diff_marking():
    spec = spec_for("autograd", "rebind-update")
    source = spec.program.source
    assert "w1 = w1 - learning_rate * w1.grad" in source
    assert not any(line.startswith(("+", "-")) for line in source.splitlines())


@pytest.mark.parametrize("stage, bug", EXERCISE_SET)
def test_choices_four_with_answer(stage, bug):
    spec = spec_for(stage, bug)
    choices = spec.choices()
    assert len(choices) == CHOICE_COUNT
    assert len(set(choices)) == CHOICE_COUNT
    assert bug in choices
    assert choices == spec_for(stage, bug).choices()


def test_choices_order_depends_on_seed():
    orders = {
        tuple(ExerciseSpec.create(stage="nn", bug="rebind-param", seed=seed).choices())
        for seed in range(12)
    }
    assert len(orders) > 1
    positions = {
        ExerciseSpec.create(stage="nn", bug="rebind-param", seed=seed)
        .choices()
        .index("rebind-param")
        for seed in range(12)
    }
    assert len(positions) > 1


# ---------------------------------------------------------------- checking fixes


@pytest.mark.parametrize("stage, bug", EXERCISE_SET)
def test_fix_correct_accepted(stage, bug):
    spec = spec_for(stage, bug)
    report = check_fix(spec, spec.program.base_source)
    assert report.accepted, report.feedback("en")
    assert report.failed_check is None
    assert [check.key for check in report.checks] == [
        "runs",
        "count",
        "falls",
        "settings",
        "honest",
    ]


@pytest.mark.parametrize("stage, bug", EXERCISE_SET)
def test_fix_unchanged_bug_rejected(stage, bug):
    spec = spec_for(stage, bug)
    report = check_fix(spec, spec.program.source)
    assert not report.accepted
    assert report.failed_check in ("runs", "finite", "falls")


@pytest.mark.parametrize("stage, bug", EXERCISE_SET)
def test_fix_deleted_update_rejected(stage, bug):
    spec = spec_for(stage, bug)
    report = check_fix(spec, without_update(spec.program.base_source))
    assert not report.accepted
    assert report.failed_check == "falls"


@pytest.mark.parametrize("stage, bug", EXERCISE_SET)
def test_fix_fake_decreasing_rejected(stage, bug):
    spec = spec_for(stage, bug)
    reference = reference_run(spec)
    first, target = reference.losses[0], reference.losses[-1]
    steps = spec.settings.iterations - 1
    fake = f"real if it == 0 else {first!r} * ({target / first!r}) ** (it / {steps})"
    report = check_fix(spec, print_instead(without_update(spec.program.base_source), fake))
    assert not report.accepted
    assert report.failed_check == "honest"
    assert report.recomputed_loss > 1000 * report.result.final_loss


@pytest.mark.parametrize("stage, bug", EXERCISE_SET)
def test_fix_reference_numbers_rejected(stage, bug):
    spec = spec_for(stage, bug)
    numbers = reference_run(spec).losses
    source = without_update(spec.program.base_source)
    source = source.replace("for it in range", f"reference = {numbers!r}\nfor it in range", 1)
    report = check_fix(spec, print_instead(source, "reference[it]"))
    assert not report.accepted
    assert report.failed_check == "honest"


@pytest.mark.parametrize("stage, bug", EXERCISE_SET)
def test_fix_constant_loss_rejected(stage, bug):
    spec = spec_for(stage, bug)
    tiny = check_fix(spec, print_instead(spec.program.source, "1e-09"))
    assert not tiny.accepted
    assert tiny.failed_check in ("runs", "finite", "first")
    flat = check_fix(
        spec,
        print_instead(without_update(spec.program.base_source), "real * 0 + 1e-09 if it else real"),
    )
    assert not flat.accepted
    assert flat.failed_check == "honest"


ALTERNATIVE_FIXES = {
    # different code, same training
    ("autograd", "rebind-update"): [
        (
            "        w1 = w1 - learning_rate * w1.grad\n",
            "        w1.sub_(learning_rate * w1.grad)\n",
        ),
        (
            "        w2 = w2 - learning_rate * w2.grad\n",
            "        w2.sub_(learning_rate * w2.grad)\n",
        ),
    ],
    ("nn", "rebind-param"): [
        (
            "            param = param - learning_rate * param.grad\n",
            "            param.copy_(param - learning_rate * param.grad)\n",
        ),
    ],
    ("optim", "lr-after-optimizer"): [
        (
            "learning_rate = 0.001\n",
            "learning_rate = 0.001\noptimizer.param_groups[0]['lr'] = learning_rate\n",
        ),
    ],
    ("autograd", "zero-grad-before-backward"): [
        (
            "    w1.grad.zero_()\n    w2.grad.zero_()\n",
            "    if w1.grad is not None:\n        w1.grad.zero_()\n        w2.grad.zero_()\n",
        ),
    ],
}


@pytest.mark.parametrize("pair", sorted(ALTERNATIVE_FIXES))
def test_fix_different_form_accepted(pair):
    spec = spec_for(*pair)
    source = spec.program.source
    for old, new in ALTERNATIVE_FIXES[pair]:
        assert old in source
        source = source.replace(old, new, 1)
    report = check_fix(spec, source)
    assert report.accepted, report.feedback("en")


def test_fix_syntax_error():
    spec = spec_for("numpy", "wrong-transpose")
    report = check_fix(spec, spec.program.base_source + "\nfor\n")
    assert report.failed_check == "syntax"
    assert report.result is None
    assert "line" in report.feedback("en")


def test_fix_changed_iterations():
    spec = spec_for("numpy", "wrong-transpose")
    source = spec.program.base_source.replace("iterations = 500", "iterations = 600")
    report = check_fix(spec, source)
    assert report.failed_check == "count"


def test_fix_changed_learning_rate():
    spec = spec_for("optim", "lr-after-optimizer")
    source = spec.program.base_source.replace("learning_rate = 0.001", "learning_rate = 0.0012")
    report = check_fix(spec, source)
    assert report.failed_check == "settings", report.feedback("en")
    assert report.checks[-1].fields["name"] == "learning_rate"
    assert "0.0012" in report.feedback("en")


def test_fix_changed_dtype():
    spec = spec_for("tensor", "relu-mask")
    source = spec.program.base_source.replace("dtype = torch.float32", "dtype = torch.float64")
    report = check_fix(spec, source)
    assert report.failed_check == "settings", report.feedback("en")
    assert report.checks[-1].fields == {
        "name": "dtype",
        "value": "torch.float64",
        "expected": "torch.float32",
    }


def test_fix_changed_optimizer():
    spec = spec_for("optim", "lr-after-optimizer")
    source = spec.program.base_source.replace("torch.optim.Adam(", "torch.optim.RMSprop(")
    report = check_fix(spec, source)
    assert not report.accepted
    assert report.failed_check in ("falls", "settings")


def test_fix_renamed_weights():
    spec = spec_for("tensor", "relu-mask")
    source = spec.program.base_source + "\ndel w1, w2\n"
    report = check_fix(spec, source)
    assert report.failed_check == "weights"


@pytest.mark.parametrize("stage", sorted({stage for stage, _ in EXERCISE_SET}))
def test_recompute_matches_reference(stage):
    bug = next(b for s, b in EXERCISE_SET if s == stage)
    spec = spec_for(stage, bug)
    result = reference_run(spec)
    recomputed = recompute_loss(result.namespace, spec.settings)
    assert 0.5 <= recomputed / result.final_loss <= 2.0


# ---------------------------------------------------------------- feedback and sessions


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_check_texts_exist(lang):
    from kit.i18n import catalog

    for name in CHECK_NAMES:
        for part in ("ok", "fail", "next"):
            assert f"exercises.check.{name}.{part}" in catalog(lang)


def test_checks_run_in_listed_order():
    spec = spec_for("numpy", "wrong-transpose")
    keys = [check.key for check in check_fix(spec, spec.program.base_source).checks]
    positions = [CHECK_NAMES.index(key) for key in keys]
    assert positions == sorted(positions)


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_feedback_in_language(lang):
    spec = spec_for("autograd", "rebind-update")
    rejected = check_fix(spec, spec.program.source).feedback(lang)
    accepted = check_fix(spec, spec.program.base_source).feedback(lang)
    for text in (rejected, accepted):
        assert "{" not in text
        assert bool(CJK.search(text)) == (lang == "zh-CN")
    assert "AttributeError" in rejected
    assert "w1.grad.zero_()" in rejected


def test_feedback_languages_differ():
    spec = spec_for("nn", "rebind-param")
    report = check_fix(spec, spec.program.source)
    assert report.feedback("en") != report.feedback("zh-CN")
    assert report.failed_check == "falls"


def test_session_hint_after_three_tries():
    spec = spec_for("nn", "rebind-param")
    session = ExerciseSession(spec)
    hint_en = "Change the parameter itself"
    wrong = [choice for choice in spec.choices() if choice != spec.bug]
    for count, choice in enumerate(wrong[:2], start=1):
        assert session.answer(choice) is False
        text = session.diagnosis_feedback(False, "en")
        assert hint_en not in text
        assert str(3 - count) in text
    report = session.submit(spec.program.source)
    text = session.fix_feedback(report, "en")
    assert hint_en in text
    assert "修改参数本身" in session.fix_feedback(report, "zh-CN")
    assert session.answer(spec.bug) is True
    assert session.diagnosis_passed and not session.passed
    session.submit(spec.program.base_source)
    assert session.passed
    assert not session.hint_due


def test_session_wrong_diagnosis_names_symptom():
    spec = spec_for("nn", "rebind-param")
    session = ExerciseSession(spec)
    result = run_program(spec.program)
    wrong = next(choice for choice in spec.choices() if choice != spec.bug)
    session.answer(wrong)
    text = session.diagnosis_feedback(False, "en", result)
    assert "Flat loss" in text
    assert get_bug(spec.bug).text("title", "en") not in text


def test_session_rejects_foreign_choice():
    session = ExerciseSession(spec_for("nn", "rebind-param"))
    outside = next(
        bug
        for bug in ("relu-mask", "wrong-transpose", "lr-too-large")
        if bug not in session.spec.choices()
    )
    with pytest.raises(KitError):
        session.answer(outside)
    with pytest.raises(KitError):
        ExerciseSession(session.spec, hint_after=0)


def test_progress_export_and_load(tmp_path):
    spec = spec_for("autograd", "rebind-update")
    session = ExerciseSession(spec, student="学生 1")
    session.answer(next(choice for choice in spec.choices() if choice != spec.bug))
    session.answer(spec.bug)
    session.submit(spec.program.base_source)
    path = session.export_progress(tmp_path / "progress.json", "zh-CN")
    record = load_progress(path)
    assert record["schema"] == PROGRESS_SCHEMA
    assert record["version"] == PROGRESS_VERSION
    assert record["token"] == spec.token
    assert record["student"] == "学生 1"
    assert record["passed"] is True
    assert record["steps"]["diagnosis"] == {
        "passed": True,
        "tries": 2,
        "passed_at": record["steps"]["diagnosis"]["passed_at"],
    }
    assert record["steps"]["fix"]["tries"] == 1
    assert [attempt["step"] for attempt in record["attempts"]] == ["diagnosis", "diagnosis", "fix"]
    assert record["attempts"][-1]["source"] == spec.program.base_source
    assert "学生 1" in path.read_text(encoding="utf-8")
    rows = summarize_progress([path])
    assert rows[0]["bug"] == "rebind-update"
    assert rows[0]["diagnosis_tries"] == 2


def test_progress_file_invalid(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema": "other"}), encoding="utf-8")
    with pytest.raises(KitError):
        load_progress(bad)
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(KitError):
        load_progress(broken)


# ---------------------------------------------------------------- the widget


@pytest.fixture
def notebook_kernel(monkeypatch):
    for name in ("VOILA_REQUEST_URL", "VOILA_BASE_URL", "VOILA_SERVER_URL", "VOILA_PREHEAT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("KIT_EXERCISE_EDITING", raising=False)
    return monkeypatch


def test_widget_editor_in_notebook(notebook_kernel):
    from kit.widgets.exercise import Exercise

    exercise = Exercise(stage="nn", bug="rebind-param", lang="en")
    assert exercise.allow_editing
    assert exercise.editor in exercise.children
    assert exercise.editor.value == exercise.spec.program.source
    hidden = Exercise(stage="nn", bug="rebind-param", lang="en", allow_editing=False)
    assert not hidden.allow_editing
    assert "exercise.submit(source)" in hidden.fix_step.value
    assert hidden.editor not in hidden.children
    assert hidden.submit_button not in hidden.children


def test_widget_editor_off_under_voila(notebook_kernel):
    from kit.widgets.exercise import Exercise

    notebook_kernel.setenv("VOILA_REQUEST_URL", "http://127.0.0.1:8866/")
    exercise = Exercise(stage="nn", bug="rebind-param", lang="en", allow_editing=True)
    assert not exercise.allow_editing
    assert exercise.editor not in exercise.children
    assert "Editing is off" in exercise.fix_step.value
    exercise.editor.value = exercise.spec.program.base_source
    exercise.submit_button.click()
    assert exercise.fix_feedback == ""
    assert exercise.session.attempts == []
    notebook_kernel.setenv("KIT_EXERCISE_EDITING", "1")
    enabled = Exercise(stage="nn", bug="rebind-param", lang="en")
    assert enabled.allow_editing


def test_widget_export_path_fixed_under_voila(notebook_kernel, tmp_path):
    from kit.widgets.exercise import Exercise

    notebook_kernel.setenv("VOILA_REQUEST_URL", "http://127.0.0.1:8866/")
    notebook_kernel.chdir(tmp_path)
    exercise = Exercise(stage="nn", bug="rebind-param", lang="en")
    boxes = [child for child in exercise.children if hasattr(child, "children")]
    assert not any(exercise.export_path in box.children for box in boxes)
    exercise.export_path.value = str(tmp_path / "elsewhere" / "p.json")
    exercise.export_button.click()
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == [exercise._default_path()]


def test_widget_buttons_flow(notebook_kernel, tmp_path):
    from kit.widgets.exercise import Exercise

    exercise = Exercise(token=make_token("nn", "rebind-param", seed=2), lang="zh-CN")
    exercise.run_button.click()
    assert exercise.wait(60)
    assert exercise.buggy_result is not None
    assert len(exercise.buggy_result.losses) == 500
    assert "500" in exercise.run_status.value
    exercise.check_button.click()
    assert "请先选" in exercise.diagnosis_view.value
    exercise.choices.value = "rebind-param"
    exercise.check_button.click()
    assert exercise.diagnosis_feedback.startswith("对了")
    exercise.editor.value = exercise.spec.program.source.replace(
        "param = param - learning_rate", "param -= learning_rate"
    )
    exercise.submit_button.click()
    assert exercise.wait(60)
    assert exercise.error == ""
    assert exercise.passed, exercise.fix_feedback
    assert "修复通过" in exercise.fix_feedback
    exercise.reset_button.click()
    assert exercise.editor.value == exercise.spec.program.source
    exercise.student.value = "李雷"
    exercise.export_path.value = str(tmp_path / "p.json")
    exercise.export_button.click()
    record = load_progress(tmp_path / "p.json")
    assert record["student"] == "李雷"
    assert record["passed"] is True
    assert str(tmp_path / "p.json") in exercise.export_view.value


def test_widget_export_failure_shown(notebook_kernel, tmp_path):
    from kit.widgets.exercise import Exercise

    exercise = Exercise(stage="nn", bug="rebind-param", lang="en")
    exercise.export_path.value = str(tmp_path / "missing-folder" / "p.json")
    exercise.export_button.click()
    assert "Could not save" in exercise.export_view.value
    assert exercise.error == ""


def test_widget_submit_returns_report(notebook_kernel):
    from kit.widgets.exercise import Exercise

    exercise = Exercise(stage="autograd", bug="rebind-update", lang="en")
    report = exercise.submit(exercise.spec.program.source)
    assert not report.accepted
    assert "AttributeError" in report._repr_markdown_()
    assert exercise.plot.losses == report.result.losses
    assert "AttributeError" in exercise.fix_view.value


def test_widget_invalid_token_message():
    from kit.widgets.exercise import Exercise

    with pytest.raises(KitError) as info:
        Exercise(token="kx1-broken", lang="zh-CN")
    assert "口令" in info.value.message("zh-CN")


def test_widget_stop_run(notebook_kernel):
    from kit.widgets.exercise import Exercise

    exercise = Exercise(stage="nn", bug="rebind-param", lang="en", iterations=5000)
    assert exercise.run()
    assert exercise.running
    assert exercise.run() is False
    assert exercise.stop_button.disabled is False
    exercise.stop_button.click()
    assert exercise.wait(60)
    assert not exercise.running
    assert exercise.buggy_result.status == "stopped"
    assert len(exercise.buggy_result.losses) < 5000
    assert exercise.run_button.disabled is False


def test_widget_stopped_fix_not_counted(notebook_kernel):
    from kit.widgets.exercise import Exercise

    exercise = Exercise(stage="nn", bug="rebind-param", lang="zh-CN", iterations=5000)
    exercise.editor.value = exercise.spec.program.base_source
    exercise.submit_button.click()
    exercise.stop()
    assert exercise.wait(60)
    assert exercise.session.attempts == []
    assert "被停止" in exercise.fix_feedback


def test_widget_submit_stops_run(notebook_kernel):
    from kit.widgets.exercise import Exercise

    exercise = Exercise(stage="nn", bug="rebind-param", lang="en", iterations=5000)
    assert exercise.run()
    report = exercise.submit(exercise.spec.program.source)
    assert exercise.buggy_result.status == "stopped"
    assert report.failed_check == "falls"
    assert len(exercise.session.attempts) == 1
