"""Full-text search: one function, FTS5 on SQLite and tsvector on PostgreSQL."""

from __future__ import annotations

from kapwa.core.search import search_messages


def test_search_finds_words_prefixes_and_unicode(rt, factory):
    conv = factory.conversation()
    a = factory.message(conv, text="Bakit pending pa rin yung cash-in ko since kahapon?")
    b = factory.message(conv, text="Thank you po, na-refund na yung double charge!")
    factory.message(conv, text="Salamat sa mabilis na sagot ñ")
    with rt.db.sessions() as s:
        ws = factory.workspace_id
        assert [m.id for m in search_messages(s, ws, "cash-in pending")] == [a.id]
        assert [m.id for m in search_messages(s, ws, "refu")] == [b.id]  # prefix while typing
        assert search_messages(s, ws, "salamat mabilis")[0].text.startswith("Salamat")
        assert search_messages(s, ws, "nothing-like-this") == []
        assert search_messages(s, ws, "   ") == []


def test_search_syntax_in_user_input_is_harmless(rt, factory):
    conv = factory.conversation()
    factory.message(conv, text="OR AND NOT NEAR quotes")
    with rt.db.sessions() as s:
        for q in ['"', "OR", "a:b", "*", "NEAR(", "'); DROP TABLE messages; --", "&|!:*"]:
            search_messages(s, factory.workspace_id, q)  # must not raise
        assert len(search_messages(s, factory.workspace_id, "near quotes")) == 1


def test_search_follows_edits_and_deletes(rt, factory):
    from sqlalchemy import delete

    from kapwa.core.models import Message

    conv = factory.conversation()
    m = factory.message(conv, text="original words")
    with rt.db.write_sessions() as s, s.begin():
        s.get(Message, m.id).text = "edited wording"
    with rt.db.sessions() as s:
        assert search_messages(s, factory.workspace_id, "original") == []
        assert len(search_messages(s, factory.workspace_id, "edited")) == 1
    with rt.db.write_sessions() as s, s.begin():
        s.execute(delete(Message).where(Message.id == m.id))
    with rt.db.sessions() as s:
        assert search_messages(s, factory.workspace_id, "edited") == []


def test_search_is_scoped_to_the_workspace(rt, factory):
    from tests.support.factories import Factory

    other = Factory(rt)
    factory.message(factory.conversation(), text="secret launch plans")
    with rt.db.sessions() as s:
        assert search_messages(s, other.workspace_id, "launch") == []


def _conversations(rt, factory, q: str) -> set[int]:
    from sqlalchemy import select

    from kapwa.core.models import Conversation
    from kapwa.core.search import conversation_match

    with rt.db.sessions() as s:
        return set(s.scalars(select(Conversation.id).where(Conversation.workspace_id == factory.workspace_id,
                                                           conversation_match(s, q))))


def test_conversation_search_follows_new_messages_edits_moves_and_deletes(rt, factory):
    from sqlalchemy import delete, insert

    from kapwa.core.models import Message

    a, b = factory.conversation(), factory.conversation()
    m = factory.message(a, text="Nag-load ako pero walang dumating")
    factory.message(b, text="Hello po")
    assert _conversations(rt, factory, "dumating") == {a.id}
    assert _conversations(rt, factory, "load dumat") == {a.id}  # both words, the last one while typing
    # Several messages in one statement (an import): each conversation gains all of their words.
    with rt.db.write_sessions() as s, s.begin():
        s.execute(insert(Message), [
            {"workspace_id": factory.workspace_id, "conversation_id": b.id, "source_id": b.source_id,
             "platform_message_id": f"bulk-{i}", "direction": "inbound", "text": text,
             "created_at": m.created_at, "raw": {}, "analysis_versions": {}}
            for i, text in enumerate(["refund na po", "GCash reference 12345"])])
    assert _conversations(rt, factory, "gcash refund") == {b.id}
    with rt.db.write_sessions() as s, s.begin():
        s.get(Message, m.id).text = "Okay na, salamat"
    assert _conversations(rt, factory, "dumating") == set()
    assert _conversations(rt, factory, "salamat") == {a.id}
    with rt.db.write_sessions() as s, s.begin():
        s.get(Message, m.id).conversation_id = b.id
    assert _conversations(rt, factory, "salamat") == {b.id}
    with rt.db.write_sessions() as s, s.begin():
        s.execute(delete(Message).where(Message.id == m.id))
    assert _conversations(rt, factory, "salamat") == set()
    assert _conversations(rt, factory, "gcash") == {b.id}
