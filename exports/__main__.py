"""python -m exports {brief,chart,data,profile} — briefing material from the command line (and schedules).

  python -m exports brief --filters "sector=S3&technology=T01" --lang zh --out brief.pptx   (or .pdf)
  python -m exports chart province-map --format svg --out map.svg
  python -m exports data --filters "province=330000" --out records.xlsx                    (or .csv)
  python -m exports profile 江西 --out jiangxi.pdf                                          (or .pptx)
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analytics.filters import Filters

from .charts import CHARTS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m exports", description="Consortium Atlas exports")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("brief", "chart", "data", "profile"):
        p = sub.add_parser(name)
        if name == "chart":
            p.add_argument("chart", choices=CHARTS)
            p.add_argument("--format", choices=("png", "svg", "pdf"))
        if name == "profile":
            p.add_argument("province", help="code or any place form: 360000, 江西, Jiangxi")
        p.add_argument("--filters", default="", help="URL query, e.g. 'sector=S3&province=330000'")
        p.add_argument("--lang", choices=("zh", "en"), default="zh")
        p.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    out = Path(args.out)
    f = Filters.from_query(args.filters)
    fmt = (getattr(args, "format", None) or out.suffix.lstrip(".")).lower()
    try:
        from . import service

        if args.command == "brief":
            data = service.brief_bytes(fmt, f, args.lang)
        elif args.command == "chart":
            data = service.chart_bytes(args.chart, fmt, f, args.lang)
        elif args.command == "profile":
            from etl.normalise import province_code
            code = province_code(args.province)
            if code is None:
                raise LookupError(f"{args.province!r} is not one of the 34 provincial units")
            data = service.profile_bytes(code, fmt, args.lang, f=f)
        else:
            data = service.data_bytes(fmt, f, args.lang)
    except (LookupError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # rendering or database trouble: one line, never a traceback
        print(f"error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", file=sys.stderr)
        return 1
    finally:
        from .render import stop_renderer

        stop_renderer()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"wrote {out} ({len(data) / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
