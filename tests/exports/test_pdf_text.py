"""Chinese in exported PDFs reads back as drawn: the ToUnicode maps name ideographs, not radicals."""
import io

import plotly.graph_objects as go
import pytest

from exports.pdf_text import fix_cmap, radical_equivalents

HEAD = "begincmap\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"


def test_the_font_maps_the_radicals_chromium_names_to_their_ideographs():
    table = radical_equivalents()
    # ⼭ (Kangxi) and ⻓ ⻅ ⻢ (simplified radicals, which NFKC leaves alone) share their glyphs with 山 长 见 马
    assert {chr(k): chr(table[k]) for k in (0x2F2D, 0x2ED3, 0x2EC5, 0x2EE2)} == {
        "⼭": "山", "⻓": "长", "⻅": "见", "⻢": "马"}
    assert chr(table[0x3B35]) == "胶"  # an Extension A character drawn with the same glyph as 胶 (光刻胶)


def test_fix_cmap_rewrites_single_codes_and_splits_ranges_that_cross_a_radical():
    table = {0x2F2D: 0x5C71, 0x2ED3: 0x957F}
    cmap = (HEAD + "2 beginbfchar\n<0003> <2F2D>\n<0004> <4E1C>\nendbfchar\n"
            "2 beginbfrange\n<0010> <0012> <2ED2>\n<0020> <0021> <0030>\nendbfrange\nendcmap")
    fixed = fix_cmap(cmap, table)
    assert "2 beginbfchar\n<0003> <5C71>\n<0004> <4E1C>\nendbfchar" in fixed
    # 2ED2 2ED3 2ED4 from 0010: the middle one is a radical, so the range becomes three one-code ranges
    assert ("4 beginbfrange\n<0010> <0010> <2ED2>\n<0011> <0011> <957F>\n<0012> <0012> <2ED4>\n"
            "<0020> <0021> <0030>\nendbfrange") in fixed
    assert fix_cmap(HEAD + "1 beginbfchar\n<05> <0041>\nendbfchar\nendcmap", table).count("<0041>") == 1


@pytest.mark.slow
def test_an_exported_pdf_reads_back_the_chinese_it_draws():
    from pypdf import PdfReader

    from exports.render import render_figure
    words = "山东省 长江 见面 马鞍山 光刻胶 一"
    fig = go.Figure(go.Bar(x=["山东", "长江"], y=[1, 2]), layout=dict(title=words))
    raw = render_figure(fig, "pdf", 800, 500, scale=1, readable=False)
    assert "山东省" not in PdfReader(io.BytesIO(raw)).pages[0].extract_text()  # what Chromium writes: ⼭东省
    text = PdfReader(io.BytesIO(render_figure(fig, "pdf", 800, 500, scale=1))).pages[0].extract_text()
    assert words in text.replace("  ", " ")
