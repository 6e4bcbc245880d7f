/* Loops of the PDF reader that cost far more in Python than in the work they do.
 *
 * A page of a Chinese report holds a few hundred characters and, in many PDFs, one page object
 * per character. The reader asks PDFium about each of them (the character's box, the object's
 * kind), and through ctypes every such call costs a few thousand instructions around a
 * PDFium function that does a few dozen. Here each loop is one call from Python: PDFium's
 * functions are given as addresses (taken from pypdfium2's ctypes bindings, so this module
 * links against nothing and works with whichever PDFium pypdfium2 loaded), and the results are
 * written into arrays the caller made. The line-band pass of the layout (`line_bands`) is the
 * same kind of loop, over plain numbers.
 *
 * Everything here has a pure-Python twin that gives the same results (xxgk.extract.pdfium_calls,
 * xxgk.extract.layout); this module is optional (built when a C compiler is at hand) and the
 * tests compare the two. The GIL is held throughout: PDFium is not thread-safe, and the
 * pure-Python path holds it too (ctypes.PYFUNCTYPE).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

typedef int (*int_of_index)(void *, int);
typedef float (*float_of_index)(void *, int);
typedef int (*int_of_index_1)(void *, int, void *);
typedef int (*int_of_index_4)(void *, int, void *, void *, void *, void *);
typedef void *(*pointer_of_index)(void *, int);
typedef int (*int_of_pointer)(void *);
typedef int (*int_of_pointer_2)(void *, void *, void *);
typedef int (*int_of_pointer_4)(void *, void *, void *, void *, void *);

/* A buffer of `count` items of `itemsize` bytes, C-contiguous, writable if asked. */
static int
get_buffer(PyObject *obj, Py_buffer *view, Py_ssize_t itemsize, Py_ssize_t count, int writable, const char *name)
{
    if (PyObject_GetBuffer(obj, view, writable ? PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS : PyBUF_C_CONTIGUOUS) < 0)
        return -1;
    if (view->itemsize != itemsize || (count >= 0 && view->len != itemsize * count)) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd items of %zd bytes, got %zd bytes of %zd-byte items",
                     name, count, itemsize, view->len, view->itemsize);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static void *
as_pointer(PyObject *address)
{
    return PyLong_AsVoidPtr(address);
}

/* ints_at(function, handle, indices: int64[k], out: int32[k]): out[j] = function(handle, indices[j]) */
static PyObject *
ints_at(PyObject *self, PyObject *args)
{
    PyObject *fn, *handle, *indices_obj, *out_obj;
    Py_buffer indices, out;
    if (!PyArg_ParseTuple(args, "OOOO", &fn, &handle, &indices_obj, &out_obj))
        return NULL;
    int_of_index f = (int_of_index)as_pointer(fn);
    void *h = as_pointer(handle);
    if (PyErr_Occurred())
        return NULL;
    if (get_buffer(indices_obj, &indices, 8, -1, 0, "indices") < 0)
        return NULL;
    Py_ssize_t k = indices.len / 8;
    if (get_buffer(out_obj, &out, 4, k, 1, "out") < 0) {
        PyBuffer_Release(&indices);
        return NULL;
    }
    const int64_t *at = indices.buf;
    int32_t *o = out.buf;
    for (Py_ssize_t j = 0; j < k; j++)
        o[j] = f(h, (int)at[j]);
    PyBuffer_Release(&out);
    PyBuffer_Release(&indices);
    Py_RETURN_NONE;
}

/* floats_at(function, handle, indices: int64[k], out: float32[k]): as ints_at, for a float result */
static PyObject *
floats_at(PyObject *self, PyObject *args)
{
    PyObject *fn, *handle, *indices_obj, *out_obj;
    Py_buffer indices, out;
    if (!PyArg_ParseTuple(args, "OOOO", &fn, &handle, &indices_obj, &out_obj))
        return NULL;
    float_of_index f = (float_of_index)as_pointer(fn);
    void *h = as_pointer(handle);
    if (PyErr_Occurred())
        return NULL;
    if (get_buffer(indices_obj, &indices, 8, -1, 0, "indices") < 0)
        return NULL;
    Py_ssize_t k = indices.len / 8;
    if (get_buffer(out_obj, &out, 4, k, 1, "out") < 0) {
        PyBuffer_Release(&indices);
        return NULL;
    }
    const int64_t *at = indices.buf;
    float *o = out.buf;
    for (Py_ssize_t j = 0; j < k; j++)
        o[j] = f(h, (int)at[j]);
    PyBuffer_Release(&out);
    PyBuffer_Release(&indices);
    Py_RETURN_NONE;
}

/* records_at(function, handle, indices: int64[k], found: int32[k], records: bytes[k * fields * size],
 *            fields, size):
 * found[j] = function(handle, indices[j], <record j>) when fields == 1 (one out-pointer to a struct of
 * `size` bytes), or function(handle, indices[j], &field 0, &field 1, &field 2, &field 3) when fields == 4
 * (four out-pointers to values of `size` bytes, laid out one record after another). */
static PyObject *
records_at(PyObject *self, PyObject *args)
{
    PyObject *fn, *handle, *indices_obj, *found_obj, *records_obj;
    Py_ssize_t fields, size;
    Py_buffer indices, found, records;
    if (!PyArg_ParseTuple(args, "OOOOOnn", &fn, &handle, &indices_obj, &found_obj, &records_obj, &fields, &size))
        return NULL;
    if ((fields != 1 && fields != 4) || size <= 0) {
        PyErr_SetString(PyExc_ValueError, "records_at: fields must be 1 or 4, size positive");
        return NULL;
    }
    void *f = as_pointer(fn);
    void *h = as_pointer(handle);
    if (PyErr_Occurred())
        return NULL;
    if (get_buffer(indices_obj, &indices, 8, -1, 0, "indices") < 0)
        return NULL;
    Py_ssize_t k = indices.len / 8;
    if (get_buffer(found_obj, &found, 4, k, 1, "found") < 0) {
        PyBuffer_Release(&indices);
        return NULL;
    }
    if (PyObject_GetBuffer(records_obj, &records, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) < 0 ||
        records.len < k * fields * size) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "records_at: records buffer too small");
            PyBuffer_Release(&records);
        }
        PyBuffer_Release(&found);
        PyBuffer_Release(&indices);
        return NULL;
    }
    const int64_t *at = indices.buf;
    int32_t *ok = found.buf;
    char *r = records.buf;
    Py_ssize_t step = fields * size;
    if (fields == 1) {
        int_of_index_1 g = (int_of_index_1)f;
        for (Py_ssize_t j = 0; j < k; j++)
            ok[j] = g(h, (int)at[j], r + j * step);
    } else {
        int_of_index_4 g = (int_of_index_4)f;
        for (Py_ssize_t j = 0; j < k; j++) {
            char *p = r + j * step;
            ok[j] = g(h, (int)at[j], p, p + size, p + 2 * size, p + 3 * size);
        }
    }
    PyBuffer_Release(&records);
    PyBuffer_Release(&found);
    PyBuffer_Release(&indices);
    Py_RETURN_NONE;
}

/* objects(get_object, get_type, page, objects: uint64[n], kinds: int32[n]):
 * objects[i] = get_object(page, i), kinds[i] = get_type(objects[i]) */
static PyObject *
objects(PyObject *self, PyObject *args)
{
    PyObject *get_object_obj, *get_type_obj, *page_obj, *objects_obj, *kinds_obj;
    Py_buffer out, kinds;
    if (!PyArg_ParseTuple(args, "OOOOO", &get_object_obj, &get_type_obj, &page_obj, &objects_obj, &kinds_obj))
        return NULL;
    pointer_of_index get_object = (pointer_of_index)as_pointer(get_object_obj);
    int_of_pointer get_type = (int_of_pointer)as_pointer(get_type_obj);
    void *page = as_pointer(page_obj);
    if (PyErr_Occurred())
        return NULL;
    if (get_buffer(objects_obj, &out, 8, -1, 1, "objects") < 0)
        return NULL;
    Py_ssize_t n = out.len / 8;
    if (get_buffer(kinds_obj, &kinds, 4, n, 1, "kinds") < 0) {
        PyBuffer_Release(&out);
        return NULL;
    }
    uint64_t *o = out.buf;
    int32_t *t = kinds.buf;
    for (Py_ssize_t i = 0; i < n; i++) {
        void *obj = get_object(page, (int)i);
        o[i] = (uint64_t)(uintptr_t)obj;
        t[i] = obj ? get_type(obj) : 0;
    }
    PyBuffer_Release(&kinds);
    PyBuffer_Release(&out);
    Py_RETURN_NONE;
}

/* records_of(function, objects: uint64[k], found: int32[k], records: bytes[k * fields * size], fields, size):
 * found[j] = function(objects[j], &field 0, ..., &field fields-1), fields 2 or 4 */
static PyObject *
records_of(PyObject *self, PyObject *args)
{
    PyObject *fn, *objects_obj, *found_obj, *records_obj;
    Py_ssize_t fields, size;
    Py_buffer objs, found, records;
    if (!PyArg_ParseTuple(args, "OOOOnn", &fn, &objects_obj, &found_obj, &records_obj, &fields, &size))
        return NULL;
    if ((fields != 2 && fields != 4) || size <= 0) {
        PyErr_SetString(PyExc_ValueError, "records_of: fields must be 2 or 4, size positive");
        return NULL;
    }
    void *f = as_pointer(fn);
    if (PyErr_Occurred())
        return NULL;
    if (get_buffer(objects_obj, &objs, 8, -1, 0, "objects") < 0)
        return NULL;
    Py_ssize_t k = objs.len / 8;
    if (get_buffer(found_obj, &found, 4, k, 1, "found") < 0) {
        PyBuffer_Release(&objs);
        return NULL;
    }
    if (PyObject_GetBuffer(records_obj, &records, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) < 0 ||
        records.len < k * fields * size) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "records_of: records buffer too small");
            PyBuffer_Release(&records);
        }
        PyBuffer_Release(&found);
        PyBuffer_Release(&objs);
        return NULL;
    }
    const uint64_t *o = objs.buf;
    int32_t *ok = found.buf;
    char *r = records.buf;
    Py_ssize_t step = fields * size;
    for (Py_ssize_t j = 0; j < k; j++) {
        void *obj = (void *)(uintptr_t)o[j];
        char *p = r + j * step;
        if (fields == 2)
            ok[j] = ((int_of_pointer_2)f)(obj, p, p + size);
        else
            ok[j] = ((int_of_pointer_4)f)(obj, p, p + size, p + 2 * size, p + 3 * size);
    }
    PyBuffer_Release(&records);
    PyBuffer_Release(&found);
    PyBuffer_Release(&objs);
    Py_RETURN_NONE;
}

/* line_bands(group: int64[n], top: float64[n], bottom: float64[n], line_of: int64[n],
 *            tops: float64[n], bottoms: float64[n], line_group: int64[n]) -> number of lines
 *
 * xxgk.extract.layout._line_bands_python, step for step: glyphs come sorted by group, then
 * centre, then left edge; each joins the most recent of the (at most three) latest lines of
 * its group whose band holds its middle and that it overlaps enough, the band growing to hold
 * it, else starts a line. */
static PyObject *
line_bands(PyObject *self, PyObject *args)
{
    PyObject *o[7];
    Py_buffer b[7];
    static const char *names[7] = {"group", "top", "bottom", "line_of", "tops", "bottoms", "line_group"};
    if (!PyArg_ParseTuple(args, "OOOOOOO", &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], &o[6]))
        return NULL;
    Py_ssize_t n = -1;
    for (int a = 0; a < 7; a++) {
        if (get_buffer(o[a], &b[a], 8, n, a >= 3, names[a]) < 0) {
            for (int c = 0; c < a; c++)
                PyBuffer_Release(&b[c]);
            return NULL;
        }
        if (a == 0)
            n = b[0].len / 8;
    }
    const int64_t *group = b[0].buf;
    const double *top = b[1].buf, *bottom = b[2].buf;
    int64_t *line_of = b[3].buf, *line_group = b[6].buf;
    double *tops = b[4].buf, *bottoms = b[5].buf;
    Py_ssize_t lines = 0, first = 0;
    int64_t current = -1;
    for (Py_ssize_t j = 0; j < n; j++) {
        int64_t g = group[j];
        double top_g = top[j], bottom_g = bottom[j];
        if (g != current) {
            current = g;
            first = lines;
        }
        double mid = (top_g + bottom_g) / 2;
        Py_ssize_t i = lines - 1;
        Py_ssize_t stop = i - 3 > first - 1 ? i - 3 : first - 1;
        int joined = 0;
        for (; i > stop; i--) {
            double band_top = tops[i], band_bottom = bottoms[i];
            double centre = (band_top + band_bottom) / 2;
            if (band_top <= mid && mid <= band_bottom &&
                ((top_g <= centre && centre <= bottom_g) || bottom_g - top_g < 0.6 * (band_bottom - band_top))) {
                line_of[j] = i;
                if (top_g < band_top)
                    tops[i] = top_g;
                if (bottom_g > band_bottom)
                    bottoms[i] = bottom_g;
                joined = 1;
                break;
            }
        }
        if (!joined) {
            line_of[j] = lines;
            tops[lines] = top_g;
            bottoms[lines] = bottom_g;
            line_group[lines] = g;
            lines++;
        }
    }
    for (int a = 0; a < 7; a++)
        PyBuffer_Release(&b[a]);
    return PyLong_FromSsize_t(lines);
}

static PyMethodDef methods[] = {
    {"ints_at", ints_at, METH_VARARGS, "out[j] = function(handle, indices[j]) (an int result)"},
    {"floats_at", floats_at, METH_VARARGS, "out[j] = function(handle, indices[j]) (a float result)"},
    {"records_at", records_at, METH_VARARGS, "found[j] = function(handle, indices[j], out-pointers into record j)"},
    {"objects", objects, METH_VARARGS, "every page object and its kind"},
    {"records_of", records_of, METH_VARARGS, "found[j] = function(objects[j], out-pointers into record j)"},
    {"line_bands", line_bands, METH_VARARGS, "the line of each glyph (layout's band pass)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speedups", NULL, -1, methods};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    return PyModule_Create(&module);
}
