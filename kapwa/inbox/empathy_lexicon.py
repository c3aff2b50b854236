"""Word lists for the empathy check (kapwa/inbox/empathy.py), in English, Filipino and Taglish.

Written for replies by a community team, not for members' messages: high precision over recall, since a
warning on a good reply teaches people to ignore warnings. Each :class:`Phrase` is a regular expression
matched case-insensitively on the draft, with the replacement the check offers ("" removes the phrase) in
the language of the phrase itself, so the fix keeps the draft's language.

Templates (acknowledging openings, apologies, next steps) take ``{name}`` (", Maria" or "") and ``{topic}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def N_(message: str) -> str:  # marks a string for extraction; translated when shown
    return message


@dataclass(frozen=True)
class Phrase:
    pattern: str
    replacement: str  # "" = remove the phrase
    lang: str  # "en" or "tl": the language of the phrase (and of its replacement)
    why: str  # N_() explanation shown to the teammate

    @property
    def rx(self) -> re.Pattern[str]:
        return _compiled(self.pattern)


_CACHE: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    rx = _CACHE.get(pattern)
    if rx is None:
        rx = _CACHE[pattern] = re.compile(pattern, re.IGNORECASE)
    return rx


A = r"['’]"  # an apostrophe, straight or curly
WHY_RECAP = N_("Reads as impatient: the member hears “I already told you”.")
WHY_FAQ = N_("Sends the member away. Give the answer (or the exact link) instead.")
WHY_CALM = N_("Telling an upset person to calm down makes it worse. Name the feeling instead.")
WHY_NOT_OURS = N_("Refuses ownership. Say what you will do, even if it is only finding out.")
WHY_NOTHING = N_("Closes the door. Say what you can do.")
WHY_OBVIOUS = N_("Implies the member should have known. Drop it.")
WHY_BLAME = N_("Blames the member. Describe what happened and the next step instead.")
WHY_HARSH = N_("Harsh wording: it attacks the person, not the problem.")
WHY_PROFANE = N_("Profanity has no place in a reply from the team.")

DISMISSIVE: tuple[Phrase, ...] = (
    # English
    Phrase(rf"\b(?:as|like) i(?: have|{A}ve)? (?:already |just )?(?:said|mentioned|told you|stated|explained)(?: (?:before|earlier|above))?\b,?", "To recap,", "en", WHY_RECAP),
    Phrase(r"\bas (?:we|i) (?:already )?(?:said|stated|explained) (?:before|earlier|above)\b,?", "To recap,", "en", WHY_RECAP),
    Phrase(r"\bper my (?:last|previous|earlier) (?:message|email|e-mail|reply|post|comment)\b,?", "To recap,", "en", WHY_RECAP),
    Phrase(r"\bas (?:previously )?stated\b,?", "To recap,", "en", WHY_RECAP),
    Phrase(rf"\b(?:we|i)(?: have|{A}ve)? already (?:answered|explained|told you) (?:this|that)(?: (?:before|twice|already))?\b", "here is the answer again", "en", WHY_RECAP),
    Phrase(r"\bhow many times do (?:i|we) have to (?:say|tell you|explain)(?: this| it| that)?\b\??", "To recap,", "en", WHY_RECAP),
    Phrase(r"\b(?:just |simply |please )?(?:go )?read (?:the|our) (?:faq|faqs|manual|docs|documentation|help (?:page|center|centre)|pinned (?:post|message))\b", "here is the step-by-step guide", "en", WHY_FAQ),
    Phrase(r"\b(?:just )?(?:google|search) (?:it|for it)\b", "here is how to do it", "en", WHY_FAQ),
    Phrase(r"\brtfm\b", "here is the guide", "en", WHY_FAQ),
    Phrase(r"\bit(?:'s|’s| is) (?:all )?in the (?:faq|faqs|manual|docs)\b", "here is the answer from our guide", "en", WHY_FAQ),
    Phrase(r"\b(?:please |just )?(?:calm down|chill out)\b|\b(?:please |just )relax\b|\brelax(?=[.,!])", "I understand how frustrating this is", "en", WHY_CALM),
    Phrase(r"\bno need to (?:shout|yell|be rude)\b", "I hear you", "en", WHY_CALM),
    Phrase(r"\b(?:please |just )?be patient\b", "thank you for your patience", "en", WHY_CALM),
    Phrase(rf"\b(?:that|this|it)(?:{A}s| is) not (?:our|my) (?:problem|issue|concern|job|fault|responsibility)\b", "let me find out who can help with this", "en", WHY_NOT_OURS),
    Phrase(r"\bnot (?:our|my) (?:problem|job|concern)\b", "let me find out who can help with this", "en", WHY_NOT_OURS),
    Phrase(rf"\b(?:there(?:{A}s| is) )?nothing (?:(?:more|else) )?(?:we|i) can do(?: about (?:it|this|that))?\b", "here is what we can do", "en", WHY_NOTHING),
    Phrase(rf"\b(?:we|i) can(?:{A}t|not| not) (?:do anything|help you)(?: (?:about|with) (?:it|this|that))?\b", "here is what we can do", "en", WHY_NOTHING),
    Phrase(r"\bdeal with it\b", "we will help you sort this out", "en", WHY_NOTHING),
    Phrase(r"\b(?:obviously|as everyone knows)\b,?\s?", "", "en", WHY_OBVIOUS),
    Phrase(r"\bwhatever[.!]+(?=\s|$)\s?", "", "en", WHY_OBVIOUS),
    Phrase(r"\byou need to understand (?:that )?", "to explain, ", "en", WHY_OBVIOUS),
    # Filipino / Taglish
    Phrase(r"\bbasahin (?:mo|nyo|niyo|ninyo) (?:(?:na lang|nalang|kasi|kase|nga)\b|(?:muna )?(?:ang |yung |ung )?(?:faq|faqs|pinned)\b)", "narito po ang gabay, hakbang-hakbang", "tl", WHY_FAQ),
    Phrase(r"\bmagbasa (?:ka|kayo) (?:kasi|kase|muna|naman)\b", "narito po ang gabay, hakbang-hakbang", "tl", WHY_FAQ),
    Phrase(r"\b(?:wala|wla) (?:na )?(?:kaming|tayong|akong) (?:magagawa|maitutulong)(?: (?:dyan|diyan|dito))?\b", "ito po ang magagawa namin", "tl", WHY_NOTHING),
    Phrase(r"\b(?:hindi|di) (?:namin|ko) (?:na )?(?:kasalanan|problema|responsibilidad)(?: (?:yan|iyan|yun|iyon|yon|ito))?\b", "aalamin po namin agad kung ano ang nangyari", "tl", WHY_NOT_OURS),
    Phrase(r"\bproblema (?:mo|nyo|niyo|ninyo) na (?:yan|iyan|yun|iyon)\b", "aalamin po namin agad kung ano ang nangyari", "tl", WHY_NOT_OURS),
    Phrase(r"\b(?:kanina|matagal) (?:ko|namin) (?:pa|na) (?:(?:ito|iyan|yan|yun) )?(?:sinabi|sinagot|pinaliwanag|ipinaliwanag)\b", "Para po malinaw:", "tl", WHY_RECAP),
    Phrase(r"\b(?:sinabi|sinagot) (?:ko|namin) na(?: (?:nga|po|kanina|yan|iyan))*\b", "Para po malinaw:", "tl", WHY_RECAP),
    Phrase(r"\b(?:gaya|tulad|sabi) (?:ng|nang) (?:sinabi|sabi) (?:ko|namin)\b,?", "Para po malinaw:", "tl", WHY_RECAP),
    Phrase(r"\bilang beses (?:ko|namin) (?:na |pa )?(?:bang )?(?:sasabihin|ipapaliwanag|uulitin)\b\??", "Para po malinaw:", "tl", WHY_RECAP),
    Phrase(r"\b(?:kumalma|huminahon|mag-?relax|chill) (?:ka|kayo)(?: (?:lang|muna|nga))*\b", "naiintindihan po namin ang abala", "tl", WHY_CALM),
    Phrase(r"\b(?:maghintay|mag-?antay) (?:ka|kayo) (?:na )?(?:lang|nalang)\b|\b(?:antayin|hintayin) (?:mo|nyo|niyo) (?:na )?(?:lang|nalang)\b", "salamat po sa paghihintay", "tl", WHY_CALM),
    Phrase(r"\bbahala (?:ka|kayo|na kayo)(?: na)?\b", "nandito po kami para tumulong", "tl", WHY_NOTHING),
    Phrase(r"\b(?:ewan ko|ewan)\b(?: (?:sa ?yo|sa inyo))?", "aalamin ko po", "tl", WHY_NOTHING),
)

BLAMING: tuple[Phrase, ...] = (
    Phrase(rf"\byou should(?:n{A}t| not) have(?= (?:shared|given|clicked|sent|trusted|tried|done|used|opened|downloaded|installed|posted|told|replied)\b)", "it is safer not to have", "en", WHY_BLAME),
    Phrase(r"\byou should have(?= (?:read|checked|contacted|called|updated|verified|followed|known|asked|waited|saved|used|entered|double-checked|reported|listened|looked|taken|kept|linked|sent|told|done|gone|made|noted|changed|reset|thought|paid attention)\b)", "next time, please make sure you've", "en", WHY_BLAME),
    Phrase(rf"\b(?:it(?:{A}s| is|\swas) )?(?:all )?(?:your|ur) (?:own )?fault\b", "let's sort this out together", "en", WHY_BLAME),
    Phrase(rf"\bthat(?:{A}s| is) on you\b", "let's sort this out together", "en", WHY_BLAME),
    Phrase(rf"\byou did(?:n{A}t| not)(?= (?:follow|read|enter|verify|check|update|send|include|complete|wait|listen|provide|submit|attach|input|type|save|activate|link|register|pay attention|bother)\b)", "please", "en", WHY_BLAME),
    Phrase(r"\byou failed to\b", "please", "en", WHY_BLAME),
    Phrase(r"\byou forgot to\b", "please remember to", "en", WHY_BLAME),
    Phrase(r"\byou were supposed to\b", "the next step is to", "en", WHY_BLAME),
    Phrase(r"\byou (?:did it|did something|entered it|typed it) wrong\b", "something went wrong", "en", WHY_BLAME),
    Phrase(r"\buser error\b", "a mix-up", "en", WHY_BLAME),
    Phrase(r"\byou caused (?:this|it|the problem)\b", "this happened", "en", WHY_BLAME),
    Phrase(r"\bikaw (?:kasi|kase|ang may kasalanan|ang nagkamali)\b", "para maiwasan po ito sa susunod,", "tl", WHY_BLAME),
    Phrase(r"\bkayo (?:kasi|kase|ang may kasalanan|ang nagkamali)\b", "para maiwasan po ito sa susunod,", "tl", WHY_BLAME),
    Phrase(r"\b(?:kasalanan|kasalan) (?:mo|nyo|niyo|ninyo)\b(?: (?:yan|iyan|yun|iyon|naman|talaga))*", "aayusin po natin ito", "tl", WHY_BLAME),
    Phrase(r"\b(?:nagkamali|nagkakamali) (?:ka|kayo)\b", "nagkaroon po ng mali", "tl", WHY_BLAME),
    Phrase(r"\b(?:hindi|di) (?:mo|nyo|niyo|ninyo) kasi\b", "para po sa susunod,", "tl", WHY_BLAME),
    Phrase(r"\bdapat kasi\b", "para po sa susunod, makakatulong na", "tl", WHY_BLAME),
    Phrase(r"\bsana (?:kasi|kase)\b", "para po sa susunod,", "tl", WHY_BLAME),
)

HARSH: tuple[Phrase, ...] = (
    Phrase(r"\b(?:stupid|dumb|silly|dumbest) question\b", "good question", "en", WHY_HARSH),
    Phrase(r"\bare you (?:stupid|dumb|blind|serious|kidding(?: me)?|even listening)\b\??\s?", "", "en", WHY_HARSH),
    Phrase(rf"\bcan(?:{A}t|not) you read\b\??\s?", "", "en", WHY_HARSH),
    Phrase(rf"\bwhat(?:{A}s| is) wrong with you\b\??\s?", "", "en", WHY_HARSH),
    Phrase(r"\bshut up\b[.,!]?\s?", "", "en", WHY_HARSH),
    Phrase(r"\b(?:ridiculous|absurd|nonsense|pathetic)\b", "confusing", "en", WHY_HARSH),
    Phrase(r"\b(?:idiots?|morons?|stupid|dumb|clueless|lazy|useless|incompetent|imbeciles?|losers?)\b\s?", "", "en", WHY_HARSH),
    Phrase(r"\b(?:fuck(?:ing|ed)?|shit(?:ty)?|bullshit|damn(?:it)?|wtf|stfu|crap|bitch|asshole)\b\s?", "", "en", WHY_PROFANE),
    Phrase(r"\b(?:hindi|di) (?:ka|kayo) ba marunong (?:magbasa|bumasa|umintindi)\b\??\s?", "", "tl", WHY_HARSH),
    Phrase(r"\bano ba (?:problema|prob) (?:mo|nyo|niyo)\b\??\s?", "", "tl", WHY_HARSH),
    Phrase(r"\bano ka ba\b\??\s?", "", "tl", WHY_HARSH),
    Phrase(r"\bang (?:kulit|arte|reklamador|reklamo) (?:mo|nyo|niyo|ninyo)\b[.,!]?\s?", "", "tl", WHY_HARSH),
    Phrase(r"\breklamo (?:ka|kayo) (?:nang|ng) reklamo\b[.,!]?\s?", "", "tl", WHY_HARSH),
    Phrase(r"\b(?:tumahimik|manahimik) (?:ka|kayo)(?: (?:na|nga|lang))*\b[.,!]?\s?", "", "tl", WHY_HARSH),
    Phrase(r"\b(?:bobo|boba|tanga|tangah|gago|gaga|engot|shunga|ulol|ulul|inutil|mangmang|gunggong|walang ?hiya|bastos)\b\s?", "", "tl", WHY_HARSH),
    Phrase(r"\b(?:putang ?ina|tang ?ina|tangina(?:mo)?|puta|pota|potangina|leche|letse|lintik|punyeta|pucha|bwisit|buwisit|bwiset|kupal|tarantado|hayop ka)\b\s?", "", "tl", WHY_PROFANE),
)

# A reply that acknowledges the member's feelings or apologises.
ACKNOWLEDGE = re.compile(
    r"\b(?:sorry|apologi[sz]e|apologies|our apologies|understand|understandable|frustrat\w*|inconvenien\w*|"
    r"hear you|hassle|that(?:'s|’s| is) not (?:the|an) experience|must (?:be|have been) (?:stressful|annoying|frustrating)|"
    r"thank(?:s| you) for (?:your patience|flagging|reporting|letting us know|raising|bearing with|waiting)|"
    r"appreciate your patience|we(?:'re|’re| are) on it|stressful|worrying|"
    r"pasensya|pasensiya|paumanhin|patawad|naiintindihan|nauunawaan|abala|salamat (?:po )?sa (?:pasensya|paghihintay|pag-?report)|"
    r"nakakalungkot|nakakainis nga|nakakabahala)\b",
    re.IGNORECASE,
)
# The reply brings good news (the money is back, the problem is fixed): thanks for the patience is enough.
GOOD_NEWS = re.compile(
    r"\b(?:good news|great news|magandang balita|has been (?:returned|reversed|refunded|credited|fixed|resolved|restored)|"
    r"have been (?:returned|reversed|refunded|credited|fixed|resolved|restored)|"
    r"we(?:'ve|’ve| have) (?:reversed|refunded|returned|fixed|resolved|credited|restored|unlocked)|"
    r"(?:is|are) (?:back to normal|fixed|resolved|restored)|resolved na|ayos na|okay na|ok na|gumagana na|fixed na|"
    r"na-?fix na|na-?resolve na|na-?credit na|na-?reverse na|naibalik na|ibinalik na|bumalik na|na-?refund na)\b",
    re.IGNORECASE,
)
THANKS_FOR_PATIENCE = {"en": "Thank you for your patience{name}! ", "tl": "Salamat po sa pasensya{name}! "}
# A concrete next step: a question, a link, a time frame, a ticket or an escalation.
NEXT_STEP = re.compile(
    r"\?|https?://|www\.|\b(?:within|in the next|by (?:tomorrow|today|tonight|monday|tuesday|wednesday|thursday|friday|end of day)|"
    r"today|tonight|tomorrow|this (?:morning|afternoon|evening|week)|\d+\s*(?:-\s*\d+\s*)?(?:min(?:ute)?s?|hours?|hrs?|h|days?|business days?|banking days?)|"
    r"ticket|escalat\w+|reference (?:number|no)|ref(?:erence)? ?(?:no|#)|dm|direct message|call you|update you|get back to you|"
    r"ngayong araw|mamaya|bukas|sa loob ng|\d+\s*(?:oras|araw|minuto)|babalitaan|ibabalita|ia-?update|i-?update|paki-?\w+|"
    r"pakisend|pakibigay|padalhan)\b",
    re.IGNORECASE,
)
# The member reports money or access trouble: the acknowledging opening becomes an apology.
PROBLEM_TOPICS: tuple[tuple[str, str, str], ...] = (
    # (pattern on the member's words, English topic, Filipino topic)
    (r"cash[\s-]?in|top[\s-]?up", "your cash-in", "sa cash-in niyo"),
    (r"cash[\s-]?out|withdraw", "your cash-out", "sa cash-out niyo"),
    (r"padala|remittance|transfer|sent|send money|nagpadala|instapay|pesonet", "your transfer", "sa padala niyo"),
    (r"bills?|bayad|payment|paid|nagbayad|qr", "your payment", "sa bayad niyo"),
    (r"\bload\b|e-?load", "your load purchase", "sa load niyo"),
    (r"verif|kyc|beripikasyon|\bid\b", "your verification", "sa verification niyo"),
    (r"refund|ibalik|return my money", "your refund", "sa refund niyo"),
    (r"locked|na-?lock|account|log ?in|otp|mpin", "your account", "sa account niyo"),
    (r"\bapp\b|crash|error|down|outage|maintenance", "the app", "sa app"),
)
MONEY_OR_OUTAGE = re.compile(
    r"\b(?:deducted|na-?deduct|nabawas\w*|nabawasan|double[-\s]?charg\w*|charged twice|money is gone|nawala ang pera|"
    r"nawawala|failed|hindi natuloy|di natuloy|not received|didn(?:'|’)?t arrive|hindi (?:pumasok|dumating)|wala pa(?:ng| rin)|"
    r"missing|declined|down|outage|offline|not working|hindi gumagana|ayaw gumana|can(?:'|’)?t log ?in|"
    r"nag-?e-?error|nagloloko|unauthori[sz]ed|hacked|na-?hack|scam\w*|refund|ibalik)\b",
    re.IGNORECASE,
)
# Honorifics a Filipino member uses, and that a Filipino reply should return.
PO = re.compile(r"\b(?:po|opo|ho|oho|poh|pu)\b", re.IGNORECASE)

CHEERFUL_EMOJI = frozenset("😀😃😄😁😆😅😂🤣🙂😊😉😎😜😝🥳🎉🎊👍✌🙌😍🥰😘🤗💙❤💯✨🤩🤪😋")
LAUGHING_EMOJI = frozenset("😂🤣😆😅😹")

# Upper-case words that are names of things, not shouting.
_ACRONYMS = """
OTP MPIN PIN KYC QR PH ID IDS ATM SMS FAQ FAQS URL API PDIC BPI BDO DM DMS PM AM ASAP OK USA USD PHP GCASH BSP
NBI UMID PRC SSS TIN ETA FYI IT CS BP LBC SM ITO FB GIF PDF APK IOS UI UX NFC MDR PESONET INSTAPAY EWALLET HQ
CEO TV OTC VAT VIP SIM PLDT GLOBE SMART DITO TNT TM PHILSYS ICYMI NB PS
"""
ACRONYMS = frozenset(_ACRONYMS.split())

# Templates: {name} is ", Maria" (or ""), {topic} a PROBLEM_TOPICS entry.
OPENING = {
    "en": "I'm sorry about the trouble{name}. I understand how frustrating this is. ",
    "tl": "Pasensya na po sa abala{name}. Naiintindihan po namin kung gaano ito nakakainis. ",
}
OPENING_TOPIC = {
    "en": "I'm sorry about the trouble with {topic}{name}. I understand how frustrating this is. ",
    "tl": "Pasensya na po sa abala {topic}{name}. Naiintindihan po namin kung gaano ito nakakainis. ",
}
APOLOGY = {
    "en": ("I'm sorry about the trouble with {topic}{name}. I know how stressful it is when your money is "
           "affected. We're looking into it right now and will update you here as soon as we know more. "),
    "tl": ("Pasensya na po sa abala {topic}{name}. Alam po naming mahalaga ito sa inyo. Tinitingnan na po namin "
           "ito ngayon at babalitaan namin kayo dito agad. "),
}
NEXT_STEP_MONEY = {
    "en": " Could you send us the reference number by direct message so we can check it right away?",
    "tl": " Paki-send po ng reference number via DM para ma-check namin agad.",
}
NEXT_STEP_GENERAL = {
    "en": " We'll update you here within 24 hours.",
    "tl": " Babalitaan po namin kayo dito sa loob ng 24 oras.",
}
GREETING = {"en": "Hi {first}! ", "tl": "Hello po, {first}! "}
POLITE_CLOSING = " Salamat po!"
CALM_REWRITE = {
    "en": "I understand this is frustrating{name}, and I want to help. Here's what we can do: ",
    "tl": "Naiintindihan po namin na nakakainis ito{name}, at gusto po naming tumulong. Ito po ang magagawa namin: ",
}
