"""Images, briefing packs and data downloads."""
