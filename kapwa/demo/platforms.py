"""What each platform looks like: source settings, channels, and ids, permalinks and payloads shaped
like the real thing (Discord snowflakes, reddit base-36 fullnames, Discourse topic/post numbers…)."""

from __future__ import annotations

import base64
import datetime as dt
import random
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from kapwa.demo.model import PConv, PMessage
    from kapwa.demo.people import PIdentity

DISCORD_EPOCH_MS = 1420070400000
GUILD_ID = "1071339827367211018"
FORUM_HOST = "community.bayanipay.ph"
SUBREDDIT = "BayaniPay"
TELEGRAM_CHAT_ID = -1001789234561
TELEGRAM_PUBLIC = "BayaniPayPH"
MASTODON_HOME = "mastodon.social"
MASTODON_SERVERS = ["mastodon.social"] * 4 + ["mas.to", "mstdn.social", "fosstodon.org", "hachyderm.io", "social.lol"]
MATRIX_SERVERS = ["matrix.org"] * 5 + ["beeper.com", "tchncs.de", "envs.net"]
SUPPORT_EMAIL = "support@bayanipay.ph"

SOURCES = {  # platform -> (source name, config)
    "discord": ("Bayani Pay Discord", {"guild_id": GUILD_ID, "channels": ["#general", "#help", "#bug-reports",
                                                                          "#feature-requests", "#events",
                                                                          "#ipon-challenge", "#merchants",
                                                                          "#announcements"]}),
    "discourse": ("community.bayanipay.ph forum", {"base_url": f"https://{FORUM_HOST}", "api_username": "system"}),
    "reddit": ("r/BayaniPay", {"subreddit": SUBREDDIT}),
    "telegram": ("Bayani Pay PH Telegram", {"chat_id": TELEGRAM_CHAT_ID, "public_username": TELEGRAM_PUBLIC}),
    "mastodon": ("@bayanipay@mastodon.social", {"instance": f"https://{MASTODON_HOME}", "account": "bayanipay"}),
    "matrix": ("Bayani Pay Matrix rooms", {"homeserver": "https://matrix.org",
                                           "rooms": ["#bayanipay:matrix.org", "#bayanipay-merchants:matrix.org"]}),
    "email": ("support@bayanipay.ph inbox", {"imap_host": "imap.bayanipay.ph", "mailbox": "INBOX",
                                             "address": SUPPORT_EMAIL}),
}
CHAT_PLATFORMS = ("discord", "telegram", "matrix")

CHANNELS = {  # platform -> topic -> channel
    "discord": {"question": "#help", "complaint": "#help", "rant": "#general", "bug": "#bug-reports",
                "feature": "#feature-requests", "praise": "#general", "chatter": "#general", "event": "#events",
                "spam": "#general", "announcement": "#announcements", "merchant": "#merchants",
                "ipon": "#ipon-challenge", "business": "#merchants", "payday": "#ipon-challenge"},
    "telegram": {"question": "Help", "complaint": "Help", "rant": "General", "bug": "Help", "feature": "General",
                 "praise": "General", "chatter": "General", "event": "Events", "spam": "General",
                 "announcement": "Announcements", "merchant": "Negosyo", "padala": "Padala Corner",
                 "business": "Negosyo"},
    "discourse": {"question": "Help & Support", "complaint": "Help & Support", "rant": "General", "bug": "Bugs",
                  "feature": "Feature Requests", "praise": "General", "chatter": "General", "event": "Events",
                  "spam": "General", "announcement": "Announcements", "merchant": "Merchants", "ipon": "Ipon Tips",
                  "business": "Merchants", "payday": "Ipon Tips"},
    "reddit": {"question": "Question", "complaint": "Help", "rant": "Rant", "bug": "Bug", "feature": "Suggestion",
               "praise": "Praise", "chatter": "Discussion", "event": "Events", "spam": "Discussion",
               "announcement": "Official"},
    "mastodon": {},
    "matrix": {"merchant": "#bayanipay-merchants:matrix.org"},
    "email": {},
}
DEFAULT_CHANNEL = {"mastodon": "Mentions", "matrix": "#bayanipay:matrix.org", "email": SUPPORT_EMAIL}
DISCORD_CHANNEL_IDS = {name: str(1071339827367211100 + i * 7919) for i, name in
                       enumerate(SOURCES["discord"][1]["channels"])}
TELEGRAM_TOPICS = {"General": 1, "Help": 4, "Padala Corner": 9, "Negosyo": 12, "Events": 17, "Announcements": 2}
MATRIX_ROOMS = {"#bayanipay:matrix.org": "!QkTzWfVbXhRpLmNcYd:matrix.org",
                "#bayanipay-merchants:matrix.org": "!aHsPqRtUvWxYzBcDeF:matrix.org"}
STAFF_ACCOUNT = {"discord": ("1071340022155067392", "bayanipay.support"), "telegram": ("6120334455", "BayaniPaySupport"),
                 "reddit": ("t2_b4yan1p4y", "BayaniPay_Official"), "discourse": ("2", "bayanipay_team"),
                 "mastodon": ("109372240811234567", "bayanipay"), "matrix": ("@support:bayanipay.ph", "@support:bayanipay.ph"),
                 "email": (SUPPORT_EMAIL, SUPPORT_EMAIL)}


def channel_for(platform: str, topic: str, feature: str | None) -> str:
    table = CHANNELS[platform]
    if feature in table and topic in ("question", "chatter", "complaint"):
        return table[feature]
    return table.get(topic) or DEFAULT_CHANNEL.get(platform, "General")


def base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out or "0"


def hexid(rng: random.Random, length: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(length))


def url_slug(title: str, sep: str = "-", limit: int = 60) -> str:
    text = re.sub(r"[^a-z0-9]+", sep, title.lower().replace("ñ", "n")).strip(sep)
    return text[:limit].rstrip(sep) or "topic"


def _ms(t: dt.datetime) -> int:
    return int(t.timestamp() * 1000)


def assign_ids(rng: random.Random, platform: str, convs: list[PConv], identities: list[PIdentity]) -> None:
    """Give every message and thread on ``platform`` its platform id, permalink and raw payload,
    in time order (ids grow with time, as on the real platforms)."""
    msgs: list[tuple[PMessage, PConv]] = sorted(
        ((m, c) for c in convs for m in c.messages), key=lambda mc: (mc[0].created_at, mc[1].idx, mc[0].pos)
    )
    state: dict = {"used": set(), "seq": 0, "tg": 48210, "tg_dm": {}, "topic": 3120, "post": 18450,
                   "t3": int("1fk0a00", 36), "t1": int("lq0a000", 36)}
    staff_id, staff_name = STAFF_ACCOUNT[platform]
    for m, c in msgs:
        author = identities[m.identity] if m.identity is not None else None
        uid = author.platform_user_id if author else staff_id
        uname = (author.handle or author.display_name) if author else staff_name
        parent = c.messages[m.parent] if m.parent is not None else None
        ts = m.created_at.isoformat().replace("+00:00", "Z")
        state["seq"] += 1
        if platform == "discord":
            mid = _snowflake(rng, m.created_at, state)
            if m.pos == 0:
                c.platform_thread_id = mid if not c.is_direct else _snowflake(rng, m.created_at, state)
                c.url = (f"https://discord.com/channels/@me/{c.platform_thread_id}" if c.is_direct
                         else f"https://discord.com/channels/{GUILD_ID}/{c.platform_thread_id}")
            m.platform_message_id = mid
            m.url = f"{c.url}/{mid}"
            m.raw = {"id": mid, "channel_id": c.platform_thread_id, "guild_id": None if c.is_direct else GUILD_ID,
                     "author": {"id": uid, "username": uname}, "timestamp": ts, "type": 19 if parent else 0}
            if not c.is_direct:
                m.raw["parent_channel_id"] = DISCORD_CHANNEL_IDS.get(c.channel)
            if parent:
                m.raw["message_reference"] = {"message_id": parent.platform_message_id}
        elif platform == "telegram":
            if c.is_direct:
                chat_id = int(author.platform_user_id) if author else int(identities[c.starter_identity].platform_user_id)
                n = state["tg_dm"].get(chat_id, rng.randrange(20, 400)) + rng.randrange(1, 3)
                state["tg_dm"][chat_id] = n
                chat = {"id": chat_id, "type": "private"}
            else:
                state["tg"] += rng.randrange(1, 4)
                n, chat_id = state["tg"], TELEGRAM_CHAT_ID
                chat = {"id": chat_id, "type": "supergroup", "title": "Bayani Pay PH", "username": TELEGRAM_PUBLIC}
            if m.pos == 0:
                c.platform_thread_id = f"{chat_id}:{n}"
                c.url = None if c.is_direct else f"https://t.me/{TELEGRAM_PUBLIC}/{n}"
            m.platform_message_id = f"{chat_id}:{n}"
            m.url = None if c.is_direct else f"https://t.me/{TELEGRAM_PUBLIC}/{n}"
            m.raw = {"message_id": n, "chat": chat, "from": {"id": int(uid) if uid.isdigit() else uid, "username": uname},
                     "date": int(m.created_at.timestamp())}
            if not c.is_direct:
                m.raw["message_thread_id"] = TELEGRAM_TOPICS.get(c.channel, 1)
            if parent:
                m.raw["reply_to_message_id"] = int(parent.platform_message_id.rsplit(":", 1)[1])
        elif platform == "reddit":
            if m.pos == 0:
                state["t3"] += rng.randrange(400, 4000)
                pid = base36(state["t3"])
                c.platform_thread_id = f"t3_{pid}"
                c.url = f"https://www.reddit.com/r/{SUBREDDIT}/comments/{pid}/{url_slug(c.title, '_', 50)}/"
                m.platform_message_id, m.url = c.platform_thread_id, c.url
                m.raw = {"name": c.platform_thread_id, "author": uname, "subreddit": SUBREDDIT, "title": c.title,
                         "link_flair_text": c.channel, "score": rng.randrange(1, 120), "created_utc": int(m.created_at.timestamp())}
            else:
                state["t1"] += rng.randrange(3000, 30000)
                cid = base36(state["t1"])
                m.platform_message_id = f"t1_{cid}"
                m.url = f"https://www.reddit.com/r/{SUBREDDIT}/comments/{c.platform_thread_id[3:]}/comment/{cid}/"
                m.raw = {"name": m.platform_message_id, "author": uname, "subreddit": SUBREDDIT,
                         "link_id": c.platform_thread_id, "parent_id": parent.platform_message_id if parent else c.platform_thread_id,
                         "score": rng.randrange(-3, 60), "created_utc": int(m.created_at.timestamp())}
        elif platform == "discourse":
            if m.pos == 0:
                state["topic"] += rng.randrange(1, 3)
                c.platform_thread_id = str(state["topic"])
                c.url = f"https://{FORUM_HOST}/t/{url_slug(c.title)}/{state['topic']}"
            state["post"] += rng.randrange(1, 5)
            m.platform_message_id = str(state["post"])
            m.url = c.url if m.pos == 0 else f"{c.url}/{m.pos + 1}"
            m.raw = {"id": state["post"], "topic_id": int(c.platform_thread_id), "post_number": m.pos + 1,
                     "username": uname, "created_at": ts,
                     "reply_to_post_number": (m.parent + 1) if m.parent else None}
        elif platform == "mastodon":
            sid = str((_ms(m.created_at) << 16) + (state["seq"] * 37 + rng.randrange(37)) % 65536)
            server = author.raw["acct"].split("@", 1)[1] if author else MASTODON_HOME
            user = author.raw["username"] if author else "bayanipay"
            m.platform_message_id = sid
            m.url = f"https://{server}/@{user}/{sid}"
            if m.pos == 0:
                c.platform_thread_id, c.url = sid, m.url
            m.raw = {"id": sid, "uri": f"https://{server}/users/{user}/statuses/{sid}", "url": m.url,
                     "account": {"id": uid, "acct": (author.raw["acct"] if author else "bayanipay")},
                     "in_reply_to_id": parent.platform_message_id if parent else None, "visibility": "public",
                     "created_at": ts}
        elif platform == "matrix":
            room = MATRIX_ROOMS.get(c.channel, MATRIX_ROOMS["#bayanipay:matrix.org"])
            eid = "$" + base64.urlsafe_b64encode(rng.randbytes(32)).decode().rstrip("=")
            m.platform_message_id = eid
            m.url = f"https://matrix.to/#/{room}/{eid}?via=matrix.org"
            if m.pos == 0:
                c.platform_thread_id, c.url = f"{room}/{eid}", m.url
            m.raw = {"event_id": eid, "room_id": room, "sender": uid, "type": "m.room.message",
                     "origin_server_ts": _ms(m.created_at), "content": {"msgtype": "m.text"}}
            if parent:
                m.raw["content"]["m.relates_to"] = {"m.in_reply_to": {"event_id": parent.platform_message_id}}
        else:  # email
            domain = uid.split("@", 1)[1] if author else "bayanipay.ph"
            host = "mail.gmail.com" if domain == "gmail.com" else domain
            mid = f"<{hexid(rng, 24)}{'.support' if not author else ''}@{host}>"
            if m.pos == 0:
                c.platform_thread_id, c.url = mid, None
            m.platform_message_id, m.url = mid, None
            subject = c.title if m.pos == 0 else f"Re: {c.title}"
            m.raw = {"message_id": mid, "in_reply_to": parent.platform_message_id if parent else None,
                     "subject": subject, "from": author.raw["from"] if author else f"Bayani Pay Support <{SUPPORT_EMAIL}>",
                     "to": SUPPORT_EMAIL if author else identities[c.starter_identity].raw["from"], "date": ts}


def _snowflake(rng: random.Random, t: dt.datetime, state: dict) -> str:
    while True:
        value = ((_ms(t) - DISCORD_EPOCH_MS) << 22) | (rng.randrange(32) << 17) | (state["seq"] % 4096)
        state["seq"] += 1
        if value not in state["used"]:
            state["used"].add(value)
            return str(value)
