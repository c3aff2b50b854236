"""The demo's replies desk: saved replies in English and Filipino/Taglish, the public subreddit set to need
approval for replies, and one reply by the moderator waiting for a manager's approval."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kapwa.core.models import Conversation, Notification, Reply, ReplyEvent, SavedReply, Source, User

# (name, shortcut, offered as a suggested answer, {language: text}, uses)
SAVED_REPLIES = [
    ("Acknowledge", "ack", False, {
        "en": "Hi {member_first_name}, thanks for reaching out! We're looking into this now and will update you "
              "here as soon as we know more. — {agent_name}",
        "tl": "Hi {member_first_name}! Salamat sa pag-message. Tinitingnan na namin ito at babalikan ka namin dito "
              "sa lalong madaling panahon. — {agent_name}",
    }, 41),
    ("Outage apology", "outage", True, {
        "en": "Hi {member_first_name}, we're sorry — Bayani Pay had a service interruption today that delayed "
              "cash-ins and transfers. Your money is safe: delayed transactions post automatically once service "
              "is back, and any double charge is reversed. Thank you for your patience.",
        "tl": "Hi {member_first_name}, pasensya na po sa abala. Nagkaroon ng aberya ang Bayani Pay ngayong araw kaya "
              "na-delay ang cash-in at padala. Ligtas po ang pera ninyo: kusang papasok ang mga na-delay na "
              "transaksyon pagbalik ng serbisyo, at ibabalik ang anumang double charge. Salamat sa pasensya!",
    }, 57),
    ("Ask for details", "details", True, {
        "en": "To check this, could you send us the reference number, the amount, and the date and time of the "
              "transaction? Please never share your MPIN or OTP with anyone — we will never ask for them.",
        "tl": "Para ma-check namin, pakisend po ang reference number, amount, at petsa at oras ng transaction. "
              "Paalala: huwag ibigay ang MPIN o OTP kahit kanino — hindi namin ito hihingin kailanman.",
    }, 33),
    ("KYC verification help", "kyc", True, {
        "en": "Hi {member_first_name}! To get fully verified: open the app, go to Profile > Verify, take a photo of "
              "one valid ID (UMID, passport, driver's license or PhilSys ID) and a selfie in good light. It usually "
              "takes up to 24 hours. If it fails, reply here with the error you see and we'll help.",
        "tl": "Hi {member_first_name}! Para ma-fully verify: buksan ang app, pumunta sa Profile > Verify, kunan ng "
              "litrato ang isang valid ID (UMID, passport, driver's license o PhilSys ID) at mag-selfie sa "
              "maliwanag na lugar. Karaniwang hanggang 24 oras ito. Kung mag-fail, i-reply lang dito ang error na "
              "lumabas at tutulungan ka namin.",
    }, 24),
    ("Move to a direct message", "dm", False, {
        "en": "Hi {member_first_name}, so we can look at your account safely, we've sent you a direct message on "
              "{platform}. Let's continue there — and please don't post your number or reference codes publicly.",
        "tl": "Hi {member_first_name}, nag-send kami ng direct message sa {platform} para ligtas naming matingnan ang "
              "account mo. Doon na po tayo mag-usap — huwag i-post sa publiko ang number o reference code mo.",
    }, 18),
    ("Refund timeline", "refund", True, {
        "en": "Refunds for failed transactions go back to your Bayani Pay wallet within 3 to 5 banking days, and "
              "you'll get an SMS once it's credited. If it's been longer, reply with the reference number.",
        "tl": "Ang refund para sa failed na transaction ay babalik sa Bayani Pay wallet mo sa loob ng 3 hanggang 5 "
              "banking days, at may SMS kapag na-credit na. Kung lumampas na, i-reply ang reference number.",
    }, 15),
    ("Glad it's sorted", "thanks", False, {
        "en": "Glad that's sorted, {member_first_name}! If anything else comes up, just reply here. — {agent_name} "
              "of {community_name}",
        "tl": "Ayos, {member_first_name}! Kung may iba pang concern, mag-reply lang dito. Salamat po! — {agent_name}",
    }, 29),
]
AUTHORS = ("manager", "moderator", "owner")
# The pending example answers a question about a transaction (its text asks for the reference number).
TRANSACTION_WORDS = ("padala", "cash", "transfer", "transaction", "refund", "pending", "bawas", "deduct", "sent")


def write_desk_replies(session: Session, workspace_id: int, users: dict[str, int], now: dt.datetime) -> int:
    """Add the demo's saved replies (unless the workspace has some) and its approval example; returns how many
    saved replies were added."""
    if session.scalar(select(SavedReply.id).where(SavedReply.workspace_id == workspace_id).limit(1)):
        return 0
    rows = []
    for i, (name, shortcut, is_answer, texts, uses) in enumerate(SAVED_REPLIES):
        for language, body in texts.items():
            rows.append(SavedReply(workspace_id=workspace_id, name=name, language=language, body=body,
                                   shortcut=shortcut, is_answer=is_answer, use_count=uses if language == "tl"
                                   else max(1, uses * 2 // 3), created_by_id=users.get(AUTHORS[i % 3]),
                                   created_at=now - dt.timedelta(days=60 - i)))
    session.add_all(rows)
    reddit = session.scalar(select(Source).where(Source.workspace_id == workspace_id, Source.kind == "reddit"))
    if reddit is not None:
        reddit.reply_approval = True  # the public subreddit: a manager reads replies before they go out
        _pending_reply(session, workspace_id, reddit, users, now)
    session.flush()
    return len(rows)


def _pending_reply(session: Session, workspace_id: int, reddit: Source, users: dict[str, int],
                   now: dt.datetime) -> None:
    waiting = select(Conversation).where(
        Conversation.source_id == reddit.id, Conversation.status.in_(("new", "open")),
        Conversation.started_by_member_id.is_not(None), Conversation.first_response_at.is_(None))
    about_money = or_(*(Conversation.title.ilike(f"%{word}%") for word in TRANSACTION_WORDS))
    conv = session.scalar(waiting.where(about_money).order_by(Conversation.last_message_at.desc()).limit(1)) \
        or session.scalar(waiting.order_by(Conversation.last_message_at.desc()).limit(1))
    author = users.get("moderator")
    if conv is None or author is None:
        return
    body = ("Hi po! Pasensya na sa abala. Pakisend po sa DM ang reference number at oras ng transaction para "
            "ma-check namin agad. Huwag po i-post dito ang MPIN o OTP.")
    at = now - dt.timedelta(minutes=18)
    from kapwa.inbox.replies.actions import empathy_findings

    name = session.get(User, author).name
    reply = Reply(workspace_id=workspace_id, conversation_id=conv.id, source_id=reddit.id, author_user_id=author,
                  body=body, status="pending_approval", idempotency_key=secrets.token_hex(16), attempts=0,
                  empathy=empathy_findings(session, conv, body), created_at=at)
    session.add(reply)
    session.flush()
    session.add_all([
        ReplyEvent(reply_id=reply.id, user_id=author, action="created", body=body, created_at=at),
        ReplyEvent(reply_id=reply.id, user_id=author, action="submitted",
                   note="replies through this source need approval", created_at=at),
        *[Notification(workspace_id=workspace_id, user_id=users[key], actor_user_id=author,
                       kind="approval_requested", text=f"{name} asks for approval of a reply on “{conv.title[:60]}”",
                       url=f"/approvals#reply-{reply.id}", created_at=at)
          for key in ("owner", "manager") if key in users],
    ])
