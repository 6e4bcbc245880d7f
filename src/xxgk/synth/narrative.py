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


# Sentences per head, from which each report draws its own few in its own order (real bodies write
# their own words: two bodies drawing from a handful of fixed paragraphs would be copies of each
# other, which copied-from-other-body rightly reports). Placeholders: {year} {short} {n1} {n2} {n3}
# {docs} {count}. Each avoids the other heads' keywords (checked by tests/test_synth.py against
# the declared regexes). The first sentence of a head names it.
_HEAD_OPENERS: dict[str, tuple[str, ...]] = {
    "主动公开": ("主动公开情况。", "主动公开方面。", "主动公开工作。"),
    "依申请公开": ("依申请公开情况。", "依申请公开方面。", "依申请公开工作。"),
    "政府信息管理": ("政府信息管理情况。", "政府信息管理方面。", "政府信息管理工作。"),
    "政府信息公开平台建设": ("政府信息公开平台建设情况。", "平台建设方面。", "政府信息公开平台建设。"),
    "监督保障": ("监督保障情况。", "监督保障方面。", "监督保障工作。"),
}
_HEAD_SENTENCES: dict[str, tuple[str, ...]] = {
    "主动公开": (
        "{year}年通过门户网站发布各类信息{n1}条",
        "发布政策文件{docs}件、政策解读{n2}篇",
        "召开新闻发布会{n3}场，邀请部门负责人解读重点政策",
        "围绕重大项目建设、民生实事等群众关切事项，及时发布进展情况",
        "更新机构职能、领导信息、财政预决算等基础信息{n2}条",
        "在{short}门户网站开设“重点领域信息”专栏，集中展示教育、医疗、就业等信息",
        "对涉及企业的惠企政策制作“一图读懂”{n3}份",
        "通过村（居）务公开栏张贴公告{n3}期，方便群众就近查阅",
        "全年发布人事任免、招考录用信息{n3}条",
        "主要负责人带头解读年度重点工作，回应关切{n3}次",
    ),
    "依申请公开": (
        "{count}",
        "严格按照《条例》规定的程序和时限办理，做到依法、规范、及时答复",
        "进一步规范受理、登记、审核、答复等环节，答复文书规范性持续提升",
        "强化与申请人的沟通，准确了解申请人诉求，提高答复的针对性",
        "对疑难申请件组织法律顾问会商{n3}次",
        "编制答复文书参考样本，统一告知书格式",
        "建立申请办理台账，实行一件一档",
        "对逾期风险件提前提醒，确保按期答复",
    ),
    "政府信息管理": (
        "严格落实公开前保密审查机制，坚持“先审查、后公开”原则",
        "全年审核拟发布稿件{n2}篇",
        "动态调整目录，新增公开事项{n3}项",
        "规范公文公开属性标注，源头认定公开属性",
        "定期对已发布内容进行梳理，清理过时内容{n3}条",
        "对现行有效的规范性文件进行集中清理并统一发布",
        "建立信息发布“三审三校”制度",
    ),
    "政府信息公开平台建设": (
        "优化门户网站栏目设置，新增专题{n3}个",
        "政务新媒体全年推送信息{n1}条",
        "完成网站适老化和无障碍改造",
        "依托政务微信公众号拓展发布渠道",
        "在政务服务大厅设置查阅点，提供纸质材料查阅",
        "对网站错别字和空白栏目开展自查{n3}次",
        "推动网站集约化，关停整合栏目{n3}个",
    ),
    "监督保障": (
        "将政务公开工作纳入年度绩效考核",
        "组织业务培训{n3}次，参训{n2}人次",
        "常态化开展栏目巡查，督促整改问题{n3}个",
        "调整充实工作领导小组，明确专人负责",
        "聘请社会监督员{n3}名，收集意见建议",
        "全年未发生因工作不到位被责任追究的情况",
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

# Section 五: a few of the body's own problems, then a few improvements, drawn from pools.
_PROBLEM_LEADS = ("{year}年，{short}政府信息公开工作取得了一定成效，但仍存在一些不足：",
                  "对照上级新要求和公众新期待，还有一些需要改进的地方，主要是：",
                  "存在的主要问题：", "工作中还存在以下问题：")
_PROBLEMS = (
    "政策解读形式较为单一，图表、音视频等解读方式运用不够",
    "个别栏目更新不够及时",
    "工作人员变动较为频繁，业务水平有待提高",
    "公开内容的深度和广度还不够",
    "部分信息发布形式不够规范",
    "依申请答复文书说理不够充分",
    "基层站点内容更新滞后",
    "政务新媒体互动回应不够及时",
    "重点领域信息公开的系统性不强",
    "对企业关心的政策推送不够精准",
    "网站检索功能不够便捷",
    "部分科室对公开工作重视程度不够",
)
_IMPROVEMENT_LEADS = ("下一步，将重点做好以下工作：", "针对存在问题，{next_year}年我们将：", "改进措施：",
                      "下一步工作打算：")
_IMPROVEMENTS = (
    "丰富政策解读形式，提升解读质量",
    "加强栏目日常巡查，确保信息发布及时准确",
    "加强业务培训，提升工作人员业务能力",
    "完善信息发布审核流程，建立审核台账",
    "提高信息公开的主动性和时效性",
    "规范答复文书格式，增强说理性",
    "推动基层站点内容标准化",
    "加强政务新媒体留言办理",
    "梳理重点领域公开清单，逐项落实",
    "建立惠企政策精准推送机制",
    "优化网站检索和导航",
    "将公开工作纳入科室年度考核",
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


def _head_paragraph(rng: random.Random, head: str) -> str:
    """One head's paragraph: its opener, then three or four of its sentences in a random order
    (the application counts always among them for 依申请公开)."""
    pool = list(_HEAD_SENTENCES[head])
    picked = rng.sample(pool, min(len(pool), rng.randint(3, 4)))
    if head == "依申请公开" and "{count}" not in picked:
        picked[0] = "{count}"
    body = "；".join(x for x in picked if x != "{count}")
    count = "{count}" if "{count}" in picked else ""
    return "（一）" + rng.choice(_HEAD_OPENERS[head]) + count + body + "。"


def _section5(rng: random.Random) -> tuple[str, str]:
    problems = rng.sample(_PROBLEMS, rng.randint(2, 3))
    improvements = rng.sample(_IMPROVEMENTS, rng.randint(2, 4))
    ordinals = "一二三四"
    first = rng.choice(_PROBLEM_LEADS) + "；".join(f"{ordinals[i]}是{p}" for i, p in enumerate(problems)) + "。"
    second = rng.choice(_IMPROVEMENT_LEADS) + "；".join(f"{ordinals[i]}是{x}" for i, x in enumerate(improvements))
    return first, second + "。"


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
        text = _head_paragraph(rng, head)
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

    s5 = _section5(rng)
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
