"""The demo data set: a few hundred synthetic consortia shaped like the policy research.

Generated deterministically from a seed (config.DEMO_SEED) and published
through the same ingest path as any file, so the demo exercises the real ETL.
The shape follows the policy brief behind the product (shared/seed, 孙莹璐、
武虹、张煊, 推动领军企业牵头组建创新联合体 破解技术创新难题, 2022):

- formation concentrated in 北京、上海、安徽、浙江、湖北、江西, scattered elsewhere;
- little cross-regional collaboration: most members come from the lead's province;
- almost nothing in high-investment, long-cycle fields: lithography machines (T01)
  and aero-engines (T36) have no consortium at all;
- leads: central SOEs (national lists, 全国), local SOEs, private firms,
  universities, research institutes and joint leads;
- the three operating models: joint research teams with seconded staff, an entity
  company carrying the alliance, and tiered participation (核心层 + 紧密合作层 +
  一般协作层, as Xiamen does).

Every generated record carries ``synthetic: true``; the five real examples the
brief names carry ``synthetic: false`` and the brief as their source.
"""
from __future__ import annotations

import json
import random

import config

from .reference import load_reference

BRIEF = "政策简报《推动领军企业牵头组建创新联合体 破解技术创新难题》（孙莹璐、武虹、张煊，2022）"
DEMO_FILE = "demo-consortia.json"
N_SYNTHETIC = 360

# Relative weights of lead provinces: the six the brief names carry about 60 %.
PROVINCE_WEIGHT = {
    "110000": 14, "310000": 13, "340000": 10, "330000": 11, "420000": 9, "360000": 7,
    "320000": 5, "440000": 5, "370000": 4, "510000": 3, "500000": 2, "610000": 3, "430000": 2,
    "410000": 2, "350000": 2, "120000": 2, "130000": 1, "210000": 1, "220000": 1, "230000": 1,
    "140000": 1, "450000": 1, "520000": 1, "530000": 1, "620000": 1, "150000": 0.5, "460000": 0.5,
    "640000": 0.5, "650000": 0.5, "630000": 0.3, "810000": 0.4, "820000": 0.2, "540000": 0.0, "710000": 0.0,
}
SECTOR_WEIGHT = {"S1": 22, "S2": 14, "S3": 16, "S4": 15, "S5": 10, "S6": 11, "S7": 5, "S8": 2, "S9": 2, "S0": 3}
# Technologies each sector plausibly attacks; T01 and T36 appear nowhere (the brief's gap),
# T08 and T26 stay uncovered too, and a few long-cycle ones stay thin.
SECTOR_TECH = {
    "S1": ["T02", "T02", "T03", "T07", "T13", "T15", "T15", "T34", "T05", "T12"],
    "S2": ["T09", "T17", "T19", "T24", "T28", "T31", "T13", "T06"],
    "S3": ["T14", "T16", "T18", "T21", "T25", "T32", "T33", "T21"],
    "S4": ["T30", "T30", "T25"],
    "S5": ["T10", "T22", "T29", "T02", "T15"],
    "S6": ["T27", "T27", "T29", "T09"],
    "S7": ["T27", "T31"],
    "S8": ["T15", "T13"],
    "S9": ["T13", "T34"],
    "S0": [],
}
THIN = {"T04": 1, "T11": 2, "T20": 1, "T23": 2, "T35": 1}  # technology -> consortia that attack it
SECTOR_WORD = {"S1": ["集成电路", "人工智能", "工业软件", "信创"], "S2": ["高端装备", "智能制造", "航空航天"],
               "S3": ["先进材料", "电子化学品", "特种钢材"], "S4": ["生物医药", "医疗器械", "中医药"],
               "S5": ["新能源汽车", "智能网联汽车"], "S6": ["氢能", "光伏", "储能"], "S7": ["节能环保"],
               "S8": ["数字创意"], "S9": ["科技服务"], "S0": ["现代农业", "油气"]}
LEAD_TYPES = [("central_soe", 0.18), ("local_soe", 0.22), ("private", 0.3), ("university", 0.1),
              ("institute", 0.12), ("joint", 0.08)]
MODELS = [("联合攻关团队", 0.45), ("实体化公司", 0.3), ("分层参与", 0.25)]
REGIONS = ["长三角", "京津冀", "粤港澳大湾区", "成渝", "长江中游"]

REAL_EXAMPLES = [
    # The brief names each of these; only what it says is recorded.
    {"name": "北京生物种业创新联合体", "province": "北京市", "sector": "生物种业",
     "lead_org": "行业领军企业", "note": "领军企业牵头"},
    {"name": "江西省中医药产业科技创新联合体", "province": "江西省", "sector": "中医药",
     "lead_type": "科研院所", "lead_org": "研究院、高校", "note": "研究院或高校牵头"},
    {"name": "上海电子化学品创新联合体", "province": "上海市", "sector": "电子化学品",
     "lead_type": "联合牵头", "lead_org": "企业；院校", "note": "企业与院校共同组织"},
    {"name": "中国石油-西南石油大学创新联合体", "province": "四川省", "sector": "油气",
     "lead_type": "联合牵头", "lead_org": "中国石油；西南石油大学", "operating_model": "联合攻关团队",
     "members": [{"name": "中国石油", "province": "全国"}, {"name": "西南石油大学", "province": "四川省"}],
     "note": "派遣成员共同组建攻坚团队（驻企驻校、挂职）"},
    {"name": "苏州市海洋信息技术创新联合体", "province": "江苏省", "city": "苏州市", "sector": "海洋信息 新一代信息技术",
     "operating_model": "实体化公司", "level": "市级", "note": "依托实体化公司运营（企业+联盟）"},
]


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    return rng.choices([k for k, _ in weighted], weights=[w for _, w in weighted])[0]


def generate(seed: int = config.DEMO_SEED, n: int = N_SYNTHETIC) -> list[dict]:
    """Demo records as input-format dicts (JSON source): synthetic ones first, then the real examples."""
    rng = random.Random(seed)
    ref = load_reference()
    cities_of: dict[str, list[str]] = {}
    for c in ref.cities.values():
        cities_of.setdefault(c.province_code, []).append(c.name)
    provinces = sorted(PROVINCE_WEIGHT.items())
    neighbours = _neighbour_map()
    records: list[dict] = []
    thin_left = dict(THIN)
    for i in range(1, n + 1):
        sector = _pick(rng, list(SECTOR_WEIGHT.items()))
        lead_type = _pick(rng, LEAD_TYPES)
        roll = rng.random()
        if lead_type == "central_soe" and roll < 0.45:
            place, prov_code = "全国", None  # a central-SOE national list
        elif roll > 0.98:
            place, prov_code = rng.choice(REGIONS), None
        else:
            prov_code = _pick(rng, provinces)
            p = ref.provinces[prov_code]
            place = rng.choice([p.name, p.short_name, p.name, prov_code])  # as real lists vary
        techs = sorted(set(rng.sample(SECTOR_TECH[sector], k=min(len(SECTOR_TECH[sector]), rng.choice([0, 1, 1, 2, 2, 3])))))
        for code, left in thin_left.items():
            if left and sector in ("S1", "S2") and rng.random() < 0.03:
                techs.append(code)
                thin_left[code] -= 1
        home = prov_code or rng.choice(["110000", "310000", "440000"])
        members = []
        tiers = ["核心层", "紧密合作层", "一般协作层"]
        model = _pick(rng, MODELS)
        # Little cross-regional collaboration: about one consortium in four reaches outside
        # its province, mostly to a neighbour.
        size = rng.randint(2, 7)
        outside = set(rng.sample(range(size), k=rng.choice([1, 1, 2]))) if rng.random() < 0.25 else set()
        for j in range(size):
            if j not in outside:
                mp = home
            elif rng.random() < 0.7:
                mp = rng.choice(neighbours.get(home, [home]))
            else:
                mp = _pick(rng, provinces)
            kind = rng.choice(["大学", "研究院", "科技有限公司", "股份有限公司", "研究所"])
            tier = f"·{tiers[min(j // 2, 2)]}" if model == "分层参与" else ""
            members.append(f"示例成员{i:03d}-{j + 1}{kind}{tier}（{ref.provinces[mp].short_name}）")
        word = rng.choice(SECTOR_WORD[sector])
        prefix = ref.provinces[prov_code].short_name if prov_code else place
        year = rng.choices(range(2019, 2026), weights=[1, 2, 3, 5, 6, 7, 6])[0]
        level = "国家级" if place == "全国" else rng.choice(["省级", "省级", "市级"])
        rec = {
            "name": f"{prefix}{word}创新联合体（示例{i:03d}）",
            "lead_org": f"示例领军单位{i:03d}",
            "lead_type": ref.vocabulary["lead_type"][lead_type].name,
            "province": place,
            "sector": ref.sectors[sector].name,
            "technologies": [ref.technologies[t].name for t in techs],
            "members": "；".join(members),
            "year": year,
            "level": level,
            "operating_model": model,
            "source": "演示数据（合成）",
            "synthetic": True,
        }
        if prov_code and level == "市级" and cities_of.get(prov_code):
            rec["city"] = rng.choice(cities_of[prov_code])
        records.append(rec)
    # A tiered-participation example in Xiamen, the practice the brief describes (synthetic).
    records.append({"name": "厦门市分层参与创新联合体（示例）", "province": "福建省", "city": "厦门市",
                    "sector": "新一代信息技术产业", "technologies": ["核心工业软件"], "level": "市级",
                    "operating_model": "分层参与", "lead_type": "民营企业", "lead_org": "示例领军单位XM",
                    "members": "示例核心层单位（福建）；示例紧密合作层单位（福建）；示例一般协作层单位（广东）",
                    "year": 2022, "source": "演示数据（合成），模式参照厦门市科学技术局做法", "synthetic": True})
    for ex in REAL_EXAMPLES:
        rec = {k: v for k, v in ex.items() if k != "note"}
        rec["source"] = f"{BRIEF}：{ex['note']}"
        rec["synthetic"] = False
        records.append(rec)
    return records


def _neighbour_map() -> dict[str, list[str]]:
    import csv

    out: dict[str, list[str]] = {}
    with open(config.BOUNDARIES_DIR / "neighbours.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["a"], []).append(row["b"])
            out.setdefault(row["b"], []).append(row["a"])
    return out


def demo_source(seed: int = config.DEMO_SEED, n: int = N_SYNTHETIC):
    """The demo data set as one JSON source file, ready for ingest."""
    from .store import SourceFile

    payload = json.dumps(generate(seed, n), ensure_ascii=False, indent=1).encode("utf-8")
    return SourceFile(DEMO_FILE, payload, f"generated (seed {seed})")
