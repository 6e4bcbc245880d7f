"""The installed fonts closest to the official ones, for PDFs made on this machine.

The DOCX names 方正小标宋简体 / 黑体 / 仿宋_GB2312 / 宋体, as the agency's Word expects; a server
rarely has them. Before LibreOffice converts the document, each role gets the first installed
family of its list (fontconfig's `fc-list`), so the PDF is set in a real CJK face of the same
kind (serif for 仿宋 and 小标宋, sans for 黑体) instead of whatever LibreOffice substitutes.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache

from xxgk.writer.docx import OFFICIAL, Fonts

FALLBACKS: dict[str, tuple[str, ...]] = {
    "title": ("方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "Source Han Serif SC", "Noto Serif CJK SC",
              "Source Han Serif CN", "SimSun", "AR PL UMing CN"),
    "heading": ("黑体", "SimHei", "Source Han Sans SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei", "Droid Sans Fallback"),
    "body": ("仿宋_GB2312", "仿宋", "FangSong", "FangSong_GB2312", "Source Han Serif SC", "Noto Serif CJK SC",
             "SimSun", "AR PL UMing CN"),
    "number": ("宋体", "SimSun", "Source Han Serif SC", "Noto Serif CJK SC", "DejaVu Serif"),
}


@cache
def families() -> frozenset[str]:
    """Font families fontconfig knows (empty when fc-list is not there)."""
    exe = shutil.which("fc-list")
    if exe is None:
        return frozenset()
    try:
        out = subprocess.run([exe, ":", "family"], capture_output=True, timeout=30, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(name.strip() for line in out.decode("utf-8", "replace").splitlines()
                     for name in line.split(",") if name.strip())


def installed() -> Fonts:
    """The official fonts where installed, else the first installed fallback of each role."""
    have = families()
    if not have:
        return OFFICIAL
    chosen = {role: next((f for f in names if f in have), getattr(OFFICIAL, role))
              for role, names in FALLBACKS.items()}
    return Fonts(**chosen)
