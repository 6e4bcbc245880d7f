"""The 2019 and 2021 templates of FORMAT.md, declared once.

Keys are the public contract (JSON, database, exports). Labels are verbatim. `match` regexes
run over normalised text (NFKC, no whitespace, `、` after a digit turned into `.`), and are
written to survive the label variants real reports print (FORMAT.md "Label variants").
"""

from __future__ import annotations

from xxgk.template.model import Column, Equation, Row, Section, Table, Template

# ---------------------------------------------------------------- sections

_FIVE_HEADS = (
    ("主动公开", r"主动公开"),
    ("依申请公开", r"依申请"),
    ("政府信息管理", r"信息管理"),
    ("政府信息公开平台建设", r"平台建设"),
    ("监督保障", r"监督.{0,4}保障|保障.{0,4}监督"),
)

SECTIONS: tuple[Section, ...] = (
    Section(1, "一、总体情况", r"总体情况", required_heads=_FIVE_HEADS),
    Section(2, "二、主动公开政府信息情况", r"主动公开"),
    Section(3, "三、收到和处理政府信息公开申请情况", r"收到.{0,4}处理|依申请公开.{0,6}情况|申请情况"),
    Section(4, "四、政府信息公开行政复议、行政诉讼情况", r"行政复议|行政诉讼"),
    Section(5, "五、存在的主要问题及改进情况", r"存在的?主要问题|问题及改进|改进情况"),
    Section(6, "六、其他需要报告的事项", r"其他需要报告|需要报告的事项"),
)

FEE_STATEMENT = r"信息处理费"

# ---------------------------------------------------------------- table 二 (active)


def _c(key: str, label: str, match: str, kind: str = "count") -> Column:
    return Column(key, label, kind, (match,))  # type: ignore[arg-type]


_ISSUED = _c("issued", "本年制发件数", r"制发")
_REPEALED = _c("repealed", "本年废止件数", r"废止")
_IN_FORCE = _c("in_force", "现行有效件数", r"现行有效")
# The stock and its flows (2021 table 二): documents in force at the end of the year = those in
# force a year before + issued this year − repealed this year (the cross-year rule year-in-force).
IN_FORCE_STOCK: tuple[Column, Column, Column] = (_IN_FORCE, _ISSUED, _REPEALED)
_DECISIONS_2021 = _c("decisions", "本年处理决定数量", r"处理决定")
_FEE_AMOUNT = _c("amount", "本年收费金额（单位：万元）", r"收费金额", "money")

_MADE = _c("made", "本年新制作数量", r"新制作")
_PUBLISHED = _c("published", "本年新公开数量", r"新公开")
_TOTAL_PUBLISHED = _c("total_published", "对外公开总数量", r"公开总数")
_PREVIOUS = _c("previous", "上一年项目数量", r"上一年")
_CHANGE = _c("change", "本年增/减", r"增.?减", "signed")
_DECISIONS_2019 = _c("decisions", "处理决定数量", r"处理决定")
_PROJECTS = _c("projects", "采购项目数量", r"采购项目")
_PROCUREMENT_AMOUNT = _c("amount", "采购总金额（单位：万元）", r"采购总金额", "money")

_B1 = "第二十条第（一）项"
_B5 = "第二十条第（五）项"
_B6 = "第二十条第（六）项"
_B8 = "第二十条第（八）项"
_B9 = "第二十条第（九）项"

_REGULATIONS = r"规章"
_NORMATIVE = r"规范性文件"
_LICENSING = r"行政许可"
_PENALTY = r"行政处罚"
_COERCION = r"行政强制"
_FEES = r"事业性收费|行政事业性"

ACTIVE_2021 = Table(
    "active",
    2,
    "二、主动公开政府信息情况",
    (
        Row("regulations", "规章", (_ISSUED, _REPEALED, _IN_FORCE), (_REGULATIONS,), _B1),
        Row("normative_documents", "行政规范性文件", (_ISSUED, _REPEALED, _IN_FORCE), (_NORMATIVE,), _B1),
        Row("licensing", "行政许可", (_DECISIONS_2021,), (_LICENSING,), _B5),
        Row("penalty", "行政处罚", (_DECISIONS_2021,), (_PENALTY,), _B6),
        Row("coercion", "行政强制", (_DECISIONS_2021,), (_COERCION,), _B6),
        Row("fees", "行政事业性收费", (_FEE_AMOUNT,), (_FEES,), _B8),
    ),
)

_PROJECT_COLS = (_PREVIOUS, _CHANGE, _DECISIONS_2019)
ACTIVE_2019 = Table(
    "active",
    2,
    "二、主动公开政府信息情况",
    (
        Row("regulations", "规章", (_MADE, _PUBLISHED, _TOTAL_PUBLISHED), (_REGULATIONS,), _B1),
        Row("normative_documents", "规范性文件", (_MADE, _PUBLISHED, _TOTAL_PUBLISHED), (_NORMATIVE,), _B1),
        Row("licensing", "行政许可", _PROJECT_COLS, (_LICENSING,), _B5),
        Row("other_services", "其他对外管理服务事项", _PROJECT_COLS, (r"对外管理服务|管理服务事项",), _B5),
        Row("penalty", "行政处罚", _PROJECT_COLS, (_PENALTY,), _B6),
        Row("coercion", "行政强制", _PROJECT_COLS, (_COERCION,), _B6),
        Row("fees", "行政事业性收费", (_PREVIOUS, _CHANGE), (_FEES,), _B8),
        Row("procurement", "政府集中采购", (_PROJECTS, _PROCUREMENT_AMOUNT), (r"集中采购|政府采购",), _B9),
    ),
)

# ---------------------------------------------------------------- table 三 (applications)

APPLICANT_COLUMNS: tuple[Column, ...] = (
    _c("natural_person", "自然人", r"自然人"),
    _c("commercial", "商业企业", r"商业企业"),
    _c("research", "科研机构", r"科研机构"),
    _c("social_welfare", "社会公益组织", r"社会(公益)?组织"),
    _c("legal_service", "法律服务机构", r"法律服务"),
    _c("other_org", "其他", r"^其他$"),
    _c("total", "总计", r"总计"),
)
APPLICANT_PARTS = tuple(c.key for c in APPLICANT_COLUMNS[:-1])


def _a(key: str, label: str, *match: str, block: str = "", heading_like: bool = False) -> Row:
    return Row(key, label, APPLICANT_COLUMNS, tuple(match), block, heading_like)


_DENIED = "（三）不予公开"
_UNABLE = "（四）无法提供"
_REJECTED = "（五）不予处理"
_OTHER = "（六）其他处理"

_ROWS_HEAD = (
    _a("new_received", "一、本年新收政府信息公开申请数量", r"本年新收|新收.{0,6}申请"),
    _a("carried_over", "二、上年结转政府信息公开申请数量", r"上年结转|上年度结转"),
    _a("granted", "（一）予以公开", r"予以公开"),
    _a("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", r"部分公开"),
    _a("denied_state_secret", "1.属于国家秘密", r"国家秘密", block=_DENIED),
    _a("denied_law_prohibited", "2.其他法律行政法规禁止公开", r"其他法律|禁止公开|行政止公开", block=_DENIED),
    _a("denied_three_safeties", "3.危及“三安全一稳定”", r"三安全|一稳定|危及", block=_DENIED),
    _a("denied_third_party", "4.保护第三方合法权益", r"第三方", block=_DENIED),
    _a("denied_internal_affairs", "5.属于三类内部事务信息", r"内部事务", block=_DENIED),
    _a("denied_process_info", "6.属于四类过程性信息", r"过程性", block=_DENIED),
    _a("denied_enforcement_file", "7.属于行政执法案卷", r"执法案卷", block=_DENIED),
    _a("denied_inquiry", "8.属于行政查询事项", r"行政查询|查询事项", block=_DENIED),
    _a("unable_not_held", "1.本机关不掌握相关政府信息", r"不掌握", block=_UNABLE),
    _a("unable_needs_creation", "2.没有现成信息需要另行制作", r"另行制作|没有现成", block=_UNABLE),
    _a("unable_unclear", "3.补正后申请内容仍不明确", r"补正后|仍不明确", block=_UNABLE),
    _a("rejected_petition", "1.信访举报投诉类申请", r"信访|举报投诉", block=_REJECTED),
    _a("rejected_duplicate", "2.重复申请", r"重复申请", block=_REJECTED),
    _a("rejected_publication", "3.要求提供公开出版物", r"出版物", block=_REJECTED),
    _a("rejected_excessive", "4.无正当理由大量反复申请", r"大量反复|大量.{0,2}申请", block=_REJECTED),
    _a("rejected_confirmation", "5.要求行政机关确认或重新出具已获取信息", r"确认或|重新出具", block=_REJECTED),
)
_ROWS_TAIL = (
    _a("total_processed", "（七）总计", r"\(七\)总计|^\(?七\)?总计|^总计$"),
    _a("carried_forward", "四、结转下年度继续办理", r"结转下年|继续办理"),
)
_OTHER_HANDLING = _a("other_handling", "（六）其他处理", r"其他处理", heading_like=True)
_OTHER_2021 = (
    _a("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
       r"不补正|逾期不", block=_OTHER),
    _a("other_no_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
       r"缴纳费用|收费通知", block=_OTHER),
    _a("other_other", "3.其他", r"(^|\D)3[.]其他$|^其他$", block=_OTHER),
)

APPLICATIONS_2021 = Table("applications", 3, "三、收到和处理政府信息公开申请情况",
                          _ROWS_HEAD + _OTHER_2021 + _ROWS_TAIL)
APPLICATIONS_2019 = Table("applications", 3, "三、收到和处理政府信息公开申请情况",
                          (*_ROWS_HEAD, _OTHER_HANDLING, *_ROWS_TAIL))

RESULT_ROWS_2021 = tuple(r.key for r in APPLICATIONS_2021.rows[2:-2])
RESULT_ROWS_2019 = tuple(r.key for r in APPLICATIONS_2019.rows[2:-2])

# ---------------------------------------------------------------- table 四 (appeals)

APPEAL_COLUMNS: tuple[Column, ...] = (
    _c("upheld", "结果维持", r"维持"),
    _c("corrected", "结果纠正", r"纠正"),
    _c("other", "其他结果", r"其他结果"),
    _c("pending", "尚未审结", r"尚未审结|未审结"),
    _c("total", "总计", r"总计"),
)
APPEAL_PARTS = tuple(c.key for c in APPEAL_COLUMNS[:-1])

APPEALS = Table(
    "appeals",
    4,
    "四、政府信息公开行政复议、行政诉讼情况",
    (
        Row("review", "行政复议", APPEAL_COLUMNS, (r"行政复议",)),
        Row("litigation_direct", "行政诉讼/未经复议直接起诉", APPEAL_COLUMNS, (r"直接起诉",)),
        Row("litigation_after_review", "行政诉讼/复议后起诉", APPEAL_COLUMNS, (r"复议后起诉",)),
    ),
    layout="flat",
)

# ---------------------------------------------------------------- arithmetic


def _equations(applications: Table, result_rows: tuple[str, ...]) -> tuple[Equation, ...]:
    eqs: list[Equation] = []
    for col in APPLICANT_COLUMNS:
        c = col.key
        eqs.append(Equation(
            "T3-balance",
            (f"applications.new_received.{c}", f"applications.carried_over.{c}"),
            (f"applications.total_processed.{c}", f"applications.carried_forward.{c}"),
            f"{col.label}：本年新收 + 上年结转 = 办理结果总计 + 结转下年度",
        ))
    for col in APPLICANT_COLUMNS:
        c = col.key
        eqs.append(Equation(
            "T3-results",
            (f"applications.total_processed.{c}",),
            tuple(f"applications.{r}.{c}" for r in result_rows),
            f"{col.label}：（七）总计 = 各项办理结果之和",
        ))
    for row in applications.rows:
        eqs.append(Equation(
            "T3-applicants",
            (f"applications.{row.key}.total",),
            tuple(f"applications.{row.key}.{c}" for c in APPLICANT_PARTS),
            f"{row.label}：总计 = 六类申请人之和",
        ))
    for row in APPEALS.rows:
        eqs.append(Equation(
            "T4-groups",
            (f"appeals.{row.key}.total",),
            tuple(f"appeals.{row.key}.{c}" for c in APPEAL_PARTS),
            f"{row.label}：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结",
        ))
    return tuple(eqs)


def _other_handling_identity() -> tuple[Equation, ...]:
    """The 2019 （六）其他处理 row is, by definition, the sum of the 2021 template's three （六） rows."""
    return tuple(
        Equation("T3-other-handling", (f"applications.{_OTHER_HANDLING.key}.{c.key}",),
                 tuple(f"applications.{r.key}.{c.key}" for r in _OTHER_2021),
                 f"{c.label}：（六）其他处理 = （六）1 + 2 + 3")
        for c in APPLICANT_COLUMNS
    )


TEMPLATE_2021 = Template(
    id="2021",
    notice="国办公开办函〔2021〕30号",
    first_year=2021,
    tables=(ACTIVE_2021, APPLICATIONS_2021, APPEALS),
    equations=_equations(APPLICATIONS_2021, RESULT_ROWS_2021),
    signatures=(r"本年制发", r"本年废止", r"现行有效件", r"收费金额", r"不补正", r"缴纳费用", r"收费通知"),
    foreign_rows=(_OTHER_HANDLING,),
    replaced_by_foreign=tuple(r.key for r in _OTHER_2021),
    foreign_equations=_equations(APPLICATIONS_2019, RESULT_ROWS_2019) + _other_handling_identity(),
)

TEMPLATE_2019 = Template(
    id="2019",
    notice="国办公开办函〔2019〕60号",
    first_year=2019,
    tables=(ACTIVE_2019, APPLICATIONS_2019, APPEALS),
    equations=_equations(APPLICATIONS_2019, RESULT_ROWS_2019),
    signatures=(r"新制作数量", r"新公开数量", r"对外公开总数", r"上一年项目", r"增/减|增减",
                r"对外管理服务", r"集中采购"),
    foreign_rows=_OTHER_2021,
    replaced_by_foreign=(_OTHER_HANDLING.key,),
    foreign_equations=_equations(APPLICATIONS_2021, RESULT_ROWS_2021) + _other_handling_identity(),
)

TEMPLATES: dict[str, Template] = {"2019": TEMPLATE_2019, "2021": TEMPLATE_2021}
LATEST = TEMPLATE_2021


def template_for_year(year: int | None) -> Template:
    """The template a report for `year` should use."""
    if year is not None and year < TEMPLATE_2021.first_year:
        return TEMPLATE_2019
    return TEMPLATE_2021
