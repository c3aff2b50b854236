"""Slot fillers and text helpers that turn the template banks into believable messages.

A conversation gets one :class:`Slots` bag, so the amount, bank or biller stays the same from the
question to the answer and the "me too" replies.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from kapwa.demo import content_en, content_staff, content_tg, content_tl

LANGS = ("en", "tl", "tg")  # English, Filipino (Tagalog), Taglish
MEMBER_TEXTS = {"en": content_en.T, "tl": content_tl.T, "tg": content_tg.T}
STAFF_TEXTS = {"en": content_staff.EN, "tg": content_staff.TG}

FEATURES = ("cashin", "cashout", "qr", "bills", "load", "padala", "ipon", "kyc", "card", "points", "app",
            "account", "merchant")
LABELS = {
    "cashin": "Cash-in", "cashout": "Cash-out", "qr": "QR Ph payment", "bills": "Bills pay", "load": "Load",
    "padala": "Padala", "ipon": "Ipon", "kyc": "Verification", "card": "Bayani Pay card", "points": "Bayani Points",
    "app": "App update", "account": "Account and OTP", "merchant": "Merchant QR",
}
COMPLAINTS = {  # problem -> (feature it is about, tag, label for titles, resolution key)
    "double_charge": ("qr", "refund", "Double charge", "money"),
    "cashin_failed": ("cashin", "cash-in", "Cash-in", "money"),
    "kyc_slow": ("kyc", "verification", "Verification", "kyc"),
    "cashout_delay": ("cashout", "cash-out", "Cash-out", "money"),
    "transfer_failed": ("padala", "remittance", "Failed transfer", "money"),
    "account_locked": ("account", "account", "Locked account", "account"),
    "points_missing": ("points", "bayani-points", "Missing Bayani Points", "points"),
    "qr_declined": ("qr", "qr-ph", "QR payment", "money"),
}
FEATURE_TAGS = {
    "cashin": "cash-in", "cashout": "cash-out", "qr": "qr-ph", "bills": "bills", "load": "load",
    "padala": "remittance", "ipon": "ipon", "kyc": "verification", "card": "card", "points": "bayani-points",
    "app": "app-update", "account": "account", "merchant": "merchant",
}

PLACES = ["Quezon City", "Makati", "Pasig", "Taguig", "Manila", "Caloocan", "Marikina", "Cebu City", "Mandaue",
          "Lapu-Lapu", "Davao City", "Iloilo City", "Bacolod", "San Fernando, Pampanga", "Angeles City", "Baguio",
          "Cagayan de Oro", "General Santos", "Zamboanga City", "Tacloban", "Legazpi", "Batangas City",
          "Dasmariñas", "Antipolo", "Naga", "Dumaguete", "Puerto Princesa", "Tarlac City"]
ABROAD = ["Dubai", "Riyadh", "Hong Kong", "Singapore", "Doha", "Kuwait", "Taipei", "Tokyo", "Jeddah"]
BANKS = ["BDO", "BPI", "Metrobank", "Landbank", "UnionBank", "Security Bank", "RCBC", "PNB", "China Bank",
         "EastWest", "GoTyme", "SeaBank", "CIMB", "PSBank"]
OUTLETS = ["7-Eleven", "Cebuana Lhuillier", "Palawan Pawnshop", "M Lhuillier", "SM Bills Payment", "Ministop",
           "Puregold", "Robinsons Department Store", "Villarica Pawnshop", "Tambunting"]
BILLERS = ["Meralco", "Maynilad", "Manila Water", "PLDT", "Converge", "Globe At Home", "Cignal", "SSS", "Pag-IBIG",
           "PhilHealth", "VECO", "Davao Light", "MORE Power", "Sky Fiber"]
NETWORKS = ["Globe", "Smart", "TM", "TNT", "DITO", "GOMO"]
MERCHANTS = ["Jollibee", "Mercury Drug", "Puregold", "SM Supermarket", "7-Eleven", "Alfamart", "Watsons", "Shopee",
             "Lazada", "Grab", "Foodpanda", "Angkas", "Chowking", "Savemore", "Gaisano", "Robinsons Supermarket"]
PHONES = ["Samsung A15", "Redmi Note 13", "iPhone 11", "iPhone 13", "realme C55", "vivo Y36", "OPPO A78",
          "Infinix Hot 40", "Tecno Spark 20", "Huawei Nova 9", "Samsung A05s", "Redmi 12C"]
OSES = ["Android 12", "Android 13", "Android 14", "iOS 17", "iOS 18"]
SCREENS = ["Ipon", "Padala", "Bills Pay", "Transaction History", "Rewards", "Profile", "Send Money", "Card"]
VERSIONS = ["4.11.2", "4.12.0", "4.12.1", "4.13.0"]
SPAMLINKS = ["https://bayanipay-claim.xyz/login", "https://bit.ly/bayani-airdrop", "https://bayani-rewards.top/claim",
             "https://free-usdt-ph.click/join", "https://t.me/CryptoPHgiveaway"]
EVENT_NAMES = ["Bayani Pay Meetup Cebu", "Ipon Challenge livestream", "Negosyo Webinar: QR Ph for sari-sari stores",
               "Bayani Pay Meetup Davao"]


def _amount(rng: random.Random) -> str:
    n = rng.choice([150, 200, 300, 500, 500, 750, 1000, 1000, 1200, 1500, 2000, 2500, 3000, 3500, 5000, 5000,
                    6000, 7500, 8000, 10000, 12000, 15000, 20000])
    style = rng.random()
    if style < 0.65:
        return f"₱{n:,}"
    if style < 0.8:
        return f"P{n}"
    if style < 0.9:
        return f"Php {n:,}"
    return f"{n:,} pesos"


def _pick(values: list[str]) -> Callable[[random.Random], str]:
    return lambda rng: rng.choice(values)


FILLERS: dict[str, Callable[[random.Random], str]] = {
    "amount": _amount,
    "bank": _pick(BANKS),
    "outlet": _pick(OUTLETS),
    "biller": _pick(BILLERS),
    "network": _pick(NETWORKS),
    "merchant": _pick(MERCHANTS),
    "place": _pick(PLACES),
    "abroad": _pick(ABROAD),
    "phone": _pick(PHONES),
    "os": _pick(OSES),
    "screen": _pick(SCREENS),
    "version": _pick(VERSIONS),
    "event": _pick(EVENT_NAMES),
    "ago_en": _pick(["yesterday", "this morning", "last night", "2 days ago", "on Friday", "an hour ago",
                     "earlier today", "3 hours ago", "last week"]),
    "since_en": _pick(["yesterday", "this morning", "last night", "Friday", "Monday", "lunchtime"]),
    "ago_tl": _pick(["kahapon", "kaninang umaga", "kagabi", "noong Lunes", "noong Biyernes", "kaninang tanghali"]),
    "since_tl": _pick(["kahapon", "kaninang umaga", "kagabi", "Monday", "Friday", "last week"]),
    "days": _pick(["3", "4", "5", "7", "10"]),
    "hours": _pick(["6", "8", "12", "24", "36"]),
    "ref": lambda rng: str(rng.randrange(10**12, 10**13)),
    "ticket": lambda rng: f"BP-{rng.randrange(100000, 1000000)}",
    "last4": lambda rng: f"{rng.randrange(10000):04d}",
    "points": _pick(["120", "250", "340", "500", "780", "1,000", "1,250", "2,000"]),
    "relative_en": _pick(["mom", "dad", "sister", "brother", "lola", "tita", "son", "daughter"]),
    "relative_tl": _pick(["nanay", "tatay", "kapatid", "tita", "asawa", "anak", "lola", "pamangkin"]),
    "goal_en": _pick(["my kid's tuition", "Christmas", "an emergency fund", "a new phone", "our wedding",
                      "a trip home to the province", "a laptop for school"]),
    "goal_tl": _pick(["tuition ng anak ko", "pang-Noche Buena", "emergency fund", "bagong cellphone",
                      "pamasahe pauwi ng probinsya", "kasal namin"]),
    "other_app": _pick(["GCash", "Maya", "GoTyme", "ShopeePay"]),
    "spamlink": _pick(SPAMLINKS),
    "spamhandle": _pick(["crypto_ph_admin", "fastloan_ph", "bayanipay_helpdesk1"]),
    "first": _pick(["there"]),
    "agent": _pick(["Bea"]),
    "via_dm": _pick(["via DM"]),
}


class Slots(dict):
    """Slot values for one conversation, picked on first use and then kept."""

    def __init__(self, rng: random.Random, **fixed: str):
        super().__init__(fixed)
        self.rng = rng

    def __missing__(self, key: str) -> str:
        value = FILLERS[key](self.rng)
        self[key] = value
        return value


def untag(template: str) -> tuple[list[str], str]:
    """``"fee,limit|Is there a fee…"`` -> (["fee", "limit"], "Is there a fee…"): the sub-topics a question
    asks about, or an answer answers."""
    head, sep, body = template.partition("|")
    if sep and re.fullmatch(r"[a-z,]+", head):
        return head.split(","), body
    return [], template


def _find(rng: random.Random, banks: tuple[dict, ...], key: str, tag: str | None) -> str | None:
    for bank in banks:
        pool = bank.get(key) or []
        if tag:
            pool = [t for t in pool if tag in untag(t)[0]]
        if pool:
            return rng.choice(pool)
    return None


def member_template(rng: random.Random, lang: str, key: str, tag: str | None = None) -> tuple[list[str], str]:
    """A member's template for ``key`` in ``lang`` (falling back to Taglish, then English); an answer
    (``a.*``) must match the question's sub-topic ``tag``, else it points to the FAQ."""
    banks = (MEMBER_TEXTS[lang], content_tg.T, content_en.T)
    found = _find(rng, banks, key, tag) or (_find(rng, banks, "a.faq", None) if key.startswith("a.") else None)
    if found is None:
        raise KeyError(key)
    return untag(found)


def staff_template(rng: random.Random, lang: str, key: str, tag: str | None = None) -> tuple[list[str], str]:
    banks = (STAFF_TEXTS["tg"], STAFF_TEXTS["en"]) if lang == "tg" else (STAFF_TEXTS["en"],)
    found = _find(rng, banks, key, tag) or _find(rng, banks, "s.help", None)
    return untag(found)


# ---- member voice ---------------------------------------------------------------------------------
GREETINGS = {
    "en": ["Hi!", "Hello,", "Hi everyone,", "Hey guys,", "Good morning!", "Hi admin,"],
    "tl": ["Magandang araw po.", "Magandang umaga po!", "Mga ka-Bayani,", "Hello po,"],
    "tg": ["Hi po,", "Hello po!", "Good morning po!", "Hi admin,", "Guys,", "Mga ka-Bayani,"],
}
CLOSINGS = {
    "en": ["Thanks!", "Thanks in advance.", "TIA", "Any help appreciated 🙏"],
    "tl": ["Salamat po.", "Maraming salamat po!", "Salamat sa sasagot."],
    "tg": ["Thanks po!", "TIA po", "Salamat in advance!", "Pa-help naman po 🙏"],
}
EMAIL_WRAP = {
    "en": ("Good day,", "Thank you,"),
    "tl": ("Magandang araw po,", "Salamat po,"),
    "tg": ("Hi Bayani Pay,", "Thanks po,"),
}
SHORTHAND = {"you": "u", "please": "pls", "thanks": "thx", "naman": "nmn", "talaga": "tlga", "kasi": "kc",
             "yung": "ung", "because": "bc", "sige": "cge", "lang": "lng", "wala": "wla", "okay": "ok",
             "really": "rly", "already": "alr", "hindi": "di", "ako": "aq", "ngayon": "ngaun", "bakit": "bkt"}
EMOJI = {"pos": ["😊", "🙏", "💙", "🎉", "👍", "😍", "🥳", "❤️"], "neg": ["😭", "😤", "😡", "🙄", "😩", "🥲", "😠"],
         "neu": ["🙏", "😅", "🤔", "😬"]}
_POSITIVE = {"praise", "thanks", "confirm", "chat", "event", "event.reply", "plus1", "crisis.ok", "ann.reply"}
_WORD = re.compile(r"[A-Za-z]+")


def mood(key: str) -> str:
    if key in _POSITIVE:
        return "pos"
    if key.startswith(("c.", "crisis.", "rant", "toxic", "followup", "bug")):
        return "neg"
    return "neu"


def _has_emoji(text: str) -> bool:
    return any(ord(ch) >= 0x2600 for ch in text if ch not in "₱–—…")


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word) - 2)
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind < 0.75:
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def roughen(rng: random.Random, text: str, key: str) -> str:
    """Make a member's text look typed on a phone: shorthand, a typo, lowercase, an emoji."""
    if "http" in text:
        return text
    if rng.random() < 0.15:
        def short(m: re.Match) -> str:
            word = m.group(0)
            alt = SHORTHAND.get(word.lower())
            return alt if alt and rng.random() < 0.6 else word
        text = _WORD.sub(short, text)
    if rng.random() < 0.10:
        words = [m for m in _WORD.finditer(text) if len(m.group(0)) >= 5]
        if words:
            m = rng.choice(words)
            text = text[: m.start()] + _typo(rng, m.group(0)) + text[m.end():]
    if rng.random() < 0.15 and text[:1].isupper() and text[1:2].islower():
        text = text[0].lower() + text[1:]
    if rng.random() < 0.2 and text.endswith("."):
        text = text[:-1]
    if rng.random() < 0.06 and text.endswith("?"):
        text += "??"
    if rng.random() < 0.12 and not _has_emoji(text):
        text += " " + rng.choice(EMOJI[mood(key)])
    return text


def decorate_opener(rng: random.Random, text: str, lang: str) -> str:
    """Greeting and closing around a question or complaint that opens a thread."""
    if rng.random() < 0.3 and not re.match(r"(?i)(hi|hello|hey|good|magandang)\b", text):
        greeting = rng.choice(GREETINGS[lang])
        if greeting.endswith(",") and text[1:2].islower() and rng.random() < 0.6:
            text = text[0].lower() + text[1:]
        text = f"{greeting} {text}"
    if rng.random() < 0.3:
        text = f"{text} {rng.choice(CLOSINGS[lang])}"
    return text


# ---- titles -----------------------------------------------------------------------------------------
TITLE_PATTERNS = {
    "question": ["{label} question", "Question about {label}", "Help po: {label}", "[Help] {label}",
                 "{label}: need help", "Newbie question re {label}"],
    "complaint": ["{label} problem, still no reply from support", "[Complaint] {label}", "{label} issue, anyone else?",
                  "{label}: 3rd ticket na, wala pa rin"],
}
_GREETING_PREFIX = re.compile(
    r"^(@bayanipay\s+|(hi|hello|hey)( po| admin| everyone| guys| bayani pay)?[,!.:]?\s+|good (morning|day)( po)?[,!.]?\s+"
    r"|magandang (araw|umaga)( po)?[,!.]?\s+|mga ka-bayani[,!]?\s+|guys[,!]?\s+|hi admin[,!]?\s+)",
    re.IGNORECASE,
)


def title_from(text: str, limit: int = 90) -> str:
    """A thread title from its first message: no greeting, first sentence, shortened on a word."""
    t = text.strip()
    for _ in range(3):
        t2 = _GREETING_PREFIX.sub("", t, count=1).lstrip()
        if t2 == t:
            break
        t = t2
    t = t.split("\n", 1)[0].strip()
    first = re.split(r"(?<=[.?!])\s", t, maxsplit=1)[0]
    if len(first) >= 12:
        t = first
    if len(t) > limit:
        cut = t[: limit - 1].rsplit(" ", 1)[0]
        t = cut.rstrip(",;:-") + "…"
    return (t[:1].upper() + t[1:]) if t else "(no subject)"
