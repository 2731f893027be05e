"""Message catalogs in Simplified Chinese and English.

Every string a user reads comes from ``kit/locales/<lang>/<domain>.toml``.
A key is ``<domain>.<name>``: ``tr("cli.unknown_stage", value="x")`` looks up
``name = "unknown_stage"`` in ``locales/<lang>/cli.toml`` and fills the
``{value}`` field with ``str.format``.
"""

import functools
import locale
import logging
import os
import tomllib
from importlib import resources

log = logging.getLogger("kit")

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "en"
_ALIASES = {"zh": "zh-CN", "zh-cn": "zh-CN", "zh_cn": "zh-CN", "cn": "zh-CN", "en": "en"}

_current = None


def normalize_language(lang):
    """Map ``zh``, ``zh_CN.UTF-8``, ``en_US`` and the like to a catalog name.

    Raises
    ------
    KitError
        If ``lang`` names neither Chinese nor English.
    """
    text = str(lang).strip()
    key = text.lower().split(".")[0]
    if key in _ALIASES:
        return _ALIASES[key]
    if key.startswith("zh"):
        return "zh-CN"
    if key.startswith("en"):
        return "en"
    # rendered without detecting the language, which may be what failed
    raise KitError("errors.unknown_language", _current or DEFAULT_LANGUAGE, value=text)


def detect_language(explicit=None):
    """Choose the language: ``explicit``, else ``KIT_LANG``, else the locale, else English."""
    if explicit:
        return normalize_language(explicit)
    env = os.environ.get("KIT_LANG")
    if env:
        try:
            return normalize_language(env)
        except KitError:
            # an environment variable cannot be corrected at the call site, so fall through
            log.warning(tr("errors.unknown_language", DEFAULT_LANGUAGE, value=env))
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "zh-CN" if value.lower().startswith("zh") else "en"
    system = locale.getlocale()[0] or ""
    return "zh-CN" if system.lower().startswith("zh") else DEFAULT_LANGUAGE


def get_language():
    """Return the process-wide language, detecting it on first use."""
    global _current
    if _current is None:
        # English is in effect while detecting, so an error raised by the
        # detection itself can still render its message
        _current = DEFAULT_LANGUAGE
        _current = detect_language()
    return _current


def set_language(lang):
    """Set the process-wide language used when a call passes no ``lang``."""
    global _current
    _current = normalize_language(lang)
    return _current


@functools.cache
def catalog(lang):
    """Return the flat ``{key: text}`` catalog of one language."""
    folder = resources.files("kit") / "locales" / lang
    table = {}
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".toml"):
            continue
        domain = entry.name[: -len(".toml")]
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
        for name, text in _flatten(data):
            table[f"{domain}.{name}"] = text
    return table


def _flatten(data, prefix=""):
    for name, value in data.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", value


def tr(key, lang=None, **fields):
    """Return the text for ``key`` in ``lang`` (default: the current language).

    Raises
    ------
    KeyError
        If the key is missing from that language's catalog: a missing
        translation is a bug, and the catalog test lists every one.
    """
    lang = normalize_language(lang) if lang else get_language()
    text = catalog(lang)[key]
    return text.format(**fields) if fields else text


class KitError(ValueError):
    """Invalid input, with a message that can be shown in either language.

    ``str(error)`` is the message in ``lang`` (default: the current language);
    ``error.message(lang)`` renders it again in another one.
    """

    def __init__(self, key, lang=None, **fields):
        self.key = key
        self.fields = fields
        super().__init__(tr(key, lang, **fields))

    def message(self, lang=None):
        """Return the message in ``lang``."""
        return tr(self.key, lang, **self.fields)
