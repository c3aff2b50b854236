"""conversation search document (PostgreSQL): the inbox's full-text search reads conversations, not messages

On PostgreSQL a search of the inbox used to find every matching message in the GIN index, read each of those
message rows for its conversation (a bitmap heap scan: ~10,000 rows for a word in 1% of a million messages)
and join them to the conversations that need attention. ``conversations.search_vector`` holds the union of
the conversation's message lexemes (``strip``-ped: no positions, each word once), with its own GIN index, so a
search is one condition on conversations: the planner can walk the inbox's priority order and stop after a
page, or read a rare word's few conversations from the index, with the statistics of the column to choose.

Kept by triggers on ``messages`` (so bulk imports, the demo loader and edits made outside Kapwa's actions keep
it right): inserts add the new messages' lexemes once per conversation per statement (transition table);
an edit of the text or a move to another conversation, and deletes, rebuild the documents concerned. A
document stops growing at PostgreSQL's 1 MB tsvector limit (a conversation with that many distinct words);
its messages stay searchable one by one (``kapwa.core.search.message_match``).

SQLite keeps its FTS5 index on messages (bench/inbox.py: p95 within target there).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 23:00:00.000000
"""

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_FUNCTIONS = r"""
CREATE FUNCTION kapwa_doc_add(doc tsvector, v tsvector) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF v IS NULL OR length(v) = 0 THEN
        RETURN doc;
    END IF;
    IF doc IS NULL THEN
        doc := ''::tsvector;
    END IF;
    IF pg_column_size(doc) + pg_column_size(v) < 200000 THEN
        RETURN doc || strip(v);
    END IF;
    BEGIN  -- near the 1 MB limit (sizes above may be compressed): try, and keep the document as it is if full
        RETURN doc || strip(v);
    EXCEPTION WHEN program_limit_exceeded THEN
        RETURN doc;
    END;
END $$;

CREATE AGGREGATE kapwa_doc_union(tsvector) (SFUNC = kapwa_doc_add, STYPE = tsvector, INITCOND = '');

CREATE FUNCTION kapwa_conversation_doc(conv bigint) RETURNS tsvector
LANGUAGE sql STABLE AS $$
    SELECT kapwa_doc_union(search_vector ORDER BY id) FROM messages WHERE conversation_id = conv
$$;

-- One UPDATE per conversation in id order, so concurrent batches lock conversations in the same order
-- (as SQLAlchemy's flush does) and cannot deadlock on each other.
CREATE FUNCTION kapwa_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    FOR r IN SELECT conversation_id, kapwa_doc_union(search_vector ORDER BY id) AS doc
             FROM inserted GROUP BY conversation_id ORDER BY conversation_id LOOP
        UPDATE conversations SET search_vector = kapwa_doc_add(search_vector, r.doc) WHERE id = r.conversation_id;
    END LOOP;
    RETURN NULL;
END $$;

CREATE FUNCTION kapwa_messages_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE conv bigint;
BEGIN
    FOR conv IN SELECT DISTINCT conversation_id FROM deleted ORDER BY conversation_id LOOP
        UPDATE conversations SET search_vector = kapwa_conversation_doc(conv) WHERE id = conv;
    END LOOP;
    RETURN NULL;
END $$;

CREATE FUNCTION kapwa_message_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE conversations c SET search_vector = kapwa_conversation_doc(c.id)
    WHERE c.id IN (OLD.conversation_id, NEW.conversation_id);
    RETURN NULL;
END $$;

CREATE TRIGGER messages_doc_ai AFTER INSERT ON messages REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION kapwa_messages_inserted();
CREATE TRIGGER messages_doc_ad AFTER DELETE ON messages REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION kapwa_messages_deleted();
CREATE TRIGGER messages_doc_au AFTER UPDATE OF text, conversation_id ON messages FOR EACH ROW
    WHEN (OLD.text IS DISTINCT FROM NEW.text OR OLD.conversation_id IS DISTINCT FROM NEW.conversation_id)
    EXECUTE FUNCTION kapwa_message_changed();
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE conversations ADD COLUMN search_vector tsvector")
    op.execute(_FUNCTIONS)
    op.execute(
        "UPDATE conversations c SET search_vector = d.doc FROM (SELECT conversation_id, "
        "kapwa_doc_union(search_vector ORDER BY id) AS doc FROM messages GROUP BY conversation_id) d "
        "WHERE c.id = d.conversation_id"
    )
    op.execute("CREATE INDEX ix_conversations_search_vector ON conversations USING gin (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for trig in ("messages_doc_ai", "messages_doc_ad", "messages_doc_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trig} ON messages")
    for fn in ("kapwa_messages_inserted()", "kapwa_messages_deleted()", "kapwa_message_changed()",
               "kapwa_conversation_doc(bigint)"):
        op.execute(f"DROP FUNCTION IF EXISTS {fn}")
    op.execute("DROP AGGREGATE IF EXISTS kapwa_doc_union(tsvector)")
    op.execute("DROP FUNCTION IF EXISTS kapwa_doc_add(tsvector, tsvector)")
    op.execute("DROP INDEX IF EXISTS ix_conversations_search_vector")
    op.execute("ALTER TABLE conversations DROP COLUMN IF EXISTS search_vector")
