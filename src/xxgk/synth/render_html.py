"""HTML renderings: the report as government portals publish it.

Tables follow the official forms with rowspan/colspan (table 三: three label columns, the
三、本年度办理结果 group and the （三）–（六） blocks spanning their rows; table 四: the
行政复议 / 行政诉讼 header over 15 columns). Styles:

- ``portal``: a full government page: header, navigation, breadcrumb, article info line, share
  and print links, footer with 网站标识码 and ICP number; the portal is often the parent
  government's, so the chrome names another body;
- ``plain``: a bare saved fragment (``<html><body>`` and the content);
- ``br_cells``: labels broken over lines with ``<br>`` and Word-export ``<p><span>`` cells;
- ``blank_zero``: every zero printed as ``&nbsp;`` (the truth records those cells as blank and
  lets the arithmetic decide them);
- ``gbk``: a GBK-encoded page declaring its charset in a ``<meta http-equiv>``;
- ``yuan``: money in the 万元 column printed in 元 with its unit (``251000元`` meaning 25.1).
"""

from __future__ import annotations

import html
import random

from xxgk.synth.layout import (
    APPEAL_COLS,
    APPLICANT_GROUP,
    BALANCE_NOTE,
    INFO_HEADER,
    LITIGATION_GROUP,
    ORG_GROUP,
    RESULTS_GROUP,
    Rendered,
    active_blocks,
    appeal_groups,
    applicant_headers,
    application_rows,
    application_values,
    cell_text,
    kept_printed,
    knob_stream,
    vertical_appeals,
    vertical_style,
    zero_marks,
)
from xxgk.synth.names import PLACES
from xxgk.synth.render_text import _Knobs
from xxgk.synth.truth import SyntheticReport

HTML_STYLES = ("portal", "plain", "br_cells", "blank_zero", "gbk", "yuan")

_MONEY = {"active.fees.amount", "active.procurement.amount"}


class _Page:
    def __init__(self, report: SyntheticReport, k: _Knobs, style: str) -> None:
        self.report = report
        self.k = k
        self.rng = k.rng
        self.word_cells = style == "br_cells" or k.flip("word_cells", 0.35)
        self.br = style == "br_cells"
        self.yuan = style == "yuan"
        self.plain = style == "plain"
        self.blank: dict[str, str] = zero_marks(report, "html") if report.patterns else {}
        if style == "blank_zero" and not self.blank:
            keep = kept_printed(report)
            self.blank = {p: "" for p, v in report.values.items()
                          if v == 0 and p not in report.gaps and p not in keep}

    # ------------------------------------------------------------ cells

    def td(self, text: str, rowspan: int = 1, colspan: int = 1, label: bool = False) -> str:
        attrs = ""
        if rowspan > 1:
            attrs += f' rowspan="{rowspan}"'
        if colspan > 1:
            attrs += f' colspan="{colspan}"'
        if self.word_cells:
            attrs += ' valign="center" style="border:solid windowtext 1.0pt;padding:0cm 5.4pt"'
        body = html.escape(text) if text else "&nbsp;"
        if label and self.br and len(text) >= 4 and text:
            cut = self.rng.randint(2, max(2, len(text) // 2))
            body = html.escape(text[:cut]) + "<br>" + html.escape(text[cut:])
        if self.word_cells:
            body = (f'<p class="MsoNormal" align="center" style="text-align:center">'
                    f'<span style="font-family:宋体;font-size:10.5pt">{body}</span></p>')
        return f"<td{attrs}>{body}</td>"

    def value(self, path: str, colspan: int = 1) -> str:
        text = cell_text(self.report, path, aligned=True, blank=self.blank)
        if text is None:
            return ""
        if self.yuan and path in _MONEY and text not in ("", "0"):
            text = f"{round(self.report.values[path] * 10000)}元"
        return self.td(text, colspan=colspan)

    # ------------------------------------------------------------ tables

    def table(self, rows: list[str]) -> str:
        attrs = ' border="1" cellspacing="0" cellpadding="0"'
        if self.word_cells:
            attrs += ' class="MsoNormalTable" style="border-collapse:collapse;border:none"'
        return f"<table{attrs}><tbody>\n" + "\n".join(f"<tr>{r}</tr>" for r in rows) + "\n</tbody></table>"

    def active(self) -> str:
        rows = []
        for block in active_blocks(self.report):
            rows.append(self.td(block.heading, colspan=4, label=True))
            n = len(block.columns)
            labels = [self.td(label, colspan=1 + (4 - 1 - n) * (i == n - 1), label=True)
                      for i, (_, label) in enumerate(block.columns)]
            rows.append(self.td(INFO_HEADER) + "".join(labels))
            for key, label, _ in block.rows:
                cols = self.report.row_columns("active", key)
                # The last value spans the columns a short row does not have (the form is 4 wide).
                cells = [self.value(f"active.{key}.{c}", 1 + (4 - 1 - n) * (i == n - 1))
                         for i, c in enumerate(cols)]
                rows.append(self.td(label, label=True) + "".join(cells))
        return self.table(rows)

    def applications(self) -> str:
        heads = applicant_headers(self.report)
        rows = [
            self.td(BALANCE_NOTE, rowspan=3, colspan=3) + self.td(APPLICANT_GROUP, colspan=len(heads)),
            self.td(heads[0][1], rowspan=2, label=True) + self.td(ORG_GROUP, colspan=len(heads) - 2)
            + self.td(heads[-1][1], rowspan=2),
            "".join(self.td(label, label=True) for _, label in heads[1:-1]),
        ]
        printed = application_rows(self.report)
        group_size = sum(1 for *_, in_group in printed if in_group)
        block_sizes: dict[str, int] = {}
        for _, _, block, _ in printed:
            if block:
                block_sizes[block] = block_sizes.get(block, 0) + 1
        seen_group = False
        seen_blocks: set[str] = set()
        for key, label, block, in_group in printed:
            cells = "".join(self.td(v) for v in application_values(self.report, key, True, self.blank)
                            if v is not None)
            lead = ""
            if in_group and not seen_group:
                lead = self.td(RESULTS_GROUP, rowspan=group_size, label=True)
                seen_group = True
            if not in_group:
                lead += self.td(label, colspan=3, label=True)
            elif block:
                if block not in seen_blocks:
                    lead += self.td(block, rowspan=block_sizes[block], label=True)
                    seen_blocks.add(block)
                lead += self.td(label, label=True)
            else:
                lead += self.td(label, colspan=2, label=True)
            rows.append(lead + cells)
        return self.table(rows)

    def vertical(self) -> str:
        """Table 四 one cell a row; a group label spans its group's rows (a merged cell)."""
        style = vertical_style(self.report, "html")
        rows = vertical_appeals(self.report, style, True, self.blank)
        width = max(len(r) for r in rows)
        merged = {"three": 1, "four": 2}.get(style, 0)  # leading label columns printed once per group
        out = []
        for i, r in enumerate(rows):
            if len(r) == 1:  # a group heading row across the table
                out.append(self.td(r[0], colspan=width, label=True))
                continue
            cells = []
            for j, text in enumerate(r):
                if j < merged:
                    if not text:
                        continue  # covered by the merged cell above
                    span = 1
                    while i + span < len(rows) and not rows[i + span][j]:
                        span += 1
                    cells.append(self.td(text, rowspan=span, label=True))
                else:
                    cells.append(self.td(text, label=j == 0 or (i == 0 and style == "transposed")))
            out.append("".join(cells))
        return self.table(out)

    def appeals(self) -> str:
        if "vertical-appeals" in self.report.patterns:
            return self.vertical()
        groups = appeal_groups(self.report)
        labels = [label for _, label in APPEAL_COLS]
        rows = [
            self.td(groups[0][1], colspan=5) + self.td(LITIGATION_GROUP, colspan=10),
            "".join(self.td(label, rowspan=2, label=True) for label in labels)
            + self.td(groups[1][2], colspan=5) + self.td(groups[2][2], colspan=5),
            "".join(self.td(label, label=True) for label in labels * 2),
            "".join(self.value(f"appeals.{key}.{c}") for key, _, _ in groups for c, _ in APPEAL_COLS),
        ]
        return self.table(rows)

    # ------------------------------------------------------------ text

    def para(self, text: str, heading: bool = False) -> str:
        text = html.escape(text)
        if heading:
            if self.rng.random() < 0.3:
                return f"<h3>{text}</h3>"
            text = f"<strong>{text}</strong>"
        style = ' style="text-indent:2em"' if self.rng.random() < 0.7 else ""
        return f"<p{style}>{text}</p>"

    def content(self) -> str:
        report = self.report
        out = []
        # Portals show the title in the page header; a bare fragment has only the content's.
        if report.title and "head-title" not in report.patterns and (self.plain or self.rng.random() < 0.5):
            out.append(f'<p style="text-align:center"><strong>{html.escape(report.title)}</strong></p>')
        out += [self.para(p) for p in report.preamble]
        tables = {2: self.active, 3: self.applications, 4: self.appeals}
        for s in report.sections:
            out.append(self.para(s.title, heading=True))
            out += [self.para(p) for p in s.paragraphs]
            if s.no in tables:
                out.append(tables[s.no]())
        return "\n".join(out)


def _portal_name(report: SyntheticReport, rng: random.Random) -> str:
    """Departments and towns publish on their government's portal: the chrome names that body."""
    body = report.body
    if body.level in ("province", "city", "county"):
        return body.name
    province = next((p for p in PLACES if body.region.startswith(p)), "")
    rest = body.region[len(province):]
    for suffix in ("区", "县", "市"):
        i = rest.rfind(suffix)
        if i > 0:
            return rest[: i + 1] + "人民政府"
    return body.name


def render_html(report: SyntheticReport, style: str | None = None) -> Rendered:
    """Render `report` as an HTML page in `style` (drawn from the seed when None)."""
    style = style or random.Random(f"xxgk.synth:{report.seed}:render:html").choice(HTML_STYLES)
    if style not in HTML_STYLES:
        raise ValueError(f"unknown HTML style {style!r} (one of {', '.join(HTML_STYLES)})")
    k = _Knobs(knob_stream(report, "html", style))
    page = _Page(report, k, style)
    content = page.content()
    encoding = "gbk" if style == "gbk" else "utf-8"
    title = report.title or "政府信息公开工作年度报告"
    head_title = "head-title" in report.patterns and report.title
    if style == "plain":
        extra = (f"<title>{html.escape(report.title)}</title>"  # type: ignore[arg-type]
                 f'<meta name="ArticleTitle" content="{html.escape(report.title)}">' if head_title else "")  # type: ignore[arg-type]
        doc = f"<html><head><meta charset=\"utf-8\">{extra}</head><body>\n{content}\n</body></html>\n"
    else:
        site = html.escape(_portal_name(report, k.rng))
        ident = k.rng.randint(1000000000, 9999999999)
        icp = k.rng.randint(10000000, 99999999)
        charset = (f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">'
                   if style == "gbk" else f'<meta charset="{encoding}">')
        page_title = f"{html.escape(title)}_{site}" if report.title else site
        h1 = f'<h1 class="title">{html.escape(report.title)}</h1>' if report.title and not head_title else ""
        article_meta = ([f'<meta name="ArticleTitle" content="{html.escape(report.title)}">',  # type: ignore[arg-type]
                         f'<meta name="ContentSource" content="{html.escape(report.body.office)}">']
                        if head_title else [])
        doc = "\n".join([
            "<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", charset,
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{page_title}</title>", *article_meta,
            f'<meta name="SiteName" content="{site}">',
            '<meta name="ColumnName" content="政府信息公开年报">',
            f'<meta name="PubDate" content="{report.published} 09:30">',
            '<link rel="stylesheet" href="/css/common.css">',
            '<script src="/js/jquery-1.12.4.min.js"></script>',
            "</head>", "<body>",
            '<div class="header"><div class="logo"><a href="/">',
            f'<img src="/images/logo.png" alt="{site}"></a></div>',
            '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>',
            '<li><a href="/zwfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>',
            '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; '
            '<a href="/zwgk/ndbg/">政府信息公开年报</a></div>',
            '<div class="article">', h1,
            f'<div class="info"><span>发布时间：{report.published}</span>'
            f"<span>来源：{html.escape(report.body.office)}</span>",
            "<span>浏览次数：<script>document.write(Math.round(Math.random()*1000))</script></span>"
            "<span>字号：[大 中 小]</span></div>",
            '<div class="content" id="zoom">', content, "</div>",
            '<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div>',
            '<div class="print"><a href="javascript:window.print()">【打印本页】</a> '
            '<a href="javascript:window.close()">【关闭窗口】</a></div>',
            "</div>",
            f'<div class="footer"><p>主办单位：{site}办公室　网站标识码：{ident}</p>',
            f'<p><a href="https://beian.miit.gov.cn/">ICP备{icp}号</a>　'
            f"公安机关备案号{ident}{icp % 100:02d}</p>",
            "<p>建议使用1920×1080分辨率浏览本站</p></div>",
            "<script>var _hmt = _hmt || [];</script>",
            "</body>", "</html>", "",
        ])
    return Rendered(doc.encode(encoding), "html", style, ".html", encoding=encoding, aligned=True,
                    blank=frozenset(page.blank), marked=any(page.blank.values()), knobs=tuple(k.on))
