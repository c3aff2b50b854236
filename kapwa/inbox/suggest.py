"""Suggested answers: for a conversation whose latest member message is a question, up to three answers that
fit — from past conversations that asked the same thing, and from saved replies marked as answers — offline.

1. The question: the latest inbound message if the analysis calls it a question or says it needs an answer
   (with the conversation title and the asker's earlier message when it is a short follow-up).
2. Similar past questions: inbound messages of other conversations that share the question's rarest words,
   through the full-text index (:func:`kapwa.inbox.suggest_queries.similar_messages`, bounded), re-ranked by
   TF-IDF cosine over words and character 4-grams (:mod:`kapwa.inbox.textsim`).
3. Their answers: later messages in those conversations by a teammate (outbound) or by another member, not
   toxic, not a question or a bare "thanks". Score = 0.75 · question similarity + 0.25 · answer similarity,
   times a small bonus for a teammate's answer, a resolved conversation and an accepted or upvoted answer.
   Near-identical answers are merged ("used in 4 similar conversations").
4. Saved replies with ``is_answer``: similarity of the question to their name and body.

Nothing below ``MIN_SCORE`` is suggested, so an unrelated question gets none.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

from babel.dates import format_timedelta
from sqlalchemy.orm import Session

from kapwa.core.i18n import get_locale, gettext
from kapwa.core.models import Conversation, Message, User, utcnow
from kapwa.inbox import empathy_lexicon
from kapwa.inbox import suggest_queries as q
from kapwa.inbox.empathy_context import RenderedReply, rendered_saved_replies
from kapwa.inbox.empathy_text import first_name
from kapwa.inbox.panels import panel
from kapwa.inbox.textsim import Corpus, idf_from_counts

log = logging.getLogger("kapwa.inbox")
MAX_SUGGESTIONS = 3
MIN_SCORE = 0.32  # below this a past answer or saved reply is not suggested
MIN_QUESTION_SIM = 0.3  # a past question must be at least this close
RERANK = 60  # candidate questions re-ranked in Python (one per conversation)
THREADS = 12  # best conversations whose answers are read
TOXIC_ANSWER = 0.3
HARSH_GUARD = re.compile("|".join(f"(?:{p.pattern})" for p in empathy_lexicon.HARSH + empathy_lexicon.BLAMING), re.IGNORECASE)
MIN_MEMBER_ANSWER_SIM = 0.08  # a member's answer must share something with the question
MIN_TEAM_ANSWER_SIM = 0.05  # a short team reply sharing nothing with the question is a thank-you, not an answer
_GREETING = re.compile(
    r"^\s*(?:@\S+\s+)*(?:(?i:hi|hello|hey|good (?:morning|afternoon|evening)|magandang (?:araw|umaga|hapon|gabi))"
    r"(?:\s+po)?,?(?:\s+(?:u/\S+?|@\S+?|[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2}))?\s*(?:[,!.]|(?=\n))\s*)?")
_SIGNATURE = re.compile(r"\n\s*(?:kind regards|best regards|warm regards|regards|best|thanks|thank you|cheers|sincerely|"
                        r"thanks po|thank you po|"
                        r"salamat(?: po)?|maraming salamat(?: po)?|ingat(?: po)?|god bless|stay safe)"
                        r",?\s*\n(?:.{0,60}\n?){0,3}\s*$", re.IGNORECASE)
# "Me too", "any update?", "you're not alone": solidarity, not an answer (checked on short member messages).
_ME_TOO = re.compile(r"\b(?:same (?:issue|here|problem|po|tayo|din|rin)|me too|ako (?:rin|din)|kami (?:rin|din)|"
                     r"\+1|bump|any update|waiting pa rin|still waiting|hindi ka nag-?iisa|you(?:'re| are) not alone|"
                     r"not just you|di lang ikaw|hindi lang ikaw)\b", re.IGNORECASE)
_THANKS_ONLY = re.compile(r"^\W*(?:thanks?|thank you|ty|salamat|maraming salamat|ok|okay|noted|sige|got it)\b[\w\s!.,po]*$",
                          re.IGNORECASE)


@dataclass
class Suggestion:
    text: str
    score: float
    kind: str  # "past_answer" | "saved_reply"
    source: str  # who answered where and when, or the saved reply's name (in the viewer's language)
    by_team: bool = False
    author: str | None = None
    conversation_id: int | None = None
    conversation_title: str | None = None
    message_id: int | None = None
    saved_reply_id: int | None = None
    answered_at: dt.datetime | None = None
    resolved: bool = False
    uses: int = 1  # similar conversations where (nearly) this answer was given

    @property
    def percent(self) -> int:
        return round(min(1.0, self.score) * 100)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "score": round(self.score, 3), "kind": self.kind, "source": self.source,
                "by_team": self.by_team, "author": self.author, "conversation_id": self.conversation_id,
                "conversation_title": self.conversation_title, "message_id": self.message_id,
                "saved_reply_id": self.saved_reply_id, "resolved": self.resolved, "uses": self.uses,
                "answered_at": self.answered_at.isoformat() if self.answered_at else None}


@dataclass
class Suggestions:
    question: Message | None = None
    query: str = ""
    items: list[Suggestion] = field(default_factory=list)
    elapsed_ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"question_message_id": self.question.id if self.question else None, "query": self.query,
                "items": [s.to_dict() for s in self.items], "elapsed_ms": round(self.elapsed_ms, 1)}


def question_of(messages: list[Message]) -> tuple[Message | None, str]:
    """The question to answer (the latest inbound message, if it is one) and the text to match it by."""
    inbound = [m for m in messages if m.direction == "inbound" and (m.text or "").strip()]
    if not inbound:
        return None, ""
    latest = inbound[-1]
    if latest.intent not in ("question", "bug_report") and not latest.needs_answer:
        return None, ""
    parts = [_plain_question(latest.text)]
    if len(q.fts_terms(parts[0])) < 4:
        earlier = [m for m in inbound[:-1] if m.member_id == latest.member_id]
        if earlier:
            parts.insert(0, _plain_question(earlier[-1].text))
        if latest.conversation is not None and latest.conversation.title:
            parts.insert(0, latest.conversation.title)
    query = "\n".join(p for p in parts if p)
    names = latest.member.display_name if latest.member is not None else ""
    for word in set(re.findall(r"[^\W\d_]{3,}", names or "")):  # the asker's own name says nothing about the topic
        query = re.sub(rf"\b{re.escape(word)}\b", " ", query, flags=re.IGNORECASE)
    return latest, query.strip()


def _plain_question(text: str) -> str:
    """A member's message without the letter around it: greeting, "TIA", sign-off and signature."""
    body = (text or "").strip()
    body = re.sub(r"^(?:hi|hello|hey|good (?:morning|afternoon|evening)|magandang (?:araw|umaga|hapon|gabi))\b[^\n]{0,40}?"
                  r"[,!:]\s*\n", "", body, flags=re.IGNORECASE)
    body = _SIGNATURE.sub("", body)
    return re.sub(r"\b(?:tia|thanks in advance|salamat in advance)\b\W*(?:po)?\W*", " ", body, flags=re.IGNORECASE).strip()


def clean_answer(text: str, member_name: str | None) -> str:
    """A past answer made ready to send to someone else: mentions, the old greeting and the e-mail signature
    go; a greeting with this member's first name comes back if there was one."""
    body = (text or "").strip()
    m = _GREETING.match(body)
    had_greeting = bool(m and re.search(r"(?i)\b(?:hi|hello|hey|good|magandang)\b", m.group(0)))
    body = body[m.end():] if m else body
    body = _SIGNATURE.sub("", body).strip()
    body = re.sub(r"\n\s*[–—-]\s*\w[^\n]{0,60}$", "", body).strip()  # "– Paolo, Bayani Pay Care"
    if not body:
        return ""
    body = body[:1].upper() + body[1:]
    name = first_name(member_name)
    if had_greeting and name:
        return f"Hi {name}! {body}"
    return body


def _ago(when: dt.datetime | None, now: dt.datetime) -> str:
    if when is None:
        return ""
    locale = "fil_PH" if get_locale() == "fil" else "en_PH"
    return format_timedelta(when - now, add_direction=True, locale=locale, threshold=1.1)


def _family(language: str | None, taglish: bool | None) -> str | None:
    if taglish or language in ("tl", "fil"):
        return "tl"
    return language if language == "en" else None


def _answer_bonus(msg: q.ThreadMessage, conv: q.ThreadInfo, raw: dict, question_raw: dict,
                  want: str | None = None) -> float:
    bonus = 1.0
    if want and _family(msg.language, msg.is_taglish) == want:
        bonus += 0.06  # in the language the member asked in
    if msg.direction == "outbound":
        bonus += 0.12
    if conv.status == "resolved":
        bonus += 0.08
    accepted_id = question_raw.get("accepted_answer")
    if raw.get("accepted") is True or raw.get("is_accepted_answer") is True or (
            accepted_id and msg.platform_message_id == f"post:{accepted_id}"):
        bonus += 0.12
    score = raw.get("score")
    if isinstance(score, int | float) and not isinstance(score, bool) and score > 0:
        bonus += min(0.08, score / 250)
    return bonus


def suggest_answers(s: Session, conversation: Conversation, messages: list[Message] | None = None, *,
                    agent: User | None = None, member_name: str | None = None, limit: int = MAX_SUGGESTIONS,
                    now: dt.datetime | None = None) -> Suggestions:
    started = time.perf_counter()
    now = now or utcnow()
    ws = conversation.workspace_id
    if messages is None:
        messages = q.conversation_messages(s, conversation.id)
    question, query = question_of(messages)
    out = Suggestions(question=question, query=query)
    if question is None:
        return out
    if member_name is None and question.member is not None:
        member_name = question.member.display_name
    found: list[Suggestion] = []
    terms = q.fts_terms(query)
    if terms:
        found += _past_answers(s, ws, conversation.id, question, query, terms, member_name, now)
    found += _saved_answers(rendered_saved_replies(s, conversation, agent, answers_only=True), query)
    found.sort(key=lambda x: -x.score)
    out.items = [x for x in found if x.score >= MIN_SCORE][:limit]
    out.elapsed_ms = (time.perf_counter() - started) * 1000
    log.debug("suggested %d answers for conversation %s in %.1f ms", len(out.items), conversation.id, out.elapsed_ms)
    return out


def _past_answers(s: Session, ws: int, conversation_id: int, question: Message, query: str, terms: list[str],
                  member_name: str | None, now: dt.datetime) -> list[Suggestion]:
    counts = q.term_counts(s, terms)
    candidates = q.similar_messages(s, ws, terms, exclude_conversation_id=conversation_id, counts=counts)
    word_idf = idf_from_counts(counts, q.message_total(s))
    want = _family(question.language, question.is_taglish)
    # One message stands for each conversation: its earliest matching question (the answers follow it).
    per_conv: dict[int, q.Candidate] = {}
    for c in candidates:
        if not c.question_like:
            continue
        held = per_conv.get(c.conversation_id)
        if held is None and len(per_conv) >= RERANK:
            continue
        if held is None or c.message_id < held.message_id:
            per_conv[c.conversation_id] = c
    if not per_conv:
        return []
    cands = list(per_conv.values())
    corpus = Corpus([query] + [c.text for c in cands], word_idf=word_idf)
    ranked = sorted(((corpus.score(0, i + 1), c) for i, c in enumerate(cands)), key=lambda x: -x[0])
    ranked = [(sim, c) for sim, c in ranked if sim >= MIN_QUESTION_SIM][: THREADS * 3]
    if not ranked:
        return []
    convs = q.conversations(s, ws, [c.conversation_id for _, c in ranked])
    # Threads with replies only, and no more than two asking in the very same words (a question posted in
    # several channels, or asked again and again without an answer, must not crowd out the answered ones).
    same_words: dict[str, int] = {}
    kept = []
    for sim, c in ranked:
        conv = convs.get(c.conversation_id)
        key = " ".join(c.text.lower().split())
        if conv is None or conv.message_count < 2 or same_words.get(key, 0) >= 2:
            continue
        same_words[key] = same_words.get(key, 0) + 1
        kept.append((sim, c))
    ranked = kept[:THREADS]
    by_conv: dict[int, list[q.ThreadMessage]] = {}
    for m in q.thread_messages(s, list(convs)):
        by_conv.setdefault(m.conversation_id, []).append(m)
    found: list[tuple[float, q.ThreadMessage, str, q.ThreadInfo, int]] = []
    for sim, cand in ranked:
        conv = convs.get(cand.conversation_id)
        msgs = by_conv.get(cand.conversation_id, [])
        asked = next((m for m in msgs if m.id == cand.message_id), None)
        if conv is None or asked is None:
            continue
        for m in msgs:
            later = (m.created_at, m.id) > (asked.created_at, asked.id)
            if later and _answers(m, asked) and (text_ := clean_answer(m.text, member_name)):
                found.append((sim, m, text_, conv, asked.id))
    if not found:
        return []
    acorpus = Corpus([query, *(t for _, _, t, _, _ in found)], word_idf=word_idf)
    per_conv: dict[int, list[tuple[float, q.ThreadMessage, str, q.ThreadInfo, int]]] = {}
    for i, (sim, m, text_, conv, asked_id) in enumerate(found):
        answer_sim = acorpus.score(0, i + 1)
        if m.direction == "inbound" and answer_sim < MIN_MEMBER_ANSWER_SIM:
            continue  # a member's answer shares words with the question ("me too" does not)
        if m.direction == "outbound" and answer_sim < MIN_TEAM_ANSWER_SIM and m.intent in ("praise", "other", None) \
                and len(m.text or "") < 80:
            continue  # "Thanks, passed on to the team!" answers nothing; a short, unrelated team reply is not an answer
        per_conv.setdefault(conv.id, []).append((0.75 * sim + 0.25 * answer_sim, m, text_, conv, asked_id))
    picks = [p for items in per_conv.values() for p in sorted(items, key=lambda x: -x[0])[:3]]
    raws = q.raw_payloads(s, list({m.id for _, m, _, _, _ in picks} | {a for *_, a in picks}))
    best: dict[int, tuple[float, q.ThreadMessage, str, q.ThreadInfo]] = {}
    for score, m, t, conv, asked_id in picks:
        score *= _answer_bonus(m, conv, raws.get(m.id, {}), raws.get(asked_id, {}), want)
        if conv.id not in best or score > best[conv.id][0]:
            best[conv.id] = (score, m, t, conv)
    return _merge_duplicates([_past_suggestion(score, m, t, conv, now) for score, m, t, conv in best.values()])


def _answers(m: q.ThreadMessage, asked: q.ThreadMessage) -> bool:
    """Whether ``m`` (later in the thread) can be an answer to ``asked``: by a teammate or another member, not
    toxic, moderated away, a question, a complaint or a bare "thanks"."""
    return ((m.direction == "outbound" or (m.member_id is not None and m.member_id != asked.member_id))
            and (m.toxicity_score or 0) < TOXIC_ANSWER and m.intent not in ("question", "spam", "complaint")
            and m.moderation_status in (None, "", "approved") and len((m.text or "").strip()) >= 25
            and not _THANKS_ONLY.match(m.text or "") and not harsh_text(m.text)
            and not (m.direction == "inbound" and len(m.text or "") < 160 and _ME_TOO.search(m.text or "")))


def harsh_text(text_: str | None) -> bool:
    """Insults, profanity or dismissive put-downs by the empathy check's word lists (a second guard next to
    the toxicity score, which a message analysed before a model change may lack)."""
    return bool(text_) and HARSH_GUARD.search(text_) is not None


def _past_suggestion(score: float, msg: q.ThreadMessage, text_: str, conv: q.ThreadInfo,
                     now: dt.datetime) -> Suggestion:
    team = msg.direction == "outbound"
    author = (msg.user_name or gettext("the team")) if team else (msg.member_name or gettext("a member"))
    title = conv.title or gettext("(untitled)")
    source = gettext("answered by %(author)s in “%(title)s” %(ago)s", author=author, title=title,
                     ago=_ago(msg.created_at, now))
    return Suggestion(text=text_, score=min(score, 1.0), kind="past_answer", source=source, by_team=team,
                      author=author, conversation_id=conv.id, conversation_title=title, message_id=msg.id,
                      answered_at=msg.created_at, resolved=conv.status == "resolved")


def _merge_duplicates(items: list[Suggestion]) -> list[Suggestion]:
    items = sorted(items, key=lambda x: -x.score)
    if len(items) < 2:
        return items
    corpus = Corpus([x.text for x in items])
    kept: list[int] = []
    for i in range(len(items)):
        twin = next((k for k in kept if corpus.score(k, i) >= 0.85), None)
        if twin is None:
            kept.append(i)
        else:
            items[twin].uses += 1
    return [items[k] for k in kept]


def _saved_answers(saved: list[RenderedReply], query: str) -> list[Suggestion]:
    if not saved:
        return []
    corpus = Corpus([query, *(f"{r.name}\n{r.body}" for r in saved)])
    out = []
    for i, r in enumerate(saved):
        score = corpus.score(0, i + 1) * 1.1  # a curated answer wins a tie with a past one
        if score < MIN_SCORE:
            continue
        out.append(Suggestion(text=r.body, score=min(score, 1.0), kind="saved_reply",
                              source=gettext("Saved reply: %(name)s", name=r.name), by_team=True, saved_reply_id=r.id))
    return out


@panel("aside", "conversations/_suggestions.html", order=20)
def suggestions_panel(s: Session, viewer, conversation: Conversation, messages: list[Message]) -> dict | None:
    """Suggested answers beside a conversation whose latest member message is a question."""
    result = suggest_answers(s, conversation, messages, agent=viewer.user if viewer else None)
    if result.question is None:
        return None
    return {"suggestions": result.items, "question": result.question, "can_reply": bool(viewer and viewer.can("moderator")),
            "conversation": conversation}
