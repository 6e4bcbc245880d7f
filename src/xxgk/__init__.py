"""xxgk — read, audit, store, compare and write 政府信息公开工作年度报告."""

from xxgk.api import check, parse_document, parse_text, read, read_bytes
from xxgk.errors import InputError, UsageError, XxgkError
from xxgk.export import to_dataframe
from xxgk.report import Cell, Finding, Meta, Report

__version__ = "0.1.0"

__all__ = [
    "Cell",
    "Finding",
    "InputError",
    "Meta",
    "Report",
    "UsageError",
    "XxgkError",
    "__version__",
    "check",
    "parse_document",
    "parse_text",
    "read",
    "read_bytes",
    "to_dataframe",
]
