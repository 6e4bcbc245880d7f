"""The running text of a synthetic report: preamble, the five text parts, and the count sentences.

Phrase banks are data; each report picks from them with its own random stream. Texts state the
counts the way real reports do (全年共收到政府信息公开申请N件 / 未收到政府信息公开申请 /
行政复议N件), always from `TextSpec.stated`, so a narrative defect is simply a stated count that
differs from the table. Each of the five heads of section 一 has its own paragraph, and the
paragraphs are written so that a head's keywords (the regexes declared in
`xxgk.template.SECTIONS`) appear only in its own paragraph: dropping a paragraph really removes
the head.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from xxgk.synth.names import Body
from xxgk.template import SECTIONS, TEMPLATES

HEADS: tuple[str, ...] = tuple(name for name, _ in SECTIONS[0].required_heads)


@dataclass(frozen=True)
class TextSpec:
    """What the text says, independent of wording (wording comes from the seed)."""

    # Counts the narrative states: new_received (applications received), review, litigation.
    stated: dict[str, int] = field(default_factory=dict)
    # Heads of section 一 that get a paragraph.
    heads: tuple[str, ...] = HEADS
    fee_statement: bool = True
    # Year of the statistics period sentence, or None when the report states no period.
    period_year: int | None = None
    has_title: bool = True
    # Section numbers in printed order (a missing section is absent).
    order: tuple[int, ...] = (1, 2, 3, 4, 5, 6)


@dataclass(frozen=True)
class SectionSpec:
    no: int
    title: str
    paragraphs: tuple[str, ...]


_ROADS = ("人民路", "解放路", "建设路", "中山路", "和平路", "文化路", "翔宇南道", "世纪大道", "行政中心路",
          "府前街")


def _n(rng: random.Random, lo: int, hi: int) -> int:
    return rng.randint(lo, hi)


def applications_sentence(rng: random.Random, year: int, body: Body, received: int,
                          carried: int, processed: int, forward: int) -> str:
    if received == 0:
        return rng.choice((
            f"{year}年，本机关未收到政府信息公开申请。",
            "全年未收到政府信息公开申请。",
            f"{year}年{body.short}未收到政府信息公开申请。",
        ))
    head = rng.choice((f"全年共收到政府信息公开申请{received}件",
                       f"{year}年，共收到政府信息公开申请{received}件",
                       f"本年度共收到政府信息公开申请{received}件"))
    parts = [head]
    if carried and rng.random() < 0.6:
        parts.append(f"上年结转{carried}件")
    if rng.random() < 0.5:
        parts.append(f"办结{processed}件")
    if forward:
        if rng.random() < 0.7:
            parts.append(f"结转下年度继续办理{forward}件")
    elif rng.random() < 0.5:
        parts.append("均在法定期限内予以答复")
    return "，".join(parts) + "。"


def appeals_sentence(rng: random.Random, review: int, litigation: int) -> str:
    if review == 0 and litigation == 0:
        return rng.choice(("全年未发生因政府信息公开引起的行政复议和行政诉讼。",
                           "本年度未发生政府信息公开类行政复议和行政诉讼案件。"))
    return rng.choice((f"全年发生政府信息公开行政复议{review}件、行政诉讼{litigation}件。",
                       f"因政府信息公开被申请行政复议{review}件，被提起行政诉讼{litigation}件。"))


# Paragraphs per head. Placeholders: {year} {short} {n1} {n2} {n3} {docs}. Each avoids the other
# heads' keywords (checked by tests/test_synth.py against the declared regexes).
_HEAD_PARAGRAPHS: dict[str, tuple[str, ...]] = {
    "主动公开": (
        "（一）主动公开情况。{year}年，通过政府门户网站主动公开各类政府信息{n1}条，发布政策文件{docs}件、"
        "政策解读{n2}篇，召开新闻发布会{n3}场。",
        "（一）主动公开情况。围绕中心工作和群众关切，及时公开重大决策、重要政策和重点领域信息，全年主动公开"
        "信息{n1}条，其中规范性文件{docs}件。",
        "（一）主动公开方面。坚持以公开为常态、不公开为例外，全年主动公开各类信息{n1}条，更新机构职能、"
        "领导信息、财政预决算等基础信息{n2}条。",
    ),
    "依申请公开": (
        "（二）依申请公开情况。{count}严格按照《条例》规定的程序和时限办理，做到依法、规范、及时答复。",
        "（二）依申请公开方面。{count}进一步规范受理、登记、审核、答复等环节，答复文书规范性持续提升。",
        "（二）依申请公开情况。{count}强化与申请人的沟通，准确了解申请人诉求，提高答复的及时性和针对性。",
    ),
    "政府信息管理": (
        "（三）政府信息管理情况。严格落实公开前保密审查机制，坚持“先审查、后公开”和“一事一审”原则，"
        "全年审核发布信息{n2}条，动态调整政府信息公开目录。",
        "（三）政府信息管理方面。建立健全政府信息公开属性源头认定机制，规范公文公开属性标注，定期对已公开"
        "信息进行梳理和更新。",
    ),
    "政府信息公开平台建设": (
        "（四）政府信息公开平台建设情况。持续加强政府网站和政务新媒体建设，优化政府信息公开专栏设置，全年"
        "通过政务新媒体发布信息{n3}条。",
        "（四）平台建设方面。依托政府门户网站和政务微信公众号拓展公开渠道，及时更新栏目内容，确保网站"
        "平稳运行。",
    ),
    "监督保障": (
        "（五）监督保障情况。将政务公开工作纳入年度绩效考核，组织开展政务公开业务培训{n3}次，常态化开展"
        "栏目巡查，及时督促整改发现的问题。",
        "（五）监督保障方面。调整充实政务公开工作领导小组，明确专人负责，全年未发生因政务公开工作不到位"
        "被责任追究的情况。",
    ),
}
_NUMERALS = "一二三四五"

_SECTION1_INTROS = (
    "{year}年，{name}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息"
    "公开条例》和上级关于政务公开工作的部署要求，推动政务公开工作提质增效。",
    "{year}年，{name}认真贯彻落实《中华人民共和国政府信息公开条例》，以公开促落实、以公开优服务，"
    "政务公开工作取得新成效。现将有关情况报告如下。",
    "{year}年，在上级的指导下，{name}紧紧围绕年度工作目标，扎实推进政务公开各项工作。",
)

_SECTION5 = (
    ("{year}年，{short}政府信息公开工作取得了一定成效，但仍存在一些不足：一是政策解读形式较为单一，"
     "图表、音视频等解读方式运用不够；二是个别栏目更新不够及时。",
     "下一步，将重点做好以下工作：一是丰富政策解读形式，提升解读质量；二是加强栏目日常巡查，确保信息发布"
     "及时准确；三是加强业务培训，提升工作人员业务能力。"),
    ("对照上级新要求和公众新期待，还有一些需要加强和改进的地方，主要是工作人员变动较为频繁，业务水平有待"
     "提高。",
     "针对存在问题，{next_year}年我们将进一步完善信息发布审核流程，建立审核台账，明确责任人，促进政务公开"
     "工作制度化、规范化。"),
    ("存在的主要问题：公开内容的深度和广度还不够，部分信息公开不够及时、形式不够规范。",
     "改进措施：进一步提高信息公开的主动性和时效性，对企业和群众关心关注的问题予以及时、准确回应。"),
)

_SECTION6_POINTS = (
    "（一）{year}年政务公开工作要点落实情况。按照《{year}年政务公开工作要点》要求，逐项细化任务分工，"
    "各项任务均已落实。",
    "（一）政务公开工作要点落实情况。严格贯彻落实上级政务公开工作要点任务分工，积极完成政务公开各项工作。",
)
_FEE_SENTENCES = (
    "（二）信息处理费收取情况。本机关{year}年未收取信息处理费。",
    "（二）信息处理费收取情况。依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），{year}年"
    "未收取政府信息公开信息处理费。",
    "（二）信息处理费收取情况。本年度发出收费通知0件，收取信息处理费0元。",
    "（二）信息处理费收取情况。{year}年，严格落实《政府信息公开信息处理费管理办法》，全年收取政府信息公开"
    "信息处理费{fee}元。",
)


def _fmt(text: str, **kw: object) -> str:
    return text.format(**kw)


def build(rng: random.Random, *, body: Body, year: int, template: str, spec: TextSpec,
          apps: dict[str, dict[str, int | float | None]], appeals: dict[str, dict[str, int | float | None]],
          docs: int) -> tuple[tuple[str, ...], tuple[SectionSpec, ...]]:
    """(preamble paragraphs, sections in printed order)."""
    stated = spec.stated
    count = applications_sentence(
        rng, year, body, stated["new_received"],
        int(apps["carried_over"]["total"] or 0), int(apps["total_processed"]["total"] or 0),
        int(apps["carried_forward"]["total"] or 0)) if stated["new_received"] is not None else ""
    appeal = appeals_sentence(rng, stated["review"], stated["litigation"])
    common = {"year": year, "short": body.short, "name": body.name, "next_year": year + 1,
              "n1": _n(rng, 30, 6000), "n2": _n(rng, 2, 120), "n3": _n(rng, 1, 60), "docs": docs,
              "fee": rng.choice((0, 0, 0, 20, 100, 3940))}

    preamble: list[str] = []
    period = ""
    if spec.period_year is not None:
        y = spec.period_year
        period = rng.choice((f"本报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。",
                             f"报告所列统计期限自{y}年1月1日至{y}年12月31日。",
                             f"本报告所列数据统计期限为{y}年1月1日至{y}年12月31日。"))
    if rng.random() < 0.75 or not spec.has_title:
        notice = TEMPLATES[template].notice
        intro = f"本报告由{body.office}根据《中华人民共和国政府信息公开条例》（以下简称《条例》）"
        intro += rng.choice(("要求编制。",
                             f"和《中华人民共和国政府信息公开工作年度报告格式》（{notice}）要求编制。"))
        city_road = f"{body.region[:6]}{rng.choice(_ROADS)}{_n(rng, 1, 300)}号"
        contact = (f"如对本报告有疑问，请与{body.office}联系（地址：{city_road}，"
                   f"邮编：{_n(rng, 100000, 850000)}，"
                   f"电话：0{_n(rng, 10, 999)}-{_n(rng, 10000000, 89999999)}）。")
        preamble.append(intro + period + contact)
        period = ""

    by_no: dict[int, SectionSpec] = {}
    titles = {s.no: s.title for s in SECTIONS}

    # 一、总体情况
    paras = [_fmt(rng.choice(_SECTION1_INTROS), **common)]
    if period:  # no preamble: the period sentence opens the section
        paras[0] = period + paras[0]
    count_placed = False
    for i, head in enumerate(h for h in HEADS if h in spec.heads):
        text = rng.choice(_HEAD_PARAGRAPHS[head])
        if head == "依申请公开":
            text = text.replace("{count}", count + (appeal if rng.random() < 0.5 else ""))
            count_placed = True
        text = _fmt(text, **common)
        # Renumber after dropped heads, as a writer would.
        text = f"（{_NUMERALS[i]}）" + text[3:]
        paras.append(text)
    by_no[1] = SectionSpec(1, titles[1], tuple(paras))

    by_no[2] = SectionSpec(2, titles[2], ())
    lead3 = [] if count_placed and rng.random() < 0.6 else [count]
    by_no[3] = SectionSpec(3, titles[3], tuple(p for p in lead3 if p))
    lead4 = (appeal,) if appeal not in "".join(paras) or rng.random() < 0.3 else ()
    by_no[4] = SectionSpec(4, titles[4], lead4)

    s5 = rng.choice(_SECTION5)
    by_no[5] = SectionSpec(5, _fmt(rng.choice((titles[5], "五、政府信息公开工作存在的主要问题及改进情况"))
                                   if template == "2019" else titles[5]),
                           tuple(_fmt(p, **common) for p in s5))

    if spec.fee_statement:
        s6 = [_fmt(rng.choice(_SECTION6_POINTS), **common), _fmt(rng.choice(_FEE_SENTENCES), **common)]
        if rng.random() < 0.3:
            s6 = [s6[1][3:].replace("信息处理费收取情况。", "")]
    else:
        s6 = [rng.choice(("无。", "本机关无其他需要报告的事项。", _fmt(_SECTION6_POINTS[0], **common)))]
    by_no[6] = SectionSpec(6, titles[6], tuple(s6))

    return tuple(preamble), tuple(by_no[n] for n in spec.order)
