"""Features for chat disentanglement: what links a chat message to an earlier one.

A message (the *query*) is compared with each *candidate* antecedent in a window of earlier messages, and
with itself (the "new conversation" candidate). Every comparison yields a short list of binary feature ids;
a linear model (weights in ``disentangle_weights.json``, learned by ``training/disentangle/train.py``) sums
their weights and the best-scoring candidate wins.

The same :class:`FeatureStream` feeds training and inference, so the two can never drift apart. It looks at
what is observable up to the query (authors, addressees, times, words) and, when told through
:meth:`FeatureStream.link`, at the links decided for earlier messages (the conversations so far); it keeps
per-author state so one message costs one pass over the window.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

# ----------------------------------------------------------------------------------------- feature ids

NAMES: list[str] = []


def _f(name: str) -> int:
    NAMES.append(name)
    return len(NAMES) - 1


def _binned(prefix: str, edges: tuple[int, ...]) -> list[int]:
    """One feature per bin; bin k holds values in (edges[k-1], edges[k]], the last bin everything above."""
    ids = []
    lo = None
    for e in edges:
        ids.append(_f(f"{prefix}:{'' if lo is None else lo + 1}..{e}"))
        lo = e
    ids.append(_f(f"{prefix}:>{edges[-1]}"))
    return ids


def _lookup(edges: tuple[int, ...], ids: list[int], top: int) -> list[int]:
    """A table value → feature id for the values 0..top."""
    table = []
    k = 0
    for v in range(top + 1):
        while k < len(edges) and v > edges[k]:
            k += 1
        table.append(ids[k])
    return table


# "New conversation" (the self link): properties of the query alone.
S_BIAS = _f("self")
S_LEAD = _f("self&addresses_someone_first")
S_MENTION = _f("self&mentions_someone")
S_QUESTION = _f("self&question")
S_GREETING = _f("self&greeting")
S_ASKS_ANYONE = _f("self&asks_anyone")
S_ACK = _f("self&ack_or_yes_no")
S_THANKS = _f("self&thanks")
S_URL = _f("self&url")
S_COMMAND = _f("self&bot_command")
S_FIRST = _f("self&author_first_message")
_AUTHOR_PREV_EDGES = (1, 3, 10, 30, 100)
S_AUTHOR_PREV = _binned("self&author_prev_msg_dist", _AUTHOR_PREV_EDGES)
S_AUTHOR_PREV_NONE = _f("self&author_prev_msg_outside_window")
_ADDRESSED_EDGES = (3, 10, 30, 100)
S_ADDRESSED = _binned("self&author_addressed_dist", _ADDRESSED_EDGES)
S_ADDRESSED_NONE = _f("self&author_not_addressed_in_window")
_GAP_EDGES = (0, 1, 4, 15)
S_GAP = _binned("self&minutes_since_previous", _GAP_EDGES)
_LEN_EDGES = (2, 5, 12, 25)
S_LEN = _binned("self&words", _LEN_EDGES)

# A link to an earlier message.
_DIST_EDGES = (1, 2, 3, 4, 5, 7, 10, 15, 25, 50)
P_DIST = _binned("dist", _DIST_EDGES)
_MIN_EDGES = (0, 1, 2, 5, 10, 30)
P_MIN = _binned("minutes", _MIN_EDGES)
P_CAND_SYSTEM = _f("cand_system")
P_CAND_SYSTEM_JOIN_NEAR = _f("cand_system&same_nick")
P_SAME_AUTHOR = _f("same_author")
P_SAME_AUTHOR_LAST = _f("same_author&last_of_author")
P_SAME_AUTHOR_LAST_NOADDR = _f("same_author&last_of_author&query_addresses_nobody")
P_SAME_AUTHOR_SAME_LEAD = _f("same_author&same_addressee")
P_LEAD_RANK = _binned("query_addresses_cand_author_first&cand_rank", (0, 1, 2))
P_MENTION_RANK = _binned("query_mentions_cand_author&cand_rank", (0, 1, 2))
P_LEAD_DIALOGUE = _f("query_addresses_cand_author&cand_addresses_query_author")
P_Q_ADDR_OTHER = _f("query_addresses_someone_else")
P_C_ADDR_Q = _f("cand_addresses_query_author")
P_C_ADDR_Q_LAST = _f("cand_addresses_query_author&latest_such")
P_C_ADDR_Q_LAST_NOADDR = _f("cand_addresses_query_author&latest_such&query_addresses_nobody")
P_C_ADDR_OTHER = _f("cand_addresses_someone_else")
P_C_ADDR_OTHER_NOADDR = _f("cand_addresses_someone_else&query_addresses_nobody")
P_SAME_ADDRESSEE = _f("both_address_same_third")
P_PARTNER_LAST = _f("cand_author_is_query_author_partner&last_of_author")
P_PARTNER_LAST_NOADDR = _f("cand_author_is_query_author_partner&last_of_author&query_addresses_nobody")
P_CAND_LAST = _f("cand_is_last_of_author")
P_CAND_LAST_NOADDR = _f("cand_is_last_of_author&query_addresses_nobody")
P_QUESTION_ANSWER = _f("cand_question&query_not_question")
P_QUESTION_ANSWER_NOADDR = _f("cand_question&query_not_question&query_addresses_nobody")
P_QUESTION_ACK = _f("cand_question&query_ack")
P_THANKS = _f("query_thanks&cand_addresses_query_author")
P_CAND_GREETING = _f("cand_greeting_or_asks_anyone")
P_CAND_NEWISH = _f("cand_addresses_nobody&cand_question")
P_OVERLAP = _binned("shared_words", (1, 2))
P_OVERLAP_LONG = _binned("shared_long_words", (1,))
P_SIMILAR = _f("fuzzy_similar_text")
_NEAR_EDGES = (1, 3, 10)
P_NOADDR_NEAR = _binned("query_addresses_nobody&dist", _NEAR_EDGES)
P_LEAD_NEAR = _binned("query_addresses_cand_author_first&dist", _NEAR_EDGES)
P_CADDR_NEAR = _binned("cand_addresses_query_author&dist", _NEAR_EDGES)

P_CAND_COMMAND_NEAR = _f("cand_bot_command&dist<=3")
# Conversation history: the links already decided for earlier messages (predicted ones at run time).
H_OWN_CONV_LATEST = _f("cand_is_latest_of_query_author_conversation")
H_OWN_CONV_LATEST_NOADDR = _f("cand_is_latest_of_query_author_conversation&query_addresses_nobody")
H_OWN_CONV = _f("cand_in_query_author_conversation")
H_REPLIED_TO_Q = _f("cand_replied_to_query_author&latest_such")
H_REPLIED_TO_Q_NOADDR = _f("cand_replied_to_query_author&latest_such&query_addresses_nobody")
H_LINK_PARTNER_LAST = _f("cand_author_replied_with_query_author&last_of_author")
H_LINK_PARTNER_LAST_NOADDR = _f("cand_author_replied_with_query_author&last_of_author&query_addresses_nobody")
H_CONV_TIP = _f("cand_is_latest_of_its_conversation")
H_LEAD_CONV = _f("query_addresses_cand_author&cand_in_query_author_conversation")

N_FEATURES = len(NAMES)
LEXICAL_PREFIX = "self&first_word="  # plus one feature per word of the model's lexicon

NEAR = 30  # candidates further back count only when something ties them to the query

_DIST_OF = _lookup(_DIST_EDGES, P_DIST, 1000)
_MIN_OF = _lookup(_MIN_EDGES, P_MIN, _MIN_EDGES[-1] + 1)
_GAP_OF = _lookup(_GAP_EDGES, S_GAP, _GAP_EDGES[-1] + 1)
_NEAR_NOADDR = _lookup(_NEAR_EDGES, P_NOADDR_NEAR, 1000)
_NEAR_LEAD = _lookup(_NEAR_EDGES, P_LEAD_NEAR, 1000)
_NEAR_CADDR = _lookup(_NEAR_EDGES, P_CADDR_NEAR, 1000)
_AUTHOR_PREV_OF = _lookup(_AUTHOR_PREV_EDGES, S_AUTHOR_PREV, 1000)
_ADDRESSED_OF = _lookup(_ADDRESSED_EDGES, S_ADDRESSED, 1000)
_LEN_OF = _lookup(_LEN_EDGES, S_LEN, 1000)


def _minutes_bin(minutes: float, table: list[int]) -> int:
    """Whole minutes → bin feature (clock skew counts as 0)."""
    if minutes < 0:
        return table[0]
    return table[int(minutes)] if minutes < len(table) - 1 else table[-1]


# --------------------------------------------------------------------------------------------- messages


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
class FeatureStream:
    """Feeds messages one at a time; for each, yields its candidate antecedents with their feature ids.

    ``aliases`` maps other spellings of a speaker (display names, platform ids) to their ``author`` name, so
    "@Alice Smith" or "<@U123>" count as addressing alice.
    """

    window: int = 100
    max_gap: float = 2 * 3600.0  # seconds; older candidates are not considered…
    addressed_max_gap: float = 24 * 3600.0  # …unless the query names their author
    aliases: Mapping[str, str] = field(default_factory=dict)
    lexicon: Mapping[str, int] = field(default_factory=dict)  # first word → its "self&first_word=" feature id
    prepared: list[Prepared] = field(default_factory=list)
    _nicks: dict[str, str] = field(default_factory=dict)  # lower-case spelling → author
    _by_author: dict[str, list[int]] = field(default_factory=dict)
    _last_addressing: dict[str, int] = field(default_factory=dict)  # author → latest message naming them
    _partner: dict[str, str] = field(default_factory=dict)  # author → whom they last talked with
    _squashed: dict[str, str] = field(default_factory=dict)  # nick without punctuation → author
    # history: decided links (None: not told), conversation roots, and who replied to whom
    _links: list[int | None] = field(default_factory=list)
    _root: list[int] = field(default_factory=list)
    _tip: dict[int, int] = field(default_factory=dict)  # conversation root → its latest message
    _replied_to: dict[str, int] = field(default_factory=dict)  # author → latest message linked to theirs
    _link_partner: dict[str, str] = field(default_factory=dict)  # author → last author linked with
    _is_latest: list[bool] = field(default_factory=list)  # message is its author's latest so far

    def __post_init__(self) -> None:
        for alias, author in self.aliases.items():
            if alias and author:
                self._add_nick(alias.lower(), author.lower())

    def _add_nick(self, spelling: str, author: str) -> None:
        self._nicks.setdefault(spelling, author)
        squashed = _SQUASH.sub("", spelling)
        if len(squashed) >= 3:
            self._squashed.setdefault(squashed, author)

    # -- preparing a message

    def _known(self, token: str) -> str | None:
        t = token.strip(_STRIP).lower()
        if not t:
            return None
        hit = self._nicks.get(t)
        if hit is None and len(t) >= 3:
            hit = self._squashed.get(_SQUASH.sub("", t))
        return hit

    def prepare(self, msg: ChatMessage) -> Prepared:
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
            lead = self._known(m.group(1))
            if lead is None and len(m.group(1)) >= 3 and self._nicks:
                lead = self._fuzzy(m.group(1).lower())
        elif tokens and tokens[0].startswith("@"):
            lead = self._known(tokens[0])
        if lead is None and tokens and len(tokens) > 1:
            first = self._known(tokens[0])
            if first is not None and len(tokens[0].strip(_STRIP)) >= 3 and tokens[0].lower() not in STOPWORDS:
                lead = first
        mentions = set()
        for tok in tokens:
            hit = self._known(tok)
            if hit is not None and (len(tok) >= 3 or tok.startswith("@")) and hit != author:
                mentions.add(hit)
        if lead == author:
            lead = None
        if lead is not None:
            mentions.add(lead)
        words = {w[:_STEM] for w in _WORD.findall(low)
                 if len(w) >= 3 and w not in STOPWORDS and w not in self._nicks}
        first_words = [w.strip(_STRIP) for w in (tokens[1:4] if lead and tokens else tokens[:3])]
        first = first_words[0].lower() if first_words else ""
        return Prepared(
            author=author, system=False, minute=minute, lead=lead, mentions=frozenset(mentions),
            words=frozenset(words), long_words=frozenset(w for w in words if len(w) >= _STEM),
            n_words=len(tokens), question="?" in text,
            greeting=first in GREETINGS,
            asks_anyone=any(w.lower() in ASK_ANYONE for w in first_words),
            ack=first in ACKS, thanks=any(w == "ty" or w.startswith(THANKS) for w in _WORD.findall(low)), url="http" in low or "www." in low,
            command=text.lstrip().startswith("!"), text=low, first=first,
        )

    def _fuzzy(self, token: str) -> str | None:
        """A shortened or mistyped addressee ("actionpars:", "futurama:") → the recent speaker it means."""
        token = token.strip(_STRIP)
        if len(token) < 3:
            return None
        recent: dict[str, None] = {}  # most recent speaker first, so ties go to them
        for p in reversed(self.prepared[-self.window:]):
            if p.author and not p.system:
                recent.setdefault(p.author)
        for nick in recent:
            if nick.startswith(token):
                return nick
        best = process.extractOne(token, list(recent), scorer=fuzz.ratio, score_cutoff=85)
        return best[0] if best else None

    # -- the candidates of one message

    def push(self, msg: ChatMessage, *, candidates: bool = True) -> list[tuple[int, list[int]]]:
        """Add the next message; return (candidate index, feature ids) for it and its window, self first.

        System lines get only the self candidate (they start their own conversation); with
        ``candidates=False`` the message is only remembered (its link is known already)."""
        i = len(self.prepared)
        q = self.prepare(msg)
        cands = self._candidates(i, q) if candidates and not q.system else [(i, [])]
        self._remember(i, q)
        return cands

    def link(self, i: int, j: int) -> None:
        """Record that message ``i`` (the latest pushed) replies to ``j`` (``i``: starts a conversation), so
        later messages see the conversations so far. Optional; without it the history features stay off."""
        links = self._links
        while len(links) < i:
            links.append(None)
            self._root.append(len(self._root))
        if len(links) == i:
            links.append(j)
            self._root.append(i)
        root = self._root[j] if j != i else i
        self._root[i] = root
        self._tip[root] = i
        prepared = self.prepared
        a, b = prepared[i].author, prepared[j].author
        if j != i and a and b and a != b and not prepared[j].system:
            self._replied_to[b] = i
            self._link_partner[a] = b
            self._link_partner[b] = a

    def _candidates(self, i: int, q: Prepared) -> list[tuple[int, list[int]]]:
        prepared = self.prepared
        qa = q.author
        by_author = self._by_author
        own = by_author.get(qa, ()) if qa else ()
        last_own = own[-1] if own else None
        addressed_at = self._last_addressing.get(qa) if qa else None
        partner = self._partner.get(qa) if qa else None
        noaddr = not q.mentions
        lead = q.lead
        qm = q.minute
        n_linked = len(self._links)
        own_root = own_tip = None
        if last_own is not None and last_own < n_linked:
            own_root = self._root[last_own]
            own_tip = self._tip.get(own_root)
        replied = self._replied_to.get(qa) if qa else None
        link_partner = self._link_partner.get(qa) if qa else None
        roots = self._root
        tips = self._tip

        # the self link
        feats = [S_BIAS]
        if lead is not None:
            feats.append(S_LEAD)
        if q.mentions:
            feats.append(S_MENTION)
        if q.question:
            feats.append(S_QUESTION)
        if q.greeting:
            feats.append(S_GREETING)
        if q.asks_anyone:
            feats.append(S_ASKS_ANYONE)
        if q.ack:
            feats.append(S_ACK)
        if q.thanks:
            feats.append(S_THANKS)
        if q.url:
            feats.append(S_URL)
        if q.command:
            feats.append(S_COMMAND)
        lex = self.lexicon.get(q.first)
        if lex is not None:
            feats.append(lex)
        if last_own is None:
            feats.append(S_FIRST)
        if last_own is not None and i - last_own <= self.window:
            feats.append(_AUTHOR_PREV_OF[i - last_own])
        else:
            feats.append(S_AUTHOR_PREV_NONE)
        if addressed_at is not None and i - addressed_at <= self.window:
            feats.append(_ADDRESSED_OF[i - addressed_at])
        else:
            feats.append(S_ADDRESSED_NONE)
        if i and qm is not None and prepared[i - 1].minute is not None:
            feats.append(_minutes_bin(qm - prepared[i - 1].minute, _GAP_OF))
        feats.append(_LEN_OF[min(q.n_words, 1000)])
        out = [(i, feats)]

        # rank of each addressee's messages, counted back from their latest
        rank: dict[int, int] = {}
        for nick in q.mentions:
            msgs = by_author.get(nick)
            if msgs:
                lo = bisect_left(msgs, i - self.window)
                for r, j in enumerate(reversed(msgs[lo:])):
                    if r > 3:
                        break
                    rank[j] = r
        gap = self.max_gap / 60.0
        addressed_gap = self.addressed_max_gap / 60.0
        qwords = q.words
        qlong = q.long_words
        mentions = q.mentions
        is_latest = self._is_latest
        min_of = _MIN_OF
        top_minute = len(min_of) - 1
        for j in range(i - 1, max(-1, i - 1 - self.window), -1):
            c = prepared[j]
            d = i - j
            ca = c.author
            minutes = None
            if qm is not None and c.minute is not None:
                minutes = qm - c.minute
                if minutes > gap:
                    if minutes > addressed_gap:
                        break  # everything earlier is older still
                    if ca not in mentions:
                        continue
            if d > NEAR and not (
                not c.system and ca is not None
                and (ca == qa or ca in mentions or qa in c.mentions
                     or (j < n_linked and (roots[j] == own_root or j == replied))
                     or not qwords.isdisjoint(c.words))
            ):
                continue
            feats = [_DIST_OF[d]]
            if minutes is not None:
                feats.append(min_of[int(minutes)] if 0 <= minutes < top_minute else
                             min_of[-1] if minutes > 0 else min_of[0])
            if c.system:
                feats.append(P_CAND_SYSTEM)
                if ca is not None and ca == qa:
                    feats.append(P_CAND_SYSTEM_JOIN_NEAR)
                out.append((j, feats))
                continue
            is_last = is_latest[j]
            if is_last:
                feats.append(P_CAND_LAST)
                if noaddr:
                    feats.append(P_CAND_LAST_NOADDR)
            if ca is not None and ca == qa:
                feats.append(P_SAME_AUTHOR)
                if j == last_own:
                    feats.append(P_SAME_AUTHOR_LAST)
                    if noaddr:
                        feats.append(P_SAME_AUTHOR_LAST_NOADDR)
                if lead is not None and c.lead == lead:
                    feats.append(P_SAME_AUTHOR_SAME_LEAD)
            elif ca is not None and ca in q.mentions:
                r = rank.get(j, 3)
                if ca == lead:
                    feats.append(P_LEAD_RANK[r])
                    feats.append(_NEAR_LEAD[d])
                else:
                    feats.append(P_MENTION_RANK[r])
                if qa is not None and qa in c.mentions:
                    feats.append(P_LEAD_DIALOGUE)
            elif not noaddr:
                feats.append(P_Q_ADDR_OTHER)
            if noaddr:
                feats.append(_NEAR_NOADDR[d])
            if qa is not None and qa in c.mentions:
                feats.append(P_C_ADDR_Q)
                feats.append(_NEAR_CADDR[d])
                if j == addressed_at:
                    feats.append(P_C_ADDR_Q_LAST)
                    if noaddr:
                        feats.append(P_C_ADDR_Q_LAST_NOADDR)
                if q.thanks:
                    feats.append(P_THANKS)
            elif c.mentions:
                feats.append(P_C_ADDR_OTHER)
                if noaddr:
                    feats.append(P_C_ADDR_OTHER_NOADDR)
                if lead is not None and c.lead == lead and ca != qa:
                    feats.append(P_SAME_ADDRESSEE)
            if partner is not None and ca == partner and is_last:
                feats.append(P_PARTNER_LAST)
                if noaddr:
                    feats.append(P_PARTNER_LAST_NOADDR)
            if c.question and not q.question:
                feats.append(P_QUESTION_ANSWER)
                if noaddr:
                    feats.append(P_QUESTION_ANSWER_NOADDR)
                if q.ack:
                    feats.append(P_QUESTION_ACK)
            if c.greeting or c.asks_anyone:
                feats.append(P_CAND_GREETING)
            if c.question and not c.mentions:
                feats.append(P_CAND_NEWISH)
            if c.command and d <= 3:
                feats.append(P_CAND_COMMAND_NEAR)
            if j < n_linked:
                root = roots[j]
                if root == own_root:
                    feats.append(H_OWN_CONV)
                    if ca is not None and ca == lead:
                        feats.append(H_LEAD_CONV)
                    if j == own_tip:
                        feats.append(H_OWN_CONV_LATEST)
                        if noaddr:
                            feats.append(H_OWN_CONV_LATEST_NOADDR)
                if tips.get(root) == j:
                    feats.append(H_CONV_TIP)
                if j == replied:
                    feats.append(H_REPLIED_TO_Q)
                    if noaddr:
                        feats.append(H_REPLIED_TO_Q_NOADDR)
                if is_last and ca is not None and ca == link_partner:
                    feats.append(H_LINK_PARTNER_LAST)
                    if noaddr:
                        feats.append(H_LINK_PARTNER_LAST_NOADDR)
            if qwords and c.words:
                n = len(qwords & c.words)
                if n:
                    feats.append(P_OVERLAP[min(n, 3) - 1])
                    if qlong:
                        nl = len(qlong & c.long_words)
                        if nl:
                            feats.append(P_OVERLAP_LONG[min(nl, 2) - 1])
                    if n >= 2 and fuzz.token_set_ratio(q.text, c.text) >= 60:
                        feats.append(P_SIMILAR)
            out.append((j, feats))
        return out

    def _remember(self, i: int, q: Prepared) -> None:
        self.prepared.append(q)
        a = q.author
        self._is_latest.append(a is not None and not q.system)
        if a is not None:
            self._add_nick(a, a)
            if not q.system:
                own = self._by_author.setdefault(a, [])
                if own:
                    self._is_latest[own[-1]] = False
                own.append(i)
        if q.system:
            return
        for nick in q.mentions:
            self._last_addressing[nick] = i
        if a is not None:
            if q.lead is not None:
                self._partner[a] = q.lead
                self._partner[q.lead] = a
            elif len(q.mentions) == 1:
                (other,) = q.mentions
                self._partner[a] = other
                self._partner[other] = a
