"""The one exception type that leaves `xxgk.read`: bad input, named and explained."""

from __future__ import annotations

from xxgk.i18n import _


class XxgkError(Exception):
    """Base class of every error xxgk raises on purpose."""


class InputError(XxgkError):
    """A file that cannot be read as a report: names the file and says why."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


class MissingExtraError(InputError):
    """The input needs an optional feature that is not installed."""

    def __init__(self, file: str, what: str, extra: str) -> None:
        message = _("{what} needs the optional extra: pip install 'xxgk[{extra}]'")
        super().__init__(file, message.format(what=what, extra=extra))
        self.extra = extra


class UsageError(XxgkError):
    """A value a person typed that cannot be used (a year of 20 digits, an unknown level…)."""
