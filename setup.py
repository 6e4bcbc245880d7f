"""The one thing pyproject.toml cannot declare: the optional C speed-ups of the PDF reader
(src/xxgk/extract/_speedups.c). `optional=True`: without a C compiler the build goes on and
xxgk runs the same loops in Python, with the same results (see xxgk.extract.pdfium_calls)."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("xxgk.extract._speedups", ["src/xxgk/extract/_speedups.c"], optional=True)])
