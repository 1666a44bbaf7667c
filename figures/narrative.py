"""Auto-written readings of the numbers, in Chinese or English."""
from __future__ import annotations

from collections.abc import Mapping

from analytics.sources import list_missing
from etl.reference import Reference

from .text import fmt_float, fmt_pct, n_consortia, t

CN_DIGITS = "零一二三四五六七八九十"


def _join(names: list[str], lang: str) -> str:
    return "、".join(names) if lang == "zh" else ", ".join(names)


def concentration_reading(top6: list[str], share: float, counts: Mapping[str, int], ref: Reference,
                          lang: str) -> str:
    """'北京、上海……六省合计占 62%' — the top provinces' share of located consortia (``counts`` per
    province); a province with none is never named among them. No closing stop: callers join readings."""
    named = [c for c in top6 if counts.get(c, 0) > 0]
    if not named:
        return "当前筛选下没有落在具体省份的联合体" if lang == "zh" else "No consortium is located in a province under these filters"
    names = [ref.province_label(c, lang) for c in named]
    k = len(named)
    if k == 1:
        return f"有省份的联合体全部位于{names[0]}" if lang == "zh" else f"Every located consortium is in {names[0]}"
    if lang == "zh":
        return f"{_join(names, lang)}{'两' if k == 2 else CN_DIGITS[k]}省合计占有所在省份的联合体的 {fmt_pct(share)}"
    return f"The top {k} ({_join(names, lang)}) hold {fmt_pct(share)} of located consortia"


def gaps_reading(uncovered: list[str], ref: Reference, lang: str, show: int = 2, where: str = "") -> str:
    """'光刻机、航空发动机等 4 项卡脖子技术尚无联合体覆盖' — lithography and aero-engines named first;
    with ``where`` (a province's name) the count is said to be that province's."""
    if not uncovered:  # (no stop at the end: a caller joins readings and ends them)
        if lang == "zh":
            return f"{where + '：' if where else ''}每项卡脖子技术都已有联合体覆盖"
        return "Every bottleneck technology has at least one consortium" + (f" in {where}" if where else "")
    ordered = sorted(uncovered, key=lambda c: (c not in ("T01", "T36"), c))
    names = [ref.term_label("technology", c, lang) for c in ordered[:show]]
    n = len(uncovered)
    if lang == "zh":
        more = "等" if n > show else ""
        return f"{where + '：' if where else ''}{_join(names, lang)}{more} {n} 项卡脖子技术尚无联合体覆盖"
    more = " and others" if n > show else ""
    return (f"{'in ' + where + ', ' if where else ''}{n} bottleneck technolog{'y has' if n == 1 else 'ies have'} "
            f"no consortium: {_join(names, lang)}{more}")


def cross_regional_reading(share: float, lang: str) -> str:
    if lang == "zh":
        return f"跨省协作的联合体占 {fmt_pct(share)}"
    return f"{fmt_pct(share)} of consortia reach across provincial borders"


def trend_reading(trend: dict, lang: str) -> str:
    """'2019–2025 年共组建 320 家（另有 46 家未注明年份），2023 年最多（61 家）；前六省份累计占比由 … 变为 …',
    from what analytics.views.trends gives."""
    totals, undated, top6_share = trend["by_year"].sum(axis=1), trend["undated"], trend["top6_share"]
    if not totals.sum():
        if not undated:  # nothing at all, not consortia without a year
            return "当前筛选下没有联合体。" if lang == "zh" else "No consortium under these filters."
        return (f"当前筛选下的 {undated} 个联合体都未注明组建年份。" if lang == "zh" else
                f"None of the {n_consortia(undated, lang)} under these filters gives its year.")
    first, last = int(totals.index.min()), int(totals.index.max())
    n, most = int(totals.sum()), int(totals.max())
    peaks = [int(y) for y in totals.index if totals[y] == most]  # a tie names every year of it
    dated = [int(y) for y in totals.index if totals[y] > 0]
    every_year = len(peaks) == len(totals)  # the same count in every year of the span
    # The top six's share is compared from the first year with ten consortia formed in all (a share of one
    # or two says nothing), and only while it can move: with six provinces or fewer it is 100% throughout.
    formed = totals.cumsum()
    years = [y for y in sorted(top6_share) if formed.get(y, 0) >= 10]
    if len(years) < 2 or top6_share[years[0]] == top6_share[years[-1]] == 1:
        years = []
    span = str(first) if first == last else f"{first}–{last}"
    if lang == "zh":
        text = f"{span} 年共组建 {n} 家" + (f"（另有 {undated} 家未注明年份）" if undated else "")
        text += _peak(peaks, most, len(dated) > 1, every_year, lang)
        if len(years) >= 2:
            a, b = top6_share[years[0]], top6_share[years[-1]]
            text += (f"；前六省份累计占比 {years[0]}–{years[-1]} 年保持 {fmt_pct(a)}" if fmt_pct(a) == fmt_pct(b) else
                     f"；前六省份累计占比由 {years[0]} 年的 {fmt_pct(a)} 变为 {years[-1]} 年的 {fmt_pct(b)}")
        return text + "。"
    text = f"{n_consortia(n, lang)} formed in {span}" + (
        f" ({undated} more without a year)" if undated else "")
    text += _peak(peaks, most, len(dated) > 1, every_year, lang)
    if len(years) >= 2:
        a, b = top6_share[years[0]], top6_share[years[-1]]
        text += (f"; the top six provinces' cumulative share stayed at {fmt_pct(a)} from {years[0]} to {years[-1]}"
                 if fmt_pct(a) == fmt_pct(b) else
                 f"; the top six provinces' cumulative share went from {fmt_pct(a)} in {years[0]} to "
                 f"{fmt_pct(b)} in {years[-1]}")
    return text + "."


def _peak(peaks: list[int], most: int, several: bool, every_year: bool, lang: str) -> str:
    """'，2021 年最多（10 家）', every year of a tie named (up to three), or '，每年 1 家'; '' for one year."""
    if not several:
        return ""
    years = ("、" if lang == "zh" else ", ").join(map(str, peaks[:3]))
    more, each = len(peaks) > 3, len(peaks) > 1
    if lang == "zh":
        return f"，每年 {most} 家" if every_year else \
            f"，{years}{'等' if more else ''} 年最多（{'各 ' if each else ''}{most} 家）"
    return f"; {most} a year" if every_year else \
        f"; most in {years}{' and others' if more else ''} ({most}{' each' if each else ''})"


def overview_reading(view: dict, ref: Reference, lang: str, coverage: dict | None = None,
                     province: str = "") -> str:
    """The short reading under the KPIs: concentration, gaps and cross-regional reach, and, for the
    public list, how far its provinces' lists go (so a missing list never reads as a gap)."""
    conc = view["concentration"]
    no_list = list_missing(coverage or {}, province, view["kpis"].get("total", 0))
    # Under a province the gaps are its own; concentration and reach compare provinces, so they stay national
    # and say so (as the briefing does).
    national = (("（全国）" if lang == "zh" else " (all of China)") if province else "")
    parts = [concentration_reading(conc["top6"], conc["top6_share"], view["counts"], ref, lang) + national,
             # no gaps are read from a province whose list is missing (the caveat below says so)
             "" if no_list else gaps_reading(view["kpis"]["uncovered_codes"], ref, lang,
                                             where=ref.province_label(province, lang) if province else ""),
             cross_regional_reading(view["cross_regional_share"], lang) + national]
    parts = [p for p in parts if p]
    parts += coverage_caveats(coverage or {}, ref, lang, province)
    sep = "；" if lang == "zh" else "; "
    return sep.join(parts) + ("。" if lang == "zh" else ".")


def moran_reading(moran_i: float, p_value: float, lang: str) -> str:
    """One sentence that explains Moran's I to a planner."""
    significant = p_value < 0.05
    if lang == "zh":
        if significant and moran_i > 0:
            tail = "省份之间呈显著的空间集聚：联合体多的省份彼此相邻。"
        elif significant and moran_i < 0:
            tail = "省份之间呈显著的空间分散：多与少的省份交错分布。"
        else:
            tail = "全国整体上未见显著的空间集聚（个别相邻省份仍可能局部集聚，见局部指标图）。"
        return f"全局莫兰指数 I = {fmt_float(moran_i, 3)}（p = {fmt_float(p_value, 3)}）：{tail}"
    if significant and moran_i > 0:
        tail = "significant clustering: provinces with many consortia border each other."
    elif significant and moran_i < 0:
        tail = "significant dispersion: high and low provinces alternate."
    else:
        tail = ("no significant clustering across the country as a whole (a few neighbouring provinces may still "
                "cluster locally: see the local map).")
    return f"Global Moran's I = {fmt_float(moran_i, 3)} (p = {fmt_float(p_value, 3)}): {tail}"


def coverage_caveats(coverage: dict, ref: Reference, lang: str, province: str = "") -> list[str]:
    """The caveats a reading under ``province``'s filter carries: the state of that province's list (when
    a province is chosen and its list is not complete), then how far the lists go nationally."""
    found = [coverage_caveat(coverage, ref, lang, province) if province else "", coverage_caveat(coverage, ref, lang)]
    return [c for c in found if c]


def coverage_caveat(coverage: dict, ref: Reference, lang: str, province: str = "") -> str:
    """What the public list's gaps can and cannot say: how many provinces' lists are partial or were
    not found, or, for one province, the state of its list. '' when nothing is known."""
    zh = lang == "zh"
    if province:
        status = coverage.get(province, "")
        name = ref.province_label(province, lang)
        if status == "none_found":
            return (f"未找到{name}的名录：此处为空不代表没有联合体" if zh else
                    f"no list was found for {name}: an empty view here does not mean no consortium")
        if status == "partial":
            return (f"{name}的名录不完整：未列出的联合体不计入" if zh else
                    f"{name}'s list is partial: consortia it does not name are not counted")
        return ""
    provinces = {code: status for code, status in coverage.items() if code in ref.provinces}
    partial = sum(1 for s in provinces.values() if s == "partial")
    missing = sum(1 for s in provinces.values() if s == "none_found")
    if not provinces:
        return ""
    if zh:
        return (f"{partial} 个省份名录不完整、{missing} 个未找到名录（地图上以灰色标出），"
                "空白可能源于名录缺失")
    return (f"{partial} provinces' lists are partial and {missing} were not found (greyed on the map); "
            "a gap may be a missing list")


def changes_reading(diff: dict, ref: Reference, lang: str) -> str:
    """'自 A 至 B：新增 3 个、移除 1 个、变更 2 个联合体；新覆盖 …；前六省份占比由 64% 变为 62%。'"""
    zh = lang == "zh"
    top = diff["top6"]
    covered = ref.technology_names(diff["newly_covered"], lang) if diff["newly_covered"] else ""
    lost = ref.technology_names(diff["newly_uncovered"], lang) if diff["newly_uncovered"] else ""
    if zh:
        parts = [f"自 {diff['from']} 至 {diff['to']}：新增 {len(diff['added'])} 个、移除 {len(diff['removed'])} 个、"
                 f"变更 {len(diff['changed'])} 个联合体（{diff['total']['from']} → {diff['total']['to']}）"]
        if covered:
            parts.append(f"新覆盖 {covered}")
        if lost:
            parts.append(f"不再覆盖 {lost}")
        a, b = fmt_pct(top["share_from"]), fmt_pct(top["share_to"])
        parts.append(f"前六省份占比保持 {a}" if a == b else f"前六省份占比由 {a} 变为 {b}")
        return "；".join(parts) + "。"
    parts = [f"From {diff['from']} to {diff['to']}: {len(diff['added'])} added, {len(diff['removed'])} removed, "
             f"{len(diff['changed'])} changed ({diff['total']['from']} → {diff['total']['to']})"]
    if covered:
        parts.append(f"newly covered {covered}")
    if lost:
        parts.append(f"no longer covered {lost}")
    a, b = fmt_pct(top["share_from"]), fmt_pct(top["share_to"])
    parts.append(f"the top six provinces' share stayed at {a}" if a == b else
                 f"the top six provinces' share went from {a} to {b}")
    return "; ".join(parts) + "."


def set_aside_note(fields: tuple[str, ...], lang: str) -> str:
    """'（本图不按所选领域、省份筛选）' for the filters a chart sets aside; '' when none is set."""
    if not fields:
        return ""
    if lang == "zh":
        return "（本图不按所选" + "、".join(t(k, lang) for k in fields) + "筛选）"
    return " (this chart is not filtered by the chosen " + ", ".join(t(k, lang).lower() for k in fields) + ")"


def unlisted_note(codes: list[str], ref: Reference, lang: str) -> str:
    """'未找到名录、未列入本图的省份（15 个）：山西、内蒙古…。' for the heatmap's left-out rows; '' for none."""
    names = [ref.province_label(c, lang) for c in sorted(codes, key=ref.province_codes.index)]
    if not names:
        return ""
    return (f"未找到名录、未列入本图的省份（{len(names)} 个）：{'、'.join(names)}。" if lang == "zh" else
            f"Not in this chart, as no list was found ({len(names)}): {', '.join(names)}.")
