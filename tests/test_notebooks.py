"""The lecture and exercise notebooks: both languages execute top to bottom under nbclient."""

import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from kit.bugs import bug_ids
from kit.exercises import exercise_pairs, read_token

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LANGS = ("zh-CN", "en")
CJK = re.compile(r"[\u4e00-\u9fff]")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def load(name, lang):
    return nbformat.read(NOTEBOOKS / f"{name}.{lang}.ipynb", as_version=4)


def execute(notebook, tmp_path, monkeypatch):
    # the kernel is a subprocess: it finds kit through PYTHONPATH
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    monkeypatch.setenv("PYTHONPATH", path)
    monkeypatch.setenv("KIT_LECTURE_ITERATIONS", "100")
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=300,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    return notebook


def outputs_text(notebook):
    """All stream and error text the cells printed."""
    texts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                texts.append(output.text)
            elif output.output_type == "error":
                texts.append("\n".join(output.traceback))
    return "\n".join(texts)


def code_cells(notebook):
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


@pytest.mark.parametrize("name", ["lecture", "exercises"])
def test_twins_same_code(name):
    english, chinese = load(name, "en"), load(name, "zh-CN")
    assert [c.replace('"en"', '"zh-CN"') for c in code_cells(english)] == code_cells(chinese)
    english_md = [cell.source for cell in english.cells if cell.cell_type == "markdown"]
    chinese_md = [cell.source for cell in chinese.cells if cell.cell_type == "markdown"]
    assert len(english_md) == len(chinese_md)
    for text in english_md:
        assert not CJK.search(text)
    for text in chinese_md:
        assert CJK.search(text), text[:60]


@pytest.mark.parametrize("name", ["lecture", "exercises"])
def test_cells_short(name):
    for lang in LANGS:
        for source in code_cells(load(name, lang)):
            assert source.count("\n") <= 1, source


def test_lecture_shows_three_mistakes():
    sources = "\n".join(code_cells(load("lecture", "en")))
    assert 'kit.show("autograd", bugs=["rebind-update"]' in sources
    assert 'kit.show("nn", bugs=["rebind-param"]' in sources
    assert 'kit.show("optim", bugs=["lr-after-optimizer"]' in sources
    for stage in ("numpy", "tensor", "autograd", "function", "nn", "optim", "module", "dynamic"):
        assert f'kit.show("{stage}"' in sources


@pytest.mark.parametrize("lang", LANGS)
def test_exercise_tokens_hide_answers(lang):
    notebook = load("exercises", lang)
    text = nbformat.writes(notebook)
    for bug in bug_ids():
        assert bug not in text
    tokens = re.findall(r'token="([^"]+)"', "\n".join(code_cells(notebook)))
    assert len(tokens) >= 4
    pairs = [read_token(token)[:2] for token in tokens]
    assert set(pairs) <= set(exercise_pairs())
    assert len(set(pairs)) == len(pairs)


@pytest.mark.parametrize("lang", LANGS)
def test_lecture_executes(lang, tmp_path, monkeypatch):
    notebook = execute(load("lecture", lang), tmp_path, monkeypatch)
    printed = outputs_text(notebook)
    assert "Traceback" not in printed
    assert "Glyph" not in printed
    views = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if WIDGET_VIEW in output.get("data", {})
    ]
    show_cells = sum(source.startswith("kit.show(") for source in code_cells(notebook))
    assert len(views) == show_cells
    images = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]
    assert len(images) == 1
    summaries = [
        output["data"]["text/markdown"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "text/markdown" in output.get("data", {})
    ]
    assert len(summaries) == 1
    difference = float(re.findall(r"\d\.\de[-+]\d+", summaries[0])[-1])
    assert difference < 1e-6
    assert "100" in summaries[0]
    assert bool(CJK.search(summaries[0])) == (lang == "zh-CN")


@pytest.mark.parametrize("lang", LANGS)
def test_exercises_execute(lang, tmp_path, monkeypatch):
    notebook = execute(load("exercises", lang), tmp_path, monkeypatch)
    printed = outputs_text(notebook)
    assert "Traceback" not in printed
    views = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if WIDGET_VIEW in output.get("data", {})
    ]
    assert len(views) == sum("kit.Exercise(" in source for source in code_cells(notebook))
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- lecture helpers


def test_compare_stages_float64_agree():
    from kit.lecture import FIVE_WAYS, compare_stages

    comparison = compare_stages(iterations=30)
    assert list(comparison.losses) == list(FIVE_WAYS)
    for values in comparison.losses.values():
        assert len(values) == 30
    assert comparison.max_relative_difference < 1e-9
    assert comparison.settings == {"dtype": "float64", "iterations": 30}


def test_compare_stages_float32_differs():
    # the control case: in float32 the torch stages round differently from numpy's float64
    from kit.lecture import compare_stages

    comparison = compare_stages(("numpy", "tensor"), dtype="float32", iterations=300)
    assert comparison.max_relative_difference > 1e-6


def test_compare_stages_invalid_setting():
    from kit.i18n import KitError
    from kit.lecture import compare_stages

    with pytest.raises(KitError):
        compare_stages(iterations=0)
    with pytest.raises(KitError):
        compare_stages(("numpy", "no-such-stage"), iterations=5)


@pytest.mark.parametrize("lang", LANGS)
def test_comparison_summary_language(lang):
    from kit.lecture import StageComparison

    comparison = StageComparison({"numpy": [2.0, 1.0], "nn": [2.0, 1.0]}, 3e-12, {})
    text = comparison.summary(lang)
    assert "3.0e-12" in text
    assert "`numpy`" in text
    assert bool(CJK.search(text)) == (lang == "zh-CN")


def test_lecture_iterations_variable(monkeypatch):
    from kit.i18n import KitError
    from kit.lecture import lecture_iterations

    monkeypatch.delenv("KIT_LECTURE_ITERATIONS", raising=False)
    assert lecture_iterations() == 500
    monkeypatch.setenv("KIT_LECTURE_ITERATIONS", "40")
    assert lecture_iterations() == 40
    for bad in ("0", "-3", "many"):
        monkeypatch.setenv("KIT_LECTURE_ITERATIONS", bad)
        with pytest.raises(KitError):
            lecture_iterations()


def test_figure_image_png():
    from kit.lecture import StageComparison, figure_image, plot_comparison

    comparison = StageComparison({"numpy": [2.0, 1.0], "nn": [2.0, 1.0]}, 0.0, {})
    image = figure_image(plot_comparison(comparison, lang="en"))
    assert image.data[:8] == b"\x89PNG\r\n\x1a\n"
