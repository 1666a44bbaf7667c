"""Every setting from the environment, every path from ``__file__``.

Nothing here touches the disk or the network: importing config is free.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent
REFERENCE_DIR = ROOT / "data" / "reference"
BOUNDARIES_DIR = ROOT / "data" / "boundaries"
ASSETS_DIR = ROOT / "assets"


def data_dir() -> Path:
    """Where the embedded database, the refresh lock and exports live (``ATLAS_DATA_DIR``)."""
    return Path(os.environ.get("ATLAS_DATA_DIR", ROOT / "data"))


def database_url() -> str:
    """The SQLAlchemy URL of the store: ``DATABASE_URL`` or the embedded SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    return f"sqlite:///{data_dir() / 'atlas.db'}"


def max_file_bytes() -> int:
    """Files above this size are refused before they are read (default 200 MB)."""
    return int(os.environ.get("ATLAS_MAX_FILE_MB", "200")) * 1024 * 1024


def snapshots_kept() -> int:
    """How many published snapshots the store keeps; older ones are pruned."""
    return max(1, int(os.environ.get("ATLAS_KEEP_SNAPSHOTS", "10")))


def sources_file() -> Path:
    """The refresh configuration (TOML): sources and cron schedule."""
    return Path(os.environ.get("ATLAS_SOURCES", ROOT / "sources.toml"))


def lock_file() -> Path:
    return data_dir() / "refresh.lock"


PORT = int(os.environ.get("PORT", "8050"))
HOST = os.environ.get("HOST", "127.0.0.1")
DEMO_SEED = int(os.environ.get("ATLAS_DEMO_SEED", "2022"))
