"""The ``kit`` command: list, run, show, export and gradient-check stages; serve the dashboard.

Every message comes from ``kit/locales/<lang>/cli.toml``. Invalid input exits
with status 2 and one line on stderr that names the bad value and the valid
choices. Errors raised by a stage's code are results: ``kit run`` prints them
in the diagnosis and exits 0.
"""

import argparse
import math
import os
import re
import signal
import sys

from kit.bugs import all_bugs
from kit.i18n import KitError, detect_language, normalize_language, set_language, tr
from kit.program import build_program
from kit.settings import DTYPES, MAX_ITERATIONS, Settings
from kit.stages import OPTIMIZERS, STAGE_IDS

COMMANDS = ("list", "run", "show", "export", "serve", "gradcheck")
SIZE_DEFAULTS = {"N": 64, "D_in": 1000, "H": 100, "D_out": 10}
EXIT_USAGE = 2
EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """Invalid command line, with its message already in the user's language."""


class InvalidLanguage(ValueError):
    """A ``--lang`` or ``KIT_LANG`` value that names neither Chinese nor English."""

    def __init__(self, value):
        super().__init__(value)
        self.value = value


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout with a translated ``usage:`` prefix."""

    def add_usage(self, usage, actions, groups, prefix=None):
        if prefix is None:
            prefix = tr("cli.usage_prefix", _Parser.lang)
        super().add_usage(usage, actions, groups, prefix)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one translated line, not usage plus English."""

    lang = "en"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)
        # argparse names its default groups in English
        self._optionals.title = tr("cli.options_title", self.lang)
        self._positionals.title = tr("cli.positionals_title", self.lang)

    def error(self, message):
        raise UsageError(_translate_argparse_error(message, self.prog, self.lang))


def _translate_argparse_error(message, prog, lang):
    """Map argparse's English error to the catalog; keep unknown ones verbatim."""
    match = re.match(r"unrecognized arguments: (\S+)", message)
    if match:
        return tr("cli.unknown_option", lang, value=match.group(1), command=prog)
    match = re.match(r"argument (\S+?)(/\S+)?: expected one argument", message)
    if match:
        return tr("cli.missing_value", lang, option=match.group(1))
    match = re.match(r"argument COMMAND: invalid choice: '?([^' ]*)'?", message)
    if match:
        return tr("cli.unknown_command", lang, value=match.group(1), choices=", ".join(COMMANDS))
    if "required: COMMAND" in message:
        return tr("cli.missing_command", lang, choices=", ".join(COMMANDS))
    return tr("cli.usage_error", lang, detail=message)


def _join_negative_numbers(argv):
    """Write ``--lr -1e-3`` as ``--lr=-1e-3``.

    argparse takes a value such as ``-1e-3`` for an unknown option and reports
    a missing value, so the validation message naming the number never shows.
    """
    joined = []
    for arg in argv:
        if joined and joined[-1].startswith("--") and "=" not in joined[-1] and _is_number(arg):
            if arg.startswith("-"):
                joined[-1] = f"{joined[-1]}={arg}"
                continue
        joined.append(arg)
    return joined


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _option_language(argv):
    """Return the value of ``--lang`` in ``argv``, read before the parser exists."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def resolve_language(argv):
    """Return the language for ``argv``: ``--lang``, else ``KIT_LANG``, else the locale.

    Raises
    ------
    InvalidLanguage
        If ``--lang`` or ``KIT_LANG`` names neither Chinese nor English.
    """
    explicit = _option_language(argv)
    for candidate in (explicit, os.environ.get("KIT_LANG")):
        if candidate:
            try:
                return normalize_language(candidate)
            except ValueError:
                raise InvalidLanguage(candidate) from None
    return detect_language(None)


def _fallback_language():
    """Return the language for the message that rejects an invalid language."""
    try:
        return normalize_language(os.environ.get("KIT_LANG", ""))
    except ValueError:
        pass
    saved = os.environ.pop("KIT_LANG", None)
    try:
        return detect_language(None)
    finally:
        if saved is not None:
            os.environ["KIT_LANG"] = saved


def build_parser(lang):
    """Return the argument parser with help text in ``lang``."""
    _Parser.lang = lang
    parser = _Parser(
        prog="kit",
        description=tr("cli.description", lang),
        epilog=tr("cli.epilog", lang),
        add_help=False,
    )
    _add_common(parser, lang)
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", title=tr("cli.commands_title", lang)
    )
    commands.required = True

    _add_command(commands, "list", lang, command_list)

    run = _add_command(commands, "run", lang, command_run)
    _add_stage_options(run, lang)
    _add_hyper_parameters(run, lang)

    show = _add_command(commands, "show", lang, command_show)
    _add_stage_options(show, lang)
    _add_hyper_parameters(show, lang)

    export = _add_command(commands, "export", lang, command_export)
    _add_stage_options(export, lang)
    _add_hyper_parameters(export, lang)
    export.add_argument("-o", "--output", metavar="FILE.py", help=tr("cli.output_option", lang))

    gradcheck = _add_command(commands, "gradcheck", lang, command_gradcheck)
    _add_stage_options(gradcheck, lang)
    gradcheck.add_argument("--seed", help=tr("cli.seed_option", lang))

    serve = _add_command(commands, "serve", lang, command_serve)
    serve.add_argument("--ip", default="127.0.0.1", help=tr("cli.ip_option", lang))
    serve.add_argument("--port", default="8866", help=tr("cli.port_option", lang))
    serve.add_argument("--no-browser", action="store_true", help=tr("cli.no_browser_option", lang))
    return parser


def _add_common(parser, lang):
    parser.add_argument("-h", "--help", action="help", help=tr("cli.help_option", lang))
    parser.add_argument("--lang", metavar="zh|en", help=tr("cli.lang_option", lang))


def _add_command(commands, name, lang, handler):
    text = tr(f"cli.{name}_help", lang)
    parser = commands.add_parser(name, help=text, description=text, add_help=False)
    _add_common(parser, lang)
    parser.set_defaults(handler=handler)
    return parser


def _add_stage_options(parser, lang):
    # Values are validated by Settings.create, whose messages name the valid
    # choices, so argparse gets no `choices=` or `type=` here.
    parser.add_argument(
        "--stage", metavar="STAGE", help=tr("cli.stage_option", lang, choices=", ".join(STAGE_IDS))
    )
    parser.add_argument(
        "--bug", action="append", default=[], metavar="BUG", help=tr("cli.bug_option", lang)
    )


def _add_hyper_parameters(parser, lang):
    parser.add_argument("--lr", metavar="X", help=tr("cli.lr_option", lang))
    parser.add_argument(
        "--iterations", metavar="N", help=tr("cli.iterations_option", lang, high=MAX_ITERATIONS)
    )
    parser.add_argument("--seed", metavar="K", help=tr("cli.seed_option", lang))
    parser.add_argument(
        "--optimizer",
        metavar="O",
        help=tr("cli.optimizer_option", lang, choices=", ".join(OPTIMIZERS)),
    )
    parser.add_argument(
        "--dtype", metavar="DTYPE", help=tr("cli.dtype_option", lang, choices=", ".join(DTYPES))
    )
    for name, default in SIZE_DEFAULTS.items():
        flag = "--" + name.replace("_", "-")
        parser.add_argument(
            flag,
            dest=name,
            metavar="SIZE",
            help=tr("cli.size_option", lang, name=name, default=default),
        )


def settings_from_args(args, lang):
    """Return validated :class:`kit.settings.Settings` from parsed arguments.

    Raises
    ------
    UsageError
        If ``--stage`` is missing.
    kit.i18n.KitError
        If a value is invalid.
    """
    if not args.stage:
        raise UsageError(tr("cli.missing_stage", lang, choices=", ".join(STAGE_IDS)))
    values = {}
    if getattr(args, "lr", None) is not None:
        values["learning_rate"] = _parse_number(args.lr)
    for name in ("iterations", "seed", *SIZE_DEFAULTS):
        text = getattr(args, name, None)
        if text is not None:
            values[name] = _parse_int(text)
    for name in ("optimizer", "dtype"):
        if getattr(args, name, None) is not None:
            values[name] = getattr(args, name)
    return Settings.create(args.stage, bugs=args.bug, **values)


# An invalid value is passed on as the text the user typed, so that the
# message of Settings.create quotes it unchanged.


def _parse_int(text):
    try:
        return int(text)
    except ValueError:
        return text


def _parse_number(text):
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) and value > 0 else text


def command_list(args, lang, out):
    """Print the stages, the bugs and the bug-by-stage table."""
    width = max(len(stage_id) for stage_id in STAGE_IDS)
    print(tr("cli.stages_heading", lang), file=out)
    for stage_id in STAGE_IDS:
        print(f"  {stage_id:<{width}}  {tr(f'stages.{stage_id}.title', lang)}", file=out)

    bugs = all_bugs()
    bug_width = max(len(bug.id) for bug in bugs)
    print(file=out)
    print(tr("cli.bugs_heading", lang), file=out)
    for bug in bugs:
        print(f"  {bug.id:<{bug_width}}  {_plain(bug.text('title', lang))}", file=out)

    print(file=out)
    print(tr("cli.matrix_heading", lang), file=out)
    header = " ".join(f"{stage_id:^{len(stage_id)}}" for stage_id in STAGE_IDS)
    print(f"  {'':<{bug_width}}  {header}", file=out)
    for bug in bugs:
        marks = " ".join(
            f"{('x' if stage_id in bug.stages else '.'):^{len(stage_id)}}" for stage_id in STAGE_IDS
        )
        print(f"  {bug.id:<{bug_width}}  {marks}", file=out)
    return 0


def _plain(markdown):
    """Drop Markdown backticks for terminal output."""
    return markdown.replace("`", "")


def command_run(args, lang, out):
    """Run the stage, print each loss, then the diagnosis."""
    from kit.diagnosis import diagnose
    from kit.runner import run_program

    settings = settings_from_args(args, lang)
    program = build_program(settings)  # raises a bug conflict before any output
    print(_run_heading(settings, lang), file=out)
    stop = _StopFlag()

    def on_loss(iteration, loss):
        if stop.pipe_closed:
            return
        try:
            print(f"{iteration} {loss:.10g}", file=out, flush=True)
        except BrokenPipeError:
            stop.pipe_closed = True

    with stop.catch_interrupt():
        result = run_program(program, on_loss=on_loss, should_stop=stop)
    if stop.pipe_closed:
        raise BrokenPipeError()

    print(file=out)
    if stop.interrupted:
        print(tr("cli.stopped_by_user", lang, count=len(result.losses)), file=out)
    _print_diagnosis(result, diagnose(result, lang), lang, out)
    return EXIT_INTERRUPTED if stop.interrupted else 0


def _run_heading(settings, lang):
    bugs = ", ".join(settings.bugs) or tr("cli.no_bugs", lang)
    return tr(
        "cli.run_heading",
        lang,
        stage=settings.stage,
        bugs=bugs,
        learning_rate=f"{settings.effective_learning_rate:g}",
        iterations=settings.iterations,
        dtype=settings.effective_dtype,
    )


def _print_diagnosis(result, diagnosis, lang, out):
    print(tr("cli.diagnosis_heading", lang, title=_plain(diagnosis.title)), file=out)
    printed = set()
    if result.error is not None:
        error = result.error
        printed.add(f"{error.type}: {error.message}")
        printed.add(tr("cli.error_label", lang, type=error.type, message=error.message))
        print(tr("cli.error_label", lang, type=error.type, message=error.message), file=out)
        if error.line is not None:
            line = tr("cli.error_line", lang, line=error.line, code=error.code or "")
            printed.add(line)
            print(line, file=out)
    print(_plain(diagnosis.explanation).strip(), file=out)
    print(tr("cli.hint_label", lang, hint=_plain(diagnosis.hint).strip()), file=out)
    # the diagnosis may state the error and its line as facts too: print them once
    facts = [_plain(fact) for fact in diagnosis.facts if _plain(fact) not in printed]
    if facts:
        print(tr("cli.facts_heading", lang), file=out)
        for fact in facts:
            print(f"  - {fact}", file=out)


class _StopFlag:
    """``should_stop`` for the runner: set by Ctrl-C or by a closed stdout."""

    def __init__(self):
        self.interrupted = False
        self.pipe_closed = False

    def __call__(self):
        return self.interrupted or self.pipe_closed

    def catch_interrupt(self):
        return _InterruptHandler(self)


class _InterruptHandler:
    """Turn the first Ctrl-C into a stop between iterations; a second one interrupts."""

    def __init__(self, flag):
        self.flag = flag
        self.previous = None

    def _handle(self, signum, frame):
        if self.flag.interrupted:
            raise KeyboardInterrupt
        self.flag.interrupted = True

    def __enter__(self):
        self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc_info):
        signal.signal(signal.SIGINT, self.previous)
        return False


def command_show(args, lang, out):
    """Print the code with the bugs' changes marked."""
    from kit.program import build_program

    settings = settings_from_args(args, lang)
    program = build_program(settings)
    bugs = ", ".join(settings.bugs) or tr("cli.no_bugs", lang)
    print(tr("cli.diff_heading", lang, stage=settings.stage, bugs=bugs), file=out)
    print(file=out)
    for tag, text, line in program.diff_lines():
        number = "" if line is None else str(line)
        print(f"{number:>4} {tag} {text}".rstrip(), file=out)
    return 0


def command_export(args, lang, out):
    """Write the standalone script."""
    from kit.program import build_program

    settings = settings_from_args(args, lang)
    if not args.output:
        raise UsageError(tr("cli.missing_output", lang))
    script = build_program(settings).standalone()
    try:
        with open(args.output, "w", encoding="utf-8") as file:
            file.write(script)
    except OSError as exc:
        print(
            _error_line(tr("cli.write_failed", lang, path=args.output, reason=exc.strerror), lang),
            file=sys.stderr,
        )
        return EXIT_FAILURE
    bugs = ", ".join(settings.bugs) or tr("cli.no_bugs", lang)
    print(tr("cli.wrote", lang, path=args.output, stage=settings.stage, bugs=bugs), file=out)
    return 0


def command_gradcheck(args, lang, out):
    """Print the result of a finite-difference gradient check."""
    from kit.gradcheck import TOLERANCE, check_gradients

    settings = settings_from_args(args, lang)
    check = check_gradients(settings)
    if check.max_relative_error is None:
        error = check.error
        print(tr("cli.gradcheck_raised", lang, type=error.type, message=error.message), file=out)
        return EXIT_FAILURE
    key = "cli.gradcheck_passed" if check.ok else "cli.gradcheck_failed"
    print(tr(key, lang, error=check.max_relative_error, tolerance=TOLERANCE), file=out)
    for name, error in check.details.items():
        print(tr("cli.gradcheck_detail", lang, name=name, error=error), file=out)
    return 0 if check.ok else EXIT_FAILURE


def command_serve(args, lang, out):
    """Start the Voila dashboard."""
    try:
        port = int(args.port)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise UsageError(tr("cli.bad_port", lang, value=args.port))
    from kit.serve import serve

    try:
        status = serve(ip=args.ip, port=port, open_browser=not args.no_browser, lang=lang)
    except OSError as exc:
        print(_error_line(tr("cli.server_failed", lang, reason=exc), lang), file=sys.stderr)
        return EXIT_FAILURE
    return status or 0


def _error_line(message, lang):
    text = " ".join(str(message).split())
    return tr("cli.error_prefix", lang) + text


def main(argv=None):
    """Run the ``kit`` command and return its exit status."""
    argv = _join_negative_numbers(sys.argv[1:] if argv is None else argv)
    try:
        lang = resolve_language(argv)
    except InvalidLanguage as exc:
        lang = _fallback_language()
        message = tr("errors.unknown_language", lang, value=exc.value)
        print(_error_line(message, lang), file=sys.stderr)
        return EXIT_USAGE
    # KitError renders its message in the process-wide language when raised.
    set_language(lang)
    out = sys.stdout
    try:
        args = build_parser(lang).parse_args(argv)
        return args.handler(args, lang, out)
    except UsageError as exc:
        print(_error_line(exc, lang), file=sys.stderr)
        return EXIT_USAGE
    except KitError as exc:
        print(_error_line(exc.message(lang), lang), file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader of stdout went away (for example `kit run ... | head`):
        # point stdout at devnull so the interpreter's final flush stays quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print(_error_line(tr("cli.interrupted", lang), lang), file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 -- a defect of kit: one line, no traceback
        detail = f"{type(exc).__name__}: {exc}"
        print(_error_line(tr("cli.internal_error", lang, detail=detail), lang), file=sys.stderr)
        return EXIT_FAILURE


def entry_point():
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    entry_point()
