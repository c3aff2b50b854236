"""Feature ids for chat disentanglement: every binary feature the linear model weighs, and its name.

:data:`NAMES` lists the names in id order (``disentangle_weights.json`` stores weights by name; the model maps
them onto these ids when it loads). The bins and lookup tables here turn distances, minutes and lengths into
ids; :mod:`kapwa.ingest.disentangle_features` decides which ids fire for each candidate.
"""

from __future__ import annotations

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

DIST_OF = _lookup(_DIST_EDGES, P_DIST, 1000)
MIN_OF = _lookup(_MIN_EDGES, P_MIN, _MIN_EDGES[-1] + 1)
GAP_OF = _lookup(_GAP_EDGES, S_GAP, _GAP_EDGES[-1] + 1)
NEAR_NOADDR = _lookup(_NEAR_EDGES, P_NOADDR_NEAR, 1000)
NEAR_LEAD = _lookup(_NEAR_EDGES, P_LEAD_NEAR, 1000)
NEAR_CADDR = _lookup(_NEAR_EDGES, P_CADDR_NEAR, 1000)
AUTHOR_PREV_OF = _lookup(_AUTHOR_PREV_EDGES, S_AUTHOR_PREV, 1000)
ADDRESSED_OF = _lookup(_ADDRESSED_EDGES, S_ADDRESSED, 1000)
LEN_OF = _lookup(_LEN_EDGES, S_LEN, 1000)


def minutes_bin(minutes: float, table: list[int]) -> int:
    """Whole minutes → bin feature (clock skew counts as 0)."""
    if minutes < 0:
        return table[0]
    return table[int(minutes)] if minutes < len(table) - 1 else table[-1]
