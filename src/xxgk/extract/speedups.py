"""The optional C loops of the readers (`_speedups`, from _speedups.c) and the switch between
them and their pure-Python twins, which give the same results.

The C module is built when xxgk is installed on a machine with a C compiler (setup.py marks it
optional: without one, the install goes on and the Python loops run). `XXGK_PURE_PYTHON=1` in
the environment, or `use_native(False)`, runs the Python loops anyway; the tests run both and
compare them, and bench/bench_pdf.py reports which one it measured.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from types import ModuleType

try:
    from xxgk.extract import _speedups as _module
except ImportError:  # installed without a C compiler
    _module = None

_enabled = _module is not None and not os.environ.get("XXGK_PURE_PYTHON")


def native() -> ModuleType | None:
    """The C loops, when built and not switched off; else None (run the Python twin)."""
    return _module if _enabled else None


def available() -> bool:
    """Whether the C loops were built (a C compiler was at hand when xxgk was installed)."""
    return _module is not None


@contextlib.contextmanager
def use_native(enabled: bool) -> Iterator[None]:
    """Within the block, run the C loops (if built) or the Python twins."""
    global _enabled
    before = _enabled
    _enabled = enabled and _module is not None
    try:
        yield
    finally:
        _enabled = before
