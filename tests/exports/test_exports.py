"""Exports: real images from kaleido and Chromium, real decks and spreadsheets, read back."""
import csv
import io
import json
import unicodedata

import openpyxl
import pytest

from analytics.filters import Filters
from tests.conftest import SAMPLE_FILES, SAMPLES


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The samples plus one record whose name is a spreadsheet formula, in a fresh SQLite store."""
    import os

    from etl.ingest import ingest_paths
    from etl.store import get_engine, load_snapshot

    d = tmp_path_factory.mktemp("exports")
    evil = d / "evil.json"
    evil.write_text(json.dumps([{"name": "=cmd|' /C calc'!A0", "province": "浙江", "sector": "S3",
                                 "lead_org": "@SUM(A1)"},
                                {"name": "被拒", "province": '=HYPERLINK("http://evil.example","x")'}]),
                    encoding="utf-8")
    old = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = f"sqlite:///{d / 'atlas.db'}"
    engine = get_engine()
    assert ingest_paths(engine, [SAMPLES / f for f in SAMPLE_FILES] + [evil]).published
    yield load_snapshot(engine)
    if old is None:
        os.environ.pop("DATABASE_URL")
    else:
        os.environ["DATABASE_URL"] = old


@pytest.mark.slow
def test_chart_png_is_sharp_and_not_blank(store):
    from PIL import Image

    from exports.service import chart_bytes
    png = chart_bytes("province-map", "png", Filters(), "zh", store)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    img = Image.open(io.BytesIO(png)).convert("L")
    assert img.size == (2800, 1800)  # 2x briefing resolution
    hist = img.histogram()
    assert sum(hist[:250]) > 0.2 * img.size[0] * img.size[1]


@pytest.mark.slow
def test_chart_svg_carries_title_filters_date_source_and_the_inset(store):
    from exports.service import chart_bytes
    svg = chart_bytes("province-map", "svg", Filters(sector=("S3",)), "zh", store).decode("utf-8")
    assert svg.lstrip().startswith("<svg")
    for text in ("创新联合体分布", "领域：新材料产业", store.id, "南海诸岛", "来源"):
        assert text in svg, text
    assert svg.count("<path") > 40  # vector provinces, not an embedded bitmap
    # the map as the page shows it: its metric (a location quotient here), not always the counts
    lq = chart_bytes("province-map", "svg", Filters(sector=("S3",)), "zh", store, metric="lq").decode("utf-8")
    assert "区位熵" in lq and "联合体数量" not in lq


@pytest.mark.slow
def test_chart_pdf_is_a_pdf_with_text(store):
    from pypdf import PdfReader

    from exports.service import chart_bytes
    pdf = chart_bytes("technology-gaps", "pdf", Filters(), "en", store)
    assert pdf[:5] == b"%PDF-"
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Bottleneck technologies" in text and "Filters" in text
    # numbers can be searched and copied too: the snapshot id's digits, not NULs
    assert store.id in text and "\x00" not in text
    zh = PdfReader(io.BytesIO(chart_bytes("technology-gaps", "pdf", Filters(), "zh", store))).pages[0].extract_text()
    assert "未加筛选" in zh and "数据" in zh and store.id in zh and "\x00" not in zh
    # Chinese reads back as drawn, with no radical (⼭ for 山) that plain search would miss
    assert "卡脖子技术" in zh and not any(0x2E80 <= ord(c) < 0x2FE0 for c in zh)


@pytest.mark.slow
def test_briefing_pptx_has_the_slides(store):
    from pptx import Presentation

    from exports.service import brief_bytes
    deck = Presentation(io.BytesIO(brief_bytes("pptx", Filters(), "zh", store)))
    slides = list(deck.slides)
    assert len(slides) == 7
    assert slides[0].shapes.title.text == "创新联合体布局简报"
    for shape in (slides[0].shapes.title, slides[0].placeholders[1]):  # centred on the 16:9 slide
        assert shape.left + shape.width / 2 == deck.slide_width / 2
    # and one above the other, each with a height (setting a side left the others at 0: both on the top edge)
    title, subtitle = slides[0].shapes.title, slides[0].placeholders[1]
    assert 0 < title.top and title.height > 0 and title.top + title.height <= subtitle.top
    assert subtitle.top + subtitle.height <= deck.slide_height
    texts = ["\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in slides]
    assert "关键数字" in texts[1] and "尚无联合体覆盖" in texts[1]
    pictures = [sum(1 for s in slide.shapes if s.shape_type == 13) for slide in slides]
    assert pictures == [0, 0, 1, 1, 1, 1, 1]
    assert all("数据来源" in t for t in texts[2:])


@pytest.mark.slow
def test_briefing_pdf_pages(store):
    from pypdf import PdfReader

    from exports.service import brief_bytes
    from exports.brief import pdf_pages
    reader = PdfReader(io.BytesIO(brief_bytes("pdf", Filters(sector=("S4",)), "en", store)))
    assert len(reader.pages) == 7 == pdf_pages(with_changes=False)  # the count the export's progress bar uses
    first = unicodedata.normalize("NFKC", reader.pages[0].extract_text())  # 'ﬁ' ligatures -> 'fi'
    assert "Innovation consortia: briefing" in first and "Sector: Biotechnology" in first
    gaps_page = unicodedata.normalize("NFKC", reader.pages[4].extract_text())
    assert "no consortium yet" in gaps_page and "Source" in gaps_page  # caption and source line
    trend_page = unicodedata.normalize("NFKC", reader.pages[6].extract_text())
    assert "Consortia formed per year" in trend_page and "coloured by region" in trend_page


def test_csv_round_trip_with_bom_and_neutralised_formulas(store):
    from exports.service import data_bytes
    raw = data_bytes("csv", Filters(sector=("S3",)), "zh", store)
    assert raw[:3] == b"\xef\xbb\xbf"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    expected = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))["by_sector"]["S3"] + 1
    assert len(rows) == expected
    evil = [r for r in rows if "cmd" in r["名称"]][0]
    assert evil["名称"] == "'=cmd|' /C calc'!A0" and evil["牵头单位"] == "'@SUM(A1)"
    # Years read as years, with some records undated: "2021", never "2021.0".
    everything = list(csv.DictReader(io.StringIO(data_bytes("csv", Filters(), "en", store).decode("utf-8-sig"))))
    years = [r["Year"] for r in everything]
    assert "" in years and all(y == "" or (y.isdigit() and len(y) == 4) for y in years)


def test_the_rejected_rows_download_neutralises_formulas(store):
    import base64

    from callbacks.status import download_rejections
    sent = download_rejections(1, store.id)
    raw = base64.b64decode(sent["content"]) if sent.get("base64") else sent["content"].encode("utf-8")
    assert raw[:3] == b"\xef\xbb\xbf" and sent["filename"] == f"rejections-{store.id}.csv"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == len(store.rejections)
    assert [r["value"] for r in rows if "HYPERLINK" in r["value"]] == ["'=HYPERLINK(\"http://evil.example\",\"x\")"]


def test_xlsx_round_trip_cells_are_text_not_formulas(store):
    from exports.service import data_bytes
    wb = openpyxl.load_workbook(io.BytesIO(data_bytes("xlsx", Filters(province="330000"), "en", store)))
    ws = wb.active
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, [c.value for c in row])) for row in ws.iter_rows(min_row=2)]
    assert len(rows) == 2  # zhejiang: one sample record + the formula one
    cell = [c for row in ws.iter_rows(min_row=2) for c in row if c.value and "cmd" in str(c.value)][0]
    assert cell.data_type == "s" and cell.value.startswith("'=")


@pytest.mark.slow
def test_trend_chart_svg_in_english_has_its_bars_and_reading(store):
    from exports.service import chart_bytes
    svg = chart_bytes("trends-chart", "svg", Filters(), "en", store).decode("utf-8")
    dated = int(store.consortia["year"].notna().sum())
    assert "Consortia formed per year" in svg and f"{dated} consortia formed in" in svg
    assert svg.count('class="point"') >= 3  # stacked bars, drawn as vectors


@pytest.mark.slow
def test_the_profile_export_counts_under_the_filters_of_the_view(store):
    """The profile page exported from ?view=profile&province=230000&sector=S1 shows the S1 consortia, as the
    view does, and says so; the province filter of the overview (here 北京) does not narrow another province."""
    from etl.reference import load_reference
    from exports.service import profile_figure

    c = store.consortia
    led = c["province"] == "230000"
    everything, s1 = int(led.sum()), int((led & (c["sector"] == "S1")).sum())
    assert 0 < s1 < everything
    sector = load_reference().term_label("sector", "S1", "zh")

    def texts(fig) -> str:
        return " ".join(a.text for a in fig.layout.annotations)

    plain = texts(profile_figure("230000", "zh", store))
    narrowed = texts(profile_figure("230000", "zh", store, Filters(sector=("S1",), province="110000")))
    assert f"牵头联合体 {everything} 个" in plain and "范围：" not in plain
    assert f"牵头联合体 {s1} 个" in narrowed and "范围：" in narrowed and sector in narrowed
    english = texts(profile_figure("230000", "en", store, Filters(sector=("S1",))))
    assert f"{s1} consortia led" in english and "Scope: " in english


def test_a_pack_for_a_snapshot_with_a_predecessor_says_what_changed(tmp_path, monkeypatch):
    from pptx import Presentation

    from etl.ingest import ingest_paths
    from etl.store import _engine, get_engine, load_snapshot
    from exports.service import brief_bytes, profile_bytes
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'atlas.db'}")
    engine = get_engine()
    try:
        assert ingest_paths(engine, [SAMPLES / "records.json"]).published
        more = tmp_path / "more.json"
        more.write_text(json.dumps([{"name": "新增联合体", "province": "浙江", "sector": "S3"}]), encoding="utf-8")
        assert ingest_paths(engine, [SAMPLES / "records.json", more]).published
        deck = Presentation(io.BytesIO(brief_bytes("pptx", Filters(), "zh", load_snapshot(engine))))
        texts = [" ".join(s.text for s in slide.shapes if s.has_text_frame) for slide in deck.slides]
        changes = [t for t in texts if "自上一快照以来的变化" in t]
        assert len(changes) == 1 and "新增 1 个、移除 0 个" in changes[0] and "新增联合体" in changes[0]
        one = Presentation(io.BytesIO(profile_bytes("330000", "pptx", "en", load_snapshot(engine))))
        assert len(one.slides) == 1
        # the slide's title, lines and source are text boxes, to edit in place; the charts are one picture
        from pptx.enum.shapes import MSO_SHAPE_TYPE
        shapes = list(one.slides[0].shapes)
        texts = [s.text_frame.text for s in shapes if s.has_text_frame]
        assert texts[0] == "Zhejiang · Province profile" and texts[1].startswith("1 consortium led · rank ")
        assert "<br>" not in " ".join(texts) and texts[-1].startswith("Snapshot ")
        pictures = [s for s in shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        # the picture sits between the lines and the source line, inside the slide
        lines_box, source_box = shapes[1], shapes[-1]
        assert lines_box.top + lines_box.height <= pictures[0].top
        assert pictures[0].top + pictures[0].height <= source_box.top
        assert pictures[0].left >= 0 and pictures[0].left + pictures[0].width <= one.slide_width
        # drawn without the page's own title and text, which the slide writes itself
        from PIL import Image
        image = Image.open(io.BytesIO(pictures[0].image.blob))
        assert abs(image.width / image.height - pictures[0].width / pictures[0].height) < 0.01
    finally:
        _engine.cache_clear()


def test_two_renders_at_once_in_one_process_each_get_their_own_image(tmp_path, monkeypatch):
    """Two planners exporting at the same moment: kaleido's one server answers in one shared queue, so two
    threads asking at once could take each other's image (北京's profile file held 浙江's)."""
    import threading

    import plotly.graph_objects as go

    from exports.render import render_figure
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ATLAS_MAX_RENDERS", "2")  # both may render at once
    got: dict = {}
    start = threading.Barrier(2)

    def export(name):
        for round_ in range(4):
            start.wait(60)
            svg = render_figure(go.Figure(layout=dict(title=f"{name}-{round_}")), "svg", 300, 200, scale=1)
            got[(name, round_)] = svg.decode()

    threads = [threading.Thread(target=export, args=(name,)) for name in ("alpha", "omega")]
    for th in threads:
        th.start()
    for th in threads:
        th.join(180)
    assert len(got) == 8
    crossed = [key for key, svg in got.items() if f"{key[0]}-{key[1]}" not in svg]
    assert crossed == []


def test_renders_wait_in_line_for_a_free_slot(tmp_path, monkeypatch):
    import threading
    import time

    from exports.render import REPORTER, render_slot
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ATLAS_MAX_RENDERS", "1")
    events, places = [], []

    class Reporter:
        def waiting(self, position):
            places.append(position)

        def rendered(self):
            pass

    holding = threading.Event()

    def first():
        with render_slot():
            events.append("first in")
            holding.set()
            time.sleep(1.0)
            events.append("first out")

    def second():
        REPORTER.set(Reporter())
        holding.wait(10)
        with render_slot():
            events.append("second in")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert events == ["first in", "first out", "second in"]  # never two renders at once with one slot
    assert places and set(places) == {1}  # the second was told it is first in line
    assert not list((tmp_path / "render-slots").glob("ticket-*"))  # nobody left in the queue


@pytest.mark.slow
def test_a_forked_process_renders_after_its_parent_has(tmp_path, monkeypatch):
    """A background export runs in a process forked from the web process. When the web process had
    rendered already (a province profile's PDF), the child inherited a renderer without its thread and
    waited forever; it must start its own and render."""
    import multiprocessing

    import plotly.graph_objects as go

    from exports.render import render_figure

    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    fig = go.Figure(go.Bar(x=["甲", "乙"], y=[1, 2]))
    assert render_figure(fig, "svg", 300, 200).lstrip().startswith(b"<svg")  # the parent's renderer

    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    child = ctx.Process(target=lambda: results.put(render_figure(fig, "png", 300, 200, scale=1)[:8]))
    child.start()
    child.join(timeout=90)
    hung = child.is_alive()
    if hung:
        child.kill()
        child.join()
    assert not hung, "the forked process never finished its render"
    assert results.get(timeout=5) == b"\x89PNG\r\n\x1a\n"


def test_footer_lines_wrap_to_the_image_and_clear_a_legend_under_the_plot():
    import plotly.graph_objects as go

    from exports.charts import decorate, wrap_line
    # at 12 px a CJK character (the full-width semicolon too) is 12 px wide: five fit in 60 px
    assert wrap_line("甲乙丙丁；戊己庚辛", 60) == ["甲乙丙丁；", "戊己庚辛"]
    assert wrap_line("Data: a; b", 600) == ["Data: a; b"]
    assert wrap_line("aaaa bbbb", 30) == ["aaaa", "bbbb"]  # 6.72 px each: the blank is where it breaks
    fig = decorate(go.Figure(layout=dict(width=100 / 0.72, legend=dict(orientation="h", y=-0.01))), "T",
                   "筛选：全国，未加筛选<br>来源：甲乙丙丁戊己庚辛壬癸子丑寅卯辰")
    footer = fig.layout.annotations[0]
    # 100 px for text: eight CJK characters a line, broken after the comma where it can
    assert footer.text == "筛选：全国，<br>未加筛选<br>来源：甲乙丙丁戊<br>己庚辛壬癸子丑寅<br>卯辰"
    # the legend sits 1% of the plot's height under it: 34 px for its row, plus 0.01 × (900 − 140 − 5 × 20) = 6
    assert footer.yshift == -10 - 40 and fig.layout.margin.b == 30 + 20 * 5 + 40
    low = decorate(go.Figure(layout=dict(width=1200, height=700, legend=dict(orientation="h", y=-0.15))), "T", "x")
    assert low.layout.annotations[0].yshift == -10 - (34 + int(0.15 * (700 - 140 - 20)))  # the trends chart's
    plain = decorate(go.Figure(layout=dict(width=1200)), "T", "筛选：全国")
    assert plain.layout.annotations[0].yshift == -10 and plain.layout.margin.b == 50
    # bars with their years under the plot: the footer goes below the labels and the axis title (62 px)
    bars = decorate(go.Figure(go.Bar(x=[2020], y=[1]), layout=dict(width=1200)), "T", "筛选：全国")
    assert bars.layout.annotations[0].yshift == -10 - 62 and bars.layout.margin.b == 50 + 62
    # a key above the plot (the trends chart's) gets its row in the top margin
    keyed = decorate(go.Figure(go.Bar(x=[2020], y=[1]), layout=dict(width=1200, legend=dict(y=1.01))), "T", "x")
    assert keyed.layout.margin.t == 80 + 30
    # a key just under a map (the LISA map's): its row or rows before the footer
    mapped = decorate(go.Figure([go.Scattergeo(lon=[None], lat=[None], name="高-高集聚")],
                                layout=dict(width=1200, legend=dict(orientation="h", y=0, yanchor="top"))), "T", "x")
    assert mapped.layout.annotations[0].yshift == -10 - (24 + 8)


def test_a_profile_page_of_a_province_without_a_list_states_no_gaps_and_no_partners(store):
    from analytics import planner
    from etl.reference import load_reference
    from figures.planner import build_profile_page

    ref = load_reference()
    profile = planner.province_profile(store.consortia, store.technologies, store.members, "460000", ref)
    assert profile["total"] == 0 and profile["uncovered"]  # the samples lead nothing from 海南

    def text(fig):
        return "\n".join(a.text for a in fig.layout.annotations)
    assert "未覆盖" in text(build_profile_page(profile, ref, "zh", "source"))
    missing = text(build_profile_page(profile, ref, "zh", "source", "未找到海南的名录", no_list=True))
    assert "未找到本省名录" in missing and "未覆盖" not in missing and "可合作省份" not in missing
    assert "未见组建政策" in missing or "已出台组建政策" in missing  # 'not seen', never 'not issued'


def svg_texts(svg: str) -> list[tuple[str, float, float, float]]:
    """Each <text> of a plotly SVG as (its or its group's class, x, baseline y, font size in px), placed on the
    page: the translate() of every enclosing group added in."""
    import re
    import xml.etree.ElementTree as ET

    found = []

    def walk(el, dx: float, dy: float, cls: str) -> None:
        shift = re.search(r"translate\(\s*([-\d.e]+)(?:[ ,]+([-\d.e]+))?\s*\)", el.get("transform") or "")
        if shift:
            dx, dy = dx + float(shift[1]), dy + float(shift[2] or 0)
        cls = el.get("class") or cls
        if el.tag.endswith("}text"):
            size = float(re.search(r"font-size:\s*([\d.]+)px", el.get("style", ""))[1])
            found.append((cls, dx + float(el.get("x", 0)), dy + float(el.get("y", 0)), size))
        for child in el:
            walk(child, dx, dy, cls)

    walk(ET.fromstring(svg), 0.0, 0.0, "")
    return found


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("chart", ["sector-heatmap", "collaboration-matrix", "province-map"])
def test_a_colour_bar_title_clears_the_top_tick_label(store, chart, lang):
    import re

    from exports.service import chart_bytes
    texts = svg_texts(chart_bytes(chart, "svg", Filters(), lang, store).decode("utf-8"))
    (_, _, title_y, title_size), = [t for t in texts if re.fullmatch(r"ycb\w+title", t[0])]
    ticks = [t for t in texts if re.fullmatch(r"ycb\w+tick", t[0])]
    _, _, top_y, top_size = min(ticks, key=lambda t: t[2])
    # ink below a baseline: a quarter em at most (CJK glyphs, descenders); digits stand 3/4 em above theirs
    assert title_y + 0.25 * title_size <= top_y - 0.75 * top_size


@pytest.mark.slow
def test_every_page_of_the_briefing_pdf_is_one_landscape_size(store):
    from pypdf import PdfReader

    from exports.service import brief_bytes
    reader = PdfReader(io.BytesIO(brief_bytes("pdf", Filters(), "zh", store)))
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages}
    assert sizes == {(1050, 675)}  # 1400 × 900 px at 0.75 pt a pixel, the text pages' and the maps' size


def brief_of(store, lang: str, **info):
    from analytics import views
    from etl.reference import load_reference
    from exports.brief import compose
    frames = views.Frames(store.consortia, store.technologies, store.members)
    return compose(frames, Filters(), load_reference(), {**store.info, "source_names": ["consortia.csv"], **info},
                   lang)


def test_every_briefing_page_is_laid_out_at_the_page_size(store):
    from exports.brief import pdf_figures
    sizes = {(fig.layout.width, fig.layout.height) for fig in pdf_figures(brief_of(store, "en"))}
    # laid out at it, not squeezed into it: a taller chart's footer and legend are placed for its own height
    assert sizes == {(1400, 900)}


def test_the_briefing_cover_title_is_centred_on_the_page(store):
    from exports.brief import pdf_figures
    cover = pdf_figures(brief_of(store, "zh"))[0]
    title, = [a for a in cover.layout.annotations if "创新联合体布局简报" in a.text]
    assert (title.xref, title.x, title.xanchor) == ("paper", 0.5, "center")
    assert cover.layout.margin.l == cover.layout.margin.r  # the paper's middle is the page's


@pytest.mark.parametrize("lang, info, expected", [
    ("zh", {"kind": "public", "public": {"count": 118, "as_of": "2026-02-13"}},
     "数据来源：公开名录 · 118 个联合体 · 来源截至 2026年2月13日；领域依据："),
    ("en", {"kind": "public", "public": {"count": 118, "as_of": "2026-02-13"}},
     "Source: Public list · 118 consortia · sources up to 13 Feb 2026; domain facts: "),
    ("zh", {"synthetic": True}, "数据来源：演示数据（合成）；领域依据："),
    ("en", {"synthetic": True}, "Source: Demo data (synthetic); domain facts: "),
])
def test_the_briefing_source_line_describes_the_data_not_its_file(store, lang, info, expected):
    line = brief_of(store, lang, **info).source_line
    assert line.startswith(expected), line
    assert "consortia.csv" not in line


def test_a_chart_page_carries_its_caption_in_the_title_block_not_over_the_plot(store):
    from exports.brief import BRIEF_CHARTS, CAPTIONS, pdf_figures

    pages = pdf_figures(brief_of(store, "zh"))[-len(BRIEF_CHARTS):]
    for name, page in zip(BRIEF_CHARTS, pages):
        assert page.layout.title.subtitle.text == CAPTIONS[name][0]
        assert not any(a.text == CAPTIONS[name][0] for a in page.layout.annotations)  # not over the top axis
        assert page.layout.margin.t >= 120  # room for title and caption above the plot


def test_a_chart_footer_names_the_public_list_not_its_file(store):
    from etl.reference import load_reference
    from exports.charts import footer_text

    info = {**store.info, "synthetic": False, "source_names": ["consortia.csv"],
            "public": {"count": 118, "as_of": "2026-02-13"}}
    lines = footer_text(Filters(), load_reference(), info, "zh").split("<br>")
    assert lines[2] == "来源：公开名录 · 118 个联合体 · 来源截至 2026年2月13日" and "consortia.csv" not in lines[2]
    demo = footer_text(Filters(), load_reference(), {**store.info, "synthetic": True, "source_names": ["demo.csv"]},
                       "en").split("<br>")
    assert demo[2:] == ["Source: demo.csv", "Synthetic demo data, not a real list"]  # said once, not twice


def test_a_chart_footer_says_which_chosen_filters_the_chart_sets_aside(store):
    from etl.reference import load_reference
    from exports.charts import footer_text

    ref, f = load_reference(), Filters(sector=("S3",), province="320000")
    heat = footer_text(f, ref, store.info, "zh", "sector-heatmap").split("<br>")[0]
    assert heat.endswith("（本图不按所选领域、省份筛选）")  # the heatmap shows every sector and province
    flows = footer_text(f, ref, store.info, "en", "collaboration-flows").split("<br>")[0]
    assert flows.endswith(" (this chart is not filtered by the chosen province)")
    assert "本图不按" not in footer_text(Filters(sector=("S3",)), ref, store.info, "zh", "clustering-map")
    assert "本图不按" not in footer_text(f, ref, store.info, "zh", "nothing-set-aside")


def test_text_pages_break_long_lines_to_the_page_width():
    from exports.brief import _text_page

    long = "a gap may be a missing list; " * 12  # about 350 characters, far wider than the page
    page = _text_page("Key figures", [long], "Source", "en")
    body = page.layout.annotations[1].text
    assert body.count("<br>") >= 2 and all(len(part) <= 230 for part in body.split("<br>"))


def test_a_province_brief_says_which_figures_stay_national(store):
    from analytics import views
    from etl.reference import load_reference
    from exports.brief import compose

    ref = load_reference()
    frames = views.Frames(store.consortia, store.technologies, store.members)
    brief = compose(frames, Filters(province="320000"), ref, {**store.info, "source_names": ["x.csv"]}, "zh")
    assert brief.summary[0].startswith("江苏：")  # the gaps are 江苏's
    assert brief.summary[1].endswith("（全国）。") and brief.summary[2].endswith("（全国）。")
    assert ("省际集中度 HHI（全国）" in dict(brief.key_figures))
    whole = compose(frames, Filters(), ref, {**store.info, "source_names": ["x.csv"]}, "zh")
    assert "（全国）" not in " ".join(whole.summary) and "省际集中度 HHI" in dict(whole.key_figures)


def test_a_province_brief_reads_no_gaps_from_a_province_whose_list_was_not_found(store):
    from analytics import views
    from etl.reference import load_reference
    from exports.brief import compose

    ref = load_reference()
    frames = views.Frames(store.consortia, store.technologies, store.members)
    empty = next(c for c in ref.province_codes if not (store.consortia["province"] == c).any())
    info = {**store.info, "source_names": ["x.csv"]}
    missing = compose(frames, Filters(province=empty), ref, {**info, "coverage": {empty: "none_found"}}, "zh")
    assert dict(missing.key_figures)["未覆盖卡脖子技术"] == "—"
    assert not any("尚无联合体覆盖" in line for line in missing.summary)
    # the same province with its list found: nothing there is a gap, and every technology is counted
    found = compose(frames, Filters(province=empty), ref, {**info, "coverage": {empty: "complete"}}, "zh")
    assert dict(found.key_figures)["未覆盖卡脖子技术"] == str(len(ref.technology_codes))
    assert "尚无联合体覆盖" in found.summary[0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_downloaded_list_read_back_in_is_the_same_list(tmp_path, monkeypatch, lang):
    """The staged report asks a steward for the whole list with their additions; the download is where they
    start: read back, it must reject nothing and change nothing (regional places, members' provinces)."""
    from analytics.planner import diff_snapshots
    from etl.ingest import ingest_paths, ingest_sources
    from etl.public import public_sources
    from etl.reference import load_reference
    from etl.store import _engine, get_engine, load_snapshot
    from exports.service import data_bytes

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'atlas.db'}")
    engine = get_engine()
    try:
        assert ingest_sources(engine, public_sources(), kind="public").published
        before = load_snapshot(engine)
        path = tmp_path / f"list-{lang}.csv"
        path.write_bytes(data_bytes("csv", Filters(), lang, before))
        assert ingest_paths(engine, [path]).published
        after = load_snapshot(engine)
        assert (after.info["rejected"], after.info["warnings"], len(after.consortia)) == (0, 0, len(before.consortia))
        d = diff_snapshots(*((s.id, s.consortia, s.technologies, s.members) for s in (before, after)), load_reference())
        assert (d["added"], d["removed"], d["changed"]) == ([], [], [])
    finally:
        _engine.cache_clear()


def test_an_exported_file_is_named_for_what_it_holds():
    from callbacks.exports import export_stem

    assert export_stem("brief", Filters(), "zh", "S1D") == "brief-S1D"
    assert export_stem("brief", Filters(province="360000", sector=("S3",), year_from=2020, year_to=2023), "en",
                       "S1D") == "brief-360000-S3-2020-2023-en-S1D"
    assert export_stem("consortia", Filters(level=("scope:national",)), "zh", "S1D") == "consortia-scopenational-S1D"
