"""Stack Exchange data dumps: a folder (or zip) with ``Users.xml``, ``Posts.xml`` and ``Comments.xml``.

Each file is a list of ``<row …/>`` elements, read as a stream (expat, so memory stays flat on large dumps
and errors can name the line). Records come in this order: users, posts, comments.

* **Users** (``Users.xml``, optional) become members, each with a "joined" activity at the account's
  ``CreationDate`` — so people who never posted are members too. ``Id`` -1 (Community) is marked a bot.
  Profile links need ``options["site_url"]`` (e.g. ``https://history.meta.stackexchange.com``).
* **Posts**: questions (``PostTypeId`` 1) start a conversation titled after them; answers (2) are replies
  to their question (``ParentId``) in its conversation; other post types (tag wikis…) are posts of their
  own. Body HTML is kept and rendered to text.
* **Comments** reply to their post (``PostId``) and join that post's conversation.
* Platform ids: ``post:<Id>`` and ``comment:<Id>``; conversations are keyed by ``post:<question Id>``.
* Authors are keyed by ``OwnerUserId``/``UserId``. Posts of deleted accounts carry only a display name
  (``OwnerDisplayName``/``UserDisplayName``, often ``user123``); they are keyed ``deleted:<name>``, so one
  deleted account's posts and comments stay together. A row without ``Id`` or ``CreationDate`` is a bad
  record.
"""

from __future__ import annotations

import xml.parsers.expat
from collections.abc import Iterator
from typing import IO

from kapwa.connectors.base import InboundActivity, InboundAuthor, InboundItem
from kapwa.core.i18n_terms import N_
from kapwa.importers._util import ExportTree, clip, count_in_file, html_to_text, parse_datetime
from kapwa.importers.base import BadRecord, Importer, Record

FILES = ("Users.xml", "Posts.xml", "Comments.xml")
POST_KIND = {"1": "question", "2": "answer", "3": "orphaned_tag_wiki", "4": "tag_wiki_excerpt",
             "5": "tag_wiki", "6": "moderator_nomination", "7": "wiki_placeholder", "8": "privilege_wiki"}
_COUNT_LIMIT = 512 * 2**20


def _int(value) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def iter_rows(fh: IO[bytes], chunk_size: int = 1 << 20) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, attributes) of every <row> element, parsed incrementally."""
    parser = xml.parsers.expat.ParserCreate()
    pending: list[tuple[int, dict[str, str]]] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == "row":
            pending.append((parser.CurrentLineNumber, attrs))

    parser.StartElementHandler = start
    while True:
        chunk = fh.read(chunk_size)
        parser.Parse(chunk, not chunk)
        yield from pending
        pending.clear()
        if not chunk:
            return


class StackExchangeImporter(Importer):
    format = "stackexchange"
    label = N_("Stack Exchange dump")
    platform = "stackexchange"

    def __init__(self, path, options=None):
        super().__init__(path, options)
        self.site = str(self.options.get("site_url") or "").rstrip("/") or None
        # user id → display name, so a post names its author even when it shares a batch with the user's row
        # (the pipeline takes a person's name from the first record that mentions them). ~100 bytes a user.
        self.names: dict[str, str] = {}

    def records(self) -> Iterator[Record]:
        self.names.clear()
        with ExportTree(self.path) as tree:
            if not tree.exists("Posts.xml"):
                yield Record("file", BadRecord(tree.label("Posts.xml"), "file", None,
                                               "no Posts.xml: expected a Stack Exchange dump folder or zip"))
                return
            for fname, handler in (("Users.xml", self._user), ("Posts.xml", self._post),
                                   ("Comments.xml", self._comment)):
                if not tree.exists(fname):
                    continue
                label = tree.label(fname)
                with tree.open(fname) as fh:
                    rows = iter_rows(fh)
                    while True:
                        try:
                            line, row = next(rows)
                        except StopIteration:
                            break
                        except xml.parsers.expat.ExpatError as exc:
                            where = f"line {exc.lineno}"
                            yield Record(where, BadRecord(label, where, None, f"not well-formed XML: {exc}"))
                            break
                        where = f"line {line}" + (f" (Id {row['Id']})" if row.get("Id") else "")
                        for field in ("Id", "CreationDate"):
                            if not row.get(field):
                                yield Record(where, BadRecord(label, where, field, "missing"))
                                break
                        else:
                            try:
                                created = parse_datetime(row["CreationDate"])
                            except ValueError as exc:
                                problem = f"CreationDate {exc}"
                                yield Record(where, BadRecord(label, where, "CreationDate", problem))
                                continue
                            value = handler(row, created)
                            if isinstance(value, tuple):  # (field, problem)
                                value = BadRecord(label, where, *value)
                            yield Record(where, value)

    # --------------------------------------------------------------------------------------------- people

    def _author(self, uid: str | None, name: str | None) -> InboundAuthor | None:
        if uid:
            name = self.names.get(uid) or name
            return InboundAuthor(platform_user_id=uid, display_name=clip(name) or f"user{uid}",
                                 profile_url=f"{self.site}/users/{uid}" if self.site else None,
                                 is_bot=uid == "-1")
        if name:
            return InboundAuthor(platform_user_id=f"deleted:{name}"[:200], display_name=clip(name),
                                 raw={"deleted": True})
        return None

    def _user(self, row: dict, created):
        if row.get("DisplayName"):
            self.names[row["Id"]] = row["DisplayName"]
        author = self._author(row["Id"], row.get("DisplayName"))
        author.raw = {"reputation": _int(row.get("Reputation")), "location": row.get("Location")}
        return InboundActivity(f"joined:{row['Id']}", "joined", created, author, title=None,
                               properties={"reputation": _int(row.get("Reputation"))})

    # ---------------------------------------------------------------------------------------------- posts

    def _post(self, row: dict, created):
        pid, ptype = row["Id"], row.get("PostTypeId") or ""
        kind = POST_KIND.get(ptype, f"type_{ptype}")
        parent = thread = None
        if ptype == "2":
            if not row.get("ParentId"):
                return ("ParentId", "an answer without ParentId")
            parent = thread = f"post:{row['ParentId']}"
        elif ptype == "1":
            thread = f"post:{pid}"
        edited = None
        if row.get("LastEditDate"):
            try:
                edited = parse_datetime(row["LastEditDate"])
            except ValueError as exc:
                return ("LastEditDate", f"LastEditDate {exc}")
        body = row.get("Body") or ""
        tags = [t for t in (row.get("Tags") or "").replace(">", "<").split("<") if t]
        url = None
        if self.site:
            url = f"{self.site}/q/{pid}" if ptype == "1" else f"{self.site}/a/{pid}" if ptype == "2" else None
        return InboundItem(
            platform_message_id=f"post:{pid}", created_at=created, text=html_to_text(body), html=body or None,
            author=self._author(row.get("OwnerUserId"), row.get("OwnerDisplayName")),
            kind="reply" if parent else "post", thread_id=thread, parent_id=parent,
            title=clip(row.get("Title"), 300), channel=clip(tags[0]) if tags else None, url=url,
            edited_at=edited,
            raw={"post_type": kind, "score": _int(row.get("Score")), "tags": tags,
                 "accepted_answer": row.get("AcceptedAnswerId")},
        )

    def _comment(self, row: dict, created):
        if not row.get("PostId"):
            return ("PostId", "missing")
        return InboundItem(
            platform_message_id=f"comment:{row['Id']}", created_at=created, text=row.get("Text") or "",
            author=self._author(row.get("UserId"), row.get("UserDisplayName")), kind="comment",
            parent_id=f"post:{row['PostId']}",
            url=f"{self.site}/posts/comments/{row['Id']}" if self.site else None,
            raw={"score": _int(row.get("Score"))},
        )

    def count_hint(self) -> int | None:
        if not self.path.is_dir():
            return None
        files = [self.path / f for f in FILES if (self.path / f).is_file()]
        if sum(f.stat().st_size for f in files) > _COUNT_LIMIT:
            return None
        counts = [count_in_file(f, b"<row ") for f in files]
        return None if None in counts else sum(counts)
