"""The report as one self-contained HTML file for a site's CMS: semantic markup (article, h1, h2,
p, tables with th/td and rowspan/colspan exactly as the official form merges them), a small
embedded stylesheet, nothing to fetch."""

from __future__ import annotations

from html import escape

from xxgk.export.layout import Grid
from xxgk.writer.draft import Draft
from xxgk.writer.layout import cell_text

_STYLE = """
body{margin:0;background:#fff;color:#000}
article{max-width:46em;margin:2em auto;padding:0 1em;font:16px/1.9 "仿宋_GB2312","FangSong",serif}
h1{font:22px/1.6 "方正小标宋简体","FZXiaoBiaoSong-B05S","SimSun",serif;text-align:center;margin:1em 0}
h2{font:16px/1.9 "黑体","SimHei",sans-serif;margin:.6em 0;text-indent:2em}
p{margin:0;text-indent:2em}
table{border-collapse:collapse;margin:.8em auto;font-size:14px;line-height:1.4}
th,td{border:1px solid #000;padding:.25em .4em;text-align:center;vertical-align:middle}
th{font-weight:normal}
th.block{font-weight:bold}
td{min-width:2.5em}
"""


def _attrs(rowspan: int, colspan: int, cls: str = "") -> str:
    out = ""
    if rowspan > 1:
        out += f' rowspan="{rowspan}"'
    if colspan > 1:
        out += f' colspan="{colspan}"'
    if cls:
        out += f' class="{cls}"'
    return out


def _table(draft: Draft, grid: Grid) -> list[str]:
    lines = [f'<table data-table="{grid.table.key}">', "<tbody>"]
    for row in grid.rows():
        cells = []
        for g in row:
            if g.kind == "value" and g.path:
                cells.append(f"<td{_attrs(g.rowspan, g.colspan)}>{escape(cell_text(draft.report, g.path))}</td>")
            else:
                cls = "block" if g.kind == "block" else ""
                cells.append(f"<th{_attrs(g.rowspan, g.colspan, cls)}>{escape(g.text)}</th>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines += ["</tbody>", "</table>"]
    return lines


def render_html(draft: Draft) -> bytes:
    """The draft as UTF-8 HTML bytes."""
    out = ["<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
           '<meta name="generator" content="xxgk">', f"<title>{escape(draft.title)}</title>",
           f"<style>{_STYLE.strip()}</style>", "</head>", "<body>", "<article>",
           f"<h1>{escape(draft.title)}</h1>"]
    out += [f"<p>{escape(p)}</p>" for p in draft.preamble]
    for s in draft.sections:
        out.append(f'<section id="s{s.section.no}">')
        out.append(f"<h2>{escape(s.section.title)}</h2>")
        out += [f"<p>{escape(p)}</p>" for p in s.paragraphs]
        if s.grid is not None:
            out += _table(draft, s.grid)
        out.append("</section>")
    out += ["</article>", "</body>", "</html>", ""]
    return "\n".join(out).encode("utf-8")
