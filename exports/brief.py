"""Briefing packs: a PowerPoint deck and a PDF of the current view, in Chinese or English.

Slides: title (scope, filters, date), key figures with an auto-written summary,
then the map, the sector heatmap, the technology-gap matrix, the clustering
result and the formation trend, each with a caption and a source line. The PDF's chart pages are
vector (kaleido's PDF); PowerPoint gets 2× PNGs (python-pptx cannot place SVG).
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import plotly.graph_objects as go

from analytics import views
from analytics.filters import Filters
from analytics.sources import list_missing
from etl.reference import Reference
from figures.narrative import (changes_reading, concentration_reading, coverage_caveats, cross_regional_reading,
                               gaps_reading, moran_reading)
from figures.text import fmt_datetime, fmt_int, public_note, sentence, t
from figures.theme import FONT_FAMILY

from .charts import build_chart, data_description, filters_in_words, wrap_line
from .render import render_figure

BRIEF_CHARTS = ("province-map", "sector-heatmap", "technology-gaps", "clustering-map", "trends-chart")
CAPTIONS = {
    "province-map": ("颜色越深，牵头单位位于该省的联合体越多；右下为南海诸岛。",
                     "Darker provinces lead more consortia; the inset shows the South China Sea Islands."),
    "sector-heatmap": ("各省在各领域的联合体数量。", "Consortia per province and sector."),
    "technology-gaps": ("红色：尚无联合体；橙色：仅 1–2 个。", "Red: no consortium yet; orange: only one or two."),
    "clustering-map": ("局部莫兰指数（LISA）识别的集聚与异常省份。", "Clusters and outliers by local Moran's I (LISA)."),
    "trends-chart": ("每年组建的联合体数量，按区域着色。", "Consortia formed each year, coloured by region."),
}


CHANGES_TITLE = ("自上一快照以来的变化", "What changed since the previous snapshot")
# Every page of the PDF, landscape: the text pages' and the maps' size; the taller charts are laid out to it.
PAGE_SIZE = (1400, 900)


@dataclass
class Brief:
    title: str
    subtitle: str
    key_figures: list[tuple[str, str]]
    summary: list[str]
    charts: dict[str, go.Figure]
    source_line: str
    lang: str
    changes: list[str] | None = None  # "what changed since the previous snapshot", when there is one


def compose(frames: views.Frames, f: Filters, ref: Reference, info: dict, lang: str = "zh",
            diff: dict | None = None) -> Brief:
    """Everything the pack says, computed once for both formats; ``diff`` (analytics.planner.diff_snapshots
    against the previous snapshot) adds a "what changed" page."""
    zh = lang == "zh"
    view = views.overview(frames, f, ref)
    clustering = views.clustering(frames, f, ref)
    k = view["kpis"]
    conc = view["concentration"]
    m = clustering["moran"]
    # Under a province the counts and gaps are the province's; concentration, reach and clustering compare
    # provinces, so they stay national and say so.
    national = (("（全国）" if zh else " (all of China)") if f.province else "")
    where = ref.province_label(f.province, lang) if f.province else ""
    # no gap is read from a province whose list was not found (its caveat, at the end, says why)
    no_list = list_missing(info.get("coverage", {}), f.province, k["total"])
    summary = [
        *([] if no_list else [gaps_reading(k["uncovered_codes"], ref, lang, where=where) + ("。" if zh else ".")]),
        concentration_reading(conc["top6"], conc["top6_share"], view["counts"], ref, lang) + national
        + ("。" if zh else "."),
        cross_regional_reading(view["cross_regional_share"], lang) + national + ("。" if zh else "."),
        moran_reading(m["moran_i"], m["p_value"], lang),  # global by name
    ]
    figures = [
        (t("kpi_total", lang), fmt_int(k["total"])),
        (t("kpi_provinces", lang), fmt_int(k["provinces"])),
        (t("kpi_uncovered", lang), "—" if no_list else fmt_int(k["uncovered"])),
        (("省际集中度 HHI" if zh else "Concentration across provinces (HHI)") + national, f"{conc['hhi']:.3f}"),
    ]
    date = fmt_datetime(info["published_at"], lang)
    subtitle = (f"范围：{filters_in_words(f, ref, lang)}\n数据快照 {info['id']} · {date}" if zh else
                f"Scope: {filters_in_words(f, ref, lang)}\nSnapshot {info['id']} · {date}")
    if info.get("synthetic"):
        subtitle += "\n演示数据（合成），非真实名单" if zh else "\nSynthetic demo data, not a real list"
    elif info.get("public"):
        subtitle += "\n" + public_note(info["public"]["count"], info["public"]["as_of"], lang)
        caveats = coverage_caveats(info.get("coverage", {}), ref, lang, f.province)
        summary.append(sentence(("；" if zh else "; ").join(caveats)) + ("。" if zh else "."))
    source = ("数据来源：" if zh else "Source: ") + data_description(info, lang) + (
        "；领域依据：孙莹璐、武虹、张煊（2022）" if zh else "; domain facts: Sun, Wu, Zhang (2022)")
    charts = {name: build_chart(name, frames, f, ref, info, lang, size=PAGE_SIZE) for name in BRIEF_CHARTS}
    return Brief(title="创新联合体布局简报" if zh else "Innovation consortia: briefing",
                 subtitle=subtitle, key_figures=figures, summary=summary, charts=charts, source_line=source,
                 lang=lang, changes=changes_lines(diff, ref, lang) if diff else None)


def changes_lines(diff: dict, ref: Reference, lang: str, show: int = 8) -> list[str]:
    """The "what changed" page: the reading, then the added, removed and changed consortia by name."""
    zh = lang == "zh"
    sep = "、" if zh else ", "

    def names(items: list[str]) -> str:
        return sep.join(items[:show]) + (("等" if zh else " and others") if len(items) > show else "") or "—"
    moves = [f"{ref.province_label(c, lang)} {n:+d}" for c, n in diff["by_province_delta"].items()
             if c in ref.provinces]
    return [changes_reading(diff, ref, lang),
            ("新增：" if zh else "Added: ") + names(diff["added"]),
            ("移除：" if zh else "Removed: ") + names(diff["removed"]),
            ("变更：" if zh else "Changed: ") + names([c["name"] for c in diff["changed"]]),
            ("省份变化：" if zh else "Provinces: ") + (sep.join(moves[:12]) or "—")]


def _text_box(slide, body: str, left, top, width, height, size=18, bold=False, grey=False, fit=False):
    """A text box on a slide, a paragraph per line of ``body``, in the CJK font; ``fit``: PowerPoint shrinks
    the text should it overflow the box."""
    from pptx.dml.color import RGBColor
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.util import Pt

    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    if fit:
        frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
    for i, line in enumerate(body.split("\n")):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.text = line
        para.font.size = Pt(size)
        para.font.bold = bold
        para.font.name = "Noto Sans CJK SC"
        if grey:
            para.font.color.rgb = RGBColor(0x6B, 0x6B, 0x6B)
    return box


def to_pptx(brief: Brief) -> bytes:
    """A 16:9 deck: title, key figures, one slide per chart with caption and source line."""
    from pptx import Presentation
    from pptx.util import Emu

    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)
    blank = prs.slide_layouts[6]
    title_layout = prs.slide_layouts[0]

    slide = prs.slides.add_slide(title_layout)
    slide.shapes.title.text = brief.title
    slide.placeholders[1].text = brief.subtitle
    # the layout's 4:3 boxes, centred on 16:9; all four sides set, as setting one leaves the others at 0
    for shape, top, height in ((slide.shapes.title, 1600000, 1500000), (slide.placeholders[1], 3250000, 2200000)):
        shape.left, shape.width = Emu(600000), prs.slide_width - Emu(1200000)
        shape.top, shape.height = Emu(top), Emu(height)

    slide = prs.slides.add_slide(blank)
    _text_box(slide, "关键数字" if brief.lang == "zh" else "Key figures", Emu(500000), Emu(300000), Emu(11000000),
              Emu(700000), 30, True)
    for i, (label, value) in enumerate(brief.key_figures):
        left = Emu(500000 + i * 2800000)
        _text_box(slide, value, left, Emu(1200000), Emu(2600000), Emu(900000), 40, True)
        _text_box(slide, label, left, Emu(2050000), Emu(2600000), Emu(600000), 14)
    _text_box(slide, "\n".join(f"• {s}" for s in brief.summary), Emu(500000), Emu(3000000), Emu(11000000),
              Emu(3000000), 18)
    _text_box(slide, brief.source_line, Emu(500000), Emu(6300000), Emu(11000000), Emu(400000), 10)

    if brief.changes:
        slide = prs.slides.add_slide(blank)
        _text_box(slide, CHANGES_TITLE[brief.lang == "en"], Emu(500000), Emu(300000), Emu(11000000), Emu(700000),
                  30, True)
        _text_box(slide, "\n".join(f"• {s}" for s in brief.changes), Emu(500000), Emu(1200000), Emu(11000000),
                  Emu(4800000), 16)
        _text_box(slide, brief.source_line, Emu(500000), Emu(6300000), Emu(11000000), Emu(400000), 10)

    for name, fig in brief.charts.items():
        slide = prs.slides.add_slide(blank)
        png = render_figure(fig, "png", fig.layout.width, fig.layout.height, scale=2)
        caption = CAPTIONS[name][0 if brief.lang == "zh" else 1]
        max_w, max_h = Emu(11200000), Emu(5500000)
        ratio = fig.layout.width / fig.layout.height
        width = min(max_w, Emu(int(max_h * ratio)))
        height = Emu(int(width / ratio))
        slide.shapes.add_picture(io.BytesIO(png), Emu((prs.slide_width - width) // 2), Emu(200000), width, height)
        _text_box(slide, caption, Emu(500000), Emu(5850000), Emu(11000000), Emu(400000), 14)
        _text_box(slide, brief.source_line, Emu(500000), Emu(6300000), Emu(11000000), Emu(400000), 10)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def _text_page(title: str, lines: list[str], small: str, lang: str, centred: bool = False) -> go.Figure:
    """A page of text only, drawn by the same renderer so fonts and PDF match the charts; ``centred`` puts
    the title and the lines in the middle of the page's width (the cover)."""
    x, anchor = (0.5, "center") if centred else (0, "left")  # the margins are even: the paper's middle is the page's
    fig = go.Figure()
    fig.update_layout(width=PAGE_SIZE[0], height=PAGE_SIZE[1], paper_bgcolor="white", plot_bgcolor="white",
                      xaxis=dict(visible=False), yaxis=dict(visible=False), font=dict(family=FONT_FAMILY),
                      margin=dict(l=60, r=60, t=60, b=60))
    fig.add_annotation(text=f"<b>{title}</b>", x=x, y=1, xref="paper", yref="paper", xanchor=anchor,
                       yanchor="top", showarrow=False, font=dict(size=34))
    # plotly.js does not wrap: each line is broken to the page's width (a long English line ran off it)
    lines = ["<br>".join(wrap_line(line, PAGE_SIZE[0] - 120, 20)) for line in lines]
    fig.add_annotation(text="<br><br>".join(lines), x=x, y=0.82, xref="paper", yref="paper", xanchor=anchor,
                       yanchor="top", showarrow=False, align=anchor, font=dict(size=20))
    fig.add_annotation(text=small, x=0, y=0, xref="paper", yref="paper", xanchor="left", yanchor="bottom",
                       showarrow=False, font=dict(size=12, color="#888"))
    return fig


def pdf_pages(with_changes: bool) -> int:
    """How many pages to_pdf renders: a title page, the key figures, what changed (when an earlier
    snapshot exists) and one page per chart."""
    return 2 + with_changes + len(BRIEF_CHARTS)


def pdf_figures(brief: Brief) -> list[go.Figure]:
    """The PDF's pages as figures, each PAGE_SIZE: the cover, key figures, what changed (when there is a diff),
    then each chart with its caption."""
    zh = brief.lang == "zh"
    pages = [
        _text_page(brief.title, brief.subtitle.split("\n"), brief.source_line, brief.lang, centred=True),
        _text_page("关键数字" if zh else "Key figures",
                   [" · ".join(f"{label} {value}" for label, value in brief.key_figures)] + brief.summary,
                   brief.source_line, brief.lang),
    ]
    if brief.changes:
        pages.append(_text_page(CHANGES_TITLE[not zh], brief.changes, brief.source_line, brief.lang))
    for name, fig in brief.charts.items():
        page = go.Figure(fig)
        # the caption under the title, in the title's block: above the plot it ran into top axis labels and
        # the trend's reading
        page.update_layout(title=dict(subtitle=dict(text=CAPTIONS[name][0 if zh else 1], font=dict(size=14)),
                                      y=1, yref="container", yanchor="top", pad=dict(t=20)),
                           margin=dict(t=(page.layout.margin.t or 80) + 40))
        pages.append(page)
    return pages


def to_pdf(brief: Brief) -> bytes:
    """Title page, key figures, then each chart as a vector page, merged into one PDF of PAGE_SIZE pages."""
    from pypdf import PdfWriter

    from .pdf_text import readable_cjk

    writer = PdfWriter()
    for fig in pdf_figures(brief):
        writer.append(io.BytesIO(render_figure(fig, "pdf", *PAGE_SIZE, scale=1, readable=False)))
    out = io.BytesIO()
    writer.write(out)
    return readable_cjk(out.getvalue())  # once for the merged pack


EMU_PER_INCH = 914400


def profile_slide_pptx(title: str, lines: list[str], source_line: str, render_charts) -> bytes:
    """A 16:9 deck of one slide: the province profile's title, lines and source as editable text, its two
    charts as a picture in the room left between them. ``render_charts(width, height)`` gives the charts'
    PNG drawn at that size in pixels (at twice the scale), so they fill that room without distortion."""
    from pptx import Presentation
    from pptx.util import Emu

    inch = EMU_PER_INCH
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    left, width = Emu(int(0.5 * inch)), Emu(int(12.33 * inch))

    def box(body: str, top: float, height: float, size: int, **style):  # each shrinks should its text overflow
        _text_box(slide, body, left, Emu(int(top * inch)), width, Emu(int(height * inch)), size, fit=True, **style)

    paragraphs = [part for line in lines for part in line.split("\n") if part]
    box(title, 0.3, 0.6, 28, bold=True)
    # 14-point lines (about 19 px) in a 12.33-inch box (about 1180 px), 0.25 inch each as wrap_line breaks them
    height = 0.25 * sum(len(wrap_line(p, 1180, size=19)) for p in paragraphs) + 0.1
    box("\n".join(paragraphs), 0.95, height, 14)
    top = 0.95 + height + 0.1
    room = max(7.0 - top, 2.0)  # inches left for the charts above the source line
    px_w = 1400
    px_h = max(int(px_w * room / 12.33), 300)
    png = render_charts(px_w, px_h)
    pic_h = int(room * inch)
    pic_w = min(width, int(pic_h * px_w / px_h))
    pic_h = int(pic_w * px_h / px_w)
    slide.shapes.add_picture(io.BytesIO(png), Emu(left + (width - pic_w) // 2), Emu(int(top * inch)),
                             Emu(pic_w), Emu(pic_h))
    box(source_line, 7.05, 0.35, 10, grey=True)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
