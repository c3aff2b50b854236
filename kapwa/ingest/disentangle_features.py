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

from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from kapwa.ingest.disentangle_feature_ids import (
    ADDRESSED_OF,
    AUTHOR_PREV_OF,
    DIST_OF,
    GAP_OF,
    H_CONV_TIP,
    H_LEAD_CONV,
    H_LINK_PARTNER_LAST,
    H_LINK_PARTNER_LAST_NOADDR,
    H_OWN_CONV,
    H_OWN_CONV_LATEST,
    H_OWN_CONV_LATEST_NOADDR,
    H_REPLIED_TO_Q,
    H_REPLIED_TO_Q_NOADDR,
    LEN_OF,
    MIN_OF,
    NEAR,
    NEAR_CADDR,
    NEAR_LEAD,
    NEAR_NOADDR,
    P_C_ADDR_OTHER,
    P_C_ADDR_OTHER_NOADDR,
    P_C_ADDR_Q,
    P_C_ADDR_Q_LAST,
    P_C_ADDR_Q_LAST_NOADDR,
    P_CAND_COMMAND_NEAR,
    P_CAND_GREETING,
    P_CAND_LAST,
    P_CAND_LAST_NOADDR,
    P_CAND_NEWISH,
    P_CAND_SYSTEM,
    P_CAND_SYSTEM_JOIN_NEAR,
    P_LEAD_DIALOGUE,
    P_LEAD_RANK,
    P_MENTION_RANK,
    P_OVERLAP,
    P_OVERLAP_LONG,
    P_PARTNER_LAST,
    P_PARTNER_LAST_NOADDR,
    P_Q_ADDR_OTHER,
    P_QUESTION_ACK,
    P_QUESTION_ANSWER,
    P_QUESTION_ANSWER_NOADDR,
    P_SAME_ADDRESSEE,
    P_SAME_AUTHOR,
    P_SAME_AUTHOR_LAST,
    P_SAME_AUTHOR_LAST_NOADDR,
    P_SAME_AUTHOR_SAME_LEAD,
    P_SIMILAR,
    P_THANKS,
    S_ACK,
    S_ADDRESSED_NONE,
    S_ASKS_ANYONE,
    S_AUTHOR_PREV_NONE,
    S_BIAS,
    S_COMMAND,
    S_FIRST,
    S_GREETING,
    S_LEAD,
    S_MENTION,
    S_QUESTION,
    S_THANKS,
    S_URL,
    minutes_bin,
)
from kapwa.ingest.disentangle_text import ChatMessage, NickIndex, Prepared, prepare

# Cues of the query alone that raise the "new conversation" score: Prepared attribute → feature id.
_SELF_CUES = (
    ("mentions", S_MENTION), ("question", S_QUESTION), ("greeting", S_GREETING),
    ("asks_anyone", S_ASKS_ANYONE), ("ack", S_ACK), ("thanks", S_THANKS), ("url", S_URL),
    ("command", S_COMMAND),
)


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
    _nicks: NickIndex = field(default_factory=NickIndex)  # every spelling of a speaker → author
    _by_author: dict[str, list[int]] = field(default_factory=dict)
    _last_addressing: dict[str, int] = field(default_factory=dict)  # author → latest message naming them
    _partner: dict[str, str] = field(default_factory=dict)  # author → whom they last talked with
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
        self._nicks.add(spelling, author)

    def prepare(self, msg: ChatMessage) -> Prepared:
        return prepare(msg, self._nicks, self.prepared, self.window)

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
        feats.extend(f for attr, f in _SELF_CUES if getattr(q, attr))
        lex = self.lexicon.get(q.first)
        if lex is not None:
            feats.append(lex)
        if last_own is None:
            feats.append(S_FIRST)
        if last_own is not None and i - last_own <= self.window:
            feats.append(AUTHOR_PREV_OF[i - last_own])
        else:
            feats.append(S_AUTHOR_PREV_NONE)
        if addressed_at is not None and i - addressed_at <= self.window:
            feats.append(ADDRESSED_OF[i - addressed_at])
        else:
            feats.append(S_ADDRESSED_NONE)
        if i and qm is not None and prepared[i - 1].minute is not None:
            feats.append(minutes_bin(qm - prepared[i - 1].minute, GAP_OF))
        feats.append(LEN_OF[min(q.n_words, 1000)])
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
        min_of = MIN_OF
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
            feats = [DIST_OF[d]]
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
                    feats.append(NEAR_LEAD[d])
                else:
                    feats.append(P_MENTION_RANK[r])
                if qa is not None and qa in c.mentions:
                    feats.append(P_LEAD_DIALOGUE)
            elif not noaddr:
                feats.append(P_Q_ADDR_OTHER)
            if noaddr:
                feats.append(NEAR_NOADDR[d])
            if qa is not None and qa in c.mentions:
                feats.append(P_C_ADDR_Q)
                feats.append(NEAR_CADDR[d])
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
