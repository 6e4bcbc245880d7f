
"""Build the HTML and DOCX test fixtures from real reports' content (kept, so they can be rebuilt).

    .venv/bin/python tests/data/html/make_fixtures.py        # needs python-docx; LibreOffice for .doc/.rtf

The text and numbers are those of three real published reports (淮安市人民政府 2024, a 2020
industrial-park report on the 2019 template, 栾川县先进制造业开发区 2022); the page chrome around
them is modelled on real government CMS article pages (TRS-style `TRS_Editor` body, breadcrumb,
metadata box, related links, share bar, footer). Tables are written the way those sites and
Word write them: merged label cells with rowspan/colspan, vertical labels broken by `<br>`.

Output (committed; tests never run this script):
  html/huaian-2024.html      UTF-8, chrome, 2021 template, value-rich
  html/park-2020-gbk.html    GBK bytes, http-equiv charset=gb2312, Word-exported markup, 2019 template
  html/kfq-2022-nbsp.html    <meta charset>, &nbsp; blank cells, layout tables
  docx/huaian-2024.docx      python-docx, merged cells as Word writes them (gridSpan, vMerge)
  docx/huaian-2024-lo.docx   the same document written by LibreOffice (its own merge style)
  docx/huaian-2024.doc       Word 97 binary, by LibreOffice
  docx/huaian-2024.rtf       RTF, by LibreOffice
"""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCX_DIR = HERE.parent / "docx"

Cell = tuple[str, int, int]  # text, rowspan, colspan


def c(text: object, rowspan: int = 1, colspan: int = 1) -> Cell:
    return (str(text), rowspan, colspan)


# ------------------------------------------------------------------ 淮安市人民政府 2024 (2021 template)

HUAIAN_TITLE = ["淮安市人民政府", "2024年政府信息公开工作年度报告"]
HUAIAN_INTRO = [
    "本报告由淮安市人民政府办公室根据《中华人民共和国政府信息公开条例》（国令第711号）（以下简称《条例》）"
    "规定编制。报告所列统计期限自2024年1月1日至2024年12月31日。如对本报告有疑问，请与淮安市人民政府办公室"
    "联系（地址：淮安市翔宇南道1号，邮编：223001，电话：0517-83605210，电子邮箱：hazwgkc@163.com）。",
]
HUAIAN_S1 = [
    "2024年，我市坚持以习近平新时代中国特色社会主义思想为指导，认真学习宣传贯彻党的二十大和二十届二中、"
    "三中全会精神，按照党中央国务院、省委省政府决策部署和市委工作要求，严格落实《中华人民共和国政府信息"
    "公开条例》各项规定，圆满完成了各项任务。",
    "（一）主动公开情况。2024年，市政府网站主动公开各类政府信息5500余条，全年新增公开市政府规章1件、"
    "市政府及市政府办政策性文件11件，通过文字、图片等形式制作政策解读21个，制作《淮安市人民政府公报》6期。",
    "（二）依申请公开情况。定期对政府信息公开申请集中的领域和热点问题进行研判，探索从源头上解决实际问题。"
    "2024年，全市共受理政府信息公开申请3119件，答复3050件（含上年度结转申请34件，另有103件顺延到下年度答复），"
    "均在法定期限内予以答复。政府信息公开行政复议351件，其中结果维持72件，结果纠正64件，其他结果178件，"
    "尚未审结37件；政府信息公开行政诉讼46件，其中结果维持25件，结果纠正5件，其他结果9件，尚未审结7件。",
    "（三）政府信息管理情况。在政府网站、政务新媒体、政府公报等公开平台发布信息时，坚持“先审查、后公开”"
    "“一事一审”工作原则，规范审查程序，建立健全重要事项公开保密审查协调机制。",
    "（四）政府信息公开平台建设情况。进一步优化政务公开专栏设置，截至目前，全市在运维政务新媒体共计95个，"
    "在省办2024年四个季度政务新媒体检查抽查中，合格率均为100%。",
    "（五）政府信息公开监督保障情况。根据省政务公开年度和季度监测指标，全年组织4次政府信息公开栏目全覆盖"
    "检查，并出具各县区、各部门政务公开评估分报告。",
]
HUAIAN_S5 = [
    "对照上级新要求和公众新期待，还有一些需要加强和改进的地方。主要表现在：一是政策解读质量仍需提升，"
    "个别单位政策解读内容简单、形式单一；二是政务公开队伍建设还需进一步加强。",
    "针对存在问题，下一步，我市将着力加强政策解读质效，重点提升解读的针对性和通俗化；建立健全“传帮带”"
    "机制，定期组织业务培训，全面提升政务公开工作队伍水平。",
]
HUAIAN_S6 = ["2024年，市政府严格落实《政府信息公开信息处理费管理办法》，全年收取政府信息公开信息处理费3940元。"]

SECTION_TITLES = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                  "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]

APPLICANT_HEADER: list[list[Cell]] = [
    [c("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), c("申请人情况", 1, 7)],
    [c("自然人", 2), c("法人或其他组织", 1, 5), c("总计", 2)],
    [c("商业企业"), c("科研机构"), c("社会公益组织"), c("法律服务机构"), c("其他")],
]

# (label cells before the numbers, numbers) per printed row of table 三, 2021 template
HUAIAN_T3: list[tuple[list[Cell], list[int]]] = [
    ([c("一、本年新收政府信息公开申请数量", 1, 3)], [3001, 53, 0, 0, 61, 4, 3119]),
    ([c("二、上年结转政府信息公开申请数量", 1, 3)], [34, 0, 0, 0, 0, 0, 34]),
    ([c("三、<br>本<br>年<br>度<br>办<br>理<br>结<br>果", 22), c("（一）予以公开", 1, 2)],
     [1288, 21, 0, 0, 50, 3, 1362]),
    ([c("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, 2)], [447, 7, 0, 0, 0, 0, 454]),
    ([c("（三）不<br>予公开", 8), c("1.属于国家秘密")], [2, 0, 0, 0, 0, 0, 2]),
    ([c("2.其他法律行政法规禁止公开")], [30, 1, 0, 0, 0, 0, 31]),
    ([c("3.危及“三安全一稳定”")], [5, 0, 0, 0, 0, 0, 5]),
    ([c("4.保护第三方合法权益")], [6, 0, 0, 0, 0, 0, 6]),
    ([c("5.属于三类内部事务信息")], [7, 1, 0, 0, 0, 0, 8]),
    ([c("6.属于四类过程性信息")], [12, 0, 0, 0, 0, 0, 12]),
    ([c("7.属于行政执法案卷")], [9, 0, 0, 0, 0, 0, 9]),
    ([c("8.属于行政查询事项")], [105, 0, 0, 0, 0, 0, 105]),
    ([c("（四）无<br>法提供", 3), c("1.本机关不掌握相关政府信息")], [746, 12, 0, 0, 10, 1, 769]),
    ([c("2.没有现成信息需要另行制作")], [11, 0, 0, 0, 0, 0, 11]),
    ([c("3.补正后申请内容仍不明确")], [1, 0, 0, 0, 0, 0, 1]),
    ([c("（五）不<br>予处理", 5), c("1.信访举报投诉类申请")], [56, 6, 0, 0, 0, 0, 62]),
    ([c("2.重复申请")], [25, 0, 0, 0, 0, 0, 25]),
    ([c("3.要求提供公开出版物")], [0, 0, 0, 0, 0, 0, 0]),
    ([c("4.无正当理由大量反复申请")], [0, 0, 0, 0, 0, 0, 0]),
    ([c("5.要求行政机关确认或重新出具已获取信息")], [1, 0, 0, 0, 0, 0, 1]),
    ([c("（六）其<br>他处理", 3), c("1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")],
     [67, 3, 0, 0, 1, 0, 71]),
    ([c("2、申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请")], [6, 0, 0, 0, 0, 0, 6]),
    ([c("3、其他")], [108, 2, 0, 0, 0, 0, 110]),
    ([c("（七）总计", 1, 2)], [2932, 53, 0, 0, 61, 4, 3050]),
    ([c("四、结转下年度继续办理", 1, 3)], [103, 0, 0, 0, 0, 0, 103]),
]

HUAIAN_T2: list[list[Cell]] = [
    [c("第二十条第（一）项", 1, 4)],
    [c("信息内容"), c("本年制发件数"), c("本年废止件数"), c("现行有效件数")],
    [c("规章"), c(1), c(0), c(11)],
    [c("行政规范性文件"), c(8), c(26), c(66)],
    [c("第二十条第（五）项", 1, 4)],
    [c("信息内容"), c("本年处理决定数量", 1, 3)],
    [c("行政许可"), c(447228, 1, 3)],
    [c("第二十条第（六）项", 1, 4)],
    [c("信息内容"), c("本年处理决定数量", 1, 3)],
    [c("行政处罚"), c(3985758, 1, 3)],
    [c("行政强制"), c(88283, 1, 3)],
    [c("第二十条第（八）项", 1, 4)],
    [c("信息内容"), c("本年收费金额（单位：万元）", 1, 3)],
    [c("行政事业性收费"), c("96171.6", 1, 3)],
]

T4_RESULTS = ["结果<br>维持", "结果<br>纠正", "其他<br>结果", "尚未<br>审结", "总计"]


def t4(values: list[int]) -> list[list[Cell]]:
    return [
        [c("行政复议", 2, 5), c("行政诉讼", 1, 10)],
        [c("未经复议直接起诉", 1, 5), c("复议后起诉", 1, 5)],
        [c(x) for x in T4_RESULTS * 3],
        [c(v) for v in values],
    ]


HUAIAN_T4 = t4([72, 64, 178, 37, 351, 13, 4, 8, 1, 26, 12, 1, 1, 6, 20])


def t3_rows(body: list[tuple[list[Cell], list[object]]]) -> list[list[Cell]]:
    return APPLICANT_HEADER + [labels + [c(v) for v in values] for labels, values in body]


def html_table(rows: list[list[Cell]], attrs: str = 'border="1" cellspacing="0" cellpadding="0"',
               cell: str = "{t}", indent: str = "      ") -> str:
    out = [f"{indent}<table {attrs}>", f"{indent}  <tbody>"]
    for row in rows:
        tds = []
        for text, rs, cs in row:
            span = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
            tds.append(f"<td{span}>{cell.format(t=text)}</td>")
        out.append(f"{indent}    <tr>" + "".join(tds) + "</tr>")
    out += [f"{indent}  </tbody>", f"{indent}</table>"]
    return "\n".join(out)


def p(text: str, style: str = ' style="text-indent:2em;"') -> str:
    return f"      <p{style}>{html.escape(text, quote=False)}</p>"


def huaian_html() -> str:
    body = [p(x) for x in HUAIAN_INTRO]
    sections = [HUAIAN_S1, None, None, None, HUAIAN_S5, HUAIAN_S6]
    tables = {1: HUAIAN_T2, 2: t3_rows(HUAIAN_T3), 3: HUAIAN_T4}
    for i, title in enumerate(SECTION_TITLES):
        body.append(f'      <p style="text-indent:2em;"><strong>{title}</strong></p>')
        if i in tables:
            body.append(html_table(tables[i]))
        for para in sections[i] or []:
            body.append(p(para))
    content = "\n".join(body)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="ArticleTitle" content="淮安市人民政府2024年政府信息公开工作年度报告">
<title>淮安市人民政府2024年政府信息公开工作年度报告_淮安市人民政府</title>
<link rel="stylesheet" href="/images/common.css">
<script src="/js/jquery.min.js"></script>
<script>var _hmt = _hmt || []; document.write("<div>统计代码</div>");</script>
<style>.share {{ float:right; }} td {{ border:1px solid #000; }}</style>
</head>
<body>
<div class="top">
  <div class="top-links"><a href="/">首页</a> | <a href="/wza">无障碍浏览</a> | <a href="/en">English</a> | <a href="/app">移动版</a></div>
  <div class="logo"><img src="/images/logo.png" alt="淮安市人民政府"></div>
  <form class="search" action="/search"><input type="text" name="q" value="请输入关键字"><button>搜索</button></form>
</div>
<div class="nav">
  <ul>
    <li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li><li><a href="/zwfw">政务服务</a></li>
    <li><a href="/hdjl">互动交流</a></li><li><a href="/zjha">走进淮安</a></li>
  </ul>
</div>
<div class="main">
  <div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政府信息公开</a> &gt; <a href="/zwgk/ndbg">政府信息公开年度报告</a></div>
  <table class="xxgk-info">
    <tr><td>索引号：</td><td>014041283/2025-00012</td><td>分类：</td><td>政务公开 / 年度报告</td></tr>
    <tr><td>发布机构：</td><td>淮安市人民政府办公室</td><td>发文日期：</td><td>2025-01-20</td></tr>
    <tr><td>名称：</td><td colspan="3">淮安市人民政府2024年政府信息公开工作年度报告</td></tr>
  </table>
  <div class="article">
    <h1 class="title">淮安市人民政府2024年政府信息公开工作年度报告</h1>
    <div class="info">发布日期：2025-01-20　来源：市政府办公室　浏览次数：<span id="hits"></span>
      <span class="font">【字体：<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a>】</span></div>
    <div class="TRS_Editor" id="zoom">
      <p style="text-align:center;"><strong>{HUAIAN_TITLE[0]}</strong></p>
      <p style="text-align:center;"><strong>{HUAIAN_TITLE[1]}</strong></p>
{content}
    </div>
    <div class="share">分享到：<a href="#" class="wx">微信</a> <a href="#" class="wb">微博</a> <a href="#" class="qq">QQ空间</a></div>
    <div class="print"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
    <div class="prevnext">
      <p>上一篇：<a href="/art/2024/1/20/a1.html">淮安市人民政府2023年政府信息公开工作年度报告</a></p>
      <p>下一篇：<a href="/art/2025/1/22/a2.html">淮安市发展和改革委员会2024年政府信息公开工作年度报告</a></p>
    </div>
  </div>
  <div class="related">
    <h3>相关链接</h3>
    <ul>
      <li><a href="/col/ndbg/2024/1.html">淮安市人民政府办公室2024年政府信息公开工作年度报告</a></li>
      <li><a href="/col/ndbg/2024/2.html">淮安市财政局2024年政府信息公开工作年度报告</a></li>
      <li><a href="/col/ndbg/2024/3.html">淮安市教育局2024年政府信息公开工作年度报告</a></li>
    </ul>
  </div>
</div>
<div class="footer">
  <p><a href="/about">关于我们</a> | <a href="/map">网站地图</a> | <a href="/contact">联系我们</a></p>
  <p>主办单位：淮安市人民政府办公室　承办单位：淮安市大数据管理局</p>
  <p>网站标识码：3208000001　苏ICP备05004326号　苏公网安备 32080302000134号</p>
</div>
<script>jQuery(function(){{ $("#hits").load("/hits"); }});</script>
</body>
</html>
"""


# ------------------------------------------------------------------ 2020 park report (2019 template), GBK

PARK_S1 = [
    "工作开展情况：",
    "（一）组织领导情况。调整充实了工业园区政务公开工作领导小组，分管区领导任组长，区党政办公室主任任副组长，"
    "办事处和有关部门主要负责同志为成员，组织领导体系进一步健全。",
    "（二）基础配置情况。区管委会将政务公开工作经费纳入年度预算，购置了摄像机、摄影机、采编电脑等设备，"
    "保障政务公开工作顺利开展。",
    "（三）平台建设情况。不断加强门户网站和微信公众号的建设、管理，积极开辟网站留言互动栏、政务服务栏。",
]
PARK_S5 = [
    "工业园区人员编制少，政务公开工作由政府购岗人员负责，这类人员离职变动相对频繁，而新进人员业务水平需要不断提高。",
    "在今后的工作中，我们将进一步完善并坚持信息上传和更新维护审查流程，建立审核台账，明确责任人。",
]
PARK_S6 = ["无"]

PARK_T2: list[list[Cell]] = [
    [c("第二十条第（一）项", 1, 4)],
    [c("信息内容"), c("本年新<br>制作数量"), c("本年新<br>公开数量"), c("对外公开总数量")],
    [c("规章"), c(0), c(0), c(0)],
    [c("规范性文件"), c(0), c(0), c(0)],
    [c("第二十条第（五）项", 1, 4)],
    [c("信息内容"), c("上一年项目数量"), c("本年增/减"), c("处理决定数量")],
    [c("行政许可"), c(95), c(181), c(276)],
    [c("其他对外管理服务事项"), c(0), c(0), c(0)],
    [c("第二十条第（六）项", 1, 4)],
    [c("信息内容"), c("上一年项目数量"), c("本年增/减"), c("处理决定数量")],
    [c("行政处罚"), c(0), c(8), c(8)],
    [c("行政强制"), c(0), c(0), c(0)],
    [c("第二十条第（八）项", 1, 4)],
    [c("信息内容"), c("上一年项目数量"), c("本年增/减", 1, 2)],
    [c("行政事业性收费"), c(0), c(0, 1, 2)],
    [c("第二十条第（九）项", 1, 4)],
    [c("信息内容"), c("采购项目数量"), c("采购总金额（单位：万元）", 1, 2)],
    [c("政府集中采购"), c(0), c(0, 1, 2)],
]

Z7 = [0] * 7
PARK_T3: list[tuple[list[Cell], list[object]]] = [
    ([c("一、本年新收政府信息公开申请数量", 1, 3)], Z7),
    ([c("二、上年结转政府信息公开申请数量", 1, 3)], Z7),
    ([c("三、本年度办理结果", 20), c("（一）予以公开", 1, 2)], Z7),
    ([c("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, 2)], Z7),
    ([c("（三）不予公开", 8), c("1.属于国家秘密")], Z7),
    ([c("2.其他法律行政法规禁止公开")], Z7),
    ([c("3.危及“三安全一稳定”")], Z7),
    ([c("4.保护第三方合法权益")], Z7),
    ([c("5.属于三类内部事务信息")], Z7),
    ([c("6.属于四类过程性信息")], Z7),
    ([c("7.属于行政执法案卷")], Z7),
    ([c("8.属于行政查询事项")], Z7),
    ([c("（四）无法提供", 3), c("1.本机关不掌握相关政府信息")], Z7),
    ([c("2.没有现成信息需要另行制作")], Z7),
    ([c("3.补正后申请内容仍不明确")], Z7),
    ([c("（五）不予处理", 5), c("1.信访举报投诉类申请")], Z7),
    ([c("2.重复申请")], Z7),
    ([c("3.要求提供公开出版物")], Z7),
    ([c("4.无正当理由大量反复申请")], Z7),
    ([c("5.要求行政机关确认或重新出具已获取信息")], Z7),
    ([c("（六）其他处理", 1, 2)], Z7),
    ([c("（七）总计", 1, 2)], Z7),
    ([c("四、结转下年度继续办理", 1, 3)], Z7),
]


def mso_p(text: str) -> str:
    """A paragraph as Word's "Save as Web Page" writes it."""
    return (f'<p class=MsoNormal style=\'text-indent:32.0pt;line-height:28.0pt\'><span style=\'font-size:16.0pt;'
            f'font-family:仿宋_GB2312\'>{html.escape(text, quote=False)}<span lang=EN-US><o:p></o:p></span></span></p>')


def park_html() -> str:
    parts = ['<p class=MsoNormal align=center style=\'text-align:center\'><b><span style=\'font-size:22.0pt;'
             'font-family:方正小标宋简体\'>工业园区2020年政府信息公开<br>工作年度报告</span></b></p>']
    tables = {1: PARK_T2, 2: t3_rows(PARK_T3), 3: t4([0] * 15)}
    sections = [PARK_S1, None, None, None, PARK_S5, PARK_S6]
    for i, title in enumerate(SECTION_TITLES):
        parts.append(f"<p class=MsoNormal style='text-indent:32.0pt'><b><span style='font-family:黑体'>{title}"
                     "</span></b></p>")
        if i in tables:
            parts.append(html_table(tables[i], attrs="class=MsoTableGrid border=1 cellspacing=0 cellpadding=0",
                                    cell="<p class=MsoNormal align=center><span lang=EN-US>{t}</span></p>",
                                    indent=""))
        for para in sections[i] or []:
            parts.append(mso_p(para))
    body = "\n".join(parts)
    return f"""<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">
<head>
<meta http-equiv=Content-Type content="text/html; charset=gb2312">
<meta name=Generator content="Microsoft Word 15">
<title>工业园区2020年政府信息公开工作年度报告</title>
<!--[if gte mso 9]><xml><w:WordDocument><w:View>Print</w:View></w:WordDocument></xml><![endif]-->
<style><!-- p.MsoNormal {{margin:0cm; font-size:10.5pt;}} --></style>
</head>
<body lang=ZH-CN style='tab-interval:21.0pt'>
<table width="100%" border=0><tr><td><a href="/">网站首页</a> &gt; <a href="/xxgk">信息公开</a> &gt; <a href="/xxgk/ndbg">年度报告</a></td></tr></table>
<table width="960" align=center border=0 cellspacing=0 cellpadding=0>
<tr><td class=content>
<div class=WordSection1 style='layout-grid:15.6pt'>
{body}
</div>
</td></tr>
</table>
<div class=foot>版权所有：工业园区管理委员会　地址：工业园区管委会办公楼</div>
</body>
</html>
"""


# ------------------------------------------------------------------ 先进制造业开发区 2022: &nbsp; blanks

KFQ_S1 = [
    "栾川县先进制造业开发区正式成立于2011年11月，2022年6月在省统一指导下改革为栾川县先进制造业开发区，"
    "规划面积13.25平方公里，跨三个乡镇20个村，实行“一区两园”模式。",
    "(一) 负责县开发区党的政治建设、思想建设、组织建设、作风建设、纪律建设、制度建设。",
    "(二) 负责拟定县开发区规划编制并组织实施。",
]
KFQ_S5 = ["开发区将持续树牢“项目为王”导向，强化“三紧、三深、四落实”，为县域经济发展作出积极贡献。"]
KFQ_S6 = ["无。"]

KFQ_T2: list[list[Cell]] = [
    [c("第二十条第（一）项", 1, 4)],
    [c("信息内容"), c("本年制发件数"), c("本年废止件数"), c("现行有效件数")],
    [c("规章"), c(0), c(0), c(0)],
    [c("行政规范性文件"), c(0), c(0), c(0)],
    [c("第二十条第（五）项", 1, 4)],
    [c("信息内容"), c("本年处理决定数量", 1, 3)],
    [c("行政许可"), c(0, 1, 3)],
    [c("第二十条第（六）项", 1, 4)],
    [c("信息内容"), c("本年处理决定数量", 1, 3)],
    [c("行政处罚"), c(0, 1, 3)],
    [c("行政强制"), c(0, 1, 3)],
    [c("第二十条第（八）项", 1, 4)],
    [c("信息内容"), c("本年收费金额（单位：万元，保留4位小数）", 1, 3)],
    [c("行政事业性收费"), c("0.0000", 1, 3)],
]

BLANK = ["&nbsp;"] * 7
KFQ_T3: list[tuple[list[Cell], list[object]]] = [
    ([c("一、本年新收政府信息公开申请数量", 1, 3)], Z7),
    ([c("二、上年结转政府信息公开申请数量", 1, 3)], Z7),
    ([c("三、本年度办理结果", 22), c("(一) 予以公开", 1, 2)], BLANK),
    ([c("(二) 部分公开（区分处理的，只计这一情形，不计其他情形）", 1, 2)], BLANK),
    ([c("(三) 不予公开", 8), c("1.属于国家秘密")], BLANK),
    ([c("2.其他法律法规禁止公开")], Z7),
    ([c("3.危及“三安全一稳定”")], Z7),
    ([c("4.保护第三方合法权益")], Z7),
    ([c("5.属于三类内部事务信息")], Z7),
    ([c("6.属于四类过程性信息")], Z7),
    ([c("7.属于行政执法案卷")], Z7),
    ([c("8.属于行政查询事项")], Z7),
    ([c("(四) 无法提供", 3), c("1.本机关不掌握相关政府信息")], Z7),
    ([c("2.没有现成信息需要另行制作")], Z7),
    ([c("3.补正后申请内容仍不明确")], Z7),
    ([c("(五) 不予处理", 5), c("1.信访举报投诉类申请")], Z7),
    ([c("2.重复申请")], Z7),
    ([c("3.要求提供公开出版物")], Z7),
    ([c("4.无正当理由大量反复申请")], Z7),
    ([c("5.要求行政机关确认或重新出具已获取信息")], Z7),
    ([c("(六) 其他处理", 3), c("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")], Z7),
    ([c("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请")], Z7),
    ([c("3.其他")], Z7),
    ([c("(七) 总计", 1, 2)], Z7),
    ([c("四、结转下年度继续办理", 1, 3)], Z7),
]


def kfq_html() -> str:
    parts = ['<div class="bt">先进制造业开发区2022年政府信息公开工作年度报告</div>']
    tables = {1: KFQ_T2, 2: t3_rows(KFQ_T3), 3: t4([0] * 15)}
    sections = [KFQ_S1, None, None, None, KFQ_S5, KFQ_S6]
    for i, title in enumerate(SECTION_TITLES):
        parts.append(f"<div><b>{title}</b></div>")
        if i in tables:
            parts.append(html_table(tables[i], attrs='class="tab" width="100%"', indent="  "))
        parts.append("<div>" + "<br>\n".join("&nbsp;&nbsp;&nbsp;&nbsp;" + html.escape(x) for x in sections[i] or [])
                     + "</div>")
    body = "\n".join(parts)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta charset="utf-8" />
<title>栾川县人民政府</title>
</head>
<body>
<table width="1000" border="0" align="center"><tr><td>
  <table width="100%"><tr>
    <td><a href="/">首页</a></td><td><a href="/zwgk">政务公开</a></td><td><a href="/bsfw">办事服务</a></td><td><a href="/gzhd">公众互动</a></td>
  </tr></table>
</td></tr>
<tr><td>
  <table width="100%"><tr><td width="240" valign="top">
    <div class="side"><ul><li><a href="/a">机构职能</a></li><li><a href="/b">政策文件</a></li><li><a href="/c">年度报告</a></li></ul></div>
  </td><td valign="top">
<div class="article">
{body}
<div class="fj">附件：<a href="/files/kfq2022.pdf">先进制造业开发区2022年政府信息公开工作年度报告.pdf</a></div>
</div>
  </td></tr></table>
</td></tr>
<tr><td class="foot">主办：栾川县人民政府办公室　技术支持：栾川县大数据中心</td></tr>
</table>
</body>
</html>
"""


# ------------------------------------------------------------------ Word documents


def build_docx(path: Path) -> None:
    """The 淮安 report as a Word document, merges made by python-docx (Word's own XML form)."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document()
    for line in HUAIAN_TITLE:
        document.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.CENTER
    for para in HUAIAN_INTRO:
        document.add_paragraph(para)
    tables = {1: HUAIAN_T2, 2: t3_rows(HUAIAN_T3), 3: HUAIAN_T4}
    sections = [HUAIAN_S1, None, None, None, HUAIAN_S5, HUAIAN_S6]
    for i, title in enumerate(SECTION_TITLES):
        document.add_paragraph(title)
        if i in tables:
            add_docx_table(document, tables[i])
        for para in sections[i] or []:
            document.add_paragraph(para)
    document.save(str(path))


def add_docx_table(document: object, rows: list[list[Cell]]) -> None:
    placed = place_rows(rows)
    n_rows = max(r + rs for r, _, _, rs, _ in placed)
    n_cols = max(col + cs for _, col, _, _, cs in placed)
    table = document.add_table(rows=n_rows, cols=n_cols)  # type: ignore[attr-defined]
    table.style = "Table Grid"
    for r, col, text, rs, cs in placed:
        cell = table.cell(r, col)
        if rs > 1 or cs > 1:
            cell = cell.merge(table.cell(r + rs - 1, col + cs - 1))
        lines = text.split("<br>")
        cell.paragraphs[0].text = lines[0]
        for extra in lines[1:]:
            cell.add_paragraph(extra)


def place_rows(rows: list[list[Cell]]) -> list[tuple[int, int, str, int, int]]:
    """Plain HTML table placement, written independently of xxgk's grid module."""
    taken: set[tuple[int, int]] = set()
    out = []
    for r, row in enumerate(rows):
        col = 0
        for text, rs, cs in row:
            while (r, col) in taken:
                col += 1
            for dr in range(rs):
                for dc in range(cs):
                    taken.add((r + dr, col + dc))
            out.append((r, col, text, rs, cs))
            col += cs
    return out


def soffice_convert(src: Path, target: str, out_name: str) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        print(f"LibreOffice not found: {out_name} not rebuilt", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore",
                        "--convert-to", target, "--outdir", tmp, str(src)], check=True, capture_output=True,
                       timeout=180)
        produced = next(p for p in Path(tmp).iterdir() if p.is_file())
        shutil.copyfile(produced, DOCX_DIR / out_name)


def main() -> None:
    (HERE / "huaian-2024.html").write_text(huaian_html(), encoding="utf-8")
    (HERE / "park-2020-gbk.html").write_bytes(park_html().encode("gbk"))
    (HERE / "kfq-2022-nbsp.html").write_text(kfq_html(), encoding="utf-8")
    DOCX_DIR.mkdir(exist_ok=True)
    build_docx(DOCX_DIR / "huaian-2024.docx")
    soffice_convert(DOCX_DIR / "huaian-2024.docx", 'doc:MS Word 97', "huaian-2024.doc")
    soffice_convert(DOCX_DIR / "huaian-2024.docx", "rtf", "huaian-2024.rtf")
    soffice_convert(HERE / "huaian-2024.html", 'docx:MS Word 2007 XML', "huaian-2024-lo.docx")


if __name__ == "__main__":
    main()
