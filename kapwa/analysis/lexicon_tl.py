"""Small hand-written word lists for English / Filipino (Tagalog) / Taglish text.

Used by the language step (function-word markers for the Taglish check), the keyword step (stopwords)
and the intent step (cue words). All lowercase. Written for Kapwa; keep them short and high-precision:
a word that is common in *both* languages goes into ``AMBIGUOUS``, not into either marker list.
"""

from __future__ import annotations

import re
import threading


def wordset(text: str) -> frozenset[str]:
    """A frozenset of the whitespace-separated words in ``text`` (keeps long lists readable)."""
    return frozenset(text.split())

# Tagalog function words and very common particles / pronouns / question words / short verbs.
TL_MARKERS = wordset("""
ang ng nang mga sa sina ni nina kay kina na pa po opo ho oho hindi di huwag wag ako ko mo niya siya
kami tayo kayo sila namin natin niyo ninyo nila akin amin atin inyo kanila ikaw ka ito iyan iyon yan yun
yon yung iyong ire dito diyan doon dyan jan dun ganito ganyan ganoon ganun lang lamang naman rin din daw raw
ba kasi kase talaga sana pwede puwede pede bakit paano pano saan kailan sino ano anong alin ilan magkano
wala walang meron mayroon may-ari salamat kung kapag pag habang dahil pati nga eh ay yata muna
tapos saka sobra sobrang grabe nasaan nasa ngayon kahapon bukas kanina mamaya lagi palagi ulit uli tsaka kaya
ako'y akong mong niyang kong nyo nya sya yang ung tas bat pano't ganon ano'ng ayaw gusto kailangan
paki pakisagot pakitulong tulong bayad pera padala wala pong pa-help opo't ito'y
""")

# English function words and very common short words (no word that is also common Tagalog).
EN_MARKERS = wordset("""
the a an is are was were be been being am i you he she it we they me him her us them my your his its our
their mine yours this that these those what when where why how which who whom whose and or but if because
so than then not no yes do does did don't doesn't didn't can can't cannot could couldn't will won't would
wouldn't should shouldn't have has had haven't hasn't with without for from of on in into onto about
there here just still already please thanks thank hi hello hey since again very really also only all any
some get got getting make made know think want need help anyone someone everyone there's it's i'm i've
i'll you're we're they're isn't aren't wasn't weren't after before while until over under up down out
off more most less much many every each other another new old good bad same still yet why's what's how's
been being would've my our by as just even though although however anyway today yesterday tomorrow now
""")

# Words common in both (English "may", "at"; Tagalog "may" = there is, "at" = and) - never counted.
AMBIGUOUS = wordset("may at man ate to me ma pero para si sino")

# Tagalog verb prefixes that attach to English stems in Taglish: "nag-crash", "na-resolve", "i-check".
TL_PREFIXES = wordset("""
nag mag na ma i pa pag ka naka maka nakaka makaka pina ipa ipina pinag makapag nakapag mang nang
um in ni ini mai nai magpa nagpa pagka paki pinaka
""")

# Stopwords for keywords: the marker lists plus more filler in both languages and chat noise.
STOPWORDS = (TL_MARKERS | EN_MARKERS | AMBIGUOUS | wordset("""
lol haha hahaha hehe huhu sir maam ma'am mam miss bro sis guys pls plz pa-help thx ty tnx ok okay oks
sige oo hmm uhm ah oh eh naku hay ayun ayan pala lng lg nalang na-lang din ren dn nman nmn tlga tlg
kc kse bkt pno sna pwd pde d2 jan sya cya kau kyo nyo ano ba yan po2 any also like get got one two
would could should might must shall will can may also etc via per im ive id dont doesnt didnt cant wont
isnt arent wasnt werent thats whats theres hes shes lets yeah yep nope hi hello hey good morning
evening afternoon gabi umaga hapon magandang po'y kayong namang lahat iba ibang isa dalawa wala
nasa nandito andito andyan nandyan ako'y naging magiging maging pang ng-ng mula hanggang tungkol
ako ko po opo daw raw pa na sa sana gamit laging lagi sabi kahit agad parang nung noong medyo siguro baka
talagang super mas pinaka lahat ganyan ginawa ginagawa sobra really very much thing things stuff
""") | TL_PREFIXES)

WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?(?:-[^\W\d_]+)*", re.UNICODE)


def words(text: str) -> list[str]:
    """Lowercased letter-words; hyphenated words (``cash-in``, ``nag-crash``) stay one token."""
    return WORD_RE.findall(text.lower().replace("’", "'"))


SEP = "\x00"  # between the texts of a batch
_SCAN = re.compile(r"\x00|" + WORD_RE.pattern)  # words(), plus the batch separator
_last_lock = threading.Lock()
_last: list = [None, None]


def batch_words(texts: list[str]) -> list[str]:
    """words() of every text of a batch in one flat list: SEP, words of text 0, SEP, …, SEP (a SEP inside a
    text counts as a space). The last batch is remembered, so the language and intent steps of one chain
    run tokenise it once; do not modify the list."""
    key = tuple(t or "" for t in texts)
    with _last_lock:
        if _last[0] == key:
            return _last[1]
    joined = "\n\x00\n".join(key)
    if joined.count(SEP) != len(key) - 1:  # a text carries the separator itself
        joined = "\n\x00\n".join(t.replace(SEP, " ") for t in key)
    flat = [SEP, *_SCAN.findall(joined.lower().replace("’", "'")), SEP]
    with _last_lock:
        _last[:] = [key, flat]
    return flat
