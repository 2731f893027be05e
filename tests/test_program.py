"""Programs: the rendered source, the bugs' diff and the standalone export."""

import os
import subprocess
import sys

import pytest

from kit.program import build_program, previous_stage_source
from kit.runner import run
from kit.settings import Settings
from kit.stages import STAGE_IDS


def test_settings_are_written_into_source():
    settings = Settings.create(
        "optim",
        learning_rate=0.02,
        iterations=7,
        seed=5,
        N=3,
        H=4,
        optimizer="SGD",
        dtype="float64",
    )
    source = build_program(settings).source
    assert "N, D_in, H, D_out = 3, 1000, 4, 10\n" in source
    assert "iterations = 7\n" in source
    assert "learning_rate = 0.02\n" in source
    assert "seed = 5\n" in source
    assert "dtype = torch.float64\n" in source
    assert "optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)" in source


def test_correct_program_has_no_diff():
    program = build_program(Settings.create("autograd"))
    assert program.source == program.base_source
    assert program.changed_lines == []
    assert {tag for tag, _, _ in program.diff_lines()} == {" "}
    assert program.unified_diff() == ""


def test_diff_marks_bug_lines():
    program = build_program(Settings.create("autograd", bugs=["rebind-update"]))
    lines = program.source.splitlines()
    diff = list(program.diff_lines())
    added = [(text, line) for tag, text, line in diff if tag == "+"]
    removed = [text for tag, text, line in diff if tag == "-"]
    assert [text.strip() for text, _ in added] == [
        "w1 = w1 - learning_rate * w1.grad",
        "w2 = w2 - learning_rate * w2.grad",
    ]
    assert [text.strip() for text in removed] == [
        "w1 -= learning_rate * w1.grad",
        "w2 -= learning_rate * w2.grad",
    ]
    for text, line in added:
        assert lines[line - 1] == text
    assert program.changed_lines == [line for _, line in added]
    assert [line for tag, _, line in diff if tag != "-"] == list(range(1, len(lines) + 1))


def test_previous_stage_source():
    assert previous_stage_source(Settings.create("numpy")) is None
    previous = previous_stage_source(Settings.create("tensor", iterations=9))
    assert previous.startswith("# Stage numpy")
    assert "iterations = 9\n" in previous
    for stage_id in STAGE_IDS[1:]:
        assert previous_stage_source(Settings.create(stage_id))


def run_exported(script, tmp_path):
    path = tmp_path / "exported.py"
    path.write_text(script, encoding="utf-8")
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    completed = subprocess.run(
        [sys.executable, str(path)],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return completed


@pytest.mark.parametrize(
    ("stage_id", "bugs"),
    [("numpy", ()), ("function", ()), ("dynamic", ()), ("nn", ("rebind-param",))],
)
def test_export_prints_runner_losses(stage_id, bugs, tmp_path):
    settings = Settings.create(stage_id, bugs=bugs, iterations=15)
    program = build_program(settings)
    script = program.standalone()
    assert "from kit" not in script
    assert "import kit" not in script

    completed = run_exported(script, tmp_path)
    assert completed.returncode == 0, completed.stderr
    printed = []
    for line in completed.stdout.splitlines():
        iteration, loss = line.split()
        printed.append((int(iteration), float(loss)))
    expected = run(settings).losses
    assert [iteration for iteration, _ in printed] == list(range(15))
    assert [loss for _, loss in printed] == expected


def test_export_reproduces_error(tmp_path):
    script = build_program(Settings.create("autograd", bugs=["rebind-update"])).standalone()
    completed = run_exported(script, tmp_path)
    assert completed.returncode != 0
    assert "AttributeError" in completed.stderr
    assert completed.stdout.splitlines()[0].startswith("0 ")
