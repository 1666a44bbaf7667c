"""Run refreshes on the configured cron schedule until stopped (APScheduler)."""
from __future__ import annotations

import logging

from sqlalchemy.engine import Engine

from .refresh import RefreshConfig, refresh

log = logging.getLogger("atlas.schedule")


def build_scheduler(engine: Engine, cfg: RefreshConfig, blocking: bool = True):
    """A scheduler with one refresh job: never two at once, missed runs coalesced into one."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone=cfg.timezone)

    def job() -> None:
        result = refresh(engine, cfg)
        log.info("refresh %s %s %s", result.status, result.snapshot_id or "", "; ".join(result.messages))

    scheduler.add_job(job, CronTrigger.from_crontab(cfg.schedule, timezone=cfg.timezone), id="refresh",
                      max_instances=1, coalesce=True, misfire_grace_time=3600)
    return scheduler
