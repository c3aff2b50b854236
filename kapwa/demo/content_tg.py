"""Taglish (code-switched English and Tagalog) texts written by members of the Bayani Pay community.

Same keys as :mod:`kapwa.demo.content_en`; a key missing here falls back to English.
"""

T: dict[str, list[str]] = {
    # ---- questions -------------------------------------------------------------------------------
    "q.cashin": [
        "delay|Hi po, bakit pending pa rin yung cash-in ko since {since_tl}? Need ko na po for bills.",
        "delay|Ilang minutes po usually bago mag-reflect yung InstaPay cash-in from {bank}? {amount} po yung sinend ko.",
        "fee|May fee po ba pag nag-cash in sa {outlet}? Nag-charge kasi yung cashier ng ₱15.",
        "limit|Ano po yung max cash-in per month kapag fully verified na? Need ko i-transfer yung {amount} from {bank}.",
        "sunday|Pwede ba mag cash-in sa {outlet} kahit Sunday?",
    ],
    "q.cashout": [
        "speed|Guys, instant ba yung cash out to {bank} or ilang hours pa?",
        "fee|Magkano po yung fee pag nag-transfer to {bank}? {amount} yung ita-transfer ko.",
        "other|Pwede po ba i-cash out sa bank account ng ibang tao or dapat same name?",
    ],
    "q.qr": [
        "unsupported|Bakit po 'unsupported QR' yung lumalabas pag nagbabayad ako sa {merchant} dito sa {place}?",
        "merchant|Paano po mag-apply ng QR for my small store? Daming customers nagtatanong kung pwede Bayani Pay.",
        "fee|May fee ba if QR Ph yung gamit sa {merchant}?",
    ],
    "q.bills": [
        "posting|Paid my {biller} bill {ago_tl} pero unpaid pa rin daw sa kanila. Normal lang ba yun?",
        "schedule|Pwede po ba i-schedule yung bills payment for {biller}? Lagi ko kasi nakakalimutan yung due date haha",
        "receipt|Saan po makikita yung receipt ng {biller} payment? Need ko i-send sa landlord.",
    ],
    "q.load": [
        "promo|Pwede ba bumili ng {network} promo dito or regular load lang?",
        "missing|Hindi pumasok yung load na binili ko for my {relative_tl}. Bibili ba ulit ako or wait lang?",
    ],
    "q.padala": [
        "cheapest|Ano po pinaka-cheap na way mag-send ng pera sa {relative_tl} ko sa {place}? Wala kasi siyang bank account.",
        "abroad|Pwede po ba mag-receive ng padala from {abroad} direct sa Bayani Pay? Dun nagwo-work yung ate ko.",
        "claim|Ano po need dalhin ng receiver pag cash pick-up sa {outlet}? Kailangan ba ng ID?",
    ],
    "q.ipon": [
        "rate|Magkano po yung interest ng Ipon ngayon? Daily ba siya nagco-compute?",
        "pdic|Safe ba talaga yung pera sa Ipon? PDIC insured ba?",
        "goals|Pwede ba mag-create ng dalawang Ipon goals? Isa for {goal_tl} tapos isa for emergency fund.",
    ],
    "q.kyc": [
        "time|Ilang days po usually yung verification? Nag-submit ako ng ID {ago_tl} pero under review pa rin.",
        "ids|Valid ID ba yung ePhilID for verification? Wala pa kasi yung physical card ko.",
        "selfie|Bakit po laging failed yung selfie ko sa verification? Any tips?",
    ],
    "q.card": [
        "online|Gumagana ba yung Bayani Pay card sa Shopee and Lazada? Or pang-physical stores lang?",
        "cost|How much po yung physical card and ilang days ang delivery to {place}?",
        "virtual|Pwede ba gamitin yung virtual card for Netflix?",
    ],
    "q.points": [
        "how|Paano po i-redeem yung Bayani Points? May {points} points na ako pero di ko alam saan gagamitin.",
        "expire|Nag-eexpire ba yung Bayani Points? Sayang kasi if ever.",
    ],
    "q.app": [
        "slow|Ang bagal ng app sa {phone} ko since nag-update. May fix na ba?",
        "ios|Out na ba yung version {version} sa iOS? Old version pa rin nakikita ko sa App Store.",
        "dark|May dark mode na ba? Di ko makita sa settings.",
    ],
    "q.account": [
        "number|Paano po magpalit ng number? Nawala kasi yung phone ko with the old SIM.",
        "otp|Hindi dumadating yung OTP sa {network} number ko, paano po mag-login?",
        "two|Pwede ba dalawang account if dalawa SIM ko?",
    ],
    "q.merchant": [
        "settlement|Same day ba yung settlement ng QR Ph payments or T+1? Para ma-plan ko yung restock.",
        "sandbox|Meron bang sandbox for the payments API? Broken kasi yung link sa docs.",
        "mdr|Magkano po MDR for QR Ph ng small sari-sari store?",
    ],
    # ---- member answers ----------------------------------------------------------------------------
    "a.faq": ["May FAQ dito sa app, check mo Help > FAQs > {label}.", "Nasa Help > FAQs > {label} po yan, explained dun."],
    "a.cashin": [
        "delay|Usually instant lang yung InstaPay. Pag lagpas isang araw na, file ka ng ticket sa Help > Report a problem with the ref number.",
        "fee|Free yung cash-in sa {outlet} up to ₱8,000 per month, di dapat sila nagcha-charge.",
    ],
    "a.cashout": [
        "speed|Instant lang sakin yung InstaPay to {bank}. Yung PESONet next banking day pa, so iwas ka pag Friday.",
    ],
    "a.qr": [
        "unsupported|Update mo muna yung app, di nababasa ng old version yung ibang QR Ph codes.",
        "merchant|Apply ka ng merchant QR sa Profile > Business, 2 days lang yung approval sakin.",
    ],
    "a.bills": [
        "posting|Within the day usually pumapasok pero minsan 3 days bago mag-reflect sa {biller}. Keep mo lang yung receipt.",
    ],
    "a.load": [
        "missing|Wag ka muna bumili ulit, minsan late lang dumating. Pag hindi talaga, auto-reverse naman.",
    ],
    "a.padala": [
        "claim,cheapest|Gamitin mo yung cash pick-up option, pwede niya i-claim sa {outlet} with one valid ID.",
        "abroad|Every month ako nagre-receive from {abroad} direct sa wallet, ibigay mo lang yung number mo sa sender.",
    ],
    "a.ipon": [
        "rate,pdic|Daily yung interest, makikita mo sa Ipon tab. PDIC insured siya through the partner bank.",
    ],
    "a.kyc": [
        "ids,selfie|Accepted yung ePhilID sakin. Mag-selfie ka sa may ilaw and walang salamin, yun yung nag-fix sakin.",
    ],
    "a.card": [
        "online|Gumagana sakin sa Shopee, i-enable mo lang muna yung online transactions sa Card settings.",
    ],
    "a.points": [
        "expire,how|Nag-eexpire after 12 months. Pwede mo i-redeem for load or vouchers sa Rewards.",
    ],
    "a.app": [
        "slow|Try mo i-clear yung cache sa app settings, bumilis ulit sakin sa {phone}.",
    ],
    "a.account": [
        "number|Kailangan mo mag-file ng ticket with a selfie holding your ID para mapalitan yung number. 2 days sakin.",
    ],
    "a.merchant": [
        "settlement|T+1 yung settlement namin, same day pag premium plan. Makikita mo sa dashboard.",
    ],
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
    "chat.ipon": ["Anong ginagamit niyo sa Ipon? Ako for {goal_tl}."],
    "chat.points": ["Sino dito nakatanggap ng double points this weekend? Naka-{points} points ako sa groceries lang haha"],
    "chat.tip": ["Tip lang: pwede niyo i-save sa favorites yung QR ng suki niyong store."],
    "chat.business": ["May mga small business owners ba dito na naka-Bayani Pay QR? Kumusta yung sales?"],
    "chat.card": ["Dumating na yung physical card ko sa {place}, 4 days lang!"],
    "chat.qr": ["Napansin niyo ba, dami nang stores sa {place} na tumatanggap ng QR Ph?"],
    "chat.padala": ["Paano kayo nagpapadala sa family niyo sa province? Curious lang ako sa best way."],
    "chat.payday": ["Sahod na! Lipat ko muna yung {amount} sa Ipon bago ko pa magastos 😅"],
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
        "Same issue, waiting pa rin.",
        "Following, ganito rin sakin.",
        "Ako rin po, akala ko ako lang.",
        "Same po, nangyari din sakin last week.",
        "Hindi ka nag-iisa, same issue here.",
        "Ganito rin sa account ng kapatid ko.",
        "Grabe same, akala ko ako lang.",
    ],
    "thanks": [
        "Ayun gumana na, thank you po!",
        "Thanks sa mabilis na sagot!",
        "Ay ganun pala, thanks po!",
        "Noted po, salamat!",
        "Thank you po, laking tulong!",
        "Ayun, salamat po!",
        "Try ko po yan, thanks!",
        "Salamat sa info!",
    ],
    "sent": ["Ito po yung ref no. {ref}, yung number ko ending in {last4}.", "Sent na po yung details and screenshot."],
    "followup": [
        "Any update po? Wala pa rin sa akin.",
        "Hindi pa rin po resolved, {days} days na.",
        "Na-send ko na po yung details, waiting pa rin ng reply.",
    ],
    "bump": ["Up po! Sana may makasagot.", "Bump lang po, need ko talaga ng help."],
    "plus1": [
        "+1 dito! Gagamitin ko 'to every week.",
        "Yes please, sobrang helpful nito.",
        "Agree, meron na nito sa {other_app} eh.",
        "Sana ma-implement na 'to!",
        "Agree! Sobrang useful nito sa business ko.",
        "Please po, kailangan namin 'to!",
        "Upvote! Ang tagal na naming hinihintay 'to.",
    ],
    "chat": [
        "Haha true",
        "Nice, thanks for sharing!",
        "Same experience here po.",
        "Good to know, salamat!",
        "Korek! 💯",
        "Uy same tayo haha",
        "Hahaha totoo yan",
        "Nice one po!",
        "Ayos yan ah",
        "Sana all haha",
        "Noted po, thanks!",
        "Legit!",
        "Oo nga no, ngayon ko lang na-realize",
        "Same tayo ng experience",
    ],
    "chatr.ipon": [
        "Emergency fund muna ako, mahirap na magkasakit.",
        "Travel fund ko sa Japan next year haha",
        "Same, for {goal_tl} din!",
        "Pang-tuition ng bunso ko. Auto-transfer every sahod.",
    ],
    "chatr.points": ["Sayang, di ko napansin!", "Naka-200 lang ako haha", "Ni-redeem ko agad for load."],
    "chatr.tip": ["Uy, di ko alam yan! Thanks!", "Ginagawa ko rin to sa suki kong carinderia."],
    "chatr.business": [
        "Yes! Sari-sari store namin, mga 40% na QR payments.",
        "Ang hirap lang pag offline yung app, pero okay naman overall.",
        "Dashboard lang gamit ko, tapos notebook pa rin haha",
    ],
    "chatr.card": ["Sana all! Isang linggo na yung akin wala pa.", "Ganda ng design no?"],
    "chatr.qr": ["Oo nga, pati yung suki kong fishball vendor naka-QR na haha", "Sa amin cash pa rin karamihan."],
    "chatr.padala": ["Diretso sa wallet ni mama, instant naman.", "Cash pick-up sa {outlet} para kay lola kasi wala siyang phone."],
    "chatr.payday": ["Ipon muna bago gastos! 💪", "Sana all may sahod na haha", "Same, auto-transfer ko na lang para di ko makalimutan."],
    "curious": [
        "Same question po!",
        "Following, gusto ko rin malaman.",
        "Up! Curious din ako dito.",
        "Same question din po, sana may sumagot.",
        "Up po, need ko rin malaman.",
        "Curious din ako dito, following!",
        "Ito rin tanong ko kahapon haha",
    ],
    "confirm": ["Pumasok na po, thank you so much!", "Na-refund na po yung pera ko. Thanks sa help!", "Okay na po, salamat!"],
    "spamwarn": ["Scam yan guys, wag niyo i-click!", "Reported na. Admin pa-remove naman po."],
    "event.reply": ["See you there po!", "Registered na ako 🙌", "Sana may livestream din!"],
    "ann.reply": ["Yey! Noted po.", "Nice, thanks sa update!", "Ayun oh, salamat sa heads up!"],
    "praise.reply": [
        "True! Smooth na talaga lately.",
        "Agree, ang bilis na ng support ngayon.",
        "Same experience po, ang galing!",
        "Buti pa sa'yo mabilis haha",
    ],
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
    "crisis.metoo": ["Same here! Hindi rin pumapasok yung sakin.", "+1, pati transfers ko failed.", "Same po, na-debit din yung {bank} ko."],
    "crisis.ok": [
        "Okay na po sakin, pumasok na yung cash-in!",
        "Nabalik na yung {amount} ko, phew. Thanks po.",
        "Working na ulit guys! Check niyo balance niyo.",
        "Finally reflected na. Sana next time mas mabilis yung updates.",
    ],
}
