"""Mastodon account archives: the brand's own posts (outbound), replies, visibility, boosts left out."""

from __future__ import annotations

import datetime as dt

from kapwa.core.models import Conversation, Member
from tests.importers import (
    FIXTURES,
    conversation_of,
    count,
    do_import,
    member_names,
    messages,
    zip_folder,
)

ARCHIVE = FIXTURES / "mastodon"
ME = "https://social.example/users/bayanipay/statuses/"


def test_the_archive_zip_is_imported_as_the_brands_own_posts(rt, actor, tmp_path):
    archive = zip_folder(ARCHIVE, tmp_path / "archive-20240502-bayanipay.zip")
    outcome, _, _ = do_import(rt, actor, archive, "mastodon")
    assert outcome.ok, outcome.error
    msgs = messages(rt)
    assert set(msgs) == {ME + n for n in ("110001", "110002", "110004", "110005", "110006")}  # no boost
    assert all(m.direction == "outbound" and m.member_id is None for m in msgs.values())
    assert count(rt, Member) == 0  # the brand is not a community member
    first = msgs[ME + "110001"]
    assert first.text == "Bagong feature: QR Ph payments!" and "<a href=" in first.html
    assert first.url == "https://social.example/@bayanipay/110001"
    # A thread of our own; a reply to a member's post joins that post's conversation (not in the archive).
    assert msgs[ME + "110005"].parent_id == first.id
    assert conversation_of(rt, ME + "110005").id == conversation_of(rt, ME + "110001").id
    remote = "https://other.example/users/ana/statuses/99"
    assert conversation_of(rt, ME + "110002").platform_thread_id == remote
    assert msgs[ME + "110002"].text == "@ana Salamat po sa feedback!"
    # Direct visibility is a direct message; a content warning stays visible in the text.
    assert conversation_of(rt, ME + "110004").is_direct and msgs[ME + "110004"].raw["visibility"] == "direct"
    assert msgs[ME + "110006"].text.startswith("[Maintenance]\nMaintenance 10PM–12AM.")
    assert msgs[ME + "110005"].edited_at == dt.datetime(2024, 5, 1, 4, 10, tzinfo=dt.UTC)
    assert count(rt, Conversation) == 4

    again, _, _ = do_import(rt, actor, archive, "mastodon", restart=True)
    assert again.ok and again.result.inserted == 0


def test_someone_elses_archive_can_be_imported_as_a_members_posts(rt, actor):
    outcome, _, _ = do_import(rt, actor, ARCHIVE / "outbox.json", "mastodon",
                              options={"direction": "inbound"})
    assert outcome.ok and outcome.result.members_created == 1
    assert member_names(rt) == {"Bayani Pay"}
    assert all(m.direction == "inbound" for m in messages(rt).values())


def test_a_folder_without_outbox_is_refused_clearly(rt, actor, tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "actor.json").write_text("{}")
    outcome, _, _ = do_import(rt, actor, tmp_path / "empty", "mastodon")
    assert not outcome.ok and "no outbox.json" in outcome.error
