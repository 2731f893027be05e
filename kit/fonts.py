"""Pick a font that draws Chinese plot text.

matplotlib's default DejaVu Sans has no CJK glyphs: it draws boxes and warns
"Glyph ... missing from font(s)". Debian's fonts-noto-cjk provides
``Noto Sans CJK SC``; the other names cover common macOS, Windows and
Linux installs.
"""

import functools
import logging
import warnings

from matplotlib import font_manager

# Families tried in order; the first one installed is used for Chinese text.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Microsoft YaHei",
    "SimHei",
    "Noto Sans CJK JP",
)

log = logging.getLogger(__name__)


@functools.cache
def cjk_family():
    """Return the first installed family of ``CJK_FAMILIES``, or None.

    Warns once (``UserWarning`` and the log) when none is installed, because
    Chinese labels then show as boxes.
    """
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    message = (
        "No CJK font found, so Chinese plot text shows as boxes. "
        "Install one, for example: apt-get install fonts-noto-cjk"
    )
    log.warning(message)
    warnings.warn(message, UserWarning, stacklevel=2)
    return None


def font_families(lang):
    """Return the ``font.family`` list for plot text in ``lang``.

    Chinese text gets the CJK font first and DejaVu Sans as the fallback for
    symbols the CJK font lacks; English text keeps matplotlib's default.
    """
    if lang == "zh-CN":
        family = cjk_family()
        if family is not None:
            return [family, "DejaVu Sans"]
    return ["DejaVu Sans"]


def plot_language(lang):
    """Return the language plot text can be drawn in: ``lang``, or English without a CJK font.

    Falling back to English keeps a plot readable, and free of "Glyph missing"
    warnings, on a machine without any CJK font.
    """
    if lang == "zh-CN" and cjk_family() is None:
        return "en"
    return lang
