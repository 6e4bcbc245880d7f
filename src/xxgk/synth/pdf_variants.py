"""Real PDFs rewritten the ways offices print them, for tests and benchmarks: pages turned for
display (/Rotate), content drawn sideways without a /Rotate, tables printed without rulings.

Needs pypdf (the `test` extra); imported only where these variants are made.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

# The content-stream operators that draw or paint a path: without them a table has no rulings.
PATH_OPERATORS = frozenset({b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*", b"n", b"re", b"m", b"l", b"c",
                            b"v", b"y", b"h"})


def rewrite(data: bytes, change: Callable[[Any], None]) -> bytes:
    """The PDF with `change(page)` applied to every page."""
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    writer = pypdf.PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    for page in writer.pages:
        change(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def rotated(data: bytes, angle: int) -> bytes:
    """Every page turned for display by `angle` degrees (/Rotate)."""
    return rewrite(data, lambda page: page.rotate(angle))


def turn_sideways(page: Any) -> None:
    """Draw a page's content turned by 90° through the content matrix, on a landscape page (no /Rotate)."""
    import pypdf

    w, h = float(page.mediabox.width), float(page.mediabox.height)
    page.add_transformation(pypdf.Transformation().rotate(90).translate(tx=h, ty=0))
    page.mediabox = pypdf.generic.RectangleObject([0, 0, h, w])


def sideways(data: bytes) -> bytes:
    return rewrite(data, turn_sideways)


def without_rulings(data: bytes) -> bytes:
    """The same report with every drawn path removed: tables printed without rulings."""
    import pypdf
    from pypdf.generic import ContentStream, NameObject

    reader = pypdf.PdfReader(io.BytesIO(data))
    writer = pypdf.PdfWriter()
    for page in reader.pages:
        content = ContentStream(page.get_contents(), reader)
        content.operations = [(args, op) for args, op in content.operations if op not in PATH_OPERATORS]
        page[NameObject("/Contents")] = content
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
