"""English texts written by members of the Bayani Pay community.

Keys: ``q.<feature>`` questions, ``a.<feature>`` answers from other members, ``c.<problem>`` complaints,
and topic or reply keys (``bug``, ``feature``, ``metoo``, ``crisis.down``…). ``{slot}`` fields are filled
per conversation (see :mod:`kapwa.demo.content`).
"""

T: dict[str, list[str]] = {
    # ---- questions -------------------------------------------------------------------------------
    "q.cashin": [
        "How long does an InstaPay cash-in from {bank} usually take? I sent {amount} {ago_en} and it's still not in my wallet.",
        "Is there a fee for over-the-counter cash-in at {outlet}? The cashier charged me ₱15 but I thought the first ₱8,000 a month is free.",
        "What's the monthly cash-in limit for fully verified accounts? I need to move about {amount} from my {bank} account.",
        "Can I link my {bank} account for auto cash-in, or do I have to do InstaPay every time?",
        "Does cash-in at {outlet} work on Sundays and holidays?",
        "Which is faster for cash-in, PESONet or InstaPay? My {bank} app shows both.",
    ],
    "q.cashout": [
        "What's the fastest way to cash out to {bank}? Is InstaPay instant or does it take a few hours?",
        "Is there a cash-out fee to {bank}? I'm moving {amount} and want to know how much will arrive.",
        "Can I withdraw cash at {outlet} without the card?",
        "Is it possible to cash out to someone else's bank account, or does the name need to match mine?",
    ],
    "q.qr": [
        "Does the scanner work with any QR Ph code? Tried paying at {merchant} in {place} and it said unsupported.",
        "How do I get a QR code for my small store? My customers keep asking if they can pay with Bayani Pay.",
        "Is there a fee when paying via QR Ph at {merchant}?",
        "Can I save a merchant QR so I don't have to scan it every time?",
    ],
    "q.bills": [
        "How long before a {biller} payment reflects on their side? Paid {amount} {ago_en} and the due date is tomorrow.",
        "Can I schedule recurring bills payment for {biller}? I keep forgetting the due date.",
        "Is {biller} a real-time biller or does posting take 2-3 banking days?",
        "Where do I find the receipt for my {biller} payment? I need to send it to my landlord.",
    ],
    "q.load": [
        "Can I buy {network} promos directly or only regular load?",
        "Is there a discount when buying load for other numbers? My {relative_en} uses {network}.",
        "Load didn't arrive on the first try. Do I buy again or wait?",
        "Which {network} data promos are available in the app? I only see the regular amounts.",
    ],
    "q.padala": [
        "What's the cheapest way to send money to my {relative_en} in {place}? They don't have a bank account.",
        "Can I receive remittance from {abroad} directly into Bayani Pay? My sister works there.",
        "Is there a limit on padala to people who don't use Bayani Pay? They'd pick it up at {outlet}.",
        "How does the recipient claim a cash pick-up at {outlet}? Do they need an ID?",
    ],
    "q.ipon": [
        "What's the current interest rate on Ipon? And is it computed daily?",
        "Is money in Ipon insured by PDIC?",
        "Can I have more than one Ipon goal? I want one for {goal_en} and another for emergencies.",
        "Is there a penalty if I withdraw from Ipon before my target date?",
    ],
    "q.kyc": [
        "What IDs are accepted for verification? I only have a student ID and a PhilSys ePhilID.",
        "How long does verification take? I submitted my ID {ago_en}.",
        "Can I still verify with a postal ID, or is it no longer accepted?",
        "My selfie keeps failing during verification. Any tips?",
    ],
    "q.card": [
        "Where can I use the Bayani Pay card? Does it work online on Shopee and Lazada?",
        "How much is the physical card and how long is delivery to {place}?",
        "Can I use the virtual card for Netflix and Spotify subscriptions?",
        "Is there an ATM withdrawal fee with the Bayani Pay card?",
    ],
    "q.points": [
        "How do Bayani Points work? I have {points} points, what can I redeem?",
        "Do Bayani Points expire?",
        "Do bills payments earn points or only QR payments?",
    ],
    "q.app": [
        "Is version {version} out on iOS yet? I only see the old one in the App Store.",
        "Will the app still work on an old {phone}? It's been very slow since the last update.",
        "Is there a dark mode? Can't find it in settings.",
        "Can I use one Bayani Pay account on two phones?",
    ],
    "q.account": [
        "How do I change the mobile number linked to my account? I lost my old SIM.",
        "How do I reset my MPIN? The OTP never arrives on my {network} number.",
        "Can I have two accounts if I have two SIMs?",
        "How do I close my account and get my remaining balance out?",
    ],
    "q.merchant": [
        "Does the merchant API send webhooks for refunds, or only for successful payments?",
        "What's the settlement schedule for QR Ph merchant payments? T+1 or same day?",
        "Is there a sandbox for the payments API? The docs link for test credentials seems broken.",
        "How do I generate a dynamic QR with a fixed amount for each order?",
        "What's the MDR for QR Ph transactions for a small sari-sari store?",
        "Our webhook endpoint gets the same payment event twice. Is the event id stable so we can dedupe on it?",
    ],
    # ---- member answers ----------------------------------------------------------------------------
    "a.cashin": [
        "InstaPay is usually instant. If it's been more than an hour and your bank already debited you, file a ticket under Help > Report a problem with the reference number.",
        "Over-the-counter at {outlet} is free up to ₱8,000 a month, after that there's a small fee. The cashier shouldn't charge extra.",
        "For {bank} I always use InstaPay, it reflects in seconds. PESONet takes until the next banking day.",
    ],
    "a.cashout": [
        "InstaPay to {bank} is usually within minutes. PESONet is next banking day, so avoid it on Fridays.",
        "The name doesn't need to match, you can send to any bank account. Double check the account number though, it can't be reversed.",
    ],
    "a.qr": [
        "Make sure your app is updated. Older versions can't read some QR Ph codes.",
        "For your store, apply for a merchant QR under Profile > Business. Took me 2 days to get approved.",
    ],
    "a.bills": [
        "{biller} usually posts within the day, but their system can take up to 3 days to show it. Keep the receipt from the app just in case.",
        "Receipts are in Transaction History. Tap the payment and then Share Receipt.",
    ],
    "a.load": [
        "Promos are under Load > Promos, not in the regular amounts tab.",
        "Don't buy again. Wait 30 mins, it sometimes arrives late. If it doesn't, the amount gets reversed.",
    ],
    "a.padala": [
        "Use the cash pick-up option. They can claim it at {outlet} with one valid ID.",
        "I receive from {abroad} every month straight to my wallet. Just give your sender your Bayani Pay number.",
    ],
    "a.ipon": [
        "Interest is credited daily, you can see it in the Ipon tab. It's PDIC insured through the partner bank.",
        "You can create multiple goals, I have three. No penalty for early withdrawal, you just lose the bonus rate for that month.",
    ],
    "a.kyc": [
        "PhilSys ePhilID worked for me. Student ID didn't.",
        "Take the selfie in daylight without glasses. That fixed it for me.",
    ],
    "a.card": [
        "Works online for me on Shopee and Lazada. Enable online transactions in the Card settings first.",
        "Virtual card works for Spotify. For Netflix I had to try twice.",
    ],
    "a.points": [
        "Points expire after 12 months. You can redeem them for load or vouchers under Rewards.",
        "Only QR and bills payments earn points. Cash-in doesn't.",
    ],
    "a.app": [
        "Go to Profile > Display, dark mode has been there since {version}.",
        "Clear the cache in the app settings. It fixed the lag on my {phone}.",
    ],
    "a.account": [
        "You need to file a ticket with a selfie holding your ID to change the number. Took 2 days for me.",
        "If the OTP doesn't arrive, try turning airplane mode on and off. Worked for me on {network}.",
    ],
    "a.merchant": [
        "Webhooks fire for refunds too, you need to subscribe to the refund event in the dashboard.",
        "Settlement is T+1 for us, same day if you're on the premium plan.",
        "Sandbox credentials are in the developer dashboard under API keys, not in the docs.",
        "Yes, the event id is stable across retries. We dedupe on it and it works fine.",
    ],
    # ---- complaints --------------------------------------------------------------------------------
    "c.double_charge": [
        "I got charged twice for the same {biller} payment ({amount} each). Only one reference number shows in my history. How do I get the other one back?",
        "Paid {amount} at {merchant} via QR and it got deducted twice. The cashier only received one. This is the second time this month.",
        "Double deduction on my load purchase {ago_en}. I need a refund please.",
    ],
    "c.cashin_failed": [
        "My cash-in from {bank} failed but the money was already debited from my bank. {amount} is just hanging. Ref no. {ref}.",
        "Cashed in at {outlet} {ago_en}, the cashier gave me a receipt but there's nothing in my wallet. The hotline keeps me on hold forever.",
        "InstaPay cash-in of {amount} says successful on {bank} but my Bayani Pay balance didn't move.",
    ],
    "c.kyc_slow": [
        "It's been {days} days since I submitted my verification and it still says 'under review'. I can't receive padala without it.",
        "Verification rejected for the third time with no reason given. My ID is valid and the photo is clear. What am I doing wrong?",
    ],
    "c.cashout_delay": [
        "Cash-out to {bank} has been 'processing' for {hours} hours. The amount is {amount}. I need this for rent.",
        "Transferred {amount} to my {bank} account {ago_en} and it still hasn't arrived. Status says completed.",
    ],
    "c.transfer_failed": [
        "Sent {amount} to my {relative_en} but it says failed and the money is gone from my balance.",
        "Transfer failed three times in a row with 'Something went wrong, try again later'. Very frustrating.",
    ],
    "c.account_locked": [
        "My account got locked after one wrong MPIN. I've been waiting {days} days for the unlock. Ticket {ticket}.",
        "Account restricted with no explanation. I have {amount} in there. Please fix this.",
    ],
    "c.points_missing": [
        "My Bayani Points from last month's QR payments never got credited. Should be around {points} points.",
        "Redeemed {points} points for a voucher but the voucher never showed up and the points are gone.",
    ],
    "c.qr_declined": [
        "QR payment at {merchant} keeps getting declined even though I have enough balance. Embarrassing at the counter.",
        "Scanned the QR at a store in {place}, the payment went through on my side but the merchant says it wasn't received.",
    ],
    # ---- other topics ------------------------------------------------------------------------------
    "bug": [
        "The app crashes every time I open {screen} on my {phone} ({os}). Reinstalled twice already.",
        "After updating to {version}, the QR scanner shows a black screen. Camera permission is on.",
        "Balance shows ₱0.00 for a few seconds after login, then it loads. Gave me a mini heart attack.",
        "The OTP SMS arrives after the code has already expired. Happens on {network} every time.",
        "Transaction history is missing everything before last month. Can't download my statement either.",
        "Dark text on a dark background in the {screen} screen on {os}, impossible to read.",
        "Push notifications say I received money but nothing shows in the app until I force close it.",
    ],
    "feature": [
        "Feature request: let us split bills with friends inside the app. Would use it every weekend.",
        "Please add a way to export transactions to CSV. I do the bookkeeping for my small business by hand right now.",
        "Would love scheduled transfers, like auto-send {amount} to my {relative_en} every 15th and 30th.",
        "Can we get a widget that shows the balance without opening the app?",
        "Suggestion: a teen sub-account with spending limits. My {relative_en} is 15 and wants to use QR payments.",
        "Please support fingerprint login on older Android phones. Face unlock only is a pain.",
        "Allow us to pay {biller} with Bayani Points, even partially.",
        "A round-up feature for Ipon would be great: round each QR payment up to the nearest ₱10 and save the difference.",
    ],
    "praise": [
        "Just wanted to say cash-in from {bank} took less than a minute today. Great job team!",
        "Support replied in 10 minutes and fixed my issue. Didn't expect that from an e-wallet, honestly impressed.",
        "Ipon has helped me save for {goal_en}. Three months in and I'm already halfway there 🎉",
        "QR Ph payments at {merchant} in {place} are so smooth now. No more looking for exact change.",
        "The new update is so much faster on my {phone}. Whoever optimized it, thank you.",
        "Sent money to my family in {place} from {abroad} and they got it instantly. Beats standing in line at the remittance center.",
        "Love that bills pay now shows the due date. Small thing but it helps a lot.",
    ],
    "chatter": [
        "What do you all use Ipon for? I'm saving for {goal_en}.",
        "Anyone else notice the double points weekend? Got {points} points from groceries alone.",
        "Tip: you can save the QR codes of your regular stores in favorites so you don't have to scan every time.",
        "How many of you use Bayani Pay for your small business? Curious how you track sales.",
        "Just got my physical card in {place}. Delivery took 4 days, not bad.",
        "Is it just me or are more stores in {place} accepting QR Ph now?",
        "What's your go-to way of sending money to family in the province?",
        "Payday today! Moving {amount} to Ipon before I get tempted to spend it 😅",
    ],
    "event": [
        "Who's going to {event}? First time attending, excited to meet everyone.",
        "Is {event} free? Do we need to register?",
        "Will {event} be recorded? I'm on shift that day.",
        "Thanks for organizing {event}! Learned a lot about budgeting.",
        "Any carpool going to {event} from {place}?",
    ],
    "spam": [
        "🚀 Bayani Pay x Crypto GIVEAWAY! Send ₱500 and receive ₱5,000 in USDT within 24 hours. Limited slots: {spamlink}",
        "Earn ₱3,000/day from home! No capital needed, just your phone. Register at {spamlink}",
        "Official Bayani Pay airdrop 🎁 connect your wallet here to claim 1,000 BAYANI tokens: {spamlink}",
        "Need a loan? Fast approval, no CI, released to your e-wallet in 5 mins. Message me on Telegram @{spamhandle}",
        "Your Bayani Pay account will be suspended. Verify now at {spamlink} to avoid losing your balance.",
        "I doubled my money in 3 days with this trading bot 💸💸 {spamlink}",
    ],
    "rant": [
        "Seriously, your support team are useless idiots. {days} days and still no refund of my {amount}.",
        "What a joke of an app. Whoever runs this is clueless. Fix your damn cash-in.",
    ],
    # ---- replies -----------------------------------------------------------------------------------
    "toxic": [
        "Stop defending them, you're probably a paid troll.",
        "Useless idiots, all of you. I just want my money back.",
        "This is the dumbest app I've ever used, who the hell designed this?",
        "Shut up, nobody asked you.",
    ],
    "metoo": [
        "Same here. Mine's been pending since {since_en}.",
        "Same issue with {bank}, still waiting.",
        "Following, I have the same problem.",
        "+1, happening to me too.",
        "Glad it's not just me.",
    ],
    "thanks": [
        "That worked, thank you!",
        "Thanks, appreciate the quick answer.",
        "Oh I didn't know that. Thanks!",
        "Got it, thanks for explaining.",
    ],
    "sent": [
        "Here you go: ref no. {ref}, registered number ending in {last4}.",
        "Sent the reference number and a screenshot. Thanks.",
    ],
    "followup": [
        "Any update on this? Still nothing on my end.",
        "Still not resolved. It's been {days} days.",
        "I sent the details already, still waiting for a reply.",
    ],
    "bump": ["Bump. Anyone?", "Bumping this, I still need help.", "Up. Anyone from the team?"],
    "plus1": [
        "+1, I would use this every week.",
        "Yes please! This would make life so much easier.",
        "Upvoting this. Been waiting for it since last year.",
        "Agree. {other_app} already has something similar.",
    ],
    "chat": [
        "Haha true",
        "Nice, thanks for sharing!",
        "Same experience here.",
        "Good to know.",
        "That's what I do too.",
        "Interesting, I didn't know that.",
        "Lol same",
        "Congrats!",
        "Same, I use it for {goal_en}.",
    ],
    "confirm": [
        "It's in now, thank you!",
        "Refund received, thanks for the help.",
        "Got my money back. Thanks team.",
        "All sorted now, thank you!",
    ],
    "spamwarn": [
        "Scam alert, don't click that link.",
        "Reported. Mods please remove this.",
        "That's obviously a scam, be careful everyone.",
    ],
    "event.reply": ["See you there!", "Registered already 🙌", "Can't wait!", "Will there be a livestream?"],
    "ann.reply": [
        "Finally! Been waiting for this.",
        "Is this out for Huawei phones too?",
        "Nice, thanks for the heads up.",
        "Will this fix the slow QR scanner on {phone}?",
    ],
    # ---- the outage --------------------------------------------------------------------------------
    "crisis.down": [
        "Is Bayani Pay down? Cash-in not working at all.",
        "Anyone else getting 'Transaction failed' on transfers right now?",
        "The app says service unavailable. Is this an outage?",
        "Cash-in from {bank} deducted but not reflecting. Is something going on?",
        "#BayaniPayDown again?? Can't pay at the counter.",
        "Can't send money, can't cash in. What's happening?",
    ],
    "crisis.lost": [
        "{amount} got deducted from my {bank} account and it's not in my wallet. Where did my money go?",
        "My balance dropped by {amount} after a failed transfer. Please tell me it's coming back.",
        "I need that money for my kid's tuition today. This is not okay.",
    ],
    "crisis.angry": [
        "Two hours and no update from Bayani Pay. Useless.",
        "This is why people don't trust e-wallets. Zero communication. #BayaniPayDown",
        "Moving my money back to the bank after this.",
    ],
    "crisis.ok": [
        "Cash-in working again for me. Money's back.",
        "Just got the refund for the failed transfer. Phew.",
        "It's back! Balance is correct now.",
        "Finally reflected. Thanks for the updates, but please communicate faster next time.",
    ],
}
