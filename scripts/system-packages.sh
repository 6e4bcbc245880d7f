#!/usr/bin/env bash
# Debian packages the full test suite uses: PostgreSQL (store tests), LibreOffice + CJK fonts
# (.doc/.wps conversion, synthetic PDFs), Chromium + ChromeDriver (browser tests of the audit HTML),
# a C compiler (the PDF reader's optional C loops).
set -euo pipefail
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-packages: not root on Debian/Ubuntu; skipping (tests needing them will be skipped)" >&2
  exit 0
fi
need=()
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui fonts-noto-cjk)
[ -e /usr/lib/libreoffice/program/libsclo.so ] || need+=(libreoffice-calc-nogui)  # the form's recalculation test
command -v chromium >/dev/null 2>&1 || need+=(chromium chromium-driver)
[ -e /usr/lib/x86_64-linux-gnu/libGL.so.1 ] || need+=(libgl1 libglib2.0-0)  # opencv (OCR)
# a C compiler and Python's headers build the PDF reader's C loops (optional: without them the
# same loops run in Python, slower); Debian's own Python keeps its headers in python3-dev
command -v cc >/dev/null 2>&1 || need+=(gcc libc6-dev)
python3 -c 'import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
  2>/dev/null || need+=(python3-dev)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
