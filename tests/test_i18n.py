"""Both languages: complete catalogs, no user-visible text outside them, language choice, fonts."""

import ast
import io
import re
import string
import warnings
from pathlib import Path

import pytest

from kit.bugs import all_bugs
from kit.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    KitError,
    catalog,
    detect_language,
    normalize_language,
    tr,
)

ROOT = Path(__file__).resolve().parent.parent
KIT = ROOT / "kit"
LOCALES = KIT / "locales"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
LECTURE_CODE = re.compile(r"^[1-8]_.*\.py$")

# Words that stay as the field writes them in both languages.
FIELD_TERMS = {
    "adam",
    "sgd",
    "rmsprop",
    "loss",
    "autograd",
    "numpy",
    "torch",
    "nn",
    "optim",
    "module",
    "function",
    "dynamic",
    "tensor",
    "tensors",
    "dtype",
    "float32",
    "float64",
    "relu",
    "zero_grad",
    "backward",
    "forward",
    "lr",
    "nan",
    "inf",
    "voila",
    "kit",
    "json",
    "png",
    "log",
    "linear",
    "english",
    "n",
    "d_in",
    "h",
    "d_out",
    "id",
    "ids",
    "api",
}
# Names of the languages in the language switch, shown in their own language on purpose.
LANGUAGE_NAMES = {"中文", "English"}


def domains(lang):
    return sorted(path.stem for path in (LOCALES / lang).glob("*.toml"))


def domain_keys(lang, domain):
    prefix = f"{domain}."
    return {key for key in catalog(lang) if key.startswith(prefix)}


def placeholders(text):
    return sorted({name for _, name, _, _ in string.Formatter().parse(text) if name})


# ---------------------------------------------------------------- catalogs


def test_same_domains():
    assert domains("en") == domains("zh-CN")
    assert "exercises" in domains("en")


@pytest.mark.parametrize("domain", domains("en"))
def test_domain_keys_match(domain):
    english = domain_keys("en", domain)
    chinese = domain_keys("zh-CN", domain)
    assert sorted(english - chinese) == [], "missing in zh-CN"
    assert sorted(chinese - english) == [], "missing in en"


@pytest.mark.parametrize("domain", domains("en"))
def test_domain_placeholders_match(domain):
    for key in sorted(domain_keys("en", domain) & domain_keys("zh-CN", domain)):
        english = placeholders(catalog("en")[key])
        chinese = placeholders(catalog("zh-CN")[key])
        assert english == chinese, key


@pytest.mark.parametrize("domain", domains("en"))
def test_domain_texts_nonempty(domain):
    for lang in LANGUAGES:
        for key in domain_keys(lang, domain):
            if key.endswith("_separator"):
                continue  # Chinese joins sentences with no separator at all
            assert catalog(lang)[key].strip(), f"{lang} {key} is empty"


@pytest.mark.parametrize("bug", all_bugs(), ids=lambda bug: bug.id)
def test_bug_texts_both_languages(bug):
    for field in ("title", "explanation", "hint"):
        english = bug.text(field, "en")
        chinese = bug.text(field, "zh-CN")
        assert english.strip()
        assert chinese.strip()
        assert english != chinese
        assert CJK.search(chinese), f"{bug.id} {field} has no Chinese"
        assert not CJK.search(english), f"{bug.id} {field} has Chinese in en"
        assert placeholders(english) == placeholders(chinese)


def test_untranslated_texts_are_terms():
    # an entry equal in both catalogs must hold only placeholders, code and field terms
    english = catalog("en")
    for key, text in catalog("zh-CN").items():
        if text == english.get(key):
            assert not natural_language(text, label=True), f"{key} is not translated"


# ---------------------------------------------------------------- the AST scan


def kit_sources():
    for path in sorted(KIT.rglob("*.py")):
        if path.parent.name == "stages" and LECTURE_CODE.match(path.name):
            continue
        yield path


def literal_text(node):
    """The constant text of a str literal or f-string, with ``{}`` for each field; else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            else:
                parts.append("{}")
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        left, right = literal_text(node.left), literal_text(node.right)
        return " ".join(text for text in (left, right) if text)
    return None


def natural_language(text, label=False):
    """Whether ``text`` reads as words for a user rather than markup, an identifier or a term.

    ``label`` marks widget labels, where one capitalized word ("Run") already counts.
    """
    if text in LANGUAGE_NAMES or CATALOG_KEY.match(text):
        return False
    text = re.sub(r"<style>.*?</style>", " ", text, flags=re.DOTALL)
    text = re.sub(r"<[^>]*>", " ", text)
    text = re.sub(r"&#?\w+;", " ", text)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"`[^`]*`", " ", text)
    if CJK.search(text):
        return True
    words = [
        word
        for word in re.findall(r"[A-Za-z][A-Za-z_']*", text)
        if word.lower() not in FIELD_TERMS and len(word) > 1
    ]
    if len(words) >= 2:
        return True
    return label and len(words) == 1 and words[0][0].isupper()


LABEL_KEYWORDS = ("description", "tooltip", "placeholder")
VALUE_WIDGETS = ("HTML", "Label", "HTMLMath")
# argparse calls whose help= text the command line prints
ARGPARSE_CALLS = (
    "ArgumentParser",
    "add_argument",
    "add_argument_group",
    "add_parser",
    "add_subparsers",
)
# Exceptions for programming mistakes (a broken stage file, a wrong argument
# type in Python code) follow Python's convention of English messages.
# traitlets' TraitError comes from validators of traits that Python code sets.
DEVELOPER_ERRORS = (
    "RuntimeError",
    "AssertionError",
    "NotImplementedError",
    "TypeError",
    "TraitError",
    "AttributeError",
)
CATALOG_KEY = re.compile(r"^[a-z_]+(\.[A-Za-z0-9_\-]+)+$")


def call_name(node):
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        prefix = call_name_of(func.value)
        return f"{prefix}.{func.attr}" if prefix else func.attr
    return ""


def call_name_of(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        prefix = call_name_of(node.value)
        return f"{prefix}.{node.attr}" if prefix else node.attr
    return ""


def option_labels(node):
    if not isinstance(node, (ast.List, ast.Tuple)):
        return []
    labels = []
    for element in node.elts:
        if isinstance(element, ast.Tuple) and element.elts:
            element = element.elts[0]
        text = literal_text(element)
        if text is not None:
            labels.append(text)
    return labels


def user_text_literals(tree):
    """Yield ``(line, where, text, label)`` for every literal that reaches a user directly."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = call_name(node)
            short = name.rsplit(".", 1)[-1]
            for keyword in node.keywords:
                if keyword.arg in LABEL_KEYWORDS:
                    text = literal_text(keyword.value)
                    if text is not None:
                        yield node.lineno, f"{keyword.arg}=", text, True
                elif keyword.arg == "options":
                    for text in option_labels(keyword.value):
                        yield node.lineno, "options=", text, True
                elif keyword.arg == "value" and short in VALUE_WIDGETS:
                    text = literal_text(keyword.value)
                    if text is not None:
                        yield node.lineno, f"{short}(value=)", text, False
            if short in ARGPARSE_CALLS:
                for keyword in node.keywords:
                    if keyword.arg in ("help", "epilog", "usage"):
                        text = literal_text(keyword.value)
                        if text is not None:
                            yield node.lineno, f"{short}({keyword.arg}=)", text, False
            if short in VALUE_WIDGETS and node.args:
                text = literal_text(node.args[0])
                if text is not None:
                    yield node.lineno, f"{short}()", text, False
            if name in ("print", "sys.stderr.write", "sys.stdout.write", "click.echo"):
                for argument in node.args:
                    text = literal_text(argument)
                    if text is not None:
                        yield node.lineno, name, text, False
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            name = call_name(node.exc).rsplit(".", 1)[-1]
            if name.endswith(("Error", "Exception")) and name not in DEVELOPER_ERRORS:
                if node.exc.args:
                    text = literal_text(node.exc.args[0])
                    if text is not None:
                        yield node.lineno, f"raise {name}", text, False
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and target.attr in LABEL_KEYWORDS:
                    text = literal_text(node.value)
                    if text is not None:
                        yield node.lineno, f".{target.attr} =", text, True
                if isinstance(target, ast.Attribute) and target.attr == "options":
                    for text in option_labels(node.value):
                        yield node.lineno, ".options =", text, True


def test_scanner_flags_bypass():
    # the scan itself must catch hard-coded text, or every other test here proves nothing
    sample = ast.parse(
        "import sys\n"
        "b = widgets.Button(description='Run')\n"
        "h = widgets.HTML(value='<b>Training finished</b>')\n"
        "print('Loss went up')\n"
        "sys.stderr.write(f'Unknown stage {name}')\n"
        "raise ValueError('Invalid learning rate')\n"
        "t = widgets.ToggleButtons(options=[('Show the reference', True)])\n"
        "w.tooltip = '运行'\n"
        "parser.add_argument('--port', help='TCP port to listen on')\n"
    )
    flagged = [item for item in user_text_literals(sample) if natural_language(item[2], item[3])]
    assert len(flagged) == 8


def test_scanner_allows_markup_and_terms():
    sample = ast.parse(
        "b = widgets.Button(description=tr('dashboard.run'))\n"
        "h = widgets.HTML(value='<div class=\"kit-code\"></div>')\n"
        "s = widgets.HTML('<style>.kit-x textarea{font-family:monospace}</style>')\n"
        "t = widgets.ToggleButtons(options=[('中文', 'zh-CN'), ('English', 'en')])\n"
        "o = widgets.Dropdown(options=['Adam', 'SGD', 'RMSprop'])\n"
        "raise RuntimeError('stage file broken')\n"
        "print(it, loss)\n"
    )
    flagged = [item for item in user_text_literals(sample) if natural_language(item[2], item[3])]
    assert flagged == []


@pytest.mark.parametrize("path", list(kit_sources()), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_text_outside_catalogs(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    flagged = [
        f"line {line}: {where} {text!r}"
        for line, where, text, label in user_text_literals(tree)
        if natural_language(text, label)
    ]
    assert flagged == []


def used_keys():
    """Every literal key passed to ``tr(...)`` or ``KitError(...)`` in kit."""
    keys = set()
    for path in kit_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = call_name(node).rsplit(".", 1)[-1]
            if name in ("tr", "KitError") and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    keys.add((str(path.relative_to(ROOT)), first.value))
    return sorted(keys)


def test_used_keys_found():
    assert len(used_keys()) > 50


@pytest.mark.parametrize("lang", LANGUAGES)
def test_used_keys_exist(lang):
    missing = [f"{path}: {key}" for path, key in used_keys() if key not in catalog(lang)]
    assert missing == []


# ---------------------------------------------------------------- widgets in both languages


def visible_texts(widget, path="root"):
    """Yield ``(path, text)`` for every label, tooltip, placeholder, option and HTML text."""
    import ipywidgets as widgets

    for name in ("description", "tooltip", "placeholder"):
        value = getattr(widget, name, None)
        if isinstance(value, str) and value:
            yield f"{path}.{name}", value
    if isinstance(widget, (widgets.HTML, widgets.Label, widgets.HTMLMath)):
        text = re.sub(r"<pre.*?</pre>", " ", widget.value, flags=re.DOTALL)
        text = re.sub(r"<style>.*?</style>", " ", text, flags=re.DOTALL)
        text = re.sub(r"<code>.*?</code>", " ", text, flags=re.DOTALL)
        text = " ".join(re.sub(r"<[^>]*>", " ", text).split())
        if text:
            yield f"{path}.value", text
    labels = getattr(widget, "_options_labels", None)
    if labels:
        for index, label in enumerate(labels):
            yield f"{path}.options[{index}]", label
    for index, child in enumerate(getattr(widget, "children", ())):
        yield from visible_texts(child, f"{path}/{index}")


def assert_translated(english_widget, chinese_widget):
    english = dict(visible_texts(english_widget))
    chinese = dict(visible_texts(chinese_widget))
    assert english.keys() == chinese.keys()
    same = [
        f"{path}: {text!r}"
        for path, text in english.items()
        if natural_language(text, label=True) and chinese[path] == text
    ]
    assert same == []
    return english, chinese


def test_lab_texts_translated():
    import kit

    english = kit.Lab(stage="autograd", bugs=["rebind-update"], lang="en")
    chinese = kit.Lab(stage="autograd", bugs=["rebind-update"], lang="zh-CN")
    texts, _ = assert_translated(english, chinese)
    assert len(texts) > 20


def test_lab_texts_translated_after_run():
    import kit

    labs = [
        kit.Lab(stage="nn", bugs=["rebind-param"], lang=lang, iterations=50) for lang in LANGUAGES
    ]
    for lab in labs:
        assert lab.run()
        assert lab.wait(60)
        assert lab.result is not None
    chinese, english = labs
    assert_translated(english, chinese)


def test_exercise_texts_translated():
    from kit.exercises import make_token
    from kit.widgets.exercise import Exercise

    token = make_token("nn", "rebind-param")
    english = Exercise(token=token, lang="en")
    chinese = Exercise(token=token, lang="zh-CN")
    for widget in (english, chinese):
        widget.run()
        assert widget.wait(60)
        widget.answer(next(c for c in widget.spec.choices() if c != widget.spec.bug))
        widget.submit(widget.spec.program.source)
    texts, _ = assert_translated(english, chinese)
    assert len(texts) > 15


def test_exercise_language_switch():
    from kit.exercises import make_token
    from kit.widgets.exercise import Exercise

    switched = Exercise(token=make_token("nn", "rebind-param"), lang="en")
    switched.submit(switched.spec.program.source)
    switched.lang = "zh-CN"
    fresh = Exercise(token=make_token("nn", "rebind-param"), lang="zh-CN")
    fresh.submit(fresh.spec.program.source)
    assert dict(visible_texts(switched)) == dict(visible_texts(fresh))


# ---------------------------------------------------------------- choosing the language


LOCALE_VARIABLES = ("KIT_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture
def clean_environment(monkeypatch):
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    "value, expected",
    [
        ("zh", "zh-CN"),
        ("zh-CN", "zh-CN"),
        ("zh_CN.UTF-8", "zh-CN"),
        ("ZH-cn", "zh-CN"),
        ("cn", "zh-CN"),
        ("zh_TW", "zh-CN"),
        ("en", "en"),
        ("en_US.UTF-8", "en"),
        ("EN", "en"),
    ],
)
def test_normalize_language(value, expected):
    assert normalize_language(value) == expected


@pytest.mark.parametrize("value", ["fr", "", "de_DE.UTF-8", "klingon"])
def test_normalize_language_invalid(value):
    with pytest.raises(ValueError):
        normalize_language(value)


def test_detect_explicit_first(clean_environment):
    clean_environment.setenv("KIT_LANG", "en")
    clean_environment.setenv("LANG", "en_US.UTF-8")
    assert detect_language("zh") == "zh-CN"


def test_detect_kit_lang_over_locale(clean_environment):
    clean_environment.setenv("KIT_LANG", "zh")
    clean_environment.setenv("LC_ALL", "en_US.UTF-8")
    assert detect_language() == "zh-CN"
    clean_environment.setenv("KIT_LANG", "en")
    clean_environment.setenv("LC_ALL", "zh_CN.UTF-8")
    assert detect_language() == "en"


@pytest.mark.parametrize("name", ["LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"])
def test_detect_from_locale(clean_environment, name):
    clean_environment.setenv(name, "zh_CN.UTF-8")
    assert detect_language() == "zh-CN"
    clean_environment.setenv(name, "en_GB.UTF-8")
    assert detect_language() == "en"


def test_detect_lc_all_over_lang(clean_environment):
    clean_environment.setenv("LC_ALL", "zh_CN.UTF-8")
    clean_environment.setenv("LANG", "en_US.UTF-8")
    assert detect_language() == "zh-CN"


def test_detect_default(clean_environment):
    clean_environment.setattr("locale.getlocale", lambda *args: (None, None))
    assert detect_language() == DEFAULT_LANGUAGE == "en"


def test_detect_invalid_kit_lang(clean_environment, caplog):
    # a bad environment variable is logged and falls through to the locale
    clean_environment.setenv("KIT_LANG", "fr")
    clean_environment.setenv("LANG", "zh_CN.UTF-8")
    with caplog.at_level("WARNING", logger="kit"):
        assert detect_language() == "zh-CN"
    assert "'fr'" in caplog.text


def test_detect_invalid_explicit(clean_environment):
    with pytest.raises(KitError) as info:
        detect_language("fr")
    assert info.value.key == "errors.unknown_language"


def test_kit_error_both_languages():
    error = KitError("exercises.bad_seed", value=-1)
    assert error.message("en") != error.message("zh-CN")
    assert "-1" in error.message("en")
    assert "-1" in error.message("zh-CN")
    assert tr("exercises.bad_seed", "zh", value=3) == error.message("zh-CN").replace("-1", "3")


# ---------------------------------------------------------------- Chinese plot text


def render_chinese(families):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4, 3))
    axes = figure.add_subplot()
    axes.plot([0, 1, 2], [3.0, 1.0, 0.5], label=tr("plot.run", "zh-CN"))
    axes.set_xlabel(tr("plot.iteration", "zh-CN"), fontfamily=families)
    axes.set_ylabel(tr("plot.loss", "zh-CN"), fontfamily=families)
    axes.set_title(tr("lecture.five_ways_title", "zh-CN", difference="1e-10"), fontfamily=families)
    for text in axes.legend().get_texts():
        text.set_fontfamily(families)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.savefig(io.BytesIO(), format="png")
    return [str(warning.message) for warning in caught]


def test_chinese_plot_no_missing_glyphs():
    from kit.fonts import cjk_family, font_families

    assert cjk_family() is not None, "no CJK font installed: apt-get install fonts-noto-cjk"
    messages = render_chinese(font_families("zh-CN"))
    assert [m for m in messages if "Glyph" in m] == []


def test_default_font_misses_glyphs():
    # the control case: without the kit's font setup the same figure warns
    messages = render_chinese(["DejaVu Sans"])
    assert any("Glyph" in message and "missing" in message for message in messages)


def test_lecture_figure_no_missing_glyphs():
    from kit.lecture import StageComparison, plot_comparison

    comparison = StageComparison({"numpy": [3.0, 1.0], "nn": [3.0, 1.0]}, 0.0, {})
    figure = plot_comparison(comparison, lang="zh-CN")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.savefig(io.BytesIO(), format="png")
    assert [str(w.message) for w in caught if "Glyph" in str(w.message)] == []
