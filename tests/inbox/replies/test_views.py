"""The composer on the conversation page, the approvals queue, the saved replies pages, the source switch and
the REST API, through HTTP as a browser or an API client would use them."""

from __future__ import annotations

import copy
import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kapwa.core.models import Reply, Source
from tests.inbox.replies.conftest import demo_conversation, forum_error, reply_ok
from tests.support.replay import load
from tests.support.web import csrf_of, login


@pytest.fixture
def browser_as(app):
    """browser_as(user) -> (client signed in as that user, its CSRF token)."""
    clients = []

    def make(user):
        client = TestClient(app, base_url="https://testserver")
        clients.append(client)
        assert login(client, user.email).status_code == 303
        return client, csrf_of(client)

    yield make
    for c in clients:
        c.close()


def _reply(rt, conversation_id) -> Reply:
    with rt.db.sessions() as s:
        return s.scalars(select(Reply).where(Reply.conversation_id == conversation_id).order_by(Reply.id.desc())).first()


def test_the_composer_sends_through_the_forum_and_shows_the_reply_with_its_link(rt, team, topic, forum, browser_as):
    question = copy.deepcopy(load("discourse/send.json")[0])
    question.request["path"], question.response["json"]["post_number"] = "/posts/210.json", 1
    forum.add(question)
    reply_ok(forum)
    web, csrf = browser_as(team.moderator)
    page = web.get(f"/conversations/{topic.conversation.id}").text
    assert f'<form id="reply-form" method="post" action="/conversations/{topic.conversation.id}/replies"' in page
    assert 'id="reply-body" name="body"' in page and 'maxlength="32000"' in page
    assert f'<div id="empathy-findings" data-check-url="/conversations/{topic.conversation.id}/empathy-check">' in page
    assert '<script src="/static/empathy.js" defer></script>' in page and "/static/replies.js" in page
    assert re.search(r'id="reply-send">Send</button>', page)
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page).group(1)

    form = {"csrf_token": csrf, "body": "Naayos na po ang login, Maria. Pakisubukan ulit.", "action": "send",
            "idempotency_key": key, "in_reply_to_id": str(topic.question.id)}
    r = web.post(f"/conversations/{topic.conversation.id}/replies", data=form, follow_redirects=False)
    reply = _reply(rt, topic.conversation.id)
    assert r.status_code == 303 and r.headers["location"] == f"/conversations/{topic.conversation.id}#reply-{reply.id}"
    assert reply.status == "sent" and reply.in_reply_to_id == topic.question.id
    assert web.post(f"/conversations/{topic.conversation.id}/replies", data=form).status_code == 200  # re-POST
    assert len(forum.sent("POST", "/posts.json")) == 1
    assert forum.sent("POST", "/posts.json")[0].json()["reply_to_post_number"] == 1  # the message chosen

    page = web.get(f"/conversations/{topic.conversation.id}").text
    card = page[page.index(f'id="reply-{reply.id}"'):]
    assert 'data-reply-status="sent"' in page and ">Sent</span>" in card
    assert f'href="{forum.base_url}/t/hindi-maka-login-sa-app/21/4"' in card and "View on Discourse" in card
    thread = page[:page.index('id="replies"')]
    assert "Naayos na po ang login, Maria. Pakisubukan ulit." in thread  # the outbound message in the thread
    assert 'class="message outbound' in thread
    fragment = web.get(f"/conversations/{topic.conversation.id}/replies").text
    assert fragment.strip().startswith('<div id="reply-list"') and 'data-reply-status="sent"' in fragment


def test_a_failed_send_shows_why_with_a_retry_button(rt, team, topic, forum, browser_as):
    forum.add(forum_error("403 bad key", "GET", "/posts/212.json"))
    web, csrf = browser_as(team.moderator)
    web.post(f"/conversations/{topic.conversation.id}/replies", data={"csrf_token": csrf, "body": "Hello po"})
    reply = _reply(rt, topic.conversation.id)
    page = web.get(f"/conversations/{topic.conversation.id}").text
    assert ">Not sent</span>" in page and "Discourse did not take the reply: Discourse refused access" in page
    assert f'action="/replies/{reply.id}/retry"' in page

    forum.exchanges[:] = []
    reply_ok(forum)
    r = web.post(f"/replies/{reply.id}/retry", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and _reply(rt, topic.conversation.id).status == "sent"


def test_an_empty_reply_is_refused_with_the_reason(rt, team, factory, browser_as):
    conv = demo_conversation(factory)
    web, csrf = browser_as(team.moderator)
    r = web.post(f"/conversations/{conv.id}/replies", data={"csrf_token": csrf, "body": "  "})
    assert "body: the reply is empty" in r.text and _reply(rt, conv.id) is None


def test_who_sees_which_composer(rt, team, factory, browser_as):
    held = demo_conversation(factory, approval=True)
    web, _ = browser_as(team.moderator)
    page = web.get(f"/conversations/{held.id}").text
    assert 'id="reply-send">Submit for approval</button>' in page
    assert "Replies through this source need approval:" in page
    reader, _ = browser_as(team.analyst)
    assert 'id="reply-form"' not in reader.get(f"/conversations/{held.id}").text
    imported = factory.conversation(factory.source("import", name="Old export"), title="Lumang tanong")
    page = web.get(f"/conversations/{imported.id}").text
    assert 'id="reply-form"' not in page and "imported from a file" in page


def test_approval_from_the_queue_after_an_edit_and_a_rejection_the_author_reads(rt, team, factory, browser_as):
    conv = demo_conversation(factory, approval=True)
    author, a_csrf = browser_as(team.moderator)
    author.post(f"/conversations/{conv.id}/replies", data={"csrf_token": a_csrf, "body": "check FAQ"})
    first = _reply(rt, conv.id)
    assert first.status == "pending_approval"

    manager, m_csrf = browser_as(team.manager)
    queue = manager.get("/approvals").text
    assert f'id="approval-{first.id}"' in queue and "Paano po mag-cash in sa 7-Eleven?" in queue  # the context
    assert "check FAQ" in queue and f'action="/replies/{first.id}/approve"' in queue
    r = manager.post(f"/replies/{first.id}/approve", data={"csrf_token": m_csrf, "next": "/approvals",
                                                          "body": "Hi Juan! Sa app po: Cash In > 7-Eleven."},
                     follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/approvals")
    done = _reply(rt, conv.id)
    assert done.status == "sent" and done.body == "Hi Juan! Sa app po: Cash In > 7-Eleven."
    assert "Nothing is waiting for approval." in manager.get("/approvals").text

    author.post(f"/conversations/{conv.id}/replies", data={"csrf_token": a_csrf, "body": "basahin mo na lang"})
    second = _reply(rt, conv.id)
    manager.post(f"/replies/{second.id}/reject", data={"csrf_token": m_csrf, "reason": "Walang paumanhin at steps."})
    page = author.get(f"/conversations/{conv.id}").text
    assert "Rejected by Paolo Reyes:" in page and "Walang paumanhin at steps." in page
    assert "Edit and resubmit" in page
    assert "Paolo Reyes rejected your reply" in author.get("/notifications").text


def test_approval_rules_and_the_source_switch(rt, team, factory, browser_as):
    conv = demo_conversation(factory)
    manager, csrf = browser_as(team.manager)
    r = manager.post("/approvals/settings", data={"csrf_token": csrf, "form": "roles", "roles": ["moderator"]})
    assert r.status_code == 200 and 'value="moderator" checked' in r.text
    mod, mod_csrf = browser_as(team.moderator)
    assert 'id="reply-send">Submit for approval</button>' in mod.get(f"/conversations/{conv.id}").text
    assert mod.post("/approvals/settings", data={"csrf_token": mod_csrf, "form": "roles"}).status_code == 403

    manager.post(f"/sources/{conv.source_id}/reply-approval", data={"csrf_token": csrf, "required": "true"})
    with rt.db.sessions() as s:
        assert s.get(Source, conv.source_id).reply_approval is True
    assert "Replies need approval: on" in manager.get("/sources").text


def test_saved_replies_pages(rt, team, browser_as):
    web, csrf = browser_as(team.moderator)
    bad = {"csrf_token": csrf, "name": "Pagbati", "language": "tl", "body": "Hi {pangalan}!", "shortcut": "hi"}
    r = web.post("/saved-replies", data=bad)
    assert r.status_code == 400 and "unknown variable {pangalan}" in r.text and "Hi {pangalan}!" in r.text
    r = web.post("/saved-replies", data=bad | {"body": "Hi {member_first_name}! Salamat sa pag-message."},
                 follow_redirects=False)
    assert r.status_code == 303
    page = web.get("/saved-replies").text
    assert "Pagbati" in page and "Hi Maria! Salamat sa pag-message." in page  # the preview
    assert "Add the English version" in page
    assert web.get("/api/v1/saved-replies?language=tl").json()[0]["shortcut"] == "hi"


def test_the_api(rt, team, factory, topic, forum, app):
    conv = demo_conversation(factory, approval=True)
    api = TestClient(app, base_url="https://testserver")
    tokens = {}
    for who in ("moderator", "manager"):
        web = TestClient(app, base_url="https://testserver")
        login(web, getattr(team, who).email)
        html = web.post("/me/tokens", data={"csrf_token": csrf_of(web), "name": "api"}).text
        tokens[who] = {"Authorization": "Bearer " + re.search(r"(kpw_[A-Za-z0-9_\-]+)", html).group(1)}

    made = api.post(f"/api/v1/conversations/{conv.id}/replies", headers=tokens["moderator"],
                    json={"body": "Hello po!", "idempotency_key": "api-1"})
    assert made.status_code == 201 and made.json()["status"] == "pending_approval"
    assert [e["action"] for e in made.json()["events"]] == ["created", "submitted"]
    again = api.post(f"/api/v1/conversations/{conv.id}/replies", headers=tokens["moderator"],
                     json={"body": "Hello po!", "idempotency_key": "api-1"})
    assert again.json()["id"] == made.json()["id"]
    waiting = api.get("/api/v1/replies?status=pending_approval", headers=tokens["manager"]).json()
    assert [r["id"] for r in waiting["items"]] == [made.json()["id"]]
    assert api.post(f"/api/v1/replies/{made.json()['id']}/approve", headers=tokens["moderator"]).status_code == 403
    approved = api.post(f"/api/v1/replies/{made.json()['id']}/approve", headers=tokens["manager"],
                        json={"body": "Hello po! Paano kami makakatulong?"})
    assert approved.json()["status"] == "sent" and approved.json()["body"] == "Hello po! Paano kami makakatulong?"

    forum.add(forum_error("500", "GET", "/posts/212.json"))
    failed = api.post(f"/api/v1/conversations/{topic.conversation.id}/replies", headers=tokens["moderator"],
                      json={"body": "Tinitingnan na namin."}).json()
    assert failed["status"] == "failed" and "HTTP 500" in failed["last_error"]
    forum.exchanges[:] = []
    reply_ok(forum)
    retried = api.post(f"/api/v1/replies/{failed['id']}/retry", headers=tokens["moderator"]).json()
    assert retried["status"] == "sent" and retried["platform_message_id"] == "250" and retried["unknown"] is False
    rejected = api.post(f"/api/v1/replies/{failed['id']}/reject", headers=tokens["manager"], json={"reason": "x"})
    assert rejected.status_code == 400 and "not waiting for approval" in rejected.json()["detail"]


def test_the_reviewer_sees_what_the_empathy_check_found(rt, team, factory, browser_as):
    conv = demo_conversation(factory, approval=True, language="tl")
    author, csrf = browser_as(team.moderator)
    author.post(f"/conversations/{conv.id}/replies",
                data={"csrf_token": csrf, "body": "Not our fault, you should have checked the FAQ first."})
    reply = _reply(rt, conv.id)
    findings = reply.empathy["findings"]
    assert {"blaming", "language_mismatch"} <= {f["code"] for f in findings}  # kept with the reply
    manager, _ = browser_as(team.manager)
    queue = manager.get("/approvals").text
    card = queue[queue.index(f'id="approval-{reply.id}"'):]
    assert 'aria-label="Empathy check"' in card
    for f in findings:  # the reviewer reads what the author was told
        assert html.escape(f["message"], quote=False) in card and f'class="finding-{f["severity"]}"' in card


def test_an_unknown_send_asks_a_person_to_check_the_platform(rt, team, topic, forum, browser_as):
    from kapwa.core.jobs import JobQueue
    from kapwa.inbox.replies.actions import do_create_reply
    from kapwa.inbox.replies.send import _claim

    reply = do_create_reply(rt, team["moderator"], topic.conversation.id, "Tinitingnan na po.", jobs=JobQueue(rt))
    _claim(rt, reply.id)
    with rt.db.write_sessions() as s, s.begin():  # the platform did not answer in time
        s.get(Reply, reply.id).last_error = "Discourse did not take the reply: Discourse did not answer in time."
    web, csrf = browser_as(team.moderator)
    page = web.get(f"/conversations/{topic.conversation.id}").text
    card = page[page.index(f'id="reply-{reply.id}"'):]
    assert 'data-reply-status="unknown"' in page and "Unknown — check the platform" in card
    assert "Kapwa never sends it again by itself" in card
    assert "It is on the platform" in card and "It is not there: send it again" in card
    assert f'action="/replies/{reply.id}/retry"' not in card

    reply_ok(forum)
    r = web.post(f"/replies/{reply.id}/settle", data={"csrf_token": csrf, "outcome": "resend"}, follow_redirects=False)
    assert r.status_code == 303 and _reply(rt, topic.conversation.id).status == "sent"
    assert len(forum.sent("POST", "/posts.json")) == 1
