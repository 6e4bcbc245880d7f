"""Section 五 (problems and improvements) written as a formality."""

from __future__ import annotations

import re
from collections.abc import Iterator

from xxgk.check.registry import get, rule
from xxgk.i18n import N_
from xxgk.report import Finding, Report
from xxgk.template import SECTIONS
from xxgk.text import squash

# Under this many characters of the body's own words (headings, whitespace and punctuation not
# counted) a section 五 cannot name a problem and what was done about it. Measured on the real
# reports of the test corpus: the shortest genuine section 五 has 98; boilerplate ones (无, 暂无,
# 一句话) have under 30.
MIN_CHARS = 50
_NONE = re.compile(r"^(?:无|暂无|没有|不存在[^。]{0,8}问题|无相关情况|本年度无)[。.]?$")
PROBLEM = re.compile(r"问题|不足|短板|差距|薄弱|欠缺|不够|不到位|有待|尚需|仍需|还需|不高|不强|不够|滞后|"
                     r"不平衡|不充分|不规范|不及时|单一|困难")
# "有待加强" names a problem, not an improvement: such phrases are removed before looking for one.
_NEEDS = re.compile(r"(?:有待|尚需|仍需|还需|需要|亟待|亟需)[\u4e00-\u9fff]{0,6}")
IMPROVEMENT = re.compile(r"改进|整改|措施|下一步|今后|针对|我们将|将(?:进一步|继续|持续|着力|加强|加大|不断|重点)|加强|"
                         r"加大|完善|提升|强化|推进|推动|优化|提高|增强|健全|落实|建立|梳理|规范(?!性|化程度)")

_HEADING = re.compile(r"^[（(]?[一二三四五六七八九十\d]+[）)、.．]")


# The section's titles as squashed text, removed from its body before its words are counted.
_TITLES = tuple(squash(t) for t in (SECTIONS[4].title, SECTIONS[4].title.split("、", 1)[-1],
                                    "政府信息公开工作存在的主要问题及改进情况"))
_FLAT_TITLES = (_TITLES[0], _TITLES[2])
_NOT_WORDS = re.compile(r"[\W_\d]+")


def _own_words(text: str, squashed: str | None = None) -> str:
    body = squash(text) if squashed is None else squashed
    for title in _TITLES:
        body = body.replace(title, "")
    return _NOT_WORDS.sub("", body)


@rule("section5-boilerplate", "warning", N_("Section 五 is empty, a formality, or one-sided"),
      message=N_("section 五 is too short to state a problem and its improvement: {chars} characters "
                 "(at least {minimum} expected)"),
      messages={
          "none": N_("section 五 says only “{text}”: no problem and no improvement stated"),
          "no_improvement": N_("section 五 names problems but says nothing of how they are being improved"),
          "no_problem": N_("section 五 lists improvements without naming the problems they address"),
      },
      what=N_("Section 五 (存在的主要问题及改进情况) must name the body's problems in disclosure work and what "
              "it did or will do about them. The rule reports a section that is empty or says only 无/暂无, "
              "one with fewer than 50 characters of its own words (headings, digits and punctuation not "
              "counted), one that names problems (问题, 不足, 短板, 有待…) without any improvement (改进, 整改, "
              "下一步, 加强, 完善…), and one that lists improvements without naming a problem."),
      why=N_("Supervising offices and third-party evaluations single out boilerplate problem sections: "
             "“无” or a sentence copied every year tells readers nothing and is sent back for revision."),
      example=N_("“五、存在的主要问题及改进情况 无。” → section 五 says only “无”."))
def section5_boilerplate(report: Report) -> Iterator[Finding]:
    r = get("section5-boilerplate")
    s5 = report.section(5)
    if s5 is None:
        return  # missing-section reports it
    flat = squash(s5.text)
    words = _own_words(s5.text, flat)
    for title in _FLAT_TITLES:
        flat = flat.replace(title, "")
    flat = _HEADING.sub("", flat).strip()
    if not words or _NONE.match(flat):
        yield r.finding(loc=s5.loc, excerpt=s5.text[:80] or None, variant="none", text=flat[:20] or "—")
        return
    if len(words) < MIN_CHARS:
        yield r.finding(loc=s5.loc, excerpt=s5.text[:80], chars=len(words), minimum=MIN_CHARS)
        return
    problems = bool(PROBLEM.search(words))
    improvements = bool(IMPROVEMENT.search(_NEEDS.sub("", words)))
    if problems and not improvements:
        yield r.finding(loc=s5.loc, excerpt=s5.text[:80], variant="no_improvement")
    elif improvements and not problems:
        yield r.finding(loc=s5.loc, excerpt=s5.text[:80], variant="no_problem")
