"""Typer's own texts in the reader's language, and its usage errors as xxgk's one line.

Typer writes texts of its own around ours: `Usage:`, the `Options` and `Arguments` panels, `Show
this message and exit.`, `[default: …]`, `[required]`, a type label such as `<int range>` next
to each option. It marks most of them for the standard library's gettext (`from gettext import
gettext as _` in its modules), which would look them up in a process-wide domain chosen by the
environment, and computes its panel titles once, as module constants. `scripts/i18n.py` extracts
those texts from the installed Typer into xxgk's catalogue; `localize_typer()` points Typer's
`_` at xxgk's and sets the constants and type labels in the current language, so they follow
`--lang` like everything else.

A usage error (an unknown option, a value that is not a number, a missing argument) is printed by
Typer as a usage line, a hint and a framed panel, in English words Typer builds without gettext
(and Pydantic's wording for a value it cannot convert). `usage_error_line()` says it instead in
one line, in the reader's language, from the exception's own fields, with exit code 2 as before.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import typer.core
import typer.rich_utils
from typer._click import core as click_core  # the Click that Typer carries
from typer._click import exceptions as click_errors
from typer._click import formatting as click_formatting

from xxgk.cli.common import error_line
from xxgk.i18n import N_, gettext, ngettext

# Typer's panel titles and help suffixes: module constants of typer.rich_utils, computed at import
# in English; the message id of each (the catalogue has them, extracted from Typer).
_RICH_CONSTANTS = {
    "DEPRECATED_STRING": "(deprecated) ",
    "DEFAULT_STRING": "[default: {}]",
    "ENVVAR_STRING": "[env var: {}]",
    "REQUIRED_LONG_STRING": "[required]",
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commands",
    "ERRORS_PANEL_TITLE": "Error",
    "ABORTED_TEXT": "Aborted.",
    "RICH_HELP": "Try [blue]'{command_path} {help_option}'[/] for help.",
}

# Texts the Click inside Typer writes without gettext.
USAGE = N_("Usage:")
HELP_OPTION = N_("Show this message and exit.")

# The type labels Typer shows between < > next to a parameter. A choice (`<text|json|csv>`) is
# shown as it is typed, so it is not here.
TYPE_LABELS = {
    "str": N_("string"),
    "list[str]": N_("string"),
    "int": N_("integer"),
    "int range": N_("integer"),
    "float": N_("number"),
    "float range": N_("number"),
    "path": N_("path"),
    "Path": N_("path"),
    "list[Path]": N_("path"),
    "datetime": N_("date"),
}


def _type_label(display_type: Callable[..., str]) -> Callable[..., str]:
    @wraps(display_type)
    def shown(self: Any, ctx: Any) -> str:
        text = display_type(self, ctx)
        if isinstance(text, str) and text.startswith("<") and text.endswith(">"):
            label = TYPE_LABELS.get(text[1:-1])
            if label is not None:
                return f"<{gettext(label)}>"
        return text

    return shown


def _usage_prefix(write_usage: Callable[..., None]) -> Callable[..., None]:
    @wraps(write_usage)
    def written(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, gettext(USAGE) + " " if prefix is None else prefix)

    return written


def _help_text(get_help_option: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(get_help_option)
    def option(self: Any, ctx: Any) -> Any:
        found = get_help_option(self, ctx)
        if found is not None:
            found.help = gettext(HELP_OPTION)
        return found

    return option


# (class, method, wrapper): the places where Typer's English is replaced by the current language.
_WRAPPED: tuple[tuple[type, str, Callable[[Callable[..., Any]], Callable[..., Any]]], ...] = (
    (typer.core.TyperArgument, "display_type", _type_label),
    (typer.core.TyperOption, "display_type", _type_label),
    (click_formatting.HelpFormatter, "write_usage", _usage_prefix),
    (click_core.Command, "get_help_option", _help_text),
)


def localize_typer() -> None:
    """Let Typer's own texts speak the current language (see the module's docstring). Idempotent."""
    for name, module in sorted(sys.modules.items()):
        if not name.startswith("typer.") or module is None:
            continue
        if getattr(getattr(module, "_", None), "__module__", "") == "gettext":
            module._ = gettext
        if getattr(getattr(module, "ngettext", None), "__module__", "") == "gettext":
            module.ngettext = ngettext
    for name, message in _RICH_CONSTANTS.items():
        if hasattr(typer.rich_utils, name):
            setattr(typer.rich_utils, name, gettext(message))
    for cls, method, wrapper in _WRAPPED:
        original = getattr(cls, method, None)  # inherited or its own: the wrapper goes on this class
        if original is not None and not getattr(original, "__xxgk__", False):
            wrapped = wrapper(original)
            wrapped.__xxgk__ = True  # type: ignore[attr-defined]
            setattr(cls, method, wrapped)
    if not getattr(typer.rich_utils.rich_format_error, "__xxgk__", False):
        typer.rich_utils.rich_format_error = usage_error_line


def _param_name(param: Any) -> str:
    opts = [*getattr(param, "opts", []), *getattr(param, "secondary_opts", [])]
    if isinstance(param, typer.core.TyperOption) and opts:
        return "/".join(opts)
    return getattr(param, "metavar", None) or getattr(param, "name", None) or "?"


def _expected(param: Any, ctx: Any) -> str:
    """What a parameter takes, as its help shows it: `<整数> [x>=0]`, `<text|json|csv>`."""
    shown = ""
    display = getattr(param, "display_type", None)
    if display is not None:
        shown = display(ctx) or ""
    describe = getattr(param, "_get_number_range_help_str", None)
    limits = describe() if describe is not None else None
    return f"{shown} [{limits}]" if limits else shown


def usage_message(error: click_errors.ClickException) -> str:
    """A usage error in the reader's language, from the exception's fields."""
    ctx = getattr(error, "ctx", None)
    if isinstance(error, click_errors.NoSuchOption):
        text = gettext("no such option: {option}").format(option=error.option_name)
        if error.possibilities:
            text += gettext(" (did you mean {options}?)").format(options=", ".join(sorted(error.possibilities)))
    elif isinstance(error, click_errors.MissingParameter) and error.param is not None:
        text = gettext("{name} is required").format(name=_param_name(error.param))
    elif isinstance(error, click_errors.BadParameter) and error.param is not None:
        text = gettext("{name} takes {expected}").format(name=_param_name(error.param),
                                                         expected=_expected(error.param, ctx))
    elif isinstance(error, click_errors.BadOptionUsage) and "requires" in error.message:
        text = gettext("{option} needs a value").format(option=error.option_name)
    elif isinstance(error, click_errors.BadOptionUsage) and "does not take" in error.message:
        text = gettext("{option} takes no value").format(option=error.option_name)
    elif isinstance(error, click_errors.UsageError) and error.message.startswith("Got unexpected extra argument"):
        text = gettext("too many arguments: {args}").format(args=error.message.rpartition("(")[2].rstrip(")"))
    else:
        text = error.format_message()
    if ctx is not None:
        text = gettext("{command}: {message} (help: {command} --help)").format(command=ctx.command_path,
                                                                              message=text)
    return text


def usage_error_line(error: click_errors.ClickException) -> None:
    """Typer's place for printing a usage error: xxgk's one line instead of the framed panel."""
    if error.__class__.__name__ == "NoArgsIsHelpError":  # the help was printed: nothing to add
        return
    error_line(usage_message(error))


usage_error_line.__xxgk__ = True  # type: ignore[attr-defined]
