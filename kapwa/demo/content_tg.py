"""Taglish (code-switched English and Tagalog) texts written by members of the Bayani Pay community.

Same keys as :mod:`kapwa.demo.content_en`; a key missing here falls back to English.
"""

T: dict[str, list[str]] = {
    # ---- questions -------------------------------------------------------------------------------
    "q.cashin": [
        "Hi po, bakit pending pa rin yung cash-in ko since {since_tl}? Need ko na po for bills.",
        "Ilang minutes po usually bago mag-reflect yung InstaPay cash-in from {bank}? {amount} po yung sinend ko.",
        "May fee po ba pag nag-cash in sa {outlet}? Nag-charge kasi yung cashier ng ₱15.",
        "Ano po yung max cash-in per month kapag fully verified na? Need ko i-transfer yung {amount} from {bank}.",
        "Pwede ba mag cash-in sa {outlet} kahit Sunday?",
    ],
    "q.cashout": [
        "Guys, instant ba yung cash out to {bank} or ilang hours pa?",
        "Magkano po yung fee pag nag-transfer to {bank}? {amount} yung ita-transfer ko.",
        "Pwede po ba i-cash out sa bank account ng ibang tao or dapat same name?",
    ],
    "q.qr": [
        "Bakit po 'unsupported QR' yung lumalabas pag nagbabayad ako sa {merchant} dito sa {place}?",
        "Paano po mag-apply ng QR for my small store? Daming customers nagtatanong kung pwede Bayani Pay.",
        "May fee ba if QR Ph yung gamit sa {merchant}?",
    ],
    "q.bills": [
        "Paid my {biller} bill {ago_tl} pero unpaid pa rin daw sa kanila. Normal lang ba yun?",
        "Pwede po ba i-schedule yung bills payment for {biller}? Lagi ko kasi nakakalimutan yung due date haha",
        "Saan po makikita yung receipt ng {biller} payment? Need ko i-send sa landlord.",
    ],
    "q.load": [
        "Pwede ba bumili ng {network} promo dito or regular load lang?",
        "Hindi pumasok yung load na binili ko for my {relative_tl}. Bibili ba ulit ako or wait lang?",
    ],
    "q.padala": [
        "Ano po pinaka-cheap na way mag-send ng pera sa {relative_tl} ko sa {place}? Wala kasi siyang bank account.",
        "Pwede po ba mag-receive ng padala from {abroad} direct sa Bayani Pay? Dun nagwo-work yung ate ko.",
        "Ano po need dalhin ng receiver pag cash pick-up sa {outlet}? Kailangan ba ng ID?",
    ],
    "q.ipon": [
        "Magkano po yung interest ng Ipon ngayon? Daily ba siya nagco-compute?",
        "Safe ba talaga yung pera sa Ipon? PDIC insured ba?",
        "Pwede ba mag-create ng dalawang Ipon goals? Isa for {goal_tl} tapos isa for emergency fund.",
    ],
    "q.kyc": [
        "Ilang days po usually yung verification? Nag-submit ako ng ID {ago_tl} pero under review pa rin.",
        "Valid ID ba yung ePhilID for verification? Wala pa kasi yung physical card ko.",
        "Bakit po laging failed yung selfie ko sa verification? Any tips?",
    ],
    "q.card": [
        "Gumagana ba yung Bayani Pay card sa Shopee and Lazada? Or pang-physical stores lang?",
        "How much po yung physical card and ilang days ang delivery to {place}?",
        "Pwede ba gamitin yung virtual card for Netflix?",
    ],
    "q.points": [
        "Paano po i-redeem yung Bayani Points? May {points} points na ako pero di ko alam saan gagamitin.",
        "Nag-eexpire ba yung Bayani Points? Sayang kasi if ever.",
    ],
    "q.app": [
        "Ang bagal ng app sa {phone} ko since nag-update. May fix na ba?",
        "Out na ba yung version {version} sa iOS? Old version pa rin nakikita ko sa App Store.",
        "May dark mode na ba? Di ko makita sa settings.",
    ],
    "q.account": [
        "Paano po magpalit ng number? Nawala kasi yung phone ko with the old SIM.",
        "Hindi dumadating yung OTP sa {network} number ko, paano po mag-login?",
        "Pwede ba dalawang account if dalawa SIM ko?",
    ],
    "q.merchant": [
        "Same day ba yung settlement ng QR Ph payments or T+1? Para ma-plan ko yung restock.",
        "Meron bang sandbox for the payments API? Broken kasi yung link sa docs.",
        "Magkano po MDR for QR Ph ng small sari-sari store?",
    ],
    # ---- member answers ----------------------------------------------------------------------------
    "a.cashin": [
        "Usually instant lang yung InstaPay. Pag lagpas isang araw na, file ka ng ticket sa Help > Report a problem with the ref number.",
        "Free yung cash-in sa {outlet} up to ₱8,000 per month, di dapat sila nagcha-charge.",
    ],
    "a.cashout": ["Instant lang sakin yung InstaPay to {bank}. Yung PESONet next banking day pa, so iwas ka pag Friday."],
    "a.qr": [
        "Update mo muna yung app, di nababasa ng old version yung ibang QR Ph codes.",
        "Apply ka ng merchant QR sa Profile > Business, 2 days lang yung approval sakin.",
    ],
    "a.bills": ["Within the day usually pumapasok pero minsan 3 days bago mag-reflect sa {biller}. Keep mo lang yung receipt."],
    "a.load": ["Wag ka muna bumili ulit, minsan late lang dumating. Pag hindi talaga, auto-reverse naman."],
    "a.padala": [
        "Gamitin mo yung cash pick-up option, pwede niya i-claim sa {outlet} with one valid ID.",
        "Every month ako nagre-receive from {abroad} direct sa wallet, ibigay mo lang yung number mo sa sender.",
    ],
    "a.ipon": ["Daily yung interest, makikita mo sa Ipon tab. PDIC insured siya through the partner bank."],
    "a.kyc": ["Accepted yung ePhilID sakin. Mag-selfie ka sa may ilaw and walang salamin, yun yung nag-fix sakin."],
    "a.card": ["Gumagana sakin sa Shopee, i-enable mo lang muna yung online transactions sa Card settings."],
    "a.points": ["Nag-eexpire after 12 months. Pwede mo i-redeem for load or vouchers sa Rewards."],
    "a.app": ["Try mo i-clear yung cache sa app settings, bumilis ulit sakin sa {phone}."],
    "a.account": ["Kailangan mo mag-file ng ticket with a selfie holding your ID para mapalitan yung number. 2 days sakin."],
    "a.merchant": ["T+1 yung settlement namin, same day pag premium plan. Makikita mo sa dashboard."],
    # ---- complaints --------------------------------------------------------------------------------
    "c.double_charge": [
        "Na-double charge ako sa {biller} payment, tig-{amount}! Isa lang yung reference number sa history. Paano ko makukuha yung isa?",
        "Nagbayad ako via QR sa {merchant}, twice na-deduct yung {amount}. Second time na 'to this month ha.",
    ],
    "c.cashin_failed": [
        "Na-debit na sa {bank} ko pero hindi pumasok yung {amount} sa wallet. Ref no. {ref}. Pakicheck naman po asap.",
        "Nag cash-in ako sa {outlet} {ago_tl}, may resibo pero wala pa rin sa account. Yung hotline naka-hold lang ako for 30 mins.",
    ],
    "c.kyc_slow": [
        "{days} days na po under review yung verification ko. Hindi ko ma-receive yung padala ng asawa ko because of this.",
        "Third time na rejected yung ID ko, walang reason. Malinaw naman yung picture ah.",
    ],
    "c.cashout_delay": ["{hours} hours na 'processing' yung cash out ko to {bank}. {amount} po yun, pambayad ng rent."],
    "c.transfer_failed": ["Nag-send ako ng {amount} sa {relative_tl} ko, failed daw pero nabawas sa balance ko. Ano na po?"],
    "c.account_locked": ["Na-lock yung account ko dahil sa isang wrong MPIN lang. {days} days na akong naghihintay. Ticket {ticket} po."],
    "c.points_missing": ["Hindi na-credit yung Bayani Points ko from last month, dapat around {points} points yun."],
    "c.qr_declined": ["Laging declined yung QR payment ko sa {merchant} kahit may balance ako. Nakakahiya sa cashier."],
    # ---- other topics ------------------------------------------------------------------------------
    "bug": [
        "Nagc-crash yung app every time binubuksan ko yung {screen}, {phone} ({os}) gamit ko.",
        "After mag-update to {version}, black screen na lang yung QR scanner. Naka-allow naman yung camera.",
        "Late dumadating yung OTP, expired na pag natanggap ko. {network} user here.",
        "Yung notification sabi may natanggap akong pera pero wala sa app until i-force close ko.",
    ],
    "feature": [
        "Sana may split bill feature for barkada lunch, para di na manual singilan haha",
        "Request lang po: sana pwede mag-export ng transactions to CSV for my small business.",
        "Sana may scheduled padala every 15th and 30th sa {relative_tl} ko.",
        "Pwede po ba magkaroon ng widget na may balance? Para di na bubuksan yung app.",
        "Sana pwede gamitin yung Bayani Points pambayad sa {biller} kahit partial lang.",
        "Round-up feature sa Ipon please! Every QR payment, i-round up to the nearest ₱10 tapos i-save yung sukli.",
    ],
    "praise": [
        "Grabe ang bilis ng cash-in from {bank} today, less than a minute! Galing niyo po 👏",
        "Salamat sa support, nag-reply in 10 mins and naayos agad yung issue ko.",
        "Dahil sa Ipon, naka-save na ako ng {amount} for {goal_tl}. Thank you Bayani Pay! 🎉",
        "Ang smooth na ng QR Ph sa {merchant} dito sa {place}. No need na maghanap ng barya.",
        "Nag-padala ako from {abroad}, natanggap agad ng family ko sa {place}. Super convenient!",
    ],
    "chatter": [
        "Anong ginagamit niyo sa Ipon? Ako for {goal_tl}.",
        "Sino dito nakatanggap ng double points this weekend? Naka-{points} points ako sa groceries lang haha",
        "Tip lang: pwede niyo i-save sa favorites yung QR ng suki niyong store.",
        "May mga small business owners ba dito na naka-Bayani Pay QR? Kumusta yung sales?",
        "Dumating na yung physical card ko sa {place}, 4 days lang!",
        "Napansin niyo ba, dami nang stores sa {place} na tumatanggap ng QR Ph?",
        "Sahod na! Lipat ko muna yung {amount} sa Ipon bago ko pa magastos 😅",
    ],
    "event": [
        "Sino pupunta sa {event}? First time ko, excited na ako!",
        "Libre ba yung {event}? Need ba mag-register?",
        "May recording ba ng {event}? May pasok kasi ako.",
        "Thank you sa {event}! Daming natutunan about budgeting.",
        "May carpool ba going to {event} from {place}?",
    ],
    "spam": [
        "Legit po ito! Nag-invest ako ng ₱1,000, after 3 days naging ₱10,000 na. Join na kayo: {spamlink}",
        "Bayani Pay FREE ₱500 promo para sa first 100 na mag-register dito 👉 {spamlink}",
    ],
    "rant": [
        "Mga tanga ba kayo? {days} days na wala pa rin yung refund ng {amount} ko!",
        "Bobo ng system niyo, simpleng cash-in lang hindi pa maayos. Useless!",
    ],
    # ---- replies -----------------------------------------------------------------------------------
    "toxic": [
        "Ang bobo mo naman, basahin mo kaya yung FAQ.",
        "Tanga ba yung support niyo? Paulit-ulit lang yung copy-paste reply.",
        "Putek, ang walang kwenta ng app na 'to.",
        "Shut up ka nalang, di ka naman tinatanong.",
    ],
    "metoo": [
        "Same po! Pending din yung akin since {since_tl}.",
        "Same issue sa {bank}, waiting pa rin.",
        "Following, ganito rin sakin.",
        "Ako rin po, akala ko ako lang.",
    ],
    "thanks": ["Ayun gumana na, thank you po!", "Thanks sa mabilis na sagot!", "Ay ganun pala, thanks po!", "Noted po, salamat!"],
    "sent": ["Ito po yung ref no. {ref}, yung number ko ending in {last4}.", "Sent na po yung details and screenshot."],
    "followup": [
        "Any update po? Wala pa rin sa akin.",
        "Hindi pa rin po resolved, {days} days na.",
        "Na-send ko na po yung details, waiting pa rin ng reply.",
    ],
    "bump": ["Up po! Sana may makasagot.", "Bump lang po, need ko talaga ng help."],
    "plus1": ["+1 dito! Gagamitin ko 'to every week.", "Yes please, sobrang helpful nito.", "Agree, meron na nito sa {other_app} eh."],
    "chat": [
        "Haha true",
        "Nice, thanks for sharing!",
        "Same experience here po.",
        "Good to know, salamat!",
        "Ganyan din ginagawa ko.",
        "Congrats po!",
        "Ako naman for {goal_tl} haha",
    ],
    "confirm": ["Pumasok na po, thank you so much!", "Na-refund na po yung pera ko. Thanks sa help!", "Okay na po, salamat!"],
    "spamwarn": ["Scam yan guys, wag niyo i-click!", "Reported na. Admin pa-remove naman po."],
    "event.reply": ["See you there po!", "Registered na ako 🙌", "Sana may livestream din!"],
    "ann.reply": ["Yey! Update na agad.", "Sana po pati sa Huawei meron.", "Nice, thanks sa update!"],
    # ---- the outage --------------------------------------------------------------------------------
    "crisis.down": [
        "Down ba kayo? Ayaw pumasok ng cash-in ko.",
        "Anyone else? Failed lahat ng transfers ko ngayon.",
        "Hello?? Bakit 'service unavailable' yung app? #BayaniPayDown",
        "May outage ba? Di ako makabayad sa counter, nakakahiya.",
        "Bayani Pay down na naman ba? Cash-in from {bank} deducted pero wala sa wallet.",
    ],
    "crisis.lost": [
        "Nawala yung pera ko! {amount} na-deduct sa {bank} pero wala sa wallet.",
        "Yung {amount} ko nasaan na?? Pambayad ko yun sa Meralco today.",
        "Na-deduct yung {amount} sa balance ko pero failed yung padala. Please ibalik niyo.",
    ],
    "crisis.angry": [
        "Walang update man lang? 2 hours na. Useless talaga.",
        "Kaya walang tiwala mga tao sa e-wallets eh. Zero communication. #BayaniPayDown",
        "Lilipat na ako sa ibang app after this, promise.",
    ],
    "crisis.ok": [
        "Okay na po sakin, pumasok na yung cash-in!",
        "Nabalik na yung {amount} ko, phew. Thanks po.",
        "Working na ulit guys! Check niyo balance niyo.",
        "Finally reflected na. Sana next time mas mabilis yung updates.",
    ],
}
