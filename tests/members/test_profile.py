"""The member profile: every section shows what a community manager checks, the timeline interleaves and pages
correctly, the team's actions (tags, notes, tasks) work and notify, and hostile member text stays text."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from sqlalchemy import insert

from kapwa.core.actions import Actor
from kapwa.core.models import Activity, AuditEntry, Message, Note, Notification, Role, Task, utcnow
from kapwa.members import actions, merge, timeline
from kapwa.team import notifications
from tests.support.web import csrf_of, login

NOW = utcnow()


def ago(**kw) -> dt.datetime:
    return NOW - dt.timedelta(**kw)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start:html.index("</section>", start)]


def add_activity(rt, member, source, type_, at, title=None, message=None, identity=None):
    with rt.db.write_sessions() as s, s.begin():
        row = Activity(workspace_id=member.workspace_id, member_id=member.id, source_id=source.id if source else None,
                       identity_id=identity.id if identity else None, message_id=message.id if message else None,
                       type=type_, occurred_at=at, title=title)
        s.add(row)
    return row


def actor(user) -> Actor:
    return Actor(workspace_id=user.workspace_id, user_id=user.id, role=Role(user.role), name=user.name)


@pytest.fixture
def world(factory, rt):
    discord = factory.source("discord", name="Bayani Discord")
    forum = factory.source("discourse", name="Bayani Forum")
    maria = factory.member("Maria Santos", location="Cebu City", first_seen_at=ago(days=200),
                           last_active_at=ago(hours=2), avatar_url="https://cdn.example.org/maria.png",
                           is_vip=True, level=3, segment="champion")
    d = factory.identity(maria, discord, handle="maria_s", profile_url="https://discord.com/users/1",
                         email="maria@example.org", email_verified=True, first_seen_at=ago(days=200),
                         last_seen_at=ago(hours=2))
    f = factory.identity(maria, forum, handle="msantos", profile_url="http://forum.example.org/u/msantos",
                         first_seen_at=ago(days=30), last_seen_at=ago(days=3))
    open_conv = factory.conversation(discord, title="Cash-in did not arrive", status="open",
                                     started_by_member_id=maria.id, last_message_at=ago(hours=2), priority_score=70,
                                     priority_reasons=[["negative", 30], ["waiting 5 h", 25], ["VIP member", 15]])
    other_thread = factory.conversation(forum, title="Best way to send money home?", status="new",
                                        last_message_at=ago(days=3))
    done_conv = factory.conversation(discord, title="Old resolved thing", status="resolved",
                                     started_by_member_id=maria.id)
    m1 = factory.message(open_conv, "Hindi pa rin dumating yung cash-in ko!", identity=d, created_at=ago(hours=5),
                         language="tl", sentiment_label="negative", sentiment_score=-0.7, intent="complaint")
    m2 = factory.message(open_conv, "Reference number 12345 po", identity=d, created_at=ago(hours=2),
                         language="tl", is_taglish=True, sentiment_label="neutral", sentiment_score=0.0,
                         intent="question", needs_answer=True)
    m3 = factory.message(other_thread, "I use the QR Ph transfer, it works well.", identity=f,
                         created_at=ago(days=3), language="en", sentiment_label="positive", sentiment_score=0.6)
    factory.message(done_conv, "Thanks, solved!", identity=d, created_at=ago(days=20), language="en",
                    sentiment_score=0.5)
    # Ingest's own "posted" activity for m1 must not show twice; a reaction and a join are their own items.
    add_activity(rt, maria, discord, "posted", m1.created_at, title="Hindi pa rin dumating", message=m1, identity=d)
    add_activity(rt, maria, discord, "reacted", ago(hours=3), title="👍 on an announcement")
    add_activity(rt, maria, forum, "joined", ago(days=30), title="Joined Bayani Forum")
    team = {"owner": factory.user(Role.owner, name="Olivia Owner"),
            "mod": factory.user(Role.moderator, name="Jun Reyes", email="jun.reyes@bayanipay.ph"),
            "manager": factory.user(Role.manager, name="Bea Mendoza", email="bea@bayanipay.ph"),
            "analyst": factory.user(Role.analyst, name="Ana Lyst")}
    return {"maria": maria, "discord": discord, "forum": forum, "d": d, "f": f, "open": open_conv,
            "other": other_thread, "done": done_conv, "m1": m1, "m2": m2, "m3": m3, "team": team}


def page(client, world, user, **params):
    login(client, user.email)
    r = client.get(f"/members/{world['maria'].id}", params=params)
    assert r.status_code == 200
    return r.text


# ------------------------------------------------------------------------------------------------- sections


def test_header_shows_who_this_is(client, world):
    html = page(client, world, world["team"]["analyst"])
    head = text_of(html[html.index('id="profile"'):html.index('class="member-facts"')])
    assert "Maria Santos" in head and "VIP" in head and "Cebu City" in head and "First seen" in head
    assert '<img class="avatar" src="https://cdn.example.org/maria.png"' in html
    assert 'referrerpolicy="no-referrer"' in html
    facts = text_of(html[html.index('class="member-facts"'):html.index("</dl>")])
    assert "Level 3" in facts and "Segment champion" in facts
    assert "Messages 4" in facts and "Conversations 3 (2 started)" in facts and "Questions asked 1" in facts
    assert "Open conversations 2" in facts
    assert "Writes in English 50%, Taglish 25%, Tagalog 25%" in facts  # most used first
    assert "Other activity joined 1, reacted 1" in facts


def test_level_and_segment_say_not_computed_and_only_https_avatars_show(client, world, factory):
    plain = factory.member("Juan dela Cruz", avatar_url="http://tracker.example/juan.png")
    login(client, world["team"]["analyst"].email)
    html = client.get(f"/members/{plain.id}").text
    facts = text_of(html[html.index('class="member-facts"'):html.index("</dl>")])
    assert "Level not computed yet" in facts and "Segment not computed yet" in facts
    assert "tracker.example" not in html and '<span class="avatar initials" aria-hidden="true">JC</span>' in html
    assert "No identities." in html and "No activity yet." in html and "No tasks." in html


def test_identities_on_every_platform(client, world):
    html = section(page(client, world, world["team"]["analyst"]), "identities")
    rows = html.split("<tr id=\"identity-")[1:]
    assert len(rows) == 2
    discord, forum = rows
    assert 'chip-discord' in discord and 'href="https://discord.com/users/1"' in discord
    assert "maria@example.org" in discord and ">verified<" in discord and "Bayani Discord" in discord
    assert '<td class="num">3</td>' in discord and '<td class="num">1</td>' in forum  # messages through each
    assert "hours ago" in discord and "months ago" in discord  # last and first seen
    assert "chip-discourse" in forum and "msantos" in forum and "http://forum" not in forum  # not linked: not https
    assert "Unmerge" not in html  # nothing came from a merge


def test_an_identity_from_a_merge_can_be_split_off_again(client, world, factory, rt):
    dupe = factory.member("maria s.")
    tg = factory.source("telegram", name="Bayani Telegram")
    factory.identity(dupe, tg, handle="mariatg")
    manager = world["team"]["manager"]
    row = merge.do_merge_members(rt, actor(manager), world["maria"].id, dupe.id)
    html = page(client, world, world["team"]["mod"])
    assert "From the merge with" in section(html, "identities") and "Unmerge" not in section(html, "identities")
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    html = section(page(client, world, manager), "identities")
    assert "mariatg" in html and f'action="/members/merges/{row.id}/undo"' in html and "Unmerge" in html
    r = client.post(f"/members/merges/{row.id}/undo", data={"csrf_token": csrf_of(client),
                                                            "next": f"/members/{world['maria'].id}#identities"})
    assert r.status_code == 200
    assert "mariatg" not in section(r.text, "identities")


def test_timeline_interleaves_messages_and_activities_by_time(client, world):
    html = section(page(client, world, world["team"]["analyst"]), "activity")
    items = re.findall(r'<li class="tl-item tl-(message|activity)"', html)
    body = text_of(html)
    order = ["Reference number 12345", "👍 on an announcement", "Hindi pa rin dumating yung cash-in ko!",
             "I use the QR Ph", "Thanks, solved!", "Joined Bayani Forum"]
    positions = [body.index(x) for x in order]
    assert positions == sorted(positions)
    assert items == ["message", "activity", "message", "message", "message", "activity"]  # the posted one: once
    assert body.count("Hindi pa rin dumating") == 1
    assert f'href="/conversations/{world["open"].id}#msg-{world["m2"].id}"' in html
    # labels on each message: sentiment, intent, language, needs answer
    first = html[html.index('<li class="tl-item'):html.index("</ul>", html.index('<li class="tl-item'))]
    assert "Sentiment:</span> neutral" in first and "Intent:</span> question" in first
    assert "Taglish" in first and "Needs an answer" in first


def test_timeline_filters_by_platform_and_type(client, world):
    login(client, world["team"]["analyst"].email)
    mid = world["maria"].id
    html = section(client.get(f"/members/{mid}", params={"tl_platform": "discourse"}).text, "activity")
    assert "I use the QR Ph" in html and "Joined Bayani Forum" in html and "Reference number" not in html
    html = section(client.get(f"/members/{mid}", params={"tl_type": "message"}).text, "activity")
    assert "tl-activity" not in html and html.count("tl-item tl-message") == 4
    html = section(client.get(f"/members/{mid}", params={"tl_type": "reacted"}).text, "activity")
    assert html.count('class="tl-item') == 1 and "👍" in html
    html = section(client.get(f"/members/{mid}", params={"tl_platform": "reddit"}).text, "activity")
    assert "Nothing matches these filters." in html


def test_timeline_pages_through_thousands_without_gaps_or_repeats(rt, factory, world):
    maria, d, conv = world["maria"], world["d"], world["open"]
    base = ago(days=10)
    msgs = [{"workspace_id": maria.workspace_id, "source_id": conv.source_id, "conversation_id": conv.id,
             "platform_message_id": f"bulk{i}", "member_id": maria.id, "author_identity_id": d.id,
             "text": f"bulk {i}", "created_at": base - dt.timedelta(minutes=i // 3),  # ties: 3 per minute
             "ingested_at": NOW, "raw": {}, "analysis_versions": {}, "kind": "post", "direction": "inbound"}
            for i in range(3000)]
    acts = [{"workspace_id": maria.workspace_id, "member_id": maria.id, "source_id": conv.source_id,
             "type": "reacted", "occurred_at": base - dt.timedelta(minutes=i * 2), "title": f"react {i}",
             "properties": {}, "weight": 1.0, "created_at": NOW} for i in range(500)]  # same times as messages too
    with rt.db.write_sessions() as s, s.begin():
        s.execute(insert(Message), msgs)
        s.execute(insert(Activity), acts)
    seen: list[tuple] = []
    cursor, pages, slowest = None, 0, 0.0
    with rt.db.sessions() as s:
        while True:
            t0 = time.perf_counter()
            pg = timeline.member_timeline(s, maria.workspace_id, maria.id, before=cursor, limit=50)
            slowest = max(slowest, time.perf_counter() - t0)
            seen += [i.key for i in pg.items]
            pages += 1
            if not pg.next_cursor:
                break
            cursor = pg.next_cursor
    assert len(seen) == len(set(seen)) == 3000 + 500 + 4 + 2  # + the world's 4 messages and 2 activities
    assert seen == sorted(seen, reverse=True) and pages == -(-len(seen) // 50)
    # Generous for a busy 2-core machine; the plans test below checks the index use itself.
    assert slowest < 2, f"a timeline page took {slowest:.3f} s"


def test_timeline_cursor_that_is_garbage_starts_over(rt, world):
    with rt.db.sessions() as s:
        first = timeline.member_timeline(s, world["maria"].workspace_id, world["maria"].id, limit=2)
        again = timeline.member_timeline(s, world["maria"].workspace_id, world["maria"].id, before="x.y", limit=2)
    assert [i.key for i in first.items] == [i.key for i in again.items] and first.next_cursor


def test_older_activity_link_and_fragment(client, world):
    login(client, world["team"]["analyst"].email)
    mid = world["maria"].id
    with_more = client.get(f"/api/v1/members/{mid}/timeline", params={"limit": 2}).json()
    cursor = with_more["next_cursor"]
    fragment = client.get(f"/members/{mid}/timeline", params={"before": cursor}).text
    assert "<html" not in fragment and fragment.count('class="tl-item') == 4
    assert "Hindi pa rin dumating yung cash-in ko!" in fragment and "Reference number" not in fragment
    full = client.get(f"/members/{mid}", params={"tl_before": cursor}).text
    assert "Back to the newest" in full and "Reference number 12345" not in section(full, "activity")


def test_sentiment_chart_counts_messages_per_week(client, world):
    html = section(page(client, world, world["team"]["analyst"]), "sentiment")
    most = max(int(n) for n in re.findall(r"Week of \d{4}-\d\d-\d\d: [^<]*?(\d+) messages", html))
    assert '<svg class="volume-chart"' in html and f"Messages per week, {most} at most" in html
    volume = html[html.index('<svg class="volume-chart"'):]
    assert volume.count('<rect class="vol"') == len(re.findall(r"Week of [\d-]+: \d+ messages", volume)) >= 2


def test_open_conversations_with_their_priority_reasons(client, world):
    html = section(page(client, world, world["team"]["analyst"]), "open-conversations")
    assert "Cash-in did not arrive" in html and "Best way to send money home?" in html  # started or wrote in
    assert "Old resolved thing" not in html
    assert html.index("Cash-in did not arrive") < html.index("Best way to send money home?")  # most urgent first
    assert "negative" in html and "waiting 5 h" in html and "VIP member" in html and "unassigned" in html


def test_tags_add_and_remove(client, world, rt):
    login(client, world["team"]["mod"].email)
    mid, csrf = world["maria"].id, csrf_of(client)
    client.post(f"/members/{mid}/tags", data={"tag": " Ambassador ", "csrf_token": csrf})
    html = section(client.get(f"/members/{mid}").text, "tags")
    assert '<li class="chip">ambassador' in html and 'aria-label="Remove tag ambassador"' in html
    client.post(f"/members/{mid}/tags", data={"tag": "ambassador", "remove": "true", "csrf_token": csrf})
    assert "No tags." in section(client.get(f"/members/{mid}").text, "tags")
    login(client, world["team"]["analyst"].email)
    assert "Remove tag" not in client.get(f"/members/{mid}").text


def test_note_with_a_mention_notifies_the_teammate(client, world, rt):
    mod, manager = world["team"]["mod"], world["team"]["manager"]
    login(client, mod.email)
    mid = world["maria"].id
    r = client.post(f"/members/{mid}/notes", data={"body": "@Bea she is upset, call her <b>today</b>",
                                                   "csrf_token": csrf_of(client)}, follow_redirects=False)
    assert r.status_code == 303 and re.fullmatch(rf"/members/{mid}#note-\d+", r.headers["location"])
    html = section(client.get(f"/members/{mid}").text, "notes")
    assert "@Bea she is upset, call her &lt;b&gt;today&lt;/b&gt;" in html and "Jun Reyes" in html
    with rt.db.sessions() as s:
        (n,), _ = notifications.notifications_for(s, manager.id)
        assert notifications.unread_count(s, mod.id) == 0  # not the author
    assert n.kind == "mention" and n.url == r.headers["location"]
    assert n.text.startswith("Jun Reyes mentioned you in a note on Maria Santos: @Bea she is upset")


def test_notes_are_deleted_by_their_author_or_a_manager(world, rt):
    mod, manager, owner = world["team"]["mod"], world["team"]["manager"], world["team"]["owner"]
    mine = actions.do_add_member_note(rt, actor(mod), world["maria"].id, "mine")
    theirs = actions.do_add_member_note(rt, actor(owner), world["maria"].id, "theirs")
    with pytest.raises(Exception, match="only its author or a manager"):
        actions.do_delete_member_note(rt, actor(mod), theirs.id)
    actions.do_delete_member_note(rt, actor(mod), mine.id)
    actions.do_delete_member_note(rt, actor(manager), theirs.id)
    with rt.db.sessions() as s:
        assert s.query(Note).count() == 0
        assert s.query(AuditEntry).filter_by(action="member.note_delete").count() == 2


def test_tasks_with_due_date_and_assignee(client, world, rt):
    mod, manager = world["team"]["mod"], world["team"]["manager"]
    login(client, mod.email)
    mid, csrf = world["maria"].id, csrf_of(client)
    yesterday = (NOW - dt.timedelta(days=2)).date().isoformat()
    r = client.post(f"/members/{mid}/tasks", data={"title": "Call about the refund", "due": yesterday,
                                                   "assignee_id": str(manager.id), "csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 303
    client.post(f"/members/{mid}/tasks", data={"title": "Send a thank-you", "csrf_token": csrf})
    html = section(client.get(f"/members/{mid}").text, "tasks")
    at = html.index("Call about the refund")
    assert "task overdue" in html[html.rindex("<li", 0, at):at]
    assert "Overdue" in text_of(html) and "Bea Mendoza" in html and "Jun Reyes" in html
    with rt.db.sessions() as s:
        task = s.query(Task).filter_by(title="Call about the refund").one()
        assert task.assignee_id == manager.id and task.due_at < NOW
        (n,), _ = notifications.notifications_for(s, manager.id)
        assert notifications.unread_count(s, mod.id) == 0  # own task: no notification to self
    assert n.kind == "task" and "Call about the refund" in n.text and n.url == f"/members/{mid}#task-{task.id}"
    # The assignee finishes it; whoever created it hears about it.
    actions.do_complete_task(rt, actor(manager), task.id)
    with rt.db.sessions() as s:
        assert [x.text for x in notifications.notifications_for(s, mod.id)[0]] == [
            "Bea Mendoza finished the task: Call about the refund"]
    html = section(client.get(f"/members/{mid}").text, "tasks")
    assert "<s>Call about the refund</s>" in html and "task overdue" not in html


def test_task_refuses_a_bad_date_or_someone_outside_the_team(client, world, factory, rt):
    from tests.support.factories import Factory

    stranger = Factory(rt).user(Role.owner)
    login(client, world["team"]["mod"].email)
    mid, csrf = world["maria"].id, csrf_of(client)
    r = client.post(f"/members/{mid}/tasks", data={"title": "x", "due": "tomorrow", "csrf_token": csrf})
    assert "due: not a date" in r.text
    r = client.post(f"/members/{mid}/tasks", data={"title": "x", "assignee_id": str(stranger.id), "csrf_token": csrf})
    assert "assignee: not an active teammate" in r.text
    with rt.db.sessions() as s:
        assert s.query(Task).count() == 0 and s.query(Notification).count() == 0


def test_moderation_history(client, world, rt):
    with rt.db.write_sessions() as s, s.begin():
        s.get(Message, world["m1"].id).moderation_status = "hidden"
    actions.do_update_member(rt, actor(world["team"]["mod"]), world["maria"].id, is_vip=False)
    actions.do_add_member_note(rt, actor(world["team"]["mod"]), world["maria"].id, "private note")
    html = section(page(client, world, world["team"]["analyst"]), "history")
    body = text_of(html)
    assert "hidden" in body and "Cash-in did not arrive" in body and "Hindi pa rin dumating" in body
    assert "member.update" in body and "is_vip" in body and "Jun Reyes" in body
    assert "private note" not in body and "member.note" not in body


HOSTILE = '"><script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'


def test_hostile_member_text_is_escaped(client, factory, rt, world):
    src = factory.source("reddit", name=HOSTILE)
    evil = factory.member(HOSTILE, bio=HOSTILE, location=HOSTILE, avatar_url="javascript:alert(1)",
                          segment=HOSTILE[:40])
    ident = factory.identity(evil, src, handle=HOSTILE, display_name=HOSTILE, email=HOSTILE,
                             profile_url="javascript:window.__pwned=1")
    conv = factory.conversation(src, title=HOSTILE, status="open", started_by_member_id=evil.id,
                                priority_reasons=[[HOSTILE, 5]])
    factory.message(conv, HOSTILE, identity=ident, intent=HOSTILE[:30], moderation_status=HOSTILE[:20])
    factory.message(conv, "", html=f"<p>ok</p>{HOSTILE}", identity=ident)
    add_activity(rt, evil, src, HOSTILE[:30], utcnow(), title=HOSTILE)
    mod = world["team"]["mod"]
    actions.do_add_member_note(rt, actor(mod), evil.id, HOSTILE)
    actions.do_add_member_task(rt, actor(mod), evil.id, HOSTILE)
    actions.do_tag_member(rt, actor(mod), evil.id, HOSTILE[:60])
    login(client, world["team"]["manager"].email)
    for url in (f"/members/{evil.id}", f"/members/{evil.id}/timeline"):
        html = client.get(url).text
        assert "<script>window" not in html and "<img src=x" not in html, url
        assert 'href="javascript:' not in html and 'src="javascript:' not in html, url
    html = client.get(f"/members/{evil.id}").text
    assert html.count("&lt;script&gt;window.__pwned=1&lt;/script&gt;") >= 10
    assert client.get(f"/api/v1/members/{evil.id}").json()["display_name"] == HOSTILE


# ------------------------------------------------------------------------------------------------------- API


def test_api_member_detail(client, world):
    login(client, world["team"]["analyst"].email)
    body = client.get(f"/api/v1/members/{world['maria'].id}").json()
    assert [(i["platform"], i["handle"], i["messages"]) for i in body["identities"]] == [
        ("discord", "maria_s", 3), ("discourse", "msantos", 1)]
    assert body["identities"][0]["email_verified"] is True and body["level"] == 3 and body["segment"] == "champion"
    assert body["counts"] == {"messages": 4, "conversations": 3, "conversations_started": 2, "open_conversations": 2,
                              "questions": 1, "sentiment": {"negative": 1, "neutral": 1, "positive": 1},
                              "activities": {"joined": 1, "reacted": 1}}
    assert [c["title"] for c in body["open_conversations"]] == ["Cash-in did not arrive", "Best way to send money home?"]
    assert body["open_conversations"][0]["priority_reasons"] == ["negative", "waiting 5 h", "VIP member"]
    assert [(x["code"], x["messages"], x["share"]) for x in body["languages"]] == [
        ("en", 2, 0.5), ("taglish", 1, 0.25), ("tl", 1, 0.25)]
    assert client.get("/api/v1/members/999999").status_code == 404


def test_api_timeline(client, world):
    login(client, world["team"]["analyst"].email)
    url = f"/api/v1/members/{world['maria'].id}/timeline"
    first = client.get(url, params={"limit": 3}).json()
    assert [(i["kind"], (i["message"] or i["activity"])["id"]) for i in first["items"]] == [
        ("message", world["m2"].id), ("activity", first["items"][1]["activity"]["id"]), ("message", world["m1"].id)]
    assert first["items"][0]["message"]["sentiment_label"] == "neutral" and first["items"][0]["platform"] == "discord"
    rest = client.get(url, params={"before": first["next_cursor"]}).json()
    assert len(rest["items"]) == 3 and rest["next_cursor"] is None
    only = client.get(url, params={"type": "joined"}).json()["items"]
    assert [i["activity"]["title"] for i in only] == ["Joined Bayani Forum"]
    assert client.get(url, params={"type": "nonsense"}).status_code == 422


def test_profile_reads_walk_the_members_own_indexes(client, world, rt):
    """No read of the profile walks the whole workspace's messages, activities or conversations (SQLite plans)."""
    if rt.db.engine.dialect.name != "sqlite":
        pytest.skip("query plans are checked on SQLite")
    from sqlalchemy import event

    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, params))

    login(client, world["team"]["analyst"].email)
    event.listen(rt.db.engine, "before_cursor_execute", record)
    try:
        mid = world["maria"].id
        assert client.get(f"/members/{mid}", params={"tl_platform": "discord"}).status_code == 200
        assert client.get(f"/members/{mid}").status_code == 200
        assert client.get(f"/api/v1/members/{mid}").status_code == 200
        cursor = client.get(f"/api/v1/members/{mid}/timeline", params={"limit": 2}).json()["next_cursor"]
        assert client.get(f"/api/v1/members/{mid}/timeline", params={"before": cursor}).status_code == 200
    finally:
        event.remove(rt.db.engine, "before_cursor_execute", record)
    bad = []
    with rt.db.engine.connect() as conn:
        for statement, params in seen:
            if not re.search(r"\b(messages|activities|conversations)\b", statement):
                continue
            plan = " | ".join(r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params))
            if re.search(r"ix_messages_ws_created|ix_activities_ws_occurred|ix_conversations_ws_|"
                         r"SCAN (messages|activities|conversations)\b", plan):
                bad.append(f"{plan}\n    {statement[:300]}")
    assert not bad, "\n".join(bad)
