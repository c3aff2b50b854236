"""The inbox's rows: what a row shows (member, tags, source, assignee, badges), and a page reads the same
number of SQL statements however many rows it shows (no query per row)."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from kapwa.core.models import Role
from kapwa.inbox.desk import update_conversations
from tests.inbox.inbox_world import tag


def row_of(html: str, conv_id: int) -> str:
    row = html[html.index(f'<tr data-conversation-id="{conv_id}"'):]
    return row[:row.index("</tr>")]


def statements(rt, client, path: str) -> int:
    seen = []

    def count(*_):
        seen.append(1)

    event.listen(rt.db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(rt.db.engine, "before_cursor_execute", count)
    return len(seen)


def test_a_row_shows_its_member_tags_source_and_assignee(web, world):
    html = web.get("/inbox").text
    angry = row_of(html, world.convs["angry"].id)
    assert f'<a href="/members/{world.members["maria"].id}">Maria Clara</a> <span class="badge vip">VIP</span>' in angry
    assert '<div class="tags"><span class="chip">refund</span></div>' in angry
    assert '<span class="chip chip-discord">discord</span>' in angry
    assert '<td data-field="assignee">—</td>' in angry
    refund = row_of(html, world.convs["refund"].id)
    assert '<span class="chip chip-discourse">discourse</span>' in refund
    assert '<td data-field="assignee">Dina Moderator</td>' in refund
    assert '<span class="status status-pending">pending</span>' in refund
    assert "2 messages</div>" in refund and "1 message</div>" in angry


@pytest.mark.parametrize("path", ["/inbox", "/conversations"])
def test_no_query_per_row(rt, factory, web, world, path):
    before = statements(rt, web, path)
    more = []
    for i in range(6):
        source = factory.source("reddit" if i % 2 else "telegram", name=f"Extra {i}")
        member = factory.member(f"Extra member {i}", is_vip=bool(i % 2))
        assignee = factory.user(Role.moderator, name=f"Extra mod {i}")
        conv = factory.conversation(source, title=f"Extra {i}", started_by_member_id=member.id,
                                    assignee_id=assignee.id, message_count=i + 1, status="open")
        tag(rt, conv, f"extra-{i}")
        more.append(conv)
    update_conversations(rt, [c.id for c in more])
    assert statements(rt, web, path) == before
    html = web.get(path).text
    for i, conv in enumerate(more):
        row = row_of(html, conv.id)
        assert f"Extra member {i}</a>" in row and f'<span class="chip">extra-{i}</span>' in row
        assert f"Extra mod {i}</td>" in row
