"""Texts written by the Bayani Pay community team (outbound messages), in English and Taglish.

Bodies carry no greeting: the generator adds one that fits the platform ("Hi {first}!" in a forum,
"Hi {first}," plus a signature in e-mail). ``{via_dm}`` becomes "via DM" or "by replying to this e-mail".
"""

EN: dict[str, list[str]] = {
    "s.cashin": [
        "limit|Fully verified accounts can cash in up to ₱100,000 a month; basic accounts up to ₱50,000. You can see what's left under Profile > Limits.",
        "link|Yes! Link your {bank} account under Cash In > Linked accounts, then you can top up in two taps instead of doing InstaPay each time.",
        "sunday|Over-the-counter cash-in works every day, including Sundays and holidays, during the outlet's store hours.",
        "delay,speed|InstaPay cash-ins usually reflect within minutes. If the amount was debited from {bank} but isn't in your wallet after 1 hour, please send us the reference number {via_dm} and we'll trace it for you.",
        "fee|Over-the-counter cash-in at partner outlets is free for the first ₱8,000 each month. If you were charged extra, please send us a photo of the receipt so we can report it to the outlet.",
    ],
    "s.cashout": [
        "otc|Yes, choose Cash Out > Over the counter and show the generated code to the cashier at {outlet}. No card needed.",
        "speed,fee,other|Cash-outs via InstaPay are real-time and cost ₱10. PESONet is free but credits on the next banking day. You can send to any account; the name doesn't have to match.",
    ],
    "s.qr": [
        "fee|Paying with QR Ph is always free for customers. Merchants pay a small MDR, never the buyer.",
        "save|Yes! After scanning, tap the star to save the merchant to Favorites.",
        "unsupported,merchant|Please update to the latest version ({version}); older versions can't read some QR Ph codes. For a merchant QR, apply under Profile > Business. Approval usually takes 1–2 business days.",
    ],
    "s.bills": [
        "schedule|You can turn on due-date reminders under Bills > Saved billers. Auto-pay is coming later this year.",
        "receipt|Open Transaction History, tap the payment, then Share Receipt. It's valid proof of payment.",
        "posting|Payments to {biller} are posted within the same day, but some billers take up to 3 banking days to reflect. Your in-app receipt is valid proof of payment.",
    ],
    "s.load": [
        "promo,discount|Promos are under Load > Promos. There's no discount for other numbers yet, but every load purchase earns Bayani Points.",
        "missing|If load doesn't arrive within 30 minutes, the amount is automatically returned to your wallet. No need to buy again.",
    ],
    "s.padala": [
        "abroad,limit|You can receive remittances from our international partners straight to your wallet; just give your Bayani Pay number to the sender. Cash pick-up sends up to ₱50,000 per transaction.",
        "claim,cheapest|You can send to non-users through cash pick-up at {outlet} and our other partners. The recipient only needs one valid ID and the reference number.",
    ],
    "s.ipon": [
        "goals,penalty|You can have up to 5 Ipon goals. Withdrawals are free anytime; you only miss that month's bonus rate.",
        "rate,pdic|Ipon currently earns 4% p.a., credited daily, and deposits are insured by PDIC up to ₱1,000,000 through our partner bank.",
    ],
    "s.kyc": [
        "selfie|For the selfie, use good lighting, remove glasses and caps, and keep your whole face inside the oval. That fixes most failed attempts.",
        "ids,time|We accept PhilSys ID/ePhilID, passport, driver's license, UMID, PRC and postal ID. Reviews usually take 24–48 hours. Please make sure the photo is clear and not cropped.",
    ],
    "s.card": [
        "atm,virtual|ATM withdrawals cost ₱18 at BancNet ATMs. The virtual card works for most subscriptions like Spotify and Netflix once online transactions are switched on.",
        "cost,online|The physical card costs ₱150 and arrives in 3–7 business days. Online transactions can be switched on under Card > Settings.",
    ],
    "s.points": [
        "how,earn,expire|You earn 1 Bayani Point per ₱100 spent on QR and bills payments. Points are valid for 12 months and can be redeemed under Rewards.",
    ],
    "s.app": [
        "dark,devices|Dark mode is under Profile > Display. For security, your account can be logged in on one phone at a time.",
        "ios,slow|Version {version} is rolling out in stages, so it may take a day or two to appear in your app store. Clearing the app cache usually helps with slowness.",
    ],
    "s.account": [
        "otp|If the OTP doesn't arrive, make sure your SIM has signal and tap 'Resend via call'. It usually arrives within a minute.",
        "two,close|Each person can have one verified account linked to one mobile number. To close it, cash out your balance first, then go to Help > Account > Close account.",
        "number|For your security, changing your mobile number needs a quick video call verification. Please file a request under Help > Account and we'll schedule it.",
    ],
    "s.merchant": [
        "dynamic,mdr|Use the Create QR endpoint with the amount and your order reference; each QR expires after 15 minutes. MDR for QR Ph is 1.5% for micro merchants, with no monthly fee.",
        "webhook,sandbox,settlement,dedupe|Webhooks are sent for payments, refunds and settlements, and the event id stays the same on retries. Sandbox keys are in the merchant dashboard under Developers > API keys. Settlement is T+1 on the standard plan.",
    ],
    "s.help": [
        "Good question! We have a step-by-step guide here: {help_url}. Let us know if anything is unclear.",
        "Here's our help article on this: {help_url}. If it doesn't answer your question, just reply here.",
    ],
    "s.ask": [
        "We're sorry about this. Could you send us your registered mobile number and the reference number {via_dm} so we can check right away?",
        "Thanks for flagging this. We've created ticket {ticket} for you, and our payments team will get back to you within 24 hours.",
        "Sorry for the trouble. Please never share your MPIN or OTP with anyone. Send us the transaction reference {via_dm} and we'll look into it.",
    ],
    "s.followup": [
        "Thanks for the details. We've escalated this to our payments team (ticket {ticket}) and will update you as soon as we hear back.",
        "We've received your details and your case is being reviewed. Thank you for your patience.",
    ],
    "s.resolved.money": [
        "Good news: the {amount} has been returned to your wallet. Thanks for your patience!",
        "We've reversed the duplicate charge. You should see it in your transaction history now.",
    ],
    "s.resolved.kyc": ["Your verification has been approved. Welcome to fully verified! 🎉"],
    "s.resolved.account": ["Your account has been unlocked. You can log in and set a new MPIN now."],
    "s.resolved.points": ["The missing {points} Bayani Points have been credited to your account."],
    "s.bug": [
        "Thanks for reporting this! Could you tell us your app version and phone model? We've forwarded it to our engineering team.",
        "Thanks, we can reproduce this on {os} and a fix is coming in the next update.",
    ],
    "s.feature": [
        "Love this idea! We've shared it with our product team.",
        "Thanks for the suggestion! This is actually on our roadmap, stay tuned 👀",
    ],
    "s.praise": ["Thank you! We'll pass this on to the team 💙", "This made our day! Thanks for being part of the Bayani Pay community."],
    "s.event": ["Yes! Registration is free and the link is in the announcement. See you there!", "It will be recorded and posted within the day."],
    "s.toxic": [
        "Friendly reminder to keep the conversation respectful. We understand the frustration, but insults aren't allowed here.",
        "Please keep it civil. Repeated insults will lead to a timeout.",
    ],
    "s.spam": ["Removed. Reminder: Bayani Pay will never ask you to send money to 'claim' a reward or to connect a crypto wallet."],
    "s.ann.reply": ["Thanks! Let us know if you have any questions.", "Thank you, ka-Bayani! 💙"],
    "s.crisis.ack": [
        "We're aware that some users are experiencing failed cash-ins and transfers. Our team is investigating. Your money is safe: any amount debited that didn't reach your wallet will be returned. We'll post updates here.",
    ],
    "s.crisis.update": [
        "Update: the issue is with one of our bank partners' connections. QR payments and cash-in via {outlet} are working. InstaPay cash-in and transfers are still affected. Next update within the hour.",
    ],
    "s.crisis.fixed": [
        "Resolved: cash-in and transfers are back to normal. Pending transactions are being reconciled and will reflect within 24 hours. We're sorry for the trouble today and thank you for your patience.",
    ],
    "s.crisis.reply": [
        "We're sorry. This is part of today's incident; your {amount} is safe and will be returned automatically once reconciliation completes.",
        "This is related to today's service disruption. No action is needed on your side; the transaction will be reversed or completed within 24 hours.",
    ],
}

TG: dict[str, list[str]] = {
    "s.cashin": [
        "delay,speed|Pasensya na po sa abala. Usually within minutes nagre-reflect ang InstaPay cash-in. Kung na-debit na sa {bank} pero wala pa rin after 1 hour, paki-send po ng reference number {via_dm} para ma-trace namin.",
    ],
    "s.cashout": [
        "speed,fee,other|Real-time po ang InstaPay (₱10 fee), while next banking day naman ang PESONet (free). Pwede po mag-transfer sa kahit anong account kahit hindi same name.",
    ],
    "s.qr": [
        "unsupported,merchant|Paki-update po sa latest version ({version}) kasi hindi nababasa ng older versions ang ibang QR Ph codes. Para sa merchant QR, mag-apply po sa Profile > Business.",
    ],
    "s.bills": [
        "posting|Same day po pino-post ang payments sa {biller}, pero may billers na inaabot ng 3 banking days bago mag-reflect. Valid proof of payment po ang in-app receipt niyo.",
    ],
    "s.load": [
        "missing|Kung hindi dumating ang load within 30 minutes, automatic pong babalik ang amount sa wallet niyo. Hindi na po kailangan bumili ulit.",
    ],
    "s.padala": [
        "claim,cheapest|Pwede po kayong magpadala sa non-users via cash pick-up sa {outlet}. Isang valid ID at reference number lang po ang kailangan ng receiver.",
    ],
    "s.ipon": [
        "rate,pdic|Currently 4% p.a. po ang Ipon, credited daily, at PDIC insured up to ₱1,000,000 through our partner bank.",
    ],
    "s.kyc": [
        "ids,time|Accepted po ang PhilSys ID/ePhilID, passport, driver's license, UMID, PRC at postal ID. 24–48 hours po usually ang review. Paki-siguro lang po na malinaw ang photo.",
    ],
    "s.card": [
        "cost,online|₱150 po ang physical card at 3–7 business days ang delivery. Pwede po i-on ang online transactions sa Card > Settings.",
    ],
    "s.points": [
        "how,earn,expire|1 Bayani Point po per ₱100 na QR at bills payments. Valid po ang points for 12 months, i-redeem lang sa Rewards.",
    ],
    "s.app": [
        "ios,slow|Staged rollout po ang version {version}, kaya baka 1–2 days pa bago lumabas sa store niyo. Makakatulong din po ang pag-clear ng app cache.",
    ],
    "s.account": [
        "number|For security po, kailangan ng quick video call verification para mapalitan ang mobile number. Mag-file lang po ng request sa Help > Account.",
    ],
    "s.merchant": [
        "webhook,sandbox,settlement,dedupe|May webhooks po para sa payments, refunds at settlements. Nasa merchant dashboard po ang sandbox keys, under Developers > API keys.",
    ],
    "s.help": ["Good question po! May step-by-step guide kami dito: {help_url}. Message lang po kayo kung may tanong pa."],
    "s.ask": [
        "Sorry po sa abala! Paki-send po ng registered mobile number at reference number {via_dm} para ma-check namin agad.",
        "Nag-create na po kami ng ticket {ticket} para sa inyo. Babalikan po kayo ng payments team within 24 hours.",
        "Pasensya na po. Huwag po i-share ang MPIN o OTP kahit kanino. Paki-send lang po ng reference number {via_dm}.",
    ],
    "s.followup": ["Salamat po sa details. Na-escalate na po namin sa payments team (ticket {ticket}). Babalitaan po namin kayo agad."],
    "s.resolved.money": ["Good news po: naibalik na ang {amount} sa wallet niyo. Salamat sa pasensya!", "Na-reverse na po ang double charge. Makikita niyo na po sa transaction history."],
    "s.resolved.kyc": ["Approved na po ang verification niyo. Fully verified na kayo! 🎉"],
    "s.resolved.account": ["Na-unlock na po ang account niyo. Pwede na po kayong mag-login at mag-set ng bagong MPIN."],
    "s.resolved.points": ["Na-credit na po ang kulang na {points} Bayani Points sa account niyo."],
    "s.bug": ["Salamat sa report! Pa-share naman po ng app version at phone model niyo. Na-forward na po namin sa engineering team."],
    "s.feature": ["Ang ganda ng idea na 'to! Na-share na po namin sa product team."],
    "s.praise": ["Salamat po! Ipaparating namin sa team 💙", "Nakakataba ng puso! Salamat sa pagiging ka-Bayani 💙"],
    "s.event": ["Libre po! Nasa announcement po ang registration link. Kita-kits!"],
    "s.toxic": ["Paalala lang po: let's keep it respectful. Naiintindihan namin ang frustration pero bawal po ang mura at insulto dito."],
    "s.spam": ["Tinanggal na po. Paalala: hindi kailanman hihingi ang Bayani Pay ng pera para sa 'giveaway' o crypto."],
    "s.ann.reply": ["Salamat po! Message lang kayo if may tanong."],
    "s.crisis.ack": [
        "Aware po kami na may issue sa cash-in at transfers ngayon. Ina-investigate na po ng team. Safe po ang pera niyo: ibabalik po ang anumang na-debit na hindi pumasok. Mag-a-update po kami dito.",
    ],
    "s.crisis.update": [
        "Update po: sa isa sa aming bank partner connections ang problema. Gumagana po ang QR payments at cash-in via {outlet}. Affected pa rin po ang InstaPay cash-in at transfers.",
    ],
    "s.crisis.fixed": [
        "Resolved na po! Normal na ulit ang cash-in at transfers. Ang mga pending transactions ay magre-reflect within 24 hours. Pasensya na po sa abala ngayong araw at salamat sa pasensya niyo.",
    ],
    "s.crisis.reply": ["Pasensya na po. Kasama po ito sa incident ngayong araw; safe po ang {amount} niyo at automatic pong babalik pagkatapos ng reconciliation."],
}

# (title, body) of posts the team starts itself, by language.
ANNOUNCEMENTS: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("Bayani Pay {version} is rolling out",
         "Hi ka-Bayani! Version {version} is now rolling out on Android and iOS. What's new: faster QR scanning, a redesigned Ipon tab and bills due-date reminders. Let us know what you think!"),
        ("Scheduled maintenance this Sunday, 1:00–3:00 AM",
         "We'll do scheduled maintenance this Sunday from 1:00 to 3:00 AM. Cash-in, transfers and bills pay may be unavailable during this window. Thank you for understanding!"),
        ("Double Bayani Points weekend!", "This weekend, earn double Bayani Points on all QR Ph payments. Ends Sunday 11:59 PM."),
        ("Beware of fake 'Bayani Pay' giveaway pages",
         "PSA: we've seen fake pages offering crypto giveaways in our name. Bayani Pay will never ask for your MPIN or OTP, or ask you to send money to claim a prize. Report suspicious accounts to us."),
        ("New: cash pick-up at more partner outlets",
         "Padala just got easier: cash pick-up is now available at {outlet} and 2,000 more partner outlets nationwide."),
        ("Join us: {event}", "Mark your calendars for {event}! Free entry, limited slots. Registration link below. Drop your questions in the replies."),
    ],
    "tg": [
        ("Bagong update: version {version}",
         "Hello mga ka-Bayani! Available na ang version {version}: mas mabilis na QR scanning, bagong Ipon tab at bills due-date reminders. Try niyo na and let us know!"),
        ("Double Bayani Points this weekend!", "Ngayong weekend, double Bayani Points sa lahat ng QR Ph payments. Hanggang Sunday 11:59 PM lang!"),
        ("Ingat sa fake giveaway pages!",
         "PSA po: may mga fake pages na nag-o-offer ng crypto giveaway gamit ang pangalan namin. Hindi po namin kailanman hihingin ang MPIN o OTP niyo."),
    ],
}

CRISIS_ANNOUNCEMENT = {
    "en": "Service disruption: cash-in and transfers",
    "tg": "Service disruption: cash-in at transfers",
}
