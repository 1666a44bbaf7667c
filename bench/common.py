"""Shared helpers: synthetic lists of any size, timing, peak memory of a child process."""
from __future__ import annotations

import csv
import os
import random
import resource
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROVINCES = ["浙江省", "北京", "Shanghai", "安徽省", "湖北", "江西省", "440000", "四川省", "长三角", "全国", "火星省"]
SECTORS = ["新材料产业", "生物产业", "New energy", "高端装备", "新一代信息技术产业", "量子产业"]
TECHS = ["光刻胶、芯片", "燃料电池关键材料", "CT球管|MRI", "", "工业软件；数据库", "暗物质"]


HEADER = ["联合体名称", "牵头单位", "所在省份", "所属领域", "攻关技术", "成员单位", "组建年份", "牵头单位类型"]


def list_rows(n: int, seed: int = 7) -> list[list[str]]:
    """n consortia shaped like the real lists (with some bad rows), as cells under HEADER."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        prov = rng.choice(PROVINCES)
        members = "；".join(f"成员{i}-{j}（{rng.choice(PROVINCES[:8])}）" for j in range(rng.randint(1, 4)))
        rows.append([f"测试创新联合体{i:06d}", f"领军企业{i}", prov, rng.choice(SECTORS), rng.choice(TECHS),
                     members, rng.choice(["2019", "2021", "2023", "待定"]), rng.choice(["央企", "民营企业", "高校"])])
    return rows


def write_list(path: Path, n: int, seed: int = 7) -> Path:
    """The list of ``list_rows`` as CSV (UTF-8 with BOM), XLSX (under a title row) or JSON, by suffix."""
    rows = list_rows(n, seed)
    if path.suffix == ".xlsx":
        import openpyxl
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("名单")
        ws.append([f"创新联合体名单（{n} 家）"])
        ws.append(HEADER)
        for r in rows:
            ws.append(r)
        wb.save(path)
    elif path.suffix == ".json":
        import json
        path.write_text(json.dumps([dict(zip(HEADER, r)) for r in rows], ensure_ascii=False), encoding="utf-8")
    else:
        with open(path, "w", newline="", encoding="utf-8-sig") as fh:
            w = csv.writer(fh)
            w.writerow(HEADER)
            w.writerows(rows)
    return path


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def revision_tree(rev: str, tmp: Path):
    """A temporary git worktree of ``rev`` under ``tmp``, with the built plotly.js bundle (a build output, not in
    git) copied in; removed afterwards."""
    tree = tmp / "base"
    subprocess.run(["git", "worktree", "add", "--detach", str(tree), rev], cwd=ROOT, check=True,
                   capture_output=True)
    bundle = ROOT / "assets" / "plotly-atlas.min.js"
    if bundle.exists():
        (tree / "assets" / bundle.name).write_bytes(bundle.read_bytes())
    try:
        yield tree
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True)


def published_store(tmp: Path, dataset: str) -> dict:
    """The environment of a new SQLite store under ``tmp`` holding ``python -m etl DATASET`` (demo, public)."""
    env = {"ATLAS_DATA_DIR": str(tmp / "data"), "DATABASE_URL": ""}
    (tmp / "data").mkdir()
    subprocess.run([sys.executable, "-m", "etl", dataset], cwd=ROOT, env={**os.environ, **env}, check=True,
                   capture_output=True)
    return env
