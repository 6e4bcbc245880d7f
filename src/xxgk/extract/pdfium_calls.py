"""PDFium asked about many characters or page objects at once: one call from Python per page.

The PDF reader asks PDFium about every character of a page (its box; for a sample, its angle
and Unicode mapping) and about every page object (its kind; for paths, bounds, draw mode and
colours). A page has hundreds of each: in many PDFs one text object per character. Through
ctypes every call costs a few thousand instructions around a PDFium function that does a few
dozen, so the calls are made in bulk here, in one of two ways with the same results:

- the C loops of `xxgk.extract._speedups` (see xxgk.extract.speedups), given PDFium's
  functions as addresses taken from pypdfium2's own bindings;
- without them, ctypes prototypes driven by `map`, written straight into arrays.
"""

from __future__ import annotations

import ctypes
import itertools
import threading
from collections.abc import Callable, Iterator

import numpy as np
import pypdfium2.raw as pdfium_c

from xxgk.extract import speedups

_ADDR = ctypes.c_void_p


# PDFium's functions (pypdfium2's bindings, alive as long as the module, unhashable): by id,
# asked once (ctypes.cast costs a microsecond)
_ADDRESSES: dict[int, int] = {}


def _address(pointer: object) -> int:
    """The address of a PDFium function or handle (a ctypes object), as an int."""
    return ctypes.cast(pointer, _ADDR).value or 0


def _function_address(function: object) -> int:
    address = _ADDRESSES.get(id(function))
    if address is None:
        address = _ADDRESSES[id(function)] = _address(function)
    return address


def _proto(function: object, restype: type | None, *argtypes: type) -> Callable[..., int]:
    """A PDFium function through a prototype that takes plain addresses and integers.

    Called so, ctypes passes nothing but integers (no pointer object per call), PDFium writes
    straight into an array, and `map` drives the calls without a Python loop; ctypes' own cost
    per call is then most of what remains. The prototype keeps the GIL (PYFUNCTYPE): these
    calls return in well under a microsecond, and releasing and taking back the GIL around
    each cost an eighth of the call."""
    return ctypes.PYFUNCTYPE(restype, *argtypes)(_address(function))  # type: ignore[return-value]


class _Pointer(ctypes.c_void_p):
    """A pointer as PDFium returned it, kept a ctypes object (a c_void_p subclass is not turned
    into an int), so that it goes to the next call as it is."""


def _bare(function: object, restype: type) -> Callable[..., int]:
    """A PDFium function through a prototype without argument types, for the calls made once per
    character or page object: given ctypes objects (pointers) and small ints, ctypes passes them
    as they are, with no conversion object per argument (an eighth of the call's cost)."""
    return ctypes.PYFUNCTYPE(restype)(_address(function))  # type: ignore[return-value]


def _fields(buffer: ctypes.Array | np.ndarray, k: int, fields: int, size: int) -> list[Iterator[object]]:
    """Out-parameters for k calls in bulk: for each of the `fields` values of a record (`size`
    bytes each), a pointer to it in each of the k records of `buffer`, in record order."""
    step = fields * size
    base = ctypes.c_char.from_buffer(buffer)
    return [map(ctypes.byref, itertools.repeat(base, k), range(size * f, step * k, step)) for f in range(fields)]


def _indices(indices: list[int] | np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(indices, dtype=np.int64)


# ---------------------------------------------------------------- per character of a text page

# (text page, index) -> int
IS_GENERATED = pdfium_c.FPDFText_IsGenerated
HAS_UNICODE_MAP_ERROR = pdfium_c.FPDFText_HasUnicodeMapError

_BARE: dict[str, Callable[..., int]] = {}


def _bare_of(function: object, restype: type) -> Callable[..., int]:
    name = getattr(function, "__name__", repr(function))
    if name not in _BARE:
        _BARE[name] = _bare(function, restype)
    return _BARE[name]


def _values_at(function: object, restype: type, dtype: type, textpage: object,
               indices: list[int] | np.ndarray) -> np.ndarray:
    """`function(textpage, i)` of each index: an int (`dtype` int32) or a float (float32) result."""
    at = _indices(indices)
    out = np.empty(len(at), dtype=dtype)
    if (c := speedups.native()) is not None:
        c.values_at(_function_address(function), _address(textpage), at, out)
    else:
        call = _bare_of(function, restype)
        handle = ctypes.cast(textpage, _ADDR)
        out[:] = np.fromiter(map(call, itertools.repeat(handle, len(at)), at.tolist()), dtype=dtype, count=len(at))
    return out


def char_ints(function: object, textpage: object, indices: list[int] | np.ndarray) -> np.ndarray:
    """`function(textpage, i)` (an int result: IS_GENERATED, HAS_UNICODE_MAP_ERROR) of each index."""
    return _values_at(function, ctypes.c_int, np.int32, textpage, indices)


def char_angles(textpage: object, indices: list[int] | np.ndarray) -> np.ndarray:
    """Each character's angle (radians, clockwise; -1 when PDFium has none)."""
    return _values_at(pdfium_c.FPDFText_GetCharAngle, ctypes.c_float, np.float32, textpage, indices)


def _records_at(function: object, textpage: object, indices: list[int] | np.ndarray, fields: int,
                dtype: type) -> tuple[np.ndarray, np.ndarray]:
    """`function(textpage, i, out...)` of each index, its out-parameters written into record i
    (fields == 1: one pointer to a struct of 4 values; fields == 4: four pointers, one a value)."""
    at = _indices(indices)
    k = len(at)
    records = np.zeros((max(k, 1), 4), dtype=dtype)
    size = records.itemsize * (4 if fields == 1 else 1)
    if (c := speedups.native()) is not None:
        found = np.empty(k, dtype=np.int32)
        c.records(_function_address(function), _address(textpage), at, found, records, fields, size)
    else:
        handle = ctypes.cast(textpage, _ADDR)
        call = _bare_of(function, ctypes.c_int)
        found = np.fromiter(map(call, itertools.repeat(handle, k), at.tolist(), *_fields(records, k, fields, size)),
                            dtype=np.int32, count=k)
    return found != 0, records[:k]


def loose_boxes(textpage: object, indices: list[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each character's loose box (font ascent/descent; FS_RECTF: left, top, right, bottom), and
    whether PDFium has one."""
    return _records_at(pdfium_c.FPDFText_GetLooseCharBox, textpage, indices, 1, np.float32)


def ink_boxes(textpage: object, indices: list[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each character's tight (ink) box as PDFium writes it (left, right, bottom, top), and
    whether PDFium has one."""
    return _records_at(pdfium_c.FPDFText_GetCharBox, textpage, indices, 4, np.float64)


# ---------------------------------------------------------------- page objects

_get_object = _bare(pdfium_c.FPDFPage_GetObject, _Pointer)  # (page, index) -> object
_get_type = _bare(pdfium_c.FPDFPageObj_GetType, ctypes.c_int)  # (object)


class PageObjects:
    """Some of a page's objects (their addresses), asked about in bulk."""

    def __init__(self, addresses: np.ndarray) -> None:
        self.addresses = addresses  # uint64

    def __len__(self) -> int:
        return len(self.addresses)

    def take(self, indices: np.ndarray | list[int]) -> PageObjects:
        return PageObjects(self.addresses[np.asarray(indices, dtype=np.intp)])

    def address(self, i: int) -> int:
        return int(self.addresses[i])

    def _records(self, function: object, fields: int, dtype: type) -> tuple[np.ndarray, np.ndarray]:
        """`function(object, out...)` of each object, its `fields` out-parameters into record i."""
        k = len(self.addresses)
        records = np.zeros((max(k, 1), fields), dtype=dtype)
        size = records.itemsize
        if (c := speedups.native()) is not None:
            found = np.empty(k, dtype=np.int32)
            c.records(_function_address(function), None, self.addresses, found, records, fields, size)
        else:
            call = _bare_of(function, ctypes.c_int)
            objects = map(_Pointer, self.addresses.tolist())
            found = np.fromiter(map(call, objects, *_fields(records, k, fields, size)), dtype=np.int32, count=k)
        return found != 0, records[:k]

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Whether each object has bounds, and its left, bottom, right, top (float64)."""
        found, out = self._records(pdfium_c.FPDFPageObj_GetBounds, 4, np.float32)
        return found, out.astype(np.float64)

    def draw_modes(self) -> tuple[np.ndarray, np.ndarray]:
        """Whether PDFium knows each path's draw mode, and its fill mode and stroke flag."""
        return self._records(pdfium_c.FPDFPath_GetDrawMode, 2, np.int32)

    def visible(self, stroke: bool) -> np.ndarray:
        """Whether each object's stroke (or fill) colour is one anyone can see: not white, not
        fully transparent (an object PDFium gives no colour for counts as visible)."""
        function = pdfium_c.FPDFPageObj_GetStrokeColor if stroke else pdfium_c.FPDFPageObj_GetFillColor
        found, rgba = self._records(function, 4, np.uint32)
        return ~found | ((rgba[:, 3] > 0) & (rgba[:, :3].min(axis=1, initial=255) < 245))


def page_objects(page: object) -> tuple[PageObjects, np.ndarray]:
    """Every object of the page and the kind of each (FPDF_PAGEOBJ_*)."""
    n = pdfium_c.FPDFPage_CountObjects(page)
    addresses = np.zeros(n, dtype=np.uint64)
    kinds = np.zeros(n, dtype=np.int32)
    if (c := speedups.native()) is not None:
        c.objects(_function_address(pdfium_c.FPDFPage_GetObject), _function_address(pdfium_c.FPDFPageObj_GetType),
                  _address(page), addresses, kinds)
    elif n:
        objects = list(map(_get_object, itertools.repeat(ctypes.cast(page, _ADDR), n), range(n)))
        kinds[:] = np.fromiter(map(_get_type, objects), dtype=np.int32, count=n)
        addresses[:] = [o.value or 0 for o in objects]
    return PageObjects(addresses), kinds


# ---------------------------------------------------------------- one object at a time

_get_bounds = _proto(pdfium_c.FPDFPageObj_GetBounds, ctypes.c_int, _ADDR, _ADDR, _ADDR, _ADDR, _ADDR)
_get_draw_mode = _proto(pdfium_c.FPDFPath_GetDrawMode, ctypes.c_int, _ADDR, _ADDR, _ADDR)
_get_stroke_color = _proto(pdfium_c.FPDFPageObj_GetStrokeColor, ctypes.c_int, _ADDR, _ADDR, _ADDR, _ADDR, _ADDR)
_get_fill_color = _proto(pdfium_c.FPDFPageObj_GetFillColor, ctypes.c_int, _ADDR, _ADDR, _ADDR, _ADDR, _ADDR)


class _Scratch(threading.local):
    """Out-parameters of the getters, made once per thread (the prototypes take their addresses)."""

    def __init__(self) -> None:
        self.floats = (ctypes.c_float * 4)()
        self.float_at = tuple(ctypes.addressof(self.floats) + 4 * k for k in range(4))
        self.ints = (ctypes.c_int * 2)()
        self.int_at = tuple(ctypes.addressof(self.ints) + 4 * k for k in range(2))
        self.rgba = (ctypes.c_uint * 4)()
        self.rgba_at = tuple(ctypes.addressof(self.rgba) + 4 * k for k in range(4))


_SCRATCH = _Scratch()


def bounds(address: int) -> tuple[float, float, float, float] | None:
    """The object's bounds in user space: left, bottom, right, top."""
    scratch = _SCRATCH
    if not _get_bounds(address, *scratch.float_at):
        return None
    left, bottom, right, top = scratch.floats
    return left, bottom, right, top


def painted(address: int) -> tuple[bool, bool]:
    """Whether the path is stroked, and whether it is filled, in a colour anyone can see."""
    scratch = _SCRATCH
    if not _get_draw_mode(address, *scratch.int_at):
        return False, False
    filled, stroked = bool(scratch.ints[0]), bool(scratch.ints[1])
    return stroked and _visible(address, _get_stroke_color), filled and _visible(address, _get_fill_color)


def _visible(address: int, getter: Callable[..., int]) -> bool:
    scratch = _SCRATCH
    if not getter(address, *scratch.rgba_at):
        return True
    r, g, b, a = scratch.rgba
    # white or fully transparent lines are not borders anyone can see
    return a > 0 and min(r, g, b) < 245
