"""Code view: the exact source a run executes, highlighted, with the injected changes marked."""

import html

import ipywidgets as widgets
import traitlets
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from kit.i18n import tr
from kit.program import Program, build_program, previous_stage_source
from kit.settings import Settings
from kit.widgets.base import Part, guarded

BUGS = "bugs"
PREVIOUS = "previous"

_CSS_SCOPE = ".kit-code"
_STYLE = """
.kit-code pre { margin: 0; font-size: 12.5px; line-height: 1.45; }
.kit-code .kit-line { display: block; white-space: pre; padding-right: 8px; }
.kit-code .kit-ln { display: inline-block; width: 3em; color: #999; text-align: right;
  margin-right: 0.6em; user-select: none; }
.kit-code .kit-tag { display: inline-block; width: 1.2em; font-weight: bold; user-select: none; }
.kit-code .kit-add { background: #e6ffed; }
.kit-code .kit-add .kit-tag { color: #1a7f37; }
.kit-code .kit-del { background: #ffebe9; text-decoration: line-through; color: #82071e; }
.kit-code .kit-del .kit-tag { color: #cf222e; }
.kit-code .kit-raise { background: #ffd7d5; outline: 2px solid #cf222e; }
.kit-code .kit-raise-note { display: block; white-space: pre-wrap; color: #b00020;
  background: #fff5f5; padding: 2px 8px 2px 4.8em; font-weight: bold; }
.kit-code .kit-legend { color: #555; font-size: 12px; margin: 2px 0 4px 0; }
"""


def highlighted_lines(source):
    """Return the HTML of each source line, highlighted by pygments.

    pygments' HTML formatter closes and reopens spans at line ends, so every
    returned line is balanced HTML.
    """
    lexer = PythonLexer(stripnl=False, ensurenl=False)
    formatter = HtmlFormatter(nowrap=True)
    lines = highlight(source, lexer, formatter).split("\n")
    expected = source.split("\n")
    if len(lines) != len(expected):
        # NOTE: only a lexer change could break the one-line-per-line rule; fall back to plain text
        return [html.escape(line) for line in expected]
    return lines


def _style_sheet():
    return _STYLE + HtmlFormatter().get_style_defs(_CSS_SCOPE)


class CodeView(Part):
    """The code that runs, highlighted, with the lines a bug changed marked as a diff.

    Set ``program`` (a :class:`kit.program.Program`) or build one with
    :meth:`show_settings`. ``compare`` switches the diff between the
    injected bugs and the previous stage of the lecture; ``error_line``
    marks the line that raised.
    """

    program = traitlets.Instance(Program, allow_none=True, help="The program shown.")
    compare = traitlets.Enum(
        (BUGS, PREVIOUS),
        BUGS,
        help="'bugs' marks the injected changes; 'previous' marks changes from the previous stage.",
    )
    error_line = traitlets.Int(
        None, allow_none=True, help="1-based line of the shown source that raised, or None."
    )
    error_text = traitlets.Unicode("", help="Error type and message shown under error_line.")

    def __init__(self, program=None, lang=None, compare=BUGS, **settings):
        super().__init__(lang=lang)
        self.switch = widgets.ToggleButtons(options=[("", BUGS), ("", PREVIOUS)], value=compare)
        self.switch.style.button_width = "auto"
        self.legend = widgets.HTML()
        self.code = widgets.HTML(layout=widgets.Layout(max_height="560px", overflow="auto"))
        self.code.add_class("kit-code-view")
        self.compare = compare
        self.bind_selection(self.switch, "compare")
        self.children = [self.switch, self.legend, self.code, self.error_view]
        self.observe(self._on_change, names=["program", "compare", "error_line", "error_text"])
        if program is None and settings:
            program = build_program(Settings.create(**settings))
        self.program = program
        self.relabel()

    def show_settings(self, settings):
        """Show the program of validated ``settings`` and clear any error mark."""
        with self.hold_trait_notifications():
            self.error_line = None
            self.error_text = ""
            self.program = build_program(settings)

    def mark_error(self, line, text):
        """Mark ``line`` (1-based, or None) as the one that raised ``text``."""
        with self.hold_trait_notifications():
            self.error_line = line
            self.error_text = text

    def relabel(self):
        self.set_options(
            self.switch,
            [
                (tr("dashboard.code_bugs", self.lang), BUGS),
                (tr("dashboard.code_previous", self.lang), PREVIOUS),
            ],
        )
        self.render()

    @guarded
    def _on_change(self, change):
        self.render()

    def render(self):
        """Rebuild the HTML of the code view."""
        program = self.program
        if program is None:
            self.legend.value = ""
            self.code.value = ""
            return
        against = None
        legend_key = "dashboard.code_legend_bugs"
        if self.compare == PREVIOUS:
            against = previous_stage_source(program.settings)
            legend_key = "dashboard.code_legend_previous"
            if against is None:
                against = program.source
                legend_key = "dashboard.code_first_stage"
        elif not program.settings.bugs:
            legend_key = "dashboard.code_no_bugs"
        self.legend.value = (
            f'<div class="kit-code"><div class="kit-legend">'
            f"{html.escape(tr(legend_key, self.lang))}</div></div>"
        )
        self.code.value = self._code_html(program, against)

    def _code_html(self, program, against):
        source_lines = highlighted_lines(program.source)
        rows = []
        for tag, text, number in program.diff_lines(against):
            if tag == "-":
                body = highlighted_lines(text)[0]
                rows.append(self._row("kit-del", "−", "", body))
                continue
            body = source_lines[number - 1]
            classes = "kit-add" if tag == "+" else ""
            raised = number == self.error_line
            if raised:
                classes += " kit-raise"
            rows.append(self._row(classes, "+" if tag == "+" else "", number, body))
            if raised and self.error_text:
                rows.append(f'<span class="kit-raise-note">↑ {html.escape(self.error_text)}</span>')
        return (
            f'<style>{_style_sheet()}</style><div class="kit-code"><pre>{"".join(rows)}</pre></div>'
        )

    @staticmethod
    def _row(classes, tag, number, body):
        return (
            f'<span class="kit-line {classes}"><span class="kit-ln">{number}</span>'
            f'<span class="kit-tag">{tag}</span>{body}</span>'
        )
