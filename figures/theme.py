"""One theme for every figure: CJK-capable fonts and colour-blind-safe scales."""
from __future__ import annotations

FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"

# Sequential, monotone in lightness: readable for colour-blind viewers and in greyscale print.
SEQUENTIAL = [[0.0, "#eef2f6"], [0.15, "#deebf7"], [0.3, "#c6dbef"], [0.45, "#9ecae1"],
              [0.6, "#6baed6"], [0.75, "#3182bd"], [0.9, "#08519c"], [1.0, "#08306b"]]
# Diverging around 1 for location quotients (blue = under-, orange = over-represented); centred() puts 1 in place.
DIVERGING = [[0.0, "#2166ac"], [0.25, "#92c5de"], [0.5, "#f7f7f7"], [0.75, "#f4a582"], [1.0, "#b2182b"]]
LISA_COLOURS = {"hh": "#b2182b", "ll": "#2166ac", "hl": "#f4a582", "lh": "#92c5de", "ns": "#e0e0e0"}
GAP_COLOURS = [[0.0, "#b2182b"], [0.33, "#b2182b"], [0.33, "#fdb863"], [0.66, "#fdb863"],
               [0.66, "#ffffff"], [1.0, "#4393c3"]]
# Okabe–Ito: told apart with the common colour-vision deficiencies; national and regional in greys.
GROUP_COLOURS = {"东部": "#0072B2", "中部": "#E69F00", "西部": "#009E73", "东北": "#CC79A7", "港澳台": "#56B4E9",
                 "national": "#555555", "regional": "#AAAAAA"}
BORDER = "#8c96a0"
INK = "#333333"
MUTED = "#888888"


def base_layout(title: str = "", **extra) -> dict:
    """Layout settings shared by every figure."""
    layout = dict(
        font=dict(family=FONT_FAMILY, size=13, color=INK),
        paper_bgcolor="white", plot_bgcolor="white",
        margin=dict(l=10, r=10, t=50 if title else 10, b=10),
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=17)) if title else None,
    )
    layout.update(extra)
    return layout


def centred(scale: list, mid: float, low: float, high: float) -> list:
    """``scale`` with its middle colour (at 0.5) moved to ``mid`` of the range ``low``..``high``, each
    half stretched to fit. plotly.js ignores zmid once zmin and zmax are given, so a diverging scale
    over 0..6 would put its neutral colour at 3, not at an LQ of 1: the stops must do it."""
    middle = (mid - low) / ((high - low) or 1)
    return [[position / 0.5 * middle if position <= 0.5 else middle + (position - 0.5) / 0.5 * (1 - middle), colour]
            for position, colour in scale]


WHOLE_TICKS_UP_TO = 8  # a count scale this short ticks whole consortia: plotly's own choice there is 0, 0.5, 1 …


def whole_ticks(top: float) -> dict:
    """The axis or colour-bar settings of a count scale up to ``top``: every whole consortium up to
    WHOLE_TICKS_UP_TO, never a half one; {} (plotly's choice) for a longer scale."""
    return {"tick0": 0, "dtick": 1} if top <= WHOLE_TICKS_UP_TO else {}


def colour_bar(title: str, counts_up_to: float | None = None, **more) -> dict:
    """A colour bar: the title on top, each tick label hanging below its tick. Centred on its tick, the top
    label rose above the bar into the title's line and the two overprinted (heatmaps, the map).
    ``counts_up_to``: the top of a count scale (see whole_ticks)."""
    if counts_up_to is not None:
        more = {**whole_ticks(counts_up_to), **more}
    return dict(title=dict(text=title, side="top"), thickness=12, ticklabelposition="outside bottom", **more)
