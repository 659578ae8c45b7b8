"""Check the provincial question set against the 29 reports it was written from.

    python evalsets/provincial/check_set.py [DOCX_DIR] [--set questions.jsonl]

DOCX_DIR defaults to evalsets/provincial/corpus (the 29 reports, copied unchanged from shared/corpora/provincial-2025). Every report is converted
with the project's own converter (reportqa.converters.convert_file), so the spans are checked against the text
the indexer sees. Text is compared in the scoring form (reportqa.evaluation: NFKC, thousands separators
removed) with white space removed, as the scorer compares evidence with citations. Exit status 1 on any failure.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from reportqa.converters import convert_file  # noqa: E402
from reportqa.evaluation import normalise_for_scoring  # noqa: E402

KINDS = {
    "numeric",
    "list",
    "name",
    "disambiguation",
    "followup",
    "english",
    "colloquial",
    "traditional",
    "unanswerable",
    "claim",
}
WINDOW = 80  # characters either side of the evidence in which every answer_must must match

# Region key (as in the docx file names) -> how a question may name it: full name, short name,
# one-character abbreviation(s), English name(s). Simplified and traditional forms both.
REGIONS: dict[str, tuple[str, ...]] = {
    "云南": ("云南省", "云南", "雲南", "滇", "Yunnan"),
    "内蒙古": ("内蒙古自治区", "内蒙古", "內蒙古", "蒙", "Inner Mongolia", "Nei Mongol"),
    "吉林": ("吉林省", "吉林", "吉", "Jilin"),
    "四川": ("四川省", "四川", "川", "蜀", "Sichuan"),
    "天津": ("天津市", "天津", "津", "Tianjin"),
    "宁夏": ("宁夏回族自治区", "宁夏", "寧夏", "宁", "Ningxia"),
    "安徽": ("安徽省", "安徽", "皖", "Anhui"),
    "山东": ("山东省", "山东", "山東", "鲁", "魯", "Shandong"),
    "山西": ("山西省", "山西", "晋", "晉", "Shanxi"),
    "广东": ("广东省", "广东", "廣東", "粤", "粵", "Guangdong"),
    "广西": ("广西壮族自治区", "广西", "廣西", "桂", "Guangxi"),
    "新疆": ("新疆维吾尔自治区", "新疆", "新", "Xinjiang"),
    "江苏": ("江苏省", "江苏", "江蘇", "苏", "蘇", "Jiangsu"),
    "江西": ("江西省", "江西", "赣", "贛", "Jiangxi"),
    "河北": ("河北省", "河北", "冀", "Hebei"),
    "河南": ("河南省", "河南", "豫", "Henan"),
    "浙江": ("浙江省", "浙江", "浙", "Zhejiang"),
    "海南": ("海南省", "海南", "琼", "瓊", "Hainan"),
    "湖北": ("湖北省", "湖北", "鄂", "Hubei"),
    "湖南": ("湖南省", "湖南", "湘", "Hunan"),
    "甘肃": ("甘肃省", "甘肃", "甘肅", "甘", "陇", "隴", "Gansu"),
    "福建": ("福建省", "福建", "闽", "閩", "Fujian"),
    "西藏": ("西藏自治区", "西藏", "藏", "Tibet", "Xizang"),
    "贵州": ("贵州省", "贵州", "貴州", "黔", "贵", "Guizhou"),
    "辽宁": ("辽宁省", "辽宁", "遼寧", "辽", "Liaoning"),
    "重庆": ("重庆市", "重庆", "重慶", "渝", "Chongqing"),
    "陕西": ("陕西省", "陕西", "陝西", "陕", "秦", "Shaanxi"),
    "青海": ("青海省", "青海", "青", "Qinghai"),
    "黑龙江": ("黑龙江省", "黑龙江", "黑龍江", "黑", "Heilongjiang"),
}


def region_of(file_name: str) -> str:
    """The region key of a report file name such as 2025年河南省政府工作报告.docx."""
    stem = file_name.removeprefix("2025年")
    for key in sorted(REGIONS, key=len, reverse=True):
        if stem.startswith(key):
            return key
    raise KeyError(file_name)


def names_region(text: str, key: str) -> bool:
    """Whether `text` names region `key` by any of its names (one-character abbreviations included)."""
    return any(name.lower() in text.lower() for name in REGIONS[key])


def long_names_in(text: str) -> list[str]:
    """Regions named in `text` by a name of two or more characters or in English (one-character
    abbreviations are left out here: 新, 青, 黑 … occur in ordinary words)."""
    return [
        key for key, names in REGIONS.items() if any(len(n) > 1 and n.lower() in text.lower() for n in names)
    ]


def flat(text: str) -> str:
    """The scorer's comparison form: NFKC, thousands separators removed, no white space."""
    return re.sub(r"\s+", "", normalise_for_scoring(text))


def rx(pattern: str) -> re.Pattern[str]:
    return re.compile(unicodedata.normalize("NFKC", pattern), re.IGNORECASE)


def load_reports(folder: Path) -> dict[str, str]:
    files = sorted(folder.glob("*.docx"))
    if len(files) != 29:
        raise SystemExit(f"{folder}: expected the 29 provincial reports, found {len(files)} .docx files")
    return {f.name: flat(convert_file(f)) for f in files}


def load_bundled() -> dict[str, str]:
    """The report(s) bundled in knowledge/, which share the knowledge folder with the 29."""
    return {f.name: flat(f.read_text(encoding="utf-8")) for f in sorted((REPO / "knowledge").glob("*.txt"))}


def check(items: list[dict], reports: dict[str, str], bundled: dict[str, str] | None = None) -> list[str]:
    errors: list[str] = []
    bundled = bundled or {}

    def err(item: dict, msg: str) -> None:
        errors.append(f"{item.get('id', '?')}: {msg}")

    ids = [it.get("id") for it in items]
    if ids != [f"pv{i:02d}" for i in range(1, len(items) + 1)]:
        errors.append("ids are not pv01, pv02, … in order")
    for it in items:
        kind = it.get("kind")
        if kind not in KINDS:
            err(it, f"unknown kind {kind!r}")
        if not isinstance(it.get("region_named"), bool):
            err(it, "region_named must be true or false")
            continue
        is_claim = "claim" in it
        asked = it.get("claim") if is_claim else it.get("question")
        if not asked:
            err(it, "no question / claim")
            continue
        if (kind == "claim") != is_claim:
            err(it, "claim items (and only they) have kind 'claim'")
        if kind == "followup" and not it.get("history"):
            err(it, "a followup needs history")
        said = " ".join([*it.get("history", []), asked])
        answerable = bool(it.get("answer_must")) or (is_claim and it.get("verdict") != "not_found")
        # which report the item is about
        about = it.get("source") if answerable else it.get("asked_report")
        if about not in reports:
            err(it, f"report {about!r} ({'source' if answerable else 'asked_report'}) is not one of the 29")
            continue
        region = region_of(about)
        if it["region_named"]:
            if not names_region(said, region):
                err(it, f"region_named, but the question/history does not name {region}")
            others = [k for k in long_names_in(said) if k != region]
            if others:
                err(it, f"names other regions too: {others}")
        else:
            if long_names_in(said):
                err(it, f"region_named false, but names {long_names_in(said)}")
            if not answerable:
                err(it, "an unanswerable / not_found item must name its region")
        text = reports[about]
        evidence = it.get("evidence")
        if is_claim:
            if it.get("verdict") not in {"supported", "contradicted", "not_found"}:
                err(it, f"bad verdict {it.get('verdict')!r}")
            if "answer_must" in it:
                err(it, "a claim has no answer_must")
        elif answerable is False and it.get("answer_must") != []:
            err(it, "unanswerable items have answer_must: []")
        if answerable:
            if not evidence:
                err(it, "answerable item without evidence")
                continue
            ev = flat(evidence)
            pos = text.find(ev)
            if pos < 0:
                err(it, f"evidence not in {about}: {evidence}")
                continue
            window = text[max(0, pos - WINDOW) : pos + len(ev) + WINDOW]
            for pattern in it.get("answer_must", []):
                if not rx(pattern).search(window):
                    err(it, f"answer_must /{pattern}/ does not match the text around the evidence")
            for pattern in it.get("answer_must_not", []):
                if rx(pattern).search(ev):
                    err(it, f"answer_must_not /{pattern}/ matches its own evidence")
                if not any(rx(pattern).search(t) for t in reports.values()):
                    err(it, f"answer_must_not /{pattern}/ is no figure of any report")
            if not it["region_named"]:
                holders = [name for name, t in {**reports, **bundled}.items() if ev in t]
                if holders != [about]:
                    err(
                        it,
                        f"region-less evidence occurs in {len(holders)} reports (bundled ones included): {holders}",
                    )
        else:
            if evidence is not None:
                err(it, "unanswerable / not_found items have evidence: null")
            for pattern in it.get("answer_must_not", []):
                if rx(pattern).search(text):
                    err(it, f"answer_must_not /{pattern}/ occurs in {about}, which is said not to state it")
            other, other_ev = it.get("other_source"), it.get("other_evidence")
            if other not in reports or other == about:
                err(it, f"other_source {other!r} must be another of the 29 reports")
            elif not other_ev or flat(other_ev) not in reports[other]:
                err(it, f"other_evidence not in {other}: {other_ev}")
            elif it.get("answer_must_not") and not any(
                rx(p).search(flat(other_ev)) for p in it["answer_must_not"]
            ):
                err(it, "answer_must_not should hold the other report's figure")
    return errors


def summary(items: list[dict]) -> list[str]:
    kinds = Counter(it["kind"] for it in items)
    named = sum(1 for it in items if it.get("region_named"))
    regions = Counter(region_of(it.get("source") or it.get("asked_report") or "") for it in items)
    unans = sum(1 for it in items if "claim" not in it and not it.get("answer_must"))
    lines = [
        f"items: {len(items)}  region-named: {named}  region-less: {len(items) - named}  "
        f"unanswerable: {unans}",
        "by kind: " + ", ".join(f"{k} {kinds[k]}" for k in sorted(KINDS)),
        f"regions ({len(regions)}): " + ", ".join(f"{k} {n}" for k, n in regions.most_common()),
    ]
    problems = []
    if len(items) < 64:
        problems.append("fewer than 64 items")
    if missing := KINDS - set(kinds):
        problems.append(f"kinds missing: {sorted(missing)}")
    if named * 2 < len(items):
        problems.append("fewer than half the items name a region")
    if len(regions) < 15:
        problems.append("fewer than 15 regions")
    if unans < 8:
        problems.append("fewer than 8 unanswerable items")
    verdicts = {it.get("verdict") for it in items if "claim" in it}
    if verdicts != {"supported", "contradicted", "not_found"}:
        problems.append(f"claim verdicts present: {sorted(v for v in verdicts if v)}")
    return lines + [f"SET PROBLEM: {p}" for p in problems]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "docx_dir", nargs="?", type=Path, default=REPO / "evalsets" / "provincial" / "corpus"
    )
    parser.add_argument("--set", type=Path, default=Path(__file__).with_name("questions.jsonl"))
    args = parser.parse_args(argv)
    items = [json.loads(line) for line in args.set.read_text(encoding="utf-8").splitlines() if line.strip()]
    reports = load_reports(args.docx_dir)
    errors = check(items, reports, load_bundled())
    lines = summary(items)
    print("\n".join(lines))
    for e in errors:
        print("FAIL", e)
    bad = len(errors) + sum(1 for line in lines if line.startswith("SET PROBLEM"))
    print(
        f"{len(items)} items checked against {len(reports)} reports: "
        + ("all checks pass" if not bad else f"{bad} problems")
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
