"""The kit command line: output, invalid input in both languages, Ctrl-C and pipes."""

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from kit.cli import main
from kit.i18n import set_language
from kit.runner import run
from kit.settings import Settings

SMALL = ["--N", "8", "--D-in", "20", "--H", "10", "--D-out", "3"]

# (arguments, substrings of the English message: the bad value and the valid choices)
INVALID = [
    (["run", "--stage", "numpyy"], ["numpyy", "numpy, tensor, autograd"]),
    (["run"], ["--stage", "numpy, tensor"]),
    (["run", "--stage", "numpy", "--bug", "nope"], ["nope", "rebind-update"]),
    (["run", "--stage", "nn", "--bug", "relu-mask"], ["relu-mask", "rebind-param"]),
    (["show", "--stage", "numpy", "--bug", "rebind-param"], ["rebind-param", "lr-too-large"]),
    (["run", "--stage", "numpy", "--lr", "0"], ["'0'"]),
    (["run", "--stage", "numpy", "--lr", "-1e-3"], ["'-1e-3'"]),
    (["run", "--stage", "numpy", "--lr", "nan"], ["'nan'"]),
    (["run", "--stage", "numpy", "--lr", "inf"], ["'inf'"]),
    (["run", "--stage", "numpy", "--lr", "fast"], ["'fast'"]),
    (["run", "--stage", "numpy", "--iterations", "0"], ["'0'", "100000"]),
    (["run", "--stage", "numpy", "--iterations", "100001"], ["'100001'", "100000"]),
    (["run", "--stage", "numpy", "--iterations", "ten"], ["'ten'"]),
    (["run", "--stage", "numpy", "--N", "0"], ["N", "'0'"]),
    (["run", "--stage", "numpy", "--D-in", "-5"], ["D_in", "'-5'"]),
    (["run", "--stage", "numpy", "--H", "0"], ["H", "'0'"]),
    (["run", "--stage", "numpy", "--D-out", "0"], ["D_out", "'0'"]),
    (["run", "--stage", "numpy", "--D-in", "100000000"], ["D_in=100000000", "512 MiB"]),
    (["run", "--stage", "optim", "--optimizer", "Adagrad"], ["Adagrad", "Adam, SGD, RMSprop"]),
    (["run", "--stage", "numpy", "--dtype", "float16"], ["float16", "float32, float64"]),
    (["export", "--stage", "numpy"], ["-o"]),
    (["serve", "--port", "99999"], ["99999", "65535"]),
    (["run", "--stage", "numpy", "--verbose"], ["--verbose"]),
    (["run", "--stage"], ["--stage"]),
    (["frobnicate"], ["frobnicate", "list, run, show"]),
    ([], ["list, run, show"]),
]


def run_cli(argv, capsys):
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(autouse=True)
def english_default(monkeypatch):
    monkeypatch.setenv("KIT_LANG", "en")
    yield
    set_language("en")


@pytest.mark.parametrize(("argv", "expected"), INVALID)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_invalid_input_exits_2(argv, expected, lang, capsys):
    code, out, err = run_cli([*argv, "--lang", lang], capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    for text in expected:
        if lang == "zh" and text.startswith("'"):
            # Chinese messages quote values with full-width quotation marks
            text = "“" + text.strip("'") + "”"
        assert text in err
    if lang == "zh":
        assert err.startswith("kit：错误：")
    else:
        assert err.startswith("kit: error: ")


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_cli_message_matches_api(lang, capsys):
    code, _, err = run_cli(["run", "--stage", "numpy", "--lr", "-2", "--lang", lang], capsys)
    set_language(lang)
    with pytest.raises(ValueError) as caught:
        Settings.create("numpy", learning_rate="-2")
    assert code == 2
    assert err.rstrip("\n").endswith(str(caught.value))


def test_invalid_language_rejected(capsys):
    code, _, err = run_cli(["list", "--lang", "fr"], capsys)
    assert code == 2
    assert "'fr'" in err
    assert "zh, en" in err


def test_kit_lang_selects_chinese(monkeypatch, capsys):
    monkeypatch.setenv("KIT_LANG", "zh")
    code, out, _ = run_cli(["list"], capsys)
    assert code == 0
    assert out.startswith("阶段\n")


def test_locale_selects_chinese(monkeypatch, capsys):
    monkeypatch.delenv("KIT_LANG")
    monkeypatch.delenv("LANGUAGE", raising=False)
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    code, _, err = run_cli(["run", "--stage", "x"], capsys)
    assert code == 2
    assert err.startswith("kit：错误：")


def test_list_shows_matrix(capsys):
    code, out, _ = run_cli(["list"], capsys)
    assert code == 0
    lines = out.splitlines()
    row = next(line for line in lines if line.split()[:1] == ["rebind-param"] and "." in line)
    header = next(line for line in lines if line.split()[:2] == ["numpy", "tensor"])
    assert row[header.index(" nn ") + 1] == "x"
    assert row[header.index("numpy") + 2] == "."
    assert "Wrong mask in the ReLU backward" in out


def test_run_prints_losses_then_diagnosis(capsys):
    code, out, _ = run_cli(["run", "--stage", "tensor", "--iterations", "6", *SMALL], capsys)
    expected = run(Settings.create("tensor", iterations=6, N=8, D_in=20, H=10, D_out=3))
    assert code == 0
    lines = out.splitlines()
    loss_lines = [line for line in lines if line[:1].isdigit()]
    assert [line.split()[0] for line in loss_lines] == [str(i) for i in range(6)]
    for line, loss in zip(loss_lines, expected.losses, strict=True):
        assert float(line.split()[1]) == pytest.approx(loss, rel=1e-9)
    assert any(line.startswith("Diagnosis: ") for line in lines)
    assert any(line.startswith("Hint: ") for line in lines)


def test_run_lecture_first_line(capsys):
    code, out, _ = run_cli(["run", "--stage", "numpy", "--iterations", "1"], capsys)
    assert code == 0
    assert "\n0 31519525.12\n" in out


def test_run_raised_shows_line(capsys):
    code, out, _ = run_cli(["run", "--stage", "autograd", "--bug", "rebind-update"], capsys)
    assert code == 0
    assert "Error: AttributeError: 'NoneType' object has no attribute 'zero_'" in out
    assert "Line 34: w1.grad.zero_()" in out
    assert "Traceback" not in out


def test_run_in_chinese(capsys):
    code, out, _ = run_cli(
        ["run", "--stage", "nn", "--bug", "rebind-param", "--iterations", "5", "--lang", "zh"],
        capsys,
    )
    assert code == 0
    assert "诊断：" in out
    assert "提示：" in out


def test_show_marks_diff(capsys):
    code, out, _ = run_cli(["show", "--stage", "autograd", "--bug", "rebind-update"], capsys)
    assert code == 0
    assert "  32 +         w1 = w1 - learning_rate * w1.grad" in out.splitlines()
    assert "     -         w1 -= learning_rate * w1.grad" in out.splitlines()
    assert "  34           w1.grad.zero_()" in out.splitlines()


def test_export_writes_standalone(tmp_path, capsys):
    target = tmp_path / "stage.py"
    code, out, _ = run_cli(
        ["export", "--stage", "numpy", "--bug", "relu-mask", "-o", str(target)], capsys
    )
    assert code == 0
    assert str(target) in out
    script = target.read_text(encoding="utf-8")
    assert "grad_h[h > 0] = 0" in script
    assert "from kit" not in script


def test_export_unwritable_path(tmp_path, capsys):
    target = tmp_path / "missing-folder" / "stage.py"
    code, _, err = run_cli(["export", "--stage", "numpy", "-o", str(target)], capsys)
    assert code == 1
    assert err.count("\n") == 1
    assert str(target) in err


def test_gradcheck_command(capsys):
    assert run_cli(["gradcheck", "--stage", "numpy"], capsys)[0] == 0
    code, out, _ = run_cli(["gradcheck", "--stage", "numpy", "--bug", "relu-mask"], capsys)
    assert code == 1
    assert "FAILED" in out


def environment():
    env = dict(os.environ, KIT_LANG="en")
    env.pop("PYTHONPATH", None)
    return env


def test_python_m_kit_entry(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "kit", "run", "--stage", "nope"],
        capture_output=True,
        text=True,
        env=environment(),
        cwd=tmp_path,
        timeout=120,
    )
    assert completed.returncode == 2
    assert completed.stderr.startswith("kit: error: Unknown stage 'nope'")
    assert "Traceback" not in completed.stderr


@pytest.mark.skipif(shutil.which("kit") is None, reason="console script 'kit' is not installed")
def test_console_script(tmp_path):
    completed = subprocess.run(
        ["kit", "list"],
        capture_output=True,
        text=True,
        env=environment(),
        cwd=tmp_path,
        timeout=120,
    )
    assert completed.returncode == 0
    assert "rebind-update" in completed.stdout


def test_ctrl_c_stops_with_diagnosis(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "kit", "run", "--stage", "numpy", "--iterations", "100000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
        cwd=tmp_path,
    )
    # wait for the first loss line, so the handler is installed
    process.stdout.readline()
    first = process.stdout.readline()
    assert first.startswith("0 ")
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert "Stopped by Ctrl-C" in out
    assert "Diagnosis: " in out


def test_broken_pipe_is_quiet(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "kit", "run", "--stage", "numpy", "--iterations", "100000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment(),
        cwd=tmp_path,
    )
    process.stdout.readline()
    process.stdout.close()
    _, err = process.communicate(timeout=120)
    assert process.returncode == 1
    assert err == b""
