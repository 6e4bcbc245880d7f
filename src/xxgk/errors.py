"""The one exception type that leaves `xxgk.read`: bad input, named and explained."""

from __future__ import annotations

import errno

from xxgk.i18n import N_, _


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


# What the operating system says of a file, in the reader's language: e.strerror is the C
# library's English ("No such file or directory") whatever the reader's language.
_OS_REASONS = {
    errno.ENOENT: N_("no such file or folder"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("permission denied"),
    errno.EISDIR: N_("it is a folder"),
    errno.ENOTDIR: N_("a part of the path is not a folder"),
    errno.ENOSPC: N_("the disk is full"),
    errno.EROFS: N_("the file system is read-only"),
    errno.ENAMETOOLONG: N_("the file name is too long"),
    errno.EEXIST: N_("it exists already"),
}


def os_reason(error: OSError) -> str:
    """Why the operating system refused a file, in the reader's language (its own words otherwise)."""
    known = _OS_REASONS.get(error.errno or 0)
    return _(known) if known else (error.strerror or str(error))
