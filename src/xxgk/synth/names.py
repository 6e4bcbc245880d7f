"""Real-looking issuing bodies (机关) for synthetic reports: real place names, every level.

The places are real (province → city → county/district, with a few real towns); the bodies are
the kinds that publish reports (FORMAT.md): people's governments from province to township,
departments (局/委/办), and development-zone or industrial-park 管委会. Names only need to look
like the ones the parser meets, so a handful per level is enough.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# province -> city -> counties/districts (real); towns are real ones of the first county where given.
PLACES: dict[str, dict[str, tuple[str, ...]]] = {
    "江苏省": {
        "淮安市": ("洪泽区", "淮阴区", "清江浦区", "涟水县", "盱眙县", "金湖县"),
        "南京市": ("玄武区", "鼓楼区", "江宁区", "浦口区", "溧水区", "高淳区"),
        "苏州市": ("吴中区", "相城区", "昆山市", "常熟市", "太仓市"),
        "徐州市": ("鼓楼区", "铜山区", "丰县", "沛县", "睢宁县", "邳州市"),
    },
    "河南省": {
        "洛阳市": ("栾川县", "嵩县", "汝阳县", "宜阳县", "洛宁县", "伊川县", "偃师区"),
        "开封市": ("鼓楼区", "龙亭区", "祥符区", "杞县", "通许县", "尉氏县", "兰考县"),
        "郑州市": ("金水区", "二七区", "中原区", "惠济区", "新郑市", "登封市"),
    },
    "宁夏回族自治区": {
        "吴忠市": ("利通区", "红寺堡区", "青铜峡市", "盐池县", "同心县"),
        "石嘴山市": ("大武口区", "惠农区", "平罗县"),
        "银川市": ("兴庆区", "西夏区", "金凤区", "永宁县", "贺兰县", "灵武市"),
    },
    "浙江省": {
        "杭州市": ("上城区", "拱墅区", "西湖区", "余杭区", "桐庐县", "淳安县"),
        "宁波市": ("海曙区", "江北区", "鄞州区", "象山县", "宁海县", "余姚市"),
    },
    "四川省": {
        "成都市": ("锦江区", "青羊区", "武侯区", "双流区", "郫都区", "金堂县"),
        "绵阳市": ("涪城区", "游仙区", "三台县", "盐亭县", "梓潼县", "江油市"),
    },
    "山东省": {
        "济南市": ("历下区", "市中区", "槐荫区", "章丘区", "平阴县", "商河县"),
        "潍坊市": ("潍城区", "寒亭区", "临朐县", "昌乐县", "青州市", "寿光市"),
    },
    "湖北省": {
        "宜昌市": ("西陵区", "伍家岗区", "夷陵区", "远安县", "兴山县", "秭归县"),
        "襄阳市": ("襄城区", "樊城区", "南漳县", "谷城县", "保康县", "枣阳市"),
    },
    "广东省": {
        "韶关市": ("武江区", "浈江区", "曲江区", "始兴县", "仁化县", "乳源瑶族自治县"),
        "江门市": ("蓬江区", "江海区", "新会区", "台山市", "开平市", "恩平市"),
    },
}

TOWNS: dict[str, tuple[str, ...]] = {
    "洪泽区": ("高良涧街道", "岔河镇", "老子山镇", "黄集街道", "东双沟镇"),
    "栾川县": ("城关镇", "赤土店镇", "合峪镇", "陶湾镇", "庙子镇", "三川镇"),
    "盱眙县": ("盱城街道", "马坝镇", "官滩镇", "桂五镇", "管仲镇"),
    "青铜峡市": ("小坝镇", "大坝镇", "叶盛镇", "瞿靖镇", "邵岗镇"),
    "三台县": ("潼川镇", "芦溪镇", "西平镇", "新德镇", "灵兴镇"),
    "临朐县": ("城关街道", "东城街道", "冶源镇", "五井镇", "九山镇"),
    "兰考县": ("城关镇", "堌阳镇", "南彰镇", "东坝头镇", "仪封乡"),
    "平罗县": ("城关镇", "黄渠桥镇", "宝丰镇", "头闸镇", "高庄乡"),
}

# Departments: (name, short name used in running text). Levels where they exist.
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("发展和改革委员会", "发改委"),
    ("教育局", "教育局"),
    ("科学技术局", "科技局"),
    ("工业和信息化局", "工信局"),
    ("公安局", "公安局"),
    ("民政局", "民政局"),
    ("司法局", "司法局"),
    ("财政局", "财政局"),
    ("人力资源和社会保障局", "人社局"),
    ("自然资源和规划局", "自然资源和规划局"),
    ("生态环境局", "生态环境局"),
    ("住房和城乡建设局", "住建局"),
    ("交通运输局", "交通运输局"),
    ("水利局", "水利局"),
    ("农业农村局", "农业农村局"),
    ("商务局", "商务局"),
    ("文化广电和旅游局", "文广旅局"),
    ("卫生健康委员会", "卫健委"),
    ("退役军人事务局", "退役军人事务局"),
    ("应急管理局", "应急管理局"),
    ("审计局", "审计局"),
    ("市场监督管理局", "市场监管局"),
    ("统计局", "统计局"),
    ("医疗保障局", "医保局"),
    ("人民政府办公室", "政府办"),
    ("行政审批服务局", "行政审批局"),
    ("城市管理局", "城管局"),
)

ZONES: tuple[str, ...] = (
    "经济技术开发区", "高新技术产业开发区", "工业园区", "先进制造业开发区", "综合保税区",
    "现代农业产业园", "经济开发区", "化工园区",
)
ZONE_BODIES: tuple[str, ...] = ("管理委员会", "管委会")

LEVELS = ("province", "city", "county", "department", "zone", "township")
# How often each level publishes (there are many more county departments than provinces).
LEVEL_WEIGHTS = (1, 4, 10, 18, 6, 6)


@dataclass(frozen=True)
class Body:
    """The issuing body of a report."""

    name: str  # full name, as printed in the title: 淮安市洪泽区人民政府
    region: str  # the place it governs or sits in: 江苏省淮安市洪泽区
    level: str  # one of LEVELS
    short: str  # how the running text names it: 区政府, 我局, 管委会…
    office: str  # the office that compiles the report: 淮安市洪泽区人民政府办公室


def make_body(rng: random.Random, level: str | None = None) -> Body:
    level = level or rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
    province = rng.choice(sorted(PLACES))
    city = rng.choice(sorted(PLACES[province]))
    county = rng.choice(PLACES[province][city])
    # Counties keep their city prefix about half the time, as real titles do.
    county_full = (city + county) if rng.random() < 0.6 else county
    if level == "province":
        name = f"{province}人民政府"
        return Body(name, province, level, "省政府", f"{province}人民政府办公厅")
    if level == "city":
        name = f"{city}人民政府"
        return Body(name, province + city, level, "市政府", f"{city}人民政府办公室")
    if level == "county":
        name = f"{county_full}人民政府"
        short = "区政府" if county.endswith("区") else ("市政府" if county.endswith("市") else "县政府")
        return Body(name, province + city + county, level, short, f"{county_full}人民政府办公室")
    if level == "department":
        dept, short = rng.choice(DEPARTMENTS)
        at_city = rng.random() < 0.4
        place = city if at_city else county_full
        name = f"{place}{dept}"
        region = province + city + ("" if at_city else county)
        we = "我委" if dept.endswith("委员会") else ("我办" if dept.endswith("办公室") else "我局")
        return Body(name, region, level, we, f"{name}办公室")
    if level == "zone":
        base = city[:-1] if rng.random() < 0.5 else county[:-1]
        zone = rng.choice(ZONES)
        name = f"{base}{zone}{rng.choice(ZONE_BODIES)}"
        return Body(name, province + city, level, "管委会", f"{base}{zone}党政办公室")
    # Townships: only counties whose towns we list.
    county = rng.choice(sorted(TOWNS))
    province, city = next((p, c) for p, cities in sorted(PLACES.items()) for c, cs in sorted(cities.items())
                          if county in cs)
    county_full = (city + county) if rng.random() < 0.5 else county
    town = rng.choice(TOWNS[county])
    if town.endswith("街道"):
        name = f"{county_full}{town}办事处"
        return Body(name, province + city + county + town, level, "街道办事处", f"{name}党政办公室")
    name = f"{county_full}{town}人民政府"
    short = "乡政府" if town.endswith("乡") else "镇政府"
    return Body(name, province + city + county + town, level, short, f"{name}党政办公室")
