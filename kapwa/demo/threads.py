"""Conversations: who starts them, what they are about, who answers, and how they end."""

from __future__ import annotations

import datetime as dt
import itertools
import random

from kapwa.demo import content as C
from kapwa.demo.model import PConv, PMessage
from kapwa.demo.people import PIdentity, Population
from kapwa.demo.platforms import CHAT_PLATFORMS, channel_for, url_slug
from kapwa.demo.timeline import Clock

TOPICS = {
    "discord": {"question": 30, "complaint": 13, "bug": 8, "feature": 6, "praise": 6, "chatter": 22, "event": 5,
                "spam": 1, "rant": 1, "announcement": 1.2, "dm": 3},
    "telegram": {"question": 30, "complaint": 16, "bug": 4, "feature": 4, "praise": 6, "chatter": 24, "event": 4,
                 "spam": 1.6, "rant": 1.5, "announcement": 1.5, "dm": 3},
    "reddit": {"question": 28, "complaint": 22, "bug": 6, "feature": 8, "praise": 6, "chatter": 20, "event": 2,
               "spam": 1, "rant": 3},
    "discourse": {"question": 38, "complaint": 10, "bug": 12, "feature": 14, "praise": 5, "chatter": 10, "event": 5,
                  "spam": 0.6, "announcement": 3},
    "email": {"question": 48, "complaint": 40, "bug": 5, "feature": 3, "praise": 2, "spam": 0.8},
    "mastodon": {"question": 25, "complaint": 30, "praise": 25, "chatter": 10, "bug": 5, "spam": 1},
    "matrix": {"question": 45, "bug": 20, "feature": 15, "chatter": 20},
}
CONV_SHARE = {"discord": 30, "telegram": 19, "reddit": 10, "discourse": 11, "email": 16, "mastodon": 10, "matrix": 4}
FEATURE_WEIGHTS = {"cashin": 14, "cashout": 8, "qr": 10, "bills": 10, "load": 7, "padala": 10, "ipon": 9, "kyc": 10,
                   "card": 6, "points": 5, "app": 6, "account": 6, "merchant": 3}
MATRIX_FEATURES = {"merchant": 60, "qr": 10, "app": 10, "cashin": 5, "account": 5}
CHATTER_WEIGHTS = {"ipon": 18, "points": 10, "tip": 10, "business": 12, "card": 8, "qr": 12, "padala": 14, "payday": 10}
PROBLEM_WEIGHTS = {"cashin_failed": 22, "double_charge": 15, "kyc_slow": 15, "cashout_delay": 12,
                   "transfer_failed": 12, "account_locked": 8, "points_missing": 6, "qr_declined": 10}
OUTCOMES = {
    "question": {"unanswered": 11, "member": 28, "staff": 52, "ongoing": 9},
    "complaint": {"resolved": 50, "pending": 32, "unanswered": 7, "ongoing": 11},
    "bug": {"staff": 80, "unanswered": 20},
    "rant": {"staff": 70, "unanswered": 30},
}
SOLO_OUTCOMES = {  # e-mail and DMs: nobody else can answer
    "question": {"unanswered": 12, "staff": 88},
    "complaint": {"resolved": 50, "pending": 35, "unanswered": 15},
}
GAP = {"discord": 420, "telegram": 480, "matrix": 900, "discourse": 4 * 3600, "reddit": 5400, "email": 10 * 3600,
       "mastodon": 5400}
STAFF_MEAN = {"discord": 2400, "telegram": 2400, "matrix": 7200, "discourse": 3 * 3600, "reddit": 9000,
              "email": 5 * 3600, "mastodon": 5400}
STAFF_WEIGHTS = {"moderator": 5, "manager": 3, "owner": 2}
STAFF_FIRST = {"owner": "Ligaya", "manager": "Paolo", "moderator": "Bea", "analyst": "Carlo"}
STAFF_GREET = {"en": ["Hi {first}! ", "Hello {first}! ", "Hi {first}, "], "tg": ["Hi {first}! ", "Hello po, {first}! ", "Hi po! "]}
SPAMMER_NAMES = ["Crypto Giveaway PH", "Bayani Pay Support 24/7", "Earn From Home PH", "USDT Airdrop Official",
                 "Fast Loan Assist", "Bayani Rewards Center"]
Beat = tuple[str, str, bool]  # (role, template key, counts as an answer)


def _choice(rng: random.Random, table: dict[str, float]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


class Planner:
    def __init__(self, rng: random.Random, clock: Clock, pop: Population, events: list[tuple[str, dt.datetime]]):
        self.rng, self.clock, self.pop, self.events = rng, clock, pop, events
        self.limit = clock.now - dt.timedelta(minutes=1)
        self.convs: list[PConv] = []
        self.planned: dict[int, int] = {}
        self._authors: dict[str, tuple[list[PIdentity], list[float]]] = {}
        self._spammers: dict[str, list[PIdentity]] = {}
        for platform in CONV_SHARE:
            idents = [i for i in pop.identities if i.platform == platform and i.weight > 0]
            self._authors[platform] = (idents, list(itertools.accumulate(i.weight for i in idents)))

    # ---- people -----------------------------------------------------------------------------------
    def pick(self, platform: str, t: dt.datetime, exclude: tuple[int, ...] = ()) -> PIdentity | None:
        idents, cum = self._authors[platform]
        fallback = None
        for attempt in range(30):
            ident = self.rng.choices(idents, cum_weights=cum)[0]
            if ident.member in exclude:
                continue
            if self.pop.members[ident.member].join_at <= t:
                return ident
            fallback = fallback or ident
            if attempt >= 8:
                return fallback
        return fallback

    def spammer(self, platform: str, t: dt.datetime) -> PIdentity:
        """A throwaway account; some come back to spam again."""
        known = self._spammers.setdefault(platform, [])
        if known and self.rng.random() < 0.4:
            return self.rng.choice(known)
        member = self.pop.new_person(0.0, t - dt.timedelta(minutes=self.rng.randrange(2, 90)))
        member.display_name = self.rng.choice(SPAMMER_NAMES)
        member.handle = C.FILLERS["spamhandle"](self.rng) + str(self.rng.randrange(10, 999))
        member.lang, member.location, member.bio = "en", None, None
        member.tags.append("spam")
        ident = self.pop.add_identity(member, platform, 0.0)
        known.append(ident)
        return ident

    def lang_of(self, member_idx: int) -> str:
        if self.rng.random() < 0.85:
            return self.pop.members[member_idx].lang
        return self.rng.choices(C.LANGS, weights=[40, 25, 35])[0]

    # ---- conversations ----------------------------------------------------------------------------
    def new_conv(self, platform: str, topic: str, starter: PIdentity | None, *, lang: str | None = None,
                 channel: str | None = None, feature: str | None = None, problem: str | None = None,
                 is_direct: bool = False, crisis: bool = False) -> PConv:
        rng = self.rng
        agent = _choice(rng, STAFF_WEIGHTS)
        lang = lang or (self.lang_of(starter.member) if starter else "en")
        conv = PConv(len(self.convs), platform, topic, channel or channel_for(platform, topic, feature), lang,
                     feature=feature, problem=problem, is_direct=is_direct, crisis=crisis, agent=agent)
        if is_direct:
            conv.channel = "Direct message"
        if starter:
            conv.starter_member, conv.starter_identity = starter.member, starter.idx
        member = self.pop.members[starter.member] if starter else None
        if member is None:
            first = "everyone"
        elif platform == "reddit":
            first = f"u/{starter.handle}"
        else:
            first = member.first
        via = "by replying to this e-mail" if platform == "email" else ("here" if is_direct else "via DM")
        conv.slots = C.Slots(rng, first=first, agent=STAFF_FIRST[agent], via_dm=via,
                             label=C.LABELS.get(feature or "", "General"))
        self.convs.append(conv)
        return conv

    def say(self, conv: PConv, t: dt.datetime, key: str, ident: PIdentity | None = None, staff: str | None = None,
            parent: int | None = None, answer: bool = False, text: str | None = None) -> PMessage:
        rng, pos = self.rng, len(conv.messages)
        t = t.replace(microsecond=0)
        if staff:
            lang = ("en" if rng.random() < 0.92 else "tg") if conv.lang == "en" else ("tg" if rng.random() < 0.65 else "en")
            text = text if text is not None else self._staff_text(conv, key, lang, staff)
        else:
            lang = conv.lang if pos == 0 else self.lang_of(ident.member)
            text = text if text is not None else self._member_text(conv, key, lang, ident, pos == 0)
        if conv.is_direct:
            kind = "direct"
        elif pos == 0:
            kind = "mention" if conv.platform == "mastodon" else "post"
        elif conv.platform == "reddit":
            kind = "comment" if parent == 0 else "reply"
        else:
            kind = "reply"
        msg = PMessage(conv.idx, pos, ident.idx if ident else None, ident.member if ident else None, staff, kind,
                       parent, text, t, key=key, lang=lang, is_answer=answer or bool(staff))
        if not staff and rng.random() < 0.03:
            edited = t + dt.timedelta(seconds=rng.randrange(30, 900))
            msg.edited_at = edited if edited <= self.limit else None
        conv.messages.append(msg)
        return msg

    def _member_text(self, conv: PConv, key: str, lang: str, ident: PIdentity, opener: bool) -> str:
        rng = self.rng
        tag = conv.qtag if key.startswith("a.") else None
        for _ in range(6):
            tags, template = C.member_template(rng, lang, key, tag)
            if template not in conv.used:
                break
        conv.used.add(template)
        if opener and key.startswith("q."):
            conv.qtag = tags[0] if tags else None
            label = C.LABELS[conv.feature]
            conv.slots["help_url"] = (f"https://help.bayanipay.ph/hc/en-us/articles/{rng.randrange(360_000_000_000, 369_999_999_999)}"
                                      f"-{url_slug(label)}-{conv.qtag or 'faq'}")
        slots = conv.slots
        if not conv.shared_slots and not opener:
            slots = C.Slots(rng, first=slots["first"], agent=slots["agent"], via_dm=slots["via_dm"])
        text = template.format_map(slots)
        if opener and conv.topic in ("question", "complaint"):
            text = C.decorate_opener(rng, text, lang)
        text = C.roughen(rng, text, key)
        if conv.platform == "email":
            if opener and rng.random() < 0.7:
                hello, bye = C.EMAIL_WRAP[lang]
                text = f"{hello}\n\n{text}\n\n{bye}\n{ident.display_name}"
            elif not opener and rng.random() < 0.5:
                text = f"{text}\n\n{ident.display_name.split()[0]}"
        elif conv.platform == "mastodon" and (opener or rng.random() < 0.6):
            text = f"@bayanipay {text}"
            if key.startswith("crisis.") and "#BayaniPayDown" not in text and rng.random() < 0.5:
                text += " #BayaniPayDown"
        return text

    def _staff_text(self, conv: PConv, key: str, lang: str, staff: str) -> str:
        rng, slots = self.rng, conv.slots
        _tags, template = C.staff_template(rng, lang, key, conv.qtag if key == f"s.{conv.feature}" else None)
        body = template.format_map(slots)
        if key in ("s.crisis.ack", "s.crisis.update", "s.crisis.fixed"):
            return body
        agent = STAFF_FIRST[staff]
        if conv.platform == "email":
            sign = rng.choice(["Salamat po", "Ingat po"] if lang == "tg" else ["Best regards", "Kind regards", "Thank you"])
            return f"Hi {slots['first']},\n\n{body}\n\n{sign},\n{agent}\nBayani Pay Support"
        text = body
        if rng.random() < 0.8 and not body.startswith(("Thank", "Salamat", "Love", "Ang ganda", "Nakakataba", "This made")):
            text = rng.choice(STAFF_GREET[lang]).format(first=slots["first"]) + body
        if conv.platform in ("discourse", "reddit") and rng.random() < 0.35:
            text += f"\n\n– {agent}, Bayani Pay Community Team"
        if conv.platform == "mastodon" and conv.starter_identity is not None:
            text = f"{self.pop.identities[conv.starter_identity].handle} {text}"
        return text

    # ---- regular conversations --------------------------------------------------------------------
    def regular(self, platform: str, t0: dt.datetime) -> PConv | None:
        rng = self.rng
        topic = _choice(rng, TOPICS[platform])
        is_direct = topic == "dm"
        if is_direct:
            topic = rng.choice(["question", "complaint"])
        feature = problem = event = None
        if topic == "event":
            upcoming = [(name, at) for name, at in self.events if at - dt.timedelta(days=21) <= t0 <= at + dt.timedelta(days=2)]
            if upcoming:
                event = rng.choice(upcoming)[0]
            else:
                topic = "chatter"
        if topic == "question":
            feature = _choice(rng, MATRIX_FEATURES if platform == "matrix" else FEATURE_WEIGHTS)
        elif topic == "complaint":
            problem = _choice(rng, PROBLEM_WEIGHTS)
            feature = C.COMPLAINTS[problem][0]
        elif topic == "chatter":
            feature = _choice(rng, CHATTER_WEIGHTS)
        if topic == "spam":
            starter = self.spammer(platform, t0)
        elif topic == "announcement":
            starter = None
        else:
            starter = self.pick(platform, t0)
        conv = self.new_conv(platform, topic, starter, feature=feature, problem=problem, is_direct=is_direct,
                             lang=rng.choice(["en", "en", "tg"]) if starter is None else None)
        if event:
            conv.slots["event"] = event
        solo = platform == "email" or is_direct
        if topic in OUTCOMES:
            conv.outcome = _choice(rng, SOLO_OUTCOMES[topic] if solo and topic in SOLO_OUTCOMES else OUTCOMES[topic])
        if topic == "announcement":
            title, body = rng.choice(C.content_staff.ANNOUNCEMENTS[conv.lang])
            conv.slots.setdefault("event", "Bayani Pay Meetup Davao")
            conv.title = title.format_map(conv.slots)
            self.say(conv, t0, "announcement", staff=conv.agent, text=body.format_map(conv.slots))
        else:
            key = {"question": f"q.{feature}", "complaint": f"c.{problem}", "chatter": f"chat.{feature}"}.get(topic, topic)
            self.say(conv, t0, key, ident=starter)
        beats = self.script(conv)
        self.planned[conv.idx] = 1 + len(beats)
        self.realize(conv, beats)
        if not conv.title:
            pattern = C.TITLE_PATTERNS.get(topic)
            if pattern and platform in ("reddit", "discourse") and rng.random() < 0.45:
                label = C.COMPLAINTS[problem][2] if problem else C.LABELS[feature]
                conv.title = rng.choice(pattern).format(label=label)
            else:
                conv.title = C.title_from(conv.messages[0].text)
        return conv

    def script(self, conv: PConv) -> list[Beat]:
        rng, topic, o, f = self.rng, conv.topic, conv.outcome, conv.feature
        chat = conv.platform in CHAT_PLATFORMS
        solo = conv.platform == "email" or conv.is_direct
        n = rng.randint

        def rep(role: str, key: str, lo: int, hi: int, answer: bool = False) -> list[Beat]:
            if solo and role == "other":
                return []
            return [(role, key, answer)] * n(lo, hi)

        def maybe(p: float, *beats: Beat) -> list[Beat]:
            return list(beats) if rng.random() < p else []

        more = 3 if chat else 1
        if topic == "question":
            if o == "unanswered":
                return rep("other", "curious", 0, 2 if chat else 1) + maybe(0.35, ("starter", "bump", False))
            if o == "member":
                return (rep("other", "curious", 0, more) + [("other", f"a.{f}", True)]
                        + maybe(0.7, ("starter", "thanks", False)) + (rep("other", "chat", 0, 1) if chat else []))
            if o == "staff":
                return (rep("other", "curious", 0, more) + (maybe(0.25, ("other", f"a.{f}", True)) if not solo else [])
                        + [("staff", f"s.{f}", True)] + maybe(0.65, ("starter", "thanks", False)))
            return rep("other", "curious", 1, more) + [("starter", "bump", False)]
        if topic == "complaint":
            res = C.COMPLAINTS[conv.problem][3]
            if o == "resolved":
                beats = (rep("other", "metoo", 0, more) + [("staff", "s.ask", True), ("starter", "sent", False),
                                                           ("staff", f"s.resolved.{res}", True)]
                         + maybe(0.7, ("starter", "confirm", False)))
            elif o == "pending":
                beats = rep("other", "metoo", 0, 2) + [("staff", "s.ask", True)] + maybe(
                    0.5, ("starter", "sent", False), ("staff", "s.followup", True))
            elif o == "ongoing":
                beats = rep("other", "metoo", 1, more) + [("starter", "followup", False)]
            else:
                beats = rep("other", "metoo", 0, 1) + maybe(0.3, ("starter", "followup", False))
            if not solo and rng.random() < 0.08:
                at = n(0, len(beats))
                beats[at:at] = [(rng.choice(["starter", "other"]), "toxic", False)] + maybe(0.5, ("staff", "s.toxic", True))
            return beats
        if topic == "bug":
            if o == "unanswered":
                return rep("other", "metoo", 0, more)
            return rep("other", "metoo", 0, more) + [("staff", "s.bug", True)] + maybe(0.4, ("starter", "thanks", False))
        if topic == "rant":
            beats = maybe(0.5, ("other", "toxic" if rng.random() < 0.3 else "metoo", False))
            if o == "staff":
                beats += maybe(0.6, ("staff", "s.toxic", True)) + [("staff", "s.ask", True)]
            return beats
        if topic == "feature":
            return (rep("other", "plus1", 1, 5) + maybe(0.5, ("staff", "s.feature", True)) + rep("other", "plus1", 0, 2))
        if topic == "praise":
            return ([("other", "praise.reply" if rng.random() < 0.8 else "chat", False) for _ in range(n(0, 2 if solo else 3))]
                    + maybe(0.55, ("staff", "s.praise", True)))
        if topic == "event":
            return rep("other", "event.reply", 1, 5) + maybe(0.4, ("staff", "s.event", True))
        if topic == "spam":
            return rep("other", "spamwarn", 0, 2) + maybe(0.5, ("staff", "s.spam", True))
        if topic == "announcement":
            beats = rep("other", "ann.reply", 2, 8)
            if rng.random() < 0.6:
                beats.insert(n(1, len(beats)), ("staff", "s.ann.reply", True))
            return beats
        lo, hi = (3, 12) if chat else ((2, 14) if conv.platform == "reddit" else (1, 6))
        beats = []
        for _ in range(n(lo, hi)):
            if rng.random() < 0.2:
                beats.append(("starter", "chat", False))
            else:
                beats.append(("other", f"chatr.{f}" if rng.random() < 0.85 else "chat", False))
        return beats

    def realize(self, conv: PConv, beats: list[Beat]) -> None:
        rng, platform = self.rng, conv.platform
        last_t = conv.messages[0].created_at
        exclude = (conv.starter_member,) if conv.starter_member is not None else ()
        others: list[PIdentity] = []
        for role, key, answer in beats:
            if role == "staff":
                t = self.clock.staff_after(rng, last_t, STAFF_MEAN[platform], urgent=conv.crisis)
            else:
                mean = GAP[platform] * (8 if platform in CHAT_PLATFORMS and rng.random() < 0.1 else 1)
                t = self.clock.later(rng, last_t, mean)
            if t > self.limit:
                break
            ident = None
            if role == "starter" and conv.starter_identity is not None:
                ident = self.pop.identities[conv.starter_identity]
            elif role != "staff":
                fresh = answer or key in ("metoo", "curious", "plus1", "spamwarn", "event.reply")
                if others and not fresh and rng.random() < 0.35:
                    ident = rng.choice(others)
                else:
                    ident = self.pick(platform, t, exclude + tuple(o.member for o in others))
                    if ident is None:
                        continue
                    others.append(ident)
            parent = self.parent_for(conv, role, key)
            self.say(conv, t, key, ident=ident, staff=conv.agent if role == "staff" else None, parent=parent,
                     answer=answer)
            last_t = t

    def parent_for(self, conv: PConv, role: str, key: str) -> int | None:
        rng, msgs, n = self.rng, conv.messages, len(conv.messages)
        if conv.is_direct:
            return None
        if conv.platform in ("email", "mastodon"):
            return n - 1
        target = None
        if key in ("thanks", "confirm", "sent", "followup"):
            target = next((m.pos for m in reversed(msgs) if m.staff or m.member != conv.starter_member), None)
        if conv.platform == "reddit":
            if target is not None and rng.random() < 0.85:
                return target
            return rng.randrange(1, n) if n > 1 and rng.random() < 0.4 else 0
        if conv.platform == "discourse":
            if target is not None and rng.random() < 0.6:
                return target
            return rng.randrange(1, n) if n > 1 and rng.random() < 0.2 else 0
        if target is not None and rng.random() < 0.5:
            return target
        if key.startswith(("a.", "s.")) and rng.random() < 0.5:
            return 0
        return rng.randrange(n) if n > 1 and rng.random() < 0.1 else None
