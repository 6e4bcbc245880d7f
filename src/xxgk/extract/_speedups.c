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
typedef int (*int_of_index_2)(void *, int, void *, void *);
typedef int (*int_of_index_4)(void *, int, void *, void *, void *, void *);
typedef void *(*pointer_of_index)(void *, int);
typedef int (*int_of_pointer)(void *);
typedef int (*int_of_pointer_1)(void *, void *);
typedef int (*int_of_pointer_2)(void *, void *, void *);
typedef int (*int_of_pointer_4)(void *, void *, void *, void *, void *);

/* The buffers a call was given, released together whatever happens. */
typedef struct {
    Py_buffer view[7];
    int held;
} Buffers;

static void
release(Buffers *b)
{
    for (int i = 0; i < b->held; i++)
        PyBuffer_Release(&b->view[i]);
    b->held = 0;
}

/* The next buffer: C-contiguous, writable if asked; of items of `itemsize` bytes (0: any size),
 * `count` of them (-1: any number), `min_bytes` bytes at least. */
static Py_buffer *
take(Buffers *b, PyObject *obj, Py_ssize_t itemsize, Py_ssize_t count, Py_ssize_t min_bytes, int writable,
     const char *name)
{
    Py_buffer *view = &b->view[b->held];
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0)
        return NULL;
    b->held++;
    if ((itemsize && view->itemsize != itemsize) || (count >= 0 && view->len != view->itemsize * count) ||
        view->len < min_bytes) {
        PyErr_Format(PyExc_ValueError, "%s: %zd bytes of %zd-byte items; wanted %zd-byte items (0: any), "
                     "%zd of them (-1: any), %zd bytes at least", name, view->len, view->itemsize, itemsize, count,
                     min_bytes);
        return NULL;
    }
    return view;
}

/* 8-byte keys (any number of them) and a writable buffer of as many 4-byte items: the shape of
 * every call here; on failure both are released and an exception is set. */
static int
take_keyed(Buffers *b, PyObject *keys, int keys_writable, PyObject *out, const char *keys_name, const char *out_name,
           Py_ssize_t *count)
{
    Py_buffer *view = take(b, keys, 8, -1, 0, keys_writable, keys_name);
    if (!view || !take(b, out, 4, view->len / 8, 0, 1, out_name)) {
        release(b);
        return -1;
    }
    *count = view->len / 8;
    return 0;
}

static void *
as_pointer(PyObject *address)
{
    return address == Py_None ? NULL : PyLong_AsVoidPtr(address);
}

/* values_at(function, handle, indices: int64[k], out: int32[k] or float32[k]):
 * out[j] = function(handle, indices[j]), an int or a float result as `out` holds */
static PyObject *
values_at(PyObject *self, PyObject *args)
{
    PyObject *fn, *handle, *indices_obj, *out_obj;
    if (!PyArg_ParseTuple(args, "OOOO", &fn, &handle, &indices_obj, &out_obj))
        return NULL;
    void *f = as_pointer(fn), *h = as_pointer(handle);
    if (PyErr_Occurred())
        return NULL;
    Buffers b = {.held = 0};
    Py_ssize_t k;
    if (take_keyed(&b, indices_obj, 0, out_obj, "indices", "out", &k) < 0)
        return NULL;
    const int64_t *at = b.view[0].buf;
    Py_buffer *out = &b.view[1];
    if (out->format && out->format[0] == 'f') {
        float *o = out->buf;
        for (Py_ssize_t j = 0; j < k; j++)
            o[j] = ((float_of_index)f)(h, (int)at[j]);
    } else {
        int32_t *o = out->buf;
        for (Py_ssize_t j = 0; j < k; j++)
            o[j] = ((int_of_index)f)(h, (int)at[j]);
    }
    release(&b);
    Py_RETURN_NONE;
}

/* records(function, handle, keys: int64 or uint64[k], found: int32[k], records: bytes, fields, size):
 * found[j] = function(handle, keys[j], out...) when a handle is given (keys are character
 * indices), else function(keys[j], out...) (keys are page objects); the out-parameters point
 * into record j: one pointer to a struct of `size` bytes (fields == 1), or `fields` (2 or 4)
 * pointers to values of `size` bytes laid out one after another. */
static PyObject *
records(PyObject *self, PyObject *args)
{
    PyObject *fn, *handle, *keys_obj, *found_obj, *records_obj;
    Py_ssize_t fields, size;
    if (!PyArg_ParseTuple(args, "OOOOOnn", &fn, &handle, &keys_obj, &found_obj, &records_obj, &fields, &size))
        return NULL;
    if ((fields != 1 && fields != 2 && fields != 4) || size <= 0 || size > 64) {
        PyErr_SetString(PyExc_ValueError, "records: fields must be 1, 2 or 4 and size 1 to 64 bytes");
        return NULL;
    }
    void *f = as_pointer(fn), *h = as_pointer(handle);
    if (PyErr_Occurred())
        return NULL;
    Buffers b = {.held = 0};
    Py_ssize_t k, step = fields * size;
    if (take_keyed(&b, keys_obj, 0, found_obj, "keys", "found", &k) < 0)
        return NULL;
    Py_buffer *out = take(&b, records_obj, 0, -1, k * step, 1, "records");
    if (!out) {
        release(&b);
        return NULL;
    }
    const uint64_t *key = b.view[0].buf;
    int32_t *ok = b.view[1].buf;
    for (Py_ssize_t j = 0; j < k; j++) {
        char *p = (char *)out->buf + j * step;
        if (h) {
            int i = (int)(int64_t)key[j];
            ok[j] = fields == 1   ? ((int_of_index_1)f)(h, i, p)
                    : fields == 2 ? ((int_of_index_2)f)(h, i, p, p + size)
                                  : ((int_of_index_4)f)(h, i, p, p + size, p + 2 * size, p + 3 * size);
        } else {
            void *obj = (void *)(uintptr_t)key[j];
            ok[j] = fields == 1   ? ((int_of_pointer_1)f)(obj, p)
                    : fields == 2 ? ((int_of_pointer_2)f)(obj, p, p + size)
                                  : ((int_of_pointer_4)f)(obj, p, p + size, p + 2 * size, p + 3 * size);
        }
    }
    release(&b);
    Py_RETURN_NONE;
}

/* objects(get_object, get_type, page, objects: uint64[n], kinds: int32[n]):
 * objects[i] = get_object(page, i), kinds[i] = get_type(objects[i]) */
static PyObject *
objects(PyObject *self, PyObject *args)
{
    PyObject *get_object_obj, *get_type_obj, *page_obj, *objects_obj, *kinds_obj;
    if (!PyArg_ParseTuple(args, "OOOOO", &get_object_obj, &get_type_obj, &page_obj, &objects_obj, &kinds_obj))
        return NULL;
    pointer_of_index get_object = (pointer_of_index)as_pointer(get_object_obj);
    int_of_pointer get_type = (int_of_pointer)as_pointer(get_type_obj);
    void *page = as_pointer(page_obj);
    if (PyErr_Occurred())
        return NULL;
    Buffers b = {.held = 0};
    Py_ssize_t n;
    if (take_keyed(&b, objects_obj, 1, kinds_obj, "objects", "kinds", &n) < 0)
        return NULL;
    uint64_t *o = b.view[0].buf;
    int32_t *t = b.view[1].buf;
    for (Py_ssize_t i = 0; i < n; i++) {
        void *obj = get_object(page, (int)i);
        o[i] = (uint64_t)(uintptr_t)obj;
        t[i] = obj ? get_type(obj) : 0;
    }
    release(&b);
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
    static const char *names[7] = {"group", "top", "bottom", "line_of", "tops", "bottoms", "line_group"};
    if (!PyArg_ParseTuple(args, "OOOOOOO", &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], &o[6]))
        return NULL;
    Buffers b = {.held = 0};
    Py_ssize_t n = -1;
    for (int a = 0; a < 7; a++) {
        Py_buffer *view = take(&b, o[a], 8, n, 0, a >= 3, names[a]);
        if (!view) {
            release(&b);
            return NULL;
        }
        if (a == 0)
            n = view->len / 8;
    }
    const int64_t *group = b.view[0].buf;
    const double *top = b.view[1].buf, *bottom = b.view[2].buf;
    int64_t *line_of = b.view[3].buf, *line_group = b.view[6].buf;
    double *tops = b.view[4].buf, *bottoms = b.view[5].buf;
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
    release(&b);
    return PyLong_FromSsize_t(lines);
}

static PyMethodDef methods[] = {
    {"values_at", values_at, METH_VARARGS, "out[j] = function(handle, indices[j])"},
    {"records", records, METH_VARARGS, "found[j] = function([handle,] keys[j], out-pointers into record j)"},
    {"objects", objects, METH_VARARGS, "every page object and its kind"},
    {"line_bands", line_bands, METH_VARARGS, "the line of each glyph (layout's band pass)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speedups", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    return PyModule_Create(&module);
}
