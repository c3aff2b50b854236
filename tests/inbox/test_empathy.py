"""The empathy check: good replies in English, Filipino and Taglish come back clean; harsh, dismissive,
blaming, tone-deaf and other-language replies are flagged with the right code and a fix that works."""

from __future__ import annotations

import statistics
import time
from types import SimpleNamespace

import pytest

from kapwa.core.models import Role
from kapwa.inbox.empathy import check_reply
from kapwa.inbox.empathy_context import check_conversation_reply, member_context
from kapwa.inbox.empathy_lexicon import ACRONYMS
from kapwa.inbox.empathy_text import caps_runs, first_name

# Members, by what they wrote.
PAYMENT_EN = ["I paid my Meralco bill 3 days ago, the ₱1,500 was deducted but it still says unpaid. This is unacceptable!"]
SLOW_EN = ["Verification is taking forever and nobody answers. This is so frustrating."]
QUESTION_EN = ["How do I link my BPI account for cash-in?"]
REFUND_TL = ["Ang tagal naman po! 3 araw na po akong naghihintay sa refund ng ₱500 ko, nabawas na sa balance ko."]
QUESTION_TL = ["Paano po mag-cash in galing BPI? Ilang minuto po bago pumasok sa wallet?"]
SEND_TL = ["Paano po ako magpapadala ng pera sa kapatid ko? Gaano po katagal bago ito dumating?"]
DOUBLE_TAGLISH = ["Na-double charge po ako sa QR payment sa Puregold, tig-₱800! Pakicheck naman po asap."]
QUESTION_TAGLISH = ["Pwede po ba mag-cash in sa 7-Eleven kahit Sunday? Need ko kasi today."]


def check(draft, texts, language, name="Maria Santos", sentiment=None, **kw):
    return check_reply(draft, member_texts=texts, member_language=language, member_name=name,
                       member_sentiment=sentiment, **kw)


GOOD = [
    # English, an upset member whose money is stuck
    ("I'm sorry about the trouble with your payment, Maria. Could you send us the reference number by DM so we can "
     "check it right away?", PAYMENT_EN, "en", -0.8),
    ("Sorry for the wait, Maria. We've escalated this to our payments team (ticket BP-1042) and will update you here "
     "within 24 hours.", PAYMENT_EN, "en", -0.8),
    ("I understand how frustrating the wait is, Maria. Reviews usually take 24–48 hours; I've asked the team to look "
     "at yours today.", SLOW_EN, "en", -0.6),
    # English, a calm question
    ("Hi Maria! You can link your BPI account under Cash In > Linked accounts. Let us know if anything is unclear.",
     QUESTION_EN, "en", 0.0),
    ("Good question! Linking takes two taps: Cash In > Linked accounts > BPI. Please do NOT share your OTP with anyone.",
     QUESTION_EN, "en", 0.0),
    ("It's not your fault, Maria. If you didn't get the OTP, tap Resend and it should arrive within a minute.",
     QUESTION_EN, "en", 0.0),
    # Filipino
    ("Pasensya na po sa abala, Maria. Paki-send po ng reference number via DM para ma-check namin agad.",
     REFUND_TL, "tl", -0.7),
    ("Paumanhin po sa abala, Maria. Ibabalik po namin ang ₱500 sa wallet niyo sa loob ng 24 oras.",
     REFUND_TL, "tl", -0.7),
    ("Hello po, Maria! Sa InstaPay po, ilang minuto lang bago pumasok ang cash-in galing BPI. Salamat po!",
     QUESTION_TL, "tl", 0.1),
    # Taglish
    ("Sorry po sa abala, Maria! Paki-send po ng registered mobile number at reference number via DM para ma-check "
     "namin agad.", DOUBLE_TAGLISH, "taglish", -0.6),
    ("Hi po Maria! Yes po, pwede kayong mag-cash in sa 7-Eleven kahit Sunday, during store hours lang po.",
     QUESTION_TAGLISH, "taglish", 0.2),
]


@pytest.mark.parametrize(("draft", "texts", "language", "sentiment"), GOOD, ids=[f"good-{i}" for i in range(len(GOOD))])
def test_good_replies_come_back_clean(draft, texts, language, sentiment):
    report = check(draft, texts, language, sentiment=sentiment)
    assert report.findings == [], [(f.code, f.phrase, f.message) for f in report.findings]
    assert report.ok and report.to_dict()["warnings"] == 0


FLAGGED = [
    # dismissive, English
    ("As I said, the limit is ₱50,000 a month.", QUESTION_EN, "en", "dismissive", "As I said,"),
    ("Just read the FAQ, it's all there.", QUESTION_EN, "en", "dismissive", "Just read the FAQ"),
    ("Calm down, we are looking into it and will update you today.", SLOW_EN, "en", "dismissive", "Calm down"),
    ("That's not our problem, please contact your bank.", PAYMENT_EN, "en", "dismissive", "That's not our problem"),
    ("There's nothing we can do about it.", PAYMENT_EN, "en", "dismissive", "There's nothing we can do about it"),
    ("Per my last message, the review takes 24 hours.", SLOW_EN, "en", "dismissive", "Per my last message,"),
    ("Obviously the button is under Cash In.", QUESTION_EN, "en", "dismissive", "Obviously"),
    # dismissive, Filipino / Taglish
    ("Basahin mo kasi yung FAQ, nandun lahat.", QUESTION_TL, "tl", "dismissive", "Basahin mo kasi"),
    ("Wala kaming magagawa diyan, sa bangko kayo magreklamo.", REFUND_TL, "tl", "dismissive",
     "Wala kaming magagawa diyan"),
    ("Hindi namin kasalanan yan, sa biller po ang delay.", REFUND_TL, "tl", "dismissive", "Hindi namin kasalanan yan"),
    ("Kanina ko pa sinabi, 24 hours po ang review.", DOUBLE_TAGLISH, "taglish", "dismissive", "Kanina ko pa sinabi"),
    # blaming
    ("You should have checked the account number before sending.", PAYMENT_EN, "en", "blaming", "You should have"),
    ("It's your fault for sharing your OTP.", PAYMENT_EN, "en", "blaming", "It's your fault"),
    ("You didn't enter the reference number, so it failed.", PAYMENT_EN, "en", "blaming", "You didn't"),
    ("Ikaw kasi, hindi mo binasa ang instructions.", REFUND_TL, "tl", "blaming", "Ikaw kasi"),
    ("Kasalanan mo yan, hindi ka nag-verify.", DOUBLE_TAGLISH, "taglish", "blaming", "Kasalanan mo yan"),
    # harsh
    ("Are you stupid? The button is right there.", QUESTION_EN, "en", "harsh", "Are you stupid?"),
    ("Ang tanga mo naman, nasa app na yan.", QUESTION_TL, "tl", "harsh", "tanga"),
    ("What a stupid question, it's in the app.", QUESTION_EN, "en", "harsh", "stupid question"),
    # shouting
    ("READ THE INSTRUCTIONS AGAIN and send the OTP screenshot.", QUESTION_EN, "en", "shouting", "READ THE INSTRUCTIONS AGAIN"),
    ("We fixed it!!! Try again", PAYMENT_EN, "en", "exclamation", "!!!"),
]


@pytest.mark.parametrize(("draft", "texts", "language", "code", "phrase"), FLAGGED,
                         ids=[f"{c}-{i}" for i, (_, _, _, c, _) in enumerate(FLAGGED)])
def test_bad_wording_is_flagged_with_the_phrase_and_a_fix(draft, texts, language, code, phrase):
    report = check(draft, texts, language)
    found = [f for f in report.findings if f.code == code]
    assert found, [(f.code, f.phrase) for f in report.findings]
    f = found[0]
    assert f.severity == "warn" and not report.ok
    assert f.phrase == phrase and draft[f.span[0]:f.span[1]].strip().startswith(phrase)
    assert f.fix == "replace" and f.message and f.suggestion
    # "Use this" takes the phrase out of the draft, and the finding goes away.
    fixed = apply(draft, f)
    assert phrase not in fixed
    assert code not in check(fixed, texts, language).codes, fixed


def apply(draft: str, f) -> str:
    """What the "Use this" button does (static/empathy.js)."""
    text = f.replacement if f.replacement is not None else f.suggestion
    if f.fix == "replace":
        return draft[: f.span[0]] + text + draft[f.span[1]:]
    if f.fix == "prepend":
        return text + draft
    if f.fix == "append":
        return draft.rstrip() + text
    return text


def test_replacements_fit_the_sentence():
    f = next(f for f in check("Hi Maria, as I said, the limit is ₱50,000.", QUESTION_EN, "en").findings
             if f.code == "dismissive")
    assert apply("Hi Maria, as I said, the limit is ₱50,000.", f) == "Hi Maria, to recap, the limit is ₱50,000."
    f = next(f for f in check("Obviously you need to update the app first.", QUESTION_EN, "en").findings
             if f.code == "dismissive")
    assert apply("Obviously you need to update the app first.", f) == "You need to update the app first."
    f = check("Please READ THE PINNED POST about the OTP.", QUESTION_EN, "en").findings[0]
    assert f.code == "dismissive"  # the shouted phrase is dismissive too; one finding for one place
    shout = "PLEASE DO NOT SHARE YOUR OTP OR MPIN WITH ANYONE"
    assert caps_runs(shout, ACRONYMS) == [(0, len(shout), "Please do not share your OTP or MPIN with anyone")]


def test_blame_reframes_keep_the_verb_form():
    draft = "You should have checked the account number before sending."
    f = next(f for f in check(draft, PAYMENT_EN, "en").findings if f.code == "blaming")
    assert apply(draft, f) == "Next time, please make sure you've checked the account number before sending."
    draft = "Ugh, YOU SHOULD HAVE CHECKED the receipt first."
    codes = check(draft, QUESTION_EN, "en").codes
    assert "blaming" in codes and "shouting" in codes  # both, on overlapping words


def test_negations_and_conditions_are_not_blame():
    for draft in ("It's not your fault at all, Maria. We will update you within the hour.",
                  "If you didn't get the OTP, tap Resend. It arrives within a minute.",
                  "You didn't do anything wrong, Maria. We'll update you here within 24 hours.",
                  "You should have received a text from us by now; could you check your inbox?"):
        assert "blaming" not in check(draft, PAYMENT_EN, "en", sentiment=-0.7).codes, draft


def test_an_upset_member_gets_an_acknowledging_opening_with_their_first_name():
    draft = "The review takes 24 to 48 hours after you submit your documents, we will update you."
    report = check(draft, SLOW_EN, "en", sentiment=-0.6)
    f = next(f for f in report.findings if f.code == "tone_clash")
    assert f.severity == "warn" and f.fix == "prepend"
    assert f.suggestion.startswith("I'm sorry about the trouble with your verification, Maria.")
    assert "tone_clash" not in check(apply(draft, f), SLOW_EN, "en", sentiment=-0.6).codes
    # The same reply to a calm member is fine.
    assert check(draft, QUESTION_EN, "en", sentiment=0.2).findings == []


@pytest.mark.parametrize(("texts", "language", "start"), [
    (PAYMENT_EN, "en", "I'm sorry about the trouble with your payment, Maria. I know how stressful"),
    (REFUND_TL, "tl", "Pasensya na po sa abala sa refund niyo, Maria."),
    (DOUBLE_TAGLISH, "taglish", "Pasensya na po sa abala sa bayad niyo, Maria."),
])
def test_failed_money_gets_an_apology_template_in_the_members_language(texts, language, start):
    draft = ("Please send the reference number so we can check." if language == "en"
             else "Paki-send po ng reference number para ma-check namin.")
    f = next(f for f in check(draft, texts, language).findings if f.code == "no_apology")
    assert f.severity == "warn" and f.fix == "prepend" and f.suggestion.startswith(start)


def test_good_news_only_needs_thanks_for_the_patience():
    report = check("Good news, Maria: the ₱1,500 has been returned to your wallet.", PAYMENT_EN, "en")
    assert report.ok and report.codes == ["tone_clash"] and report.findings[0].severity == "info"
    assert report.findings[0].suggestion == "Thank you for your patience, Maria!"
    report = check("Na-reverse na po ang double charge. Makikita niyo na po sa transaction history.", DOUBLE_TAGLISH,
                   "taglish")
    assert report.ok and report.findings[0].suggestion == "Salamat po sa pasensya, Maria!"
    assert check("Thank you for your patience, Maria! Good news: the ₱1,500 has been returned to your wallet.",
                 PAYMENT_EN, "en").findings == []


def test_cheerful_emoji_to_an_angry_member():
    f = check("👍😊", PAYMENT_EN, "en").findings[0]
    assert f.code == "cheerful_emoji" and f.fix == "replace_draft" and "sorry" in f.suggestion.lower()
    report = check("We're on it, Maria, update within the hour 😂", PAYMENT_EN, "en")
    assert [f.code for f in report.warnings] == ["cheerful_emoji"] and report.warnings[0].phrase == "😂"
    assert check("👍😊", QUESTION_EN, "en", sentiment=0.5).findings == []  # fine for a happy member


def test_language_mismatch_both_ways():
    english = "You can send money to your brother through Padala and it usually arrives within minutes."
    f = next(f for f in check(english, SEND_TL, "tl").findings if f.code == "language_mismatch")
    assert f.severity == "warn" and "Filipino" in f.message and "in English" in f.message
    assert f.fix is None and "“Hello po, Maria! …”" in f.suggestion  # no saved reply: advice with an example
    # A Taglish member mixes English in: an English reply is a tip, not a warning.
    f = next(f for f in check(english, QUESTION_TAGLISH, "taglish").findings if f.code == "language_mismatch")
    assert f.severity == "info" and "Taglish" in f.message
    taglish = "Pwede po kayo mag-cash in from BPI through InstaPay, usually within minutes lang po."
    assert "language_mismatch" not in check(taglish, QUESTION_TL, "tl").codes
    filipino = "Karaniwan po ay dalawang araw ang pagsusuri ng inyong mga dokumento at larawan."
    f = next(f for f in check(filipino, QUESTION_EN, "en").findings if f.code == "language_mismatch")
    assert "English" in f.message and "“Hi Maria! …”" in f.suggestion


def test_language_mismatch_offers_the_saved_reply_of_the_same_name():
    saved = [SimpleNamespace(id=1, name="Cash-in speed", language="en",
                             body="InstaPay cash-ins usually reflect within minutes. Send us the reference number "
                                  "if it takes longer than an hour."),
             SimpleNamespace(id=2, name="Cash-in speed", language="tl",
                             body="Ilang minuto lang po bago pumasok ang InstaPay cash-in. Paki-send po ang reference "
                                  "number kung lampas isang oras na."),
             SimpleNamespace(id=3, name="KYC help", language="tl", body="Para sa selfie po, maliwanag dapat ang ilaw.")]
    draft = "InstaPay cash-ins usually reflect within minutes. Send us the reference number if it takes longer."
    f = next(f for f in check(draft, SEND_TL, "tl", saved_replies=saved).findings if f.code == "language_mismatch")
    assert f.fix == "replace_draft" and f.suggestion == saved[1].body
    assert "Cash-in speed" in f.message


def test_hints_on_a_complaint_are_info_only():
    report = check("Sorry for the trouble! We've escalated this (ticket BP-1) and will update you within 24 hours.",
                   PAYMENT_EN, "en")
    assert report.codes == ["no_name"] and report.ok
    assert report.findings[0].severity == "info" and report.findings[0].suggestion == "Hi Maria!"
    report = check("I'm sorry about this, Maria. We understand how frustrating it is.", PAYMENT_EN, "en")
    assert report.codes == ["no_next_step"] and report.ok
    assert "reference number" in report.findings[0].suggestion
    report = check("Pasensya na sa abala, Maria. Paki-send ang reference number via DM para ma-check namin agad.",
                   REFUND_TL, "tl")
    assert report.codes == ["no_po"] and report.findings[0].suggestion == "Salamat po!"


def test_short_or_empty_drafts_wait_for_more_text():
    assert check("", PAYMENT_EN, "en").findings == []
    assert check("   ", PAYMENT_EN, "en").findings == []
    assert check("Hi Maria", PAYMENT_EN, "en").findings == []  # still typing: no tone verdict yet


def test_names_from_display_names_not_handles():
    assert first_name("Maria Clara Santos") == "Maria"
    assert first_name("maria_s") is None and first_name("@ana") is None and first_name("kuyamiguel") is None
    assert first_name("Ma'am Liza") == "Liza"
    report = check("The review takes 24 to 48 hours after you submit your documents.", SLOW_EN, "en",
                   name="juan_dc99", sentiment=-0.6)
    f = next(f for f in report.findings if f.code == "tone_clash")
    assert "juan" not in f.suggestion and f.suggestion.startswith("I'm sorry about the trouble with your verification.")


def test_report_to_dict_is_json_ready():
    d = check("As I said, read the FAQ.", QUESTION_EN, "en").to_dict()
    assert d["ok"] is False and d["warnings"] >= 1 and d["member_language"] == "en"
    f = d["findings"][0]
    assert set(f) == {"code", "severity", "message", "suggestion", "span", "phrase", "fix", "replacement"}
    assert isinstance(f["span"], list)


def test_fast_after_the_models_load():
    drafts = [d for d, *_ in GOOD] + [d for d, *_ in FLAGGED]
    check(drafts[0], PAYMENT_EN, "en")  # loads the models
    times = []
    for i, draft in enumerate(drafts):
        texts = [PAYMENT_EN, REFUND_TL, QUESTION_TAGLISH][i % 3]
        started = time.process_time()
        check(draft + " ", texts, None)
        times.append((time.process_time() - started) * 1000)
    assert statistics.median(times) < 20, times


def test_member_context_and_check_for_a_conversation(factory, rt):
    src = factory.source("discord")
    maria = factory.member("Maria Clara")
    other = factory.member("Jun Reyes")
    conv = factory.conversation(src, title="Refund", started_by_member_id=maria.id)
    factory.message(conv, text=REFUND_TL[0], identity=factory.identity(maria, src), language="tl",
                    sentiment_score=-0.7)
    same = factory.message(conv, text="Same here, no refund yet!", identity=factory.identity(other, src),
                           language="en")
    team = factory.user(Role.moderator, name="Ana Cruz")
    factory.message(conv, text="Looking into it.", direction="outbound", sent_by_user_id=team.id)
    with rt.db.sessions() as s:
        from kapwa.inbox import suggest_queries as q

        msgs = q.conversation_messages(s, conv.id)
        c = s.get(type(conv), conv.id)
        # A bystander's "same here" does not change whom the team answers: the member who asked.
        ctx = member_context(c, msgs)
        assert ctx["member_name"] == "Maria Clara" and ctx["member_texts"] == REFUND_TL
        assert ctx["member_language"] == "tl" and ctx["member_sentiment"] == -0.7
        # "Reply to this" on the bystander's message: the reply is for them.
        ctx = member_context(c, msgs, reply_to_id=same.id)
        assert ctx["member_name"] == "Jun Reyes" and ctx["member_texts"] == ["Same here, no refund yet!"]
        report = check_conversation_reply(s, c, "Just read the FAQ.", agent=team)
        assert "dismissive" in report.codes
        english = "We have checked your account and the refund will be back in your wallet within the day."
        assert "language_mismatch" in check_conversation_reply(s, c, english, agent=team).codes
        assert "language_mismatch" not in check_conversation_reply(s, c, english, agent=team, reply_to_id=same.id).codes
