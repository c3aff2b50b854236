"""Reading chat text for disentanglement: word lists, tokenising, and recognising who a message addresses.

:func:`prepare` turns a :class:`ChatMessage` into a :class:`Prepared` record (addressee, mentions, content
words, question/greeting/ack cues) once, so the features in :mod:`kapwa.ingest.disentangle_features` compare
plain sets. Nicks are matched through a :class:`NickIndex` of every spelling seen so far, falling back to
prefix and fuzzy matches against recent speakers for shortened or mistyped addressees.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process


@dataclass(slots=True)
class ChatMessage:
    """One line of an unthreaded chat.

    ``time`` is in seconds (any epoch; ``None`` when unknown), ``author`` a stable name for the speaker (the
    handle other people type to address them), ``reply_to`` the index of an earlier message in the same
    sequence when the platform itself says what this replies to, and ``system`` marks join/part/nick-change
    lines (these always start their own conversation).
    """

    text: str
    author: str | None = None
    time: float | None = None
    reply_to: int | None = None
    system: bool = False


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _wordset("""
a about above after again against all also am an and any anyone anybody are aren't as at be because
been before being below between both but by can can't cannot could couldn't did didn't do does
doesn't doing don't down during each few for from further get got had hadn't has hasn't have haven't
having he he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've
if in into is isn't it it's its itself just know let's like me more most mustn't my myself need no
nor not now of off ok okay on once only or other ought our ours ourselves out over own same shan't
she she'd she'll she's should shouldn't so some such than that that's the their theirs them
themselves then there there's these they they'd they'll they're they've this those through to too
try under until up use using very want was wasn't way we we'd we'll we're we've well were weren't
what what's when when's where where's which while who who's whom why why's will with won't would
wouldn't yes yeah you you'd you'll you're you've your yours yourself yourselves thanks thank thx hi
hello hey please lol one also still will work working works think see something anything thing
things make sure really there's help which
""")
GREETINGS = _wordset("""
hi hello hey hiya howdy yo hola morning evening afternoon greetings heya hallo
""")
ASK_ANYONE = _wordset("""
anyone anybody someone somebody
""")
ACKS = _wordset("""
ok okay k kk yes yeah yep yup no nope nah sure right ah oh alright cool great nice true indeed
exactly hmm hm
""")
THANKS = ("thank", "thx", "thnx", "tnx", "thanx", "thax", "thks", "tyvm", "cheers", "salamat")
_WORD = re.compile(r"[a-z0-9][a-z0-9_.+/-]*[a-z0-9]|[a-z0-9]")
_STRIP = ":,;.!?()<>\"'@*~"
_LEAD = re.compile(r"^\s*@?([^\s:,>]+)\s*[:,>;]")
_SQUASH = re.compile(r"[^a-z0-9]+")
_STEM = 6  # words compare by their first letters: "overclocked" ~ "overclocking"


@dataclass(slots=True)
class Prepared:
    """What the features need from one message, computed once."""

    author: str | None
    system: bool
    minute: float | None
    lead: str | None = None  # addressee named first ("nick: …", "@nick …", "nick, …")
    mentions: frozenset[str] = frozenset()  # every known nick named in the text (lead included)
    words: frozenset[str] = frozenset()
    long_words: frozenset[str] = frozenset()
    n_words: int = 0
    question: bool = False
    greeting: bool = False
    asks_anyone: bool = False
    ack: bool = False
    thanks: bool = False
    url: bool = False
    command: bool = False
    text: str = ""
    first: str = ""  # first word after any addressee


@dataclass
class NickIndex:
    """Every spelling a speaker goes by (lower case) → their author name, plus the same without punctuation."""

    spellings: dict[str, str] = field(default_factory=dict)  # lower-case spelling → author
    squashed: dict[str, str] = field(default_factory=dict)  # nick without punctuation → author

    def add(self, spelling: str, author: str) -> None:
        self.spellings.setdefault(spelling, author)
        squashed = _SQUASH.sub("", spelling)
        if len(squashed) >= 3:
            self.squashed.setdefault(squashed, author)

    def known(self, token: str) -> str | None:
        t = token.strip(_STRIP).lower()
        if not t:
            return None
        hit = self.spellings.get(t)
        if hit is None and len(t) >= 3:
            hit = self.squashed.get(_SQUASH.sub("", t))
        return hit


def fuzzy_nick(token: str, prepared: Sequence[Prepared], window: int) -> str | None:
    """A shortened or mistyped addressee ("actionpars:", "futurama:") → the recent speaker it means."""
    token = token.strip(_STRIP)
    if len(token) < 3:
        return None
    recent: dict[str, None] = {}  # most recent speaker first, so ties go to them
    for p in reversed(prepared[-window:]):
        if p.author and not p.system:
            recent.setdefault(p.author)
    for nick in recent:
        if nick.startswith(token):
            return nick
    best = process.extractOne(token, list(recent), scorer=fuzz.ratio, score_cutoff=85)
    return best[0] if best else None


def prepare(msg: ChatMessage, nicks: NickIndex, prepared: Sequence[Prepared], window: int) -> Prepared:
    """What the features need from ``msg``; ``prepared`` are the messages before it (for fuzzy addressees)."""
    author = msg.author.lower() if msg.author else None
    minute = msg.time / 60.0 if msg.time is not None else None
    if msg.system:
        return Prepared(author=author, system=True, minute=minute, text=msg.text)
    text = msg.text or ""
    low = text.lower()
    lead = None
    m = _LEAD.match(text)
    tokens = text.split()
    if m:
        lead = nicks.known(m.group(1))
        if lead is None and len(m.group(1)) >= 3 and nicks.spellings:
            lead = fuzzy_nick(m.group(1).lower(), prepared, window)
    elif tokens and tokens[0].startswith("@"):
        lead = nicks.known(tokens[0])
    if lead is None and tokens and len(tokens) > 1:
        first = nicks.known(tokens[0])
        if first is not None and len(tokens[0].strip(_STRIP)) >= 3 and tokens[0].lower() not in STOPWORDS:
            lead = first
    mentions = set()
    for tok in tokens:
        hit = nicks.known(tok)
        if hit is not None and (len(tok) >= 3 or tok.startswith("@")) and hit != author:
            mentions.add(hit)
    if lead == author:
        lead = None
    if lead is not None:
        mentions.add(lead)
    words = {w[:_STEM] for w in _WORD.findall(low)
             if len(w) >= 3 and w not in STOPWORDS and w not in nicks.spellings}
    first_words = [w.strip(_STRIP) for w in (tokens[1:4] if lead and tokens else tokens[:3])]
    first = first_words[0].lower() if first_words else ""
    return Prepared(
        author=author, system=False, minute=minute, lead=lead, mentions=frozenset(mentions),
        words=frozenset(words), long_words=frozenset(w for w in words if len(w) >= _STEM),
        n_words=len(tokens), question="?" in text,
        greeting=first in GREETINGS,
        asks_anyone=any(w.lower() in ASK_ANYONE for w in first_words),
        ack=first in ACKS, thanks=any(w == "ty" or w.startswith(THANKS) for w in _WORD.findall(low)),
        url="http" in low or "www." in low,
        command=text.lstrip().startswith("!"), text=low, first=first,
    )
