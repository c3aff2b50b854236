"""A sync process for the crash test: syncs a deterministic synthetic platform into the database.

    python -m tests.ingest.sync_worker SOURCE_ID TOTAL   (settings from KAPWA_* environment variables)
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time

from kapwa.connectors.base import BaseConnector, Batch, InboundAuthor, InboundItem
from kapwa.core.runtime import Runtime
from kapwa.core.settings import load_settings
from kapwa.ingest.sync import sync_source

T0 = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def item(n: int) -> InboundItem:
    """Message n of the synthetic platform: every 7th starts a thread, the rest reply inside one."""
    root = n - (n % 7)
    return InboundItem(
        platform_message_id=f"m{n}",
        created_at=T0 + dt.timedelta(seconds=n),
        text=f"message number {n} sa thread {root}",
        author=InboundAuthor(platform_user_id=f"u{n % 23}", handle=f"user{n % 23}"),
        thread_id=f"t{root}",
        parent_id=None if n == root else f"m{n - 1}",
        kind="post" if n == root else "reply",
    )


class SyntheticPlatform(BaseConnector):
    kind = "synthetic"

    def __init__(self, total: int, page: int = 20):
        super().__init__({}, {})
        self.total, self.page = total, page

    def fetch(self, cursor):
        start = json.loads(cursor)["next"] if cursor else 0
        for offset in range(start, self.total, self.page):
            end = min(offset + self.page, self.total)
            time.sleep(0.02)  # a platform round trip
            yield Batch(items=[item(n) for n in range(offset, end)], cursor=json.dumps({"next": end}))


def main() -> None:
    source_id, total = int(sys.argv[1]), int(sys.argv[2])
    rt = Runtime.from_settings(load_settings())
    print("syncing", flush=True)  # the crash test waits for this, so kills land during the sync
    outcome = sync_source(rt, source_id, connector=SyntheticPlatform(total), analyze=False)
    print(json.dumps({"ok": outcome.ok, "inserted": outcome.result.inserted, "error": outcome.error}))
    sys.exit(0 if outcome.ok else 1)


if __name__ == "__main__":
    main()
