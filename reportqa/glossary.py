"""A small English → Chinese lexicon of government-work-report vocabulary, for cross-lingual matching.

Dense retrieval (multilingual-e5) already bridges the languages; these terms give BM25, clause
selection and the abstention check something lexical to hold on to. General domain words only.
"""

from __future__ import annotations

import re

EN_ZH: dict[str, tuple[str, ...]] = {
    "gdp": ("生产总值",), "gross domestic product": ("生产总值",), "economic output": ("生产总值",),
    "industrial added value": ("工业增加值",), "value added": ("增加值",), "added value": ("增加值",),
    "fixed asset": ("固定资产投资",), "fixed-asset": ("固定资产投资",), "investment": ("投资",),
    "retail sales": ("社会消费品零售总额",), "consumer goods": ("消费品",), "consumption": ("消费",),
    "public budget revenue": ("一般公共预算收入",), "budget revenue": ("预算收入",), "fiscal revenue": ("财政收入", "预算收入"),
    "revenue": ("收入",), "income": ("收入",), "disposable income": ("可支配收入",), "per capita": ("人均",),
    "consumer price": ("居民消费价格",), "cpi": ("居民消费价格指数",), "inflation": ("居民消费价格",),
    "energy consumption": ("能耗",), "growth": ("增长",), "grow": ("增长",), "increase": ("增长", "提高", "新增"),
    "target": ("目标",), "goal": ("目标",), "plan": ("计划",), "planned": ("计划",),
    "talent apartment": ("人才公寓",), "talent apartments": ("人才公寓",), "talent": ("人才",),
    "apartment": ("公寓",), "apartments": ("公寓",), "housing": ("住房",), "house": ("住房", "房"),
    "high-tech enterprise": ("高新技术企业",), "high-tech enterprises": ("高新技术企业",), "high-tech": ("高新技术",),
    "technology-based": ("科技型",), "sme": ("中小企业",), "smes": ("中小企业",), "small and medium": ("中小企业",),
    "enterprise": ("企业",), "enterprises": ("企业",), "company": ("企业",), "companies": ("企业",), "firms": ("企业",),
    "listed": ("上市",), "listing": ("上市",), "ipo": ("上市",), "stock market": ("上市",),
    "industry": ("产业",), "industries": ("产业",), "industrial": ("工业",), "cluster": ("产业集群",), "clusters": ("产业集群",),
    "future industries": ("未来产业",), "emerging industries": ("新兴产业",), "traditional industries": ("传统产业",),
    "development zone": ("开发区",), "development zones": ("开发区",), "university": ("大学",), "universities": ("大学",),
    "innovation": ("创新",), "research": ("研究",), "project": ("项目",), "projects": ("项目",),
    "job": ("就业",), "jobs": ("就业",), "employment": ("就业",), "urban": ("城镇",), "unemployment": ("失业",),
    "vocational training": ("职业技能培训",), "training": ("培训",),
    "school": ("学校",), "schools": ("学校",), "kindergarten": ("幼儿园",), "kindergartens": ("幼儿园",),
    "school places": ("学位",), "education": ("教育",), "hospital": ("医院",), "hospitals": ("医院",),
    "county hospitals": ("县医院",), "health": ("健康",), "medical insurance": ("医疗保险",), "health insurance": ("医疗保险",),
    "pension": ("养老保险",), "pension insurance": ("养老保险",), "old-age insurance": ("养老保险",), "insurance": ("保险",),
    "insured": ("参保",), "elderly care": ("养老",), "poverty": ("脱贫",), "poverty alleviation": ("帮扶",),
    "afforestation": ("造林",), "afforested": ("造林",), "trees": ("造林",), "forest": ("森林",), "forests": ("森林",),
    "wetland": ("湿地",), "wetlands": ("湿地",), "park": ("公园",), "parks": ("公园", "游园"), "green": ("绿化",),
    "air quality": ("空气质量",), "pollution": ("污染",), "sewage": ("污水",), "water supply": ("供水",),
    "heating": ("供暖",), "gas supply": ("供气",), "households": ("户",), "urbanization": ("城镇化",),
    "high-speed rail": ("高铁",), "high-speed railway": ("高铁",), "railway": ("铁路", "高铁"), "rail": ("高铁", "铁路"),
    "expressway": ("高速",), "highway": ("高速",), "road": ("公路",), "roads": ("公路",), "airport": ("机场",),
    "metro": ("地铁",), "subway": ("地铁",), "power grid": ("电网",), "grid": ("电网",), "substation": ("变电站",),
    "new energy": ("新能源",), "renewable": ("新能源",), "installed capacity": ("装机",), "power lines": ("电网线路",),
    "customs": ("海关",), "bonded": ("保税",), "logistics": ("物流",), "express delivery": ("快递", "业务量"), "delivery": ("快递", "业务量"), "parcel": ("快递",),
    "rank": ("位",), "ranks": ("位",), "ranked": ("位",), "ranking": ("位",), "province": ("全省",), "provincial": ("全省", "省级"),
    "national": ("全国", "国家"), "nationwide": ("全国",),
    "foreign investment": ("外资",), "foreign capital": ("外资",), "business environment": ("营商环境",),
    "civilized city": ("文明城市",), "civilised city": ("文明城市",), "sports": ("体育",),
    "rural road": ("农村路", "农村公路"), "rural roads": ("农村路", "农村公路"), "rural": ("农村", "乡村"), "village": ("乡村", "农村"),
    "grain": ("粮食",), "food security": ("粮食安全",), "agriculture": ("农业",),
    "population": ("人口",), "resident population": ("常住人口",), "mayor": ("市长",), "price": ("价格",),
    "house price": ("房价",), "housing price": ("房价",), "rent": ("租金",), "tourism": ("旅游",), "tourists": ("游客",),
    "budget": ("预算",), "debt": ("债务",), "safety": ("安全",), "epidemic": ("疫情",), "rule of law": ("法治",),
    "ticket": ("票价", "车票"), "tickets": ("票价", "车票"), "fare": ("票价",), "fares": ("票价",),
    "party secretary": ("书记",), "secretary": ("书记",), "governor": ("省长",), "deficit": ("赤字",),
    "base station": ("基站",), "base stations": ("基站",), "salary": ("工资",), "wage": ("工资",), "wages": ("工资",),
    "corruption": ("腐败",), "reform": ("改革",), "opening up": ("开放",), "city": ("城市",), "county": ("县",),
}
_PHRASES = sorted(EN_ZH, key=len, reverse=True)
_PATTERN = re.compile(r"\b(" + "|".join(re.escape(p) for p in _PHRASES) + r")\b", re.IGNORECASE)
EN_STOP = frozenset(
    ["a", "an", "the", "of", "in", "on", "at", "to", "for", "by", "with", "from", "and", "or", "is", "are", "was", "were", "be", "been", "being", "will", "would", "shall", "should", "can", "could", "do", "does", "did", "how", "many", "much", "what", "which", "who", "whom", "whose", "when", "where", "why", "there", "this", "that", "these", "those", "it", "its", "shangqiu", "city's", "report", "year", "years", "new", "total", "number", "amount", "over", "past", "next", "five", "last", "first", "each", "per", "than", "as", "about", "get", "got", "have", "has", "had", "planned", "plans", "plan", "expected", "expect", "target", "targets", "goal", "built", "build", "building"]
)


# Glossary words that frame an English question rather than name its subject (not required in the answer).
EN_FRAME = frozenset(
    ["target", "goal", "plan", "planned", "growth", "grow", "increase", "rank", "ranks", "ranked", "ranking", "national", "nationwide", "province", "provincial", "city", "county", "project", "projects", "industry", "industries", "enterprise", "enterprises", "company", "companies"]
)


def term_groups(question: str) -> list[tuple[str, ...]]:
    """For each subject phrase of an English question, the Chinese words any one of which must be there."""
    return [EN_ZH[m.group(1).lower()] for m in _PATTERN.finditer(question) if m.group(1).lower() not in EN_FRAME]


def translate_terms(question: str) -> list[str]:
    """Chinese terms for the glossary phrases in an English question (longest phrases first)."""
    terms: list[str] = []
    for match in _PATTERN.finditer(question):
        terms.extend(EN_ZH[match.group(1).lower()])
    return list(dict.fromkeys(terms))


def unknown_words(question: str) -> list[str]:
    """Content words of an English question that the glossary does not cover."""
    rest = _PATTERN.sub(" ", question.lower())
    return [w for w in re.findall(r"[a-z][a-z-]+", rest) if w not in EN_STOP and len(w) > 2]
