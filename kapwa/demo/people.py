"""The people of the demo community: members, their platform identities, and the demo team."""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field

from kapwa.demo.platforms import (
    DISCORD_EPOCH_MS,
    FORUM_HOST,
    MASTODON_SERVERS,
    MATRIX_SERVERS,
    base36,
    hexid,
)

FIRST_M = ["Juan", "Jose", "Mark", "John Paul", "Christian", "Carlo", "Paolo", "Miguel", "Rafael", "Joshua", "Aljon",
           "Jomar", "Jun", "Rommel", "Ramon", "Renato", "Arnel", "Dennis", "Jayson", "Kevin", "Jerome", "Niño",
           "Raymart", "Bong", "Dindo", "Elmer", "Gerald", "Ian", "Jericho", "Lito", "Marvin", "Noel", "Oscar",
           "Patrick", "Ronaldo", "Vince", "Angelo", "Emman", "Kiko", "Lorenzo"]
FIRST_F = ["Maria", "Ana", "Kristine", "Angelica", "Princess", "Rhea", "Bea", "Nicole", "Jasmine", "Camille", "Joy",
           "Marites", "Lorna", "Gina", "Rowena", "Analyn", "Mae", "Mary Grace", "Kathleen", "Jennifer", "Liza",
           "Czarina", "Hazel", "Ivy", "Janelle", "Leah", "Nerissa", "Pia", "Sheila", "Trisha", "Aileen", "Divina",
           "Cherry", "Rosalie", "Mylene", "Tess", "Veronica", "Roxanne", "Kaye", "Lovely"]
LAST = ["Dela Cruz", "Santos", "Reyes", "Garcia", "Mendoza", "Bautista", "Aquino", "Villanueva", "Ramos", "Castillo",
        "Fernandez", "Gonzales", "Torres", "Navarro", "Domingo", "Salazar", "Manalo", "Pascual", "Soriano", "Mercado",
        "Lim", "Tan", "Co", "Sy", "Cruz", "Flores", "Rivera", "Aguilar", "Dizon", "Lopez", "Perez", "Morales",
        "Villareal", "Tolentino", "Ocampo", "Magbanua", "Dimaculangan", "Macaraeg", "Panganiban", "Lacson", "Yap",
        "Uy", "Sison", "Evangelista", "De Leon", "Del Rosario", "Buenaventura", "Cabrera", "Esguerra", "Tiongson"]
LOCATIONS = [  # (profile location, weight)
    ("Quezon City, Metro Manila", 12), ("Makati, Metro Manila", 5), ("Pasig, Metro Manila", 5),
    ("Taguig, Metro Manila", 4), ("Manila, Metro Manila", 7), ("Caloocan, Metro Manila", 4),
    ("Marikina, Metro Manila", 3), ("Cebu City, Cebu", 8), ("Mandaue, Cebu", 3), ("Lapu-Lapu, Cebu", 2),
    ("Davao City, Davao del Sur", 7), ("Iloilo City, Iloilo", 4), ("Bacolod, Negros Occidental", 3),
    ("San Fernando, Pampanga", 3), ("Angeles City, Pampanga", 3), ("Baguio, Benguet", 2),
    ("Cagayan de Oro, Misamis Oriental", 3), ("General Santos, South Cotabato", 2), ("Zamboanga City", 2),
    ("Tacloban, Leyte", 2), ("Legazpi, Albay", 1), ("Batangas City, Batangas", 2), ("Dasmariñas, Cavite", 3),
    ("Antipolo, Rizal", 3), ("Naga, Camarines Sur", 1), ("Dumaguete, Negros Oriental", 1),
    ("Puerto Princesa, Palawan", 1), ("Tarlac City, Tarlac", 1),
    ("Dubai, UAE", 3), ("Riyadh, Saudi Arabia", 2), ("Hong Kong", 2), ("Singapore", 2), ("Doha, Qatar", 1),
    ("Kuwait City, Kuwait", 1), ("Taipei, Taiwan", 1), ("Tokyo, Japan", 1),
]
ABROAD_LOCATIONS = {"Dubai, UAE", "Riyadh, Saudi Arabia", "Hong Kong", "Singapore", "Doha, Qatar", "Kuwait City, Kuwait",
                    "Taipei, Taiwan", "Tokyo, Japan"}
BIOS = ["Sari-sari store owner | {city}", "OFW 🇵🇭✈️ | padala every kinsenas", "Nag-iipon para sa pangarap ✨",
        "Freelance VA. Coffee first.", "Mom of 2 | budget queen", "Nursing student 📚", "Tricycle driver, QR Ph na kami!",
        "Small online shop sa {city}", "Dev @ a fintech startup", "Ipon Challenge 2026 🐷", "Taga-{city} 🌴",
        "Teacher. Bayani Points collector.", "Milk tea business owner"]
EMAIL_DOMAINS = ["gmail.com"] * 14 + ["yahoo.com"] * 3 + ["outlook.com", "ymail.com", "icloud.com"]
SOURCE_WEIGHTS = {"discord": 30, "telegram": 20, "reddit": 17, "discourse": 12, "email": 11, "mastodon": 5, "matrix": 5}
LANG_WEIGHTS = {"en": 33, "tl": 33, "tg": 34}


@dataclass
class PIdentity:
    idx: int
    member: int
    platform: str
    platform_user_id: str
    handle: str | None
    display_name: str
    email: str | None
    email_verified: bool
    profile_url: str | None
    avatar_url: str | None
    raw: dict
    weight: float
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None


@dataclass
class PMember:
    idx: int
    display_name: str
    first: str
    last: str
    lang: str
    handle: str
    email: str
    location: str | None
    bio: str | None
    weight: float
    join_at: dt.datetime
    is_vip: bool = False
    is_blocked: bool = False
    duplicate_of: int | None = None
    identities: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    first_seen: dt.datetime | None = None
    last_active: dt.datetime | None = None
    message_count: int = 0

    @property
    def abroad(self) -> bool:
        return self.location in ABROAD_LOCATIONS


def slug(text: str) -> str:
    text = text.lower().replace("ñ", "n")
    return re.sub(r"[^a-z0-9]", "", text)


def _handle(rng: random.Random, first: str, last: str, female: bool) -> str:
    f, ln = slug(first), slug(last)
    options = [
        f + ln, f[0] + ln, f"{f}_{ln}", f"{f}{ln[:1]}{rng.randrange(10, 99)}", f"{f}{rng.randrange(1, 2007)}",
        f"the{f}{ln[:3]}", f"{f}_{rng.choice(['ph', 'mnl', 'cebu', 'dvo', 'ilo', 'qc'])}",
        f"{rng.choice(['ipon', 'kuripot', 'padala', 'sukli', 'barya', 'lodi'])}_{f}", f"{f}{ln}{rng.randrange(100)}",
        (f"ate_{f}" if female else f"kuya{f}"), (f"tita{f}" if female else f"tito_{f}"),
    ]
    handle = rng.choice(options)
    return handle if len(handle) >= 5 else handle + str(rng.randrange(10, 99))


class Population:
    """Builds members and identities; keeps handles and platform ids unique per platform."""

    def __init__(self, rng: random.Random, window_start: dt.datetime):
        self.rng = rng
        self.start = window_start
        self.members: list[PMember] = []
        self.identities: list[PIdentity] = []
        self._names: set[str] = set()
        self._handles: dict[str, set[str]] = {}
        self._uids: dict[str, set[str]] = {}

    # ---- members ------------------------------------------------------------------------------------
    def new_person(self, weight: float, join_at: dt.datetime, name: tuple[str, str] | None = None) -> PMember:
        rng = self.rng
        female = rng.random() < 0.52
        while True:
            first, last = name or (rng.choice(FIRST_F if female else FIRST_M), rng.choice(LAST))
            full = f"{first} {last}"
            if name or full not in self._names:
                break
        self._names.add(full)
        lang = rng.choices(list(LANG_WEIGHTS), weights=list(LANG_WEIGHTS.values()))[0]
        location = rng.choices([loc for loc, _ in LOCATIONS], weights=[w for _, w in LOCATIONS])[0]
        if rng.random() < 0.2:
            location = None
        city = (location or "Manila").split(",")[0]
        bio = rng.choice(BIOS).format(city=city) if rng.random() < 0.3 else None
        handle = _handle(rng, first, last, female)
        email = f"{handle}@{rng.choice(EMAIL_DOMAINS)}"
        display = full
        if rng.random() < 0.12:
            display = f"{rng.choice(['Ate', 'Tita', 'Mommy'] if female else ['Kuya', 'Tito', 'Daddy'])} {first.split()[0]}"
        member = PMember(len(self.members), display, first, last, lang, handle, email, location, bio, weight, join_at)
        self.members.append(member)
        return member

    # ---- identities -----------------------------------------------------------------------------------
    def _unique(self, kind: str, bucket: dict[str, set[str]], platform: str, value: str) -> str:
        used = bucket.setdefault(platform, set())
        candidate = value
        while candidate in used:
            candidate = f"{value}{self.rng.randrange(10, 1000)}" if kind == "handle" else self._reroll(platform)
        used.add(candidate)
        return candidate

    def _reroll(self, platform: str) -> str:
        rng = self.rng
        if platform == "discord":
            created_ms = DISCORD_EPOCH_MS + rng.randrange(2 * 365 * 86400_000, 10 * 365 * 86400_000)
            return str((created_ms << 22) | rng.randrange(1 << 22))
        if platform == "telegram":
            return str(rng.randrange(100_000_000, 7_500_000_000))
        if platform == "reddit":
            return "t2_" + base36(rng.randrange(36**7, 36**8))
        if platform == "discourse":
            return str(rng.randrange(40, 25_000))
        if platform == "mastodon":
            return str(rng.randrange(109_000_000_000_000_000, 113_900_000_000_000_000))
        return hexid(rng, 12)

    def add_identity(self, member: PMember, platform: str, weight: float, handle: str | None = None) -> PIdentity:
        """One account of ``member``; with ``handle`` given, that exact handle is used (a look-alike)."""
        rng = self.rng
        exact = handle is not None
        handle = self._unique("handle", self._handles, platform, handle or member.handle)
        full = f"{member.first} {member.last}"
        email, verified, avatar = None, False, None
        display = member.display_name
        raw: dict
        if platform == "discord":
            uid = self._unique("uid", self._uids, platform, self._reroll(platform))
            avatar_hash = hexid(rng, 32) if rng.random() < 0.7 else None
            avatar = f"https://cdn.discordapp.com/avatars/{uid}/{avatar_hash}.png" if avatar_hash else None
            raw = {"id": uid, "username": handle, "global_name": display, "avatar": avatar_hash, "bot": False}
            profile = f"https://discord.com/users/{uid}"
        elif platform == "telegram":
            uid = self._unique("uid", self._uids, platform, self._reroll(platform))
            if rng.random() < 0.3 and not exact:
                handle = None
            raw = {"id": int(uid), "is_bot": False, "first_name": member.first, "last_name": member.last,
                   "username": handle, "language_code": "en" if member.lang == "en" else rng.choice(["en", "fil"])}
            display = full
            profile = f"https://t.me/{handle}" if handle else None
        elif platform == "reddit":
            uid = self._unique("uid", self._uids, platform, self._reroll(platform))
            if rng.random() < 0.4 and not exact:
                handle = self._unique("handle", self._handles, platform,
                                      "_".join(w.capitalize() for w in handle.split("_")) + rng.choice(["", "_PH", "88"]))
            display = handle
            raw = {"id": uid[3:], "name": handle, "link_karma": rng.randrange(1, 9000),
                   "comment_karma": rng.randrange(1, 40000), "has_verified_email": rng.random() < 0.8}
            profile = f"https://www.reddit.com/user/{handle}/"
        elif platform == "discourse":
            uid = self._unique("uid", self._uids, platform, self._reroll(platform))
            email, verified = member.email, True
            avatar = f"https://{FORUM_HOST}/user_avatar/{FORUM_HOST}/{handle}/96/{rng.randrange(1000, 99999)}_2.png"
            raw = {"id": int(uid), "username": handle, "name": full, "trust_level": rng.choice([0, 1, 1, 1, 2, 2, 3]),
                   "admin": False, "moderator": False}
            display = full
            profile = f"https://{FORUM_HOST}/u/{handle}"
        elif platform == "mastodon":
            uid = self._unique("uid", self._uids, platform, self._reroll(platform))
            server = rng.choice(MASTODON_SERVERS)
            acct = f"{handle}@{server}"
            profile = f"https://{server}/@{handle}"
            raw = {"id": uid, "username": handle, "acct": acct, "display_name": display, "url": profile}
            handle = f"@{acct}"
        elif platform == "matrix":
            server = rng.choice(MATRIX_SERVERS)
            uid = self._unique("uid", self._uids, platform, f"@{handle}:{server}")
            handle = uid
            raw = {"user_id": uid, "displayname": display}
            profile = f"https://matrix.to/#/{uid}"
        else:  # email
            used = self._uids.setdefault(platform, set())
            local, domain = member.email.split("@")
            while member.email in used:
                member.email = f"{local}{rng.randrange(10, 1000)}@{domain}"
            uid = member.email
            used.add(uid)
            email, handle, display = uid, uid, full
            raw = {"from": f"{full} <{uid}>"}
            profile = None
        ident = PIdentity(len(self.identities), member.idx, platform, uid, handle, display, email, verified, profile,
                          avatar, raw, weight)
        self.identities.append(ident)
        member.identities.append(ident.idx)
        return ident


def build_population(rng: random.Random, window_start: dt.datetime, now: dt.datetime, count: int = 590) -> Population:
    """About ``count`` members, ~15% on two platforms, plus 10 unmerged look-alike pairs."""
    pop = Population(rng, window_start)
    window = (now - window_start).total_seconds()
    platforms = list(SOURCE_WEIGHTS)
    for _ in range(count):
        if rng.random() < 0.55:
            join = window_start - dt.timedelta(days=rng.uniform(1, 900), seconds=rng.randrange(86400))
        else:
            join = window_start + dt.timedelta(seconds=window * rng.random() ** 0.8)
        weight = 0.0 if rng.random() < 0.14 else min(rng.paretovariate(1.25), 40.0)
        member = pop.new_person(weight, join)
        primary = rng.choices(platforms, weights=list(SOURCE_WEIGHTS.values()))[0]
        if rng.random() < 0.16:
            second = rng.choices([p for p in platforms if p != primary],
                                 weights=[SOURCE_WEIGHTS[p] for p in platforms if p != primary])[0]
            pop.add_identity(member, primary, weight * 0.7)
            pop.add_identity(member, second, weight * 0.3 + 0.3)
        else:
            pop.add_identity(member, primary, weight)
    # Look-alikes a merge-suggestion feature should find: same handle elsewhere, or the same name.
    candidates = [m for m in pop.members if len(m.identities) == 1 and m.weight > 0]
    for n, original in enumerate(rng.sample(candidates, 10)):
        used = pop.identities[original.identities[0]].platform
        other = rng.choice([p for p in ("discord", "reddit", "telegram", "discourse", "mastodon") if p != used])
        join = max(original.join_at, window_start) + dt.timedelta(days=rng.uniform(1, 30))
        if n < 5:
            twin = pop.new_person(rng.uniform(0.5, 2.5), join, name=(original.first, original.last))
            twin.handle, twin.lang, twin.display_name = original.handle, original.lang, original.display_name
            pop.add_identity(twin, other, twin.weight, handle=original.handle)
        else:
            twin = pop.new_person(rng.uniform(0.5, 2.5), join, name=(original.first, original.last))
            twin.display_name, twin.location, twin.lang = f"{original.first} {original.last}", original.location, original.lang
            pop.add_identity(twin, other, twin.weight)
        twin.duplicate_of = original.idx
    return pop
