"""Filipino (Tagalog) texts written by members of the Bayani Pay community.

Same keys as :mod:`kapwa.demo.content_en`; a key missing here falls back to Taglish, then English.
Loanwords everyone uses (cash-in, wallet, app, OTP) stay, English function words do not.
"""

T: dict[str, list[str]] = {
    # ---- questions -------------------------------------------------------------------------------
    "q.cashin": [
        "delay|Ilang oras po ba bago pumasok ang cash-in galing {bank}? Nagpadala po ako ng {amount} {ago_tl} pero wala pa rin sa wallet ko.",
        "fee|May bayad po ba kapag nag-cash-in sa {outlet}? Siningil po ako ng kinse pesos ng kahera.",
        "limit|Magkano po ang pinakamataas na puwedeng i-cash-in kada buwan kapag verified na ang account?",
        "sunday|Puwede po bang mag-cash-in sa {outlet} kahit Linggo o pista opisyal?",
    ],
    "q.cashout": [
        "speed|Paano po maglipat ng pera papunta sa {bank}? Agad-agad po ba o ilang araw pa?",
        "fee|May singil po ba kapag naglipat ng pera sa {bank}? {amount} po ang ililipat ko.",
        "otc|Puwede po bang kumuha ng pera sa {outlet} kahit walang card?",
    ],
    "q.qr": [
        "unsupported|Gumagana po ba ang QR sa lahat ng tindahan? Sa {merchant} dito sa {place} ay ayaw tumanggap.",
        "merchant|Paano po magkaroon ng sariling QR ang tindahan ko? Marami nang suki ang nagtatanong.",
        "fee|May dagdag singil po ba kapag nagbayad gamit ang QR sa {merchant}?",
    ],
    "q.bills": [
        "posting|Gaano po katagal bago makita ng {biller} ang bayad ko? Nagbayad po ako {ago_tl}, bukas na ang takdang araw.",
        "receipt|Saan ko po makikita ang resibo ng bayad ko sa {biller}? Kailangan ko pong ipakita sa may-ari ng inuupahan ko.",
        "schedule|Puwede po bang awtomatikong magbayad buwan-buwan sa {biller}? Lagi ko kasing nakakalimutan.",
    ],
    "q.load": [
        "promo|Puwede po bang bumili ng promo ng {network} dito o regular na load lang?",
        "missing|Hindi po pumasok ang load na binili ko. Bibili po ba ulit ako o maghihintay na lang?",
    ],
    "q.padala": [
        "cheapest|Paano po magpadala ng pera sa {relative_tl} ko sa {place}? Wala po siyang bank account.",
        "abroad|Puwede po bang tumanggap ng padala galing {abroad} dito mismo? Doon po nagtatrabaho ang asawa ko.",
        "claim|Ano po ang kailangang dalhin ng tatanggap sa {outlet}? Kailangan po ba ng ID?",
    ],
    "q.ipon": [
        "rate|Magkano po ang tubo ng Ipon ngayon? Araw-araw po ba ang bigay ng interes?",
        "pdic|Ligtas po ba ang pera sa Ipon? May seguro po ba ng PDIC?",
        "penalty|May multa po ba kapag kinuha ko ang ipon bago ang takdang petsa?",
    ],
    "q.kyc": [
        "ids|Anong mga ID po ang tinatanggap sa beripikasyon? Estudyante pa lang po ako.",
        "time|Gaano po katagal ang beripikasyon? Nagpasa po ako ng ID {ago_tl}.",
        "selfie|Paulit-ulit pong pumapalya ang selfie ko. Ano po ang dapat gawin?",
    ],
    "q.card": [
        "cost|Magkano po ang card at gaano katagal bago dumating dito sa {place}?",
        "atm|May singil po ba kapag kumuha ng pera sa ATM gamit ang card?",
    ],
    "q.points": [
        "how|Paano po gamitin ang Bayani Points? May {points} points na po ako.",
        "expire|Nag-e-expire po ba ang Bayani Points?",
    ],
    "q.app": [
        "slow|Bakit po ang bagal ng app sa {phone} ko mula nang mag-update?",
        "ios|Lumabas na po ba ang bagong bersyon sa iPhone? Luma pa rin ang nakikita ko.",
    ],
    "q.account": [
        "number|Paano po palitan ang numero sa account ko? Nawala po ang dati kong SIM.",
        "otp|Hindi po dumarating ang OTP sa {network} ko. Paano po ako makakapag-login?",
        "close|Paano po isara ang account at kunin ang natitirang pera?",
    ],
    "q.merchant": [
        "settlement|Kailan po pumapasok ang bayad ng mga suki sa QR ng tindahan ko? Kinabukasan po ba?",
        "mdr|Magkano po ang kaltas sa bawat bayad gamit ang QR para sa maliit na tindahan?",
    ],
    # ---- member answers ----------------------------------------------------------------------------
    "a.faq": ["May FAQ po tungkol dito sa app: Help > FAQs > {label}."],
    "a.cashin": [
        "delay|Kadalasan ilang segundo lang sa InstaPay. Kung isang araw na, mag-file po kayo ng ticket sa Help sa loob ng app.",
        "fee|Libre po sa {outlet} hanggang walong libo kada buwan. Hindi po dapat naniningil ang kahera.",
    ],
    "a.cashout": [
        "speed|Sa InstaPay, ilang minuto lang papuntang {bank}. Ang PESONet ay kinabukasan pa.",
    ],
    "a.qr": [
        "unsupported|I-update niyo po muna ang app, hindi nababasa ng lumang bersyon ang ibang QR.",
        "merchant|Mag-apply po kayo ng merchant QR sa Profile, dalawang araw lang sa akin.",
    ],
    "a.bills": [
        "posting|Karaniwan sa loob ng araw pumapasok, pero minsan tatlong araw bago makita ng {biller}. Itago niyo po ang resibo.",
    ],
    "a.load": [
        "missing|Huwag po kayong bumili ulit. Hintayin niyo lang, minsan nahuhuli. Kung hindi dumating, ibabalik ang pera.",
    ],
    "a.padala": [
        "claim,cheapest|Piliin niyo po ang cash pick-up, puwede niyang kunin sa {outlet} gamit ang isang valid ID.",
    ],
    "a.ipon": [
        "rate,pdic|Araw-araw po pumapasok ang interes, makikita niyo sa Ipon. May seguro po ng PDIC sa partner bank.",
    ],
    "a.kyc": [
        "ids,selfie|Gumana sa akin ang ePhilID. Magselfie po kayo sa may liwanag at walang salamin.",
    ],
    "a.card": [
        "online|Gumagana sa akin sa Shopee, buksan niyo lang muna ang online na bayad sa Card.",
    ],
    "a.points": [
        "expire,how|Nag-e-expire po pagkatapos ng isang taon. Puwedeng ipalit sa load o voucher sa Rewards.",
    ],
    "a.app": [
        "slow|Subukan niyong burahin ang cache ng app, bumilis ulit sa {phone} ko.",
    ],
    "a.account": [
        "number|Kailangan po ng ticket at selfie na hawak ang ID para mapalitan ang numero. Dalawang araw sa akin.",
    ],
    "a.merchant": [
        "settlement|Kinabukasan pumapasok ang bayad sa amin. Makikita niyo sa dashboard ang iskedyul.",
    ],
    # ---- complaints --------------------------------------------------------------------------------
    "c.double_charge": [
        "Dalawang beses pong nakaltasan ang bayad ko sa {biller}, tig-{amount}. Isa lang ang resibo. Paano ko po makukuha pabalik?",
        "Nagbayad ako sa {merchant} gamit ang QR, dalawang beses nabawas ang {amount}. Ibalik niyo naman po.",
    ],
    "c.cashin_failed": [
        "Nabawasan na ang {bank} ko pero hindi pumasok ang {amount} sa wallet. Ano na po ang nangyari? Ref no. {ref}",
        "Nag-cash-in ako sa {outlet} {ago_tl}, may resibo ako pero wala pa rin sa account ko. Hindi rin sumasagot ang hotline.",
    ],
    "c.kyc_slow": [
        "{days} araw na po akong naghihintay sa beripikasyon. Hindi ko po matanggap ang padala ng asawa ko dahil dito.",
        "Tatlong beses nang tinanggihan ang ID ko nang walang paliwanag. Malinaw naman po ang litrato.",
    ],
    "c.cashout_delay": ["{hours} oras nang nakabinbin ang pera kong ililipat sa {bank}. Kailangan ko na po ito pambayad ng upa."],
    "c.transfer_failed": ["Nagpadala po ako ng {amount} sa {relative_tl} ko pero hindi raw natuloy, at nabawas pa rin sa balance ko."],
    "c.account_locked": ["Na-lock ang account ko dahil sa isang maling MPIN. {days} araw na akong naghihintay. Ticket {ticket} po."],
    "c.points_missing": ["Hindi pumasok ang Bayani Points ko noong nakaraang buwan. Dapat mga {points} points iyon."],
    "c.qr_declined": ["Ayaw tanggapin ang bayad ko sa {merchant} kahit may laman ang wallet ko. Nakakahiya sa pila."],
    # ---- other topics ------------------------------------------------------------------------------
    "bug": [
        "Bigla pong nagsasara ang app kapag binubuksan ko ang {screen} sa {phone} ko.",
        "Mula nang mag-update sa {version}, itim lang ang lumalabas sa QR scanner.",
        "Huli na dumarating ang OTP, paso na ang code pagdating.",
        "Nawawala ang mga lumang transaksyon sa history ko.",
    ],
    "feature": [
        "Sana po may paraan para hatian ang bayarin kasama ang barkada.",
        "Sana puwedeng mag-iskedyul ng padala tuwing kinsenas at katapusan.",
        "Mungkahi lang po: sana may account para sa mga anak na may limitasyon sa paggastos.",
        "Sana puwedeng ipambayad ang Bayani Points sa {biller}.",
    ],
    "praise": [
        "Ang bilis ng cash-in galing {bank} ngayon, wala pang isang minuto. Salamat po!",
        "Salamat sa mabilis na pagsagot ng support, naayos agad ang problema ko.",
        "Dahil sa Ipon, nakaipon na ako para sa {goal_tl}. Maraming salamat! 🙏",
        "Ang dali nang magbayad gamit ang QR dito sa {place}. Hindi na kailangang maghanap ng barya.",
    ],
    "chat.ipon": ["Para saan niyo ginagamit ang Ipon? Ako ay para sa {goal_tl}."],
    "chat.business": ["Sino dito ang may tindahang tumatanggap ng QR? Kumusta ang benta?"],
    "chat.card": ["Dumating na ang card ko dito sa {place}, apat na araw lang."],
    "chat.padala": ["Ano ang pinakamadaling paraan ng pagpapadala sa probinsya?"],
    "chat.payday": ["Sweldo na! Ilalagay ko muna sa Ipon ang {amount} bago ko pa magastos."],
    "event": [
        "Sino ang pupunta sa {event}? Unang beses ko pong sasali.",
        "Libre po ba ang {event}? Kailangan po bang magparehistro?",
        "Salamat sa {event}! Marami akong natutunan tungkol sa pag-iipon.",
    ],
    "rant": [
        "Ang tatanga niyo! {days} araw na, wala pa ring refund ang {amount} ko.",
        "Mga bobo ba kayo? Simpleng cash-in lang hindi niyo maayos.",
    ],
    # ---- replies -----------------------------------------------------------------------------------
    "toxic": [
        "Tanga ka ba? Basahin mo ulit.",
        "Bobo talaga ng support niyo, paulit-ulit lang ang sagot.",
        "Leche, ang walang kwenta ng app na 'to.",
        "Manahimik ka nga, hindi ikaw ang kausap.",
    ],
    "metoo": [
        "Ako rin po, {ago_tl} pa naghihintay.",
        "Pareho tayo, hanggang ngayon wala pa rin.",
        "Ganito rin ang nangyari sa akin.",
        "Akala ko ako lang.",
        "Ganyan din ang nangyari sa kapatid ko.",
        "Hindi ka nag-iisa, ganito rin ako.",
        "Naranasan ko rin ito noong isang linggo.",
    ],
    "thanks": [
        "Salamat po, gumana na!",
        "Maraming salamat sa sagot!",
        "Ay ganun pala, salamat po.",
        "Ayos, salamat!",
        "Salamat po sa tulong!",
        "Ayun, salamat!",
        "Susubukan ko po, salamat.",
    ],
    "sent": ["Heto po ang ref no. {ref}, nagtatapos sa {last4} ang numero ko.", "Naipadala ko na po ang mga detalye."],
    "followup": [
        "May balita na po ba? Wala pa rin sa akin.",
        "Hindi pa rin po naaayos. {days} araw na.",
        "Naipadala ko na po ang detalye, naghihintay pa rin ako ng sagot.",
    ],
    "bump": ["Pataas lang po. May makakasagot ba?", "Pakitaas lang po, kailangan ko talaga ng tulong."],
    "plus1": [
        "Sang-ayon ako, sana nga!",
        "Oo nga, sana ipatupad na ito.",
        "Gagamitin ko ito araw-araw kung meron.",
        "Sana nga, malaking tulong ito.",
        "Pakiusap, sana magawa ito!",
        "Suportado ko ito!",
    ],
    "chat": [
        "Haha totoo",
        "Ayos ah, salamat sa pagbahagi!",
        "Ganyan din ako.",
        "Astig!",
        "Galing naman!",
        "Tama ka diyan.",
        "Ayos!",
        "Tama!",
        "Oo nga, ganun din sa akin.",
        "Nakakatuwa naman.",
        "Sige, salamat!",
        "Hahaha oo nga.",
    ],
    "chatr.ipon": ["Pang-tuition ng anak ko.", "Emergency fund ako, mahirap na.", "Pang-Noche Buena, siyempre!"],
    "chatr.points": ["Sayang, hindi ko napansin!", "Saan po makikita ang points?"],
    "chatr.tip": ["Ngayon ko lang nalaman, salamat!", "Ang galing, salamat sa tip!"],
    "chatr.business": ["Sa amin po, dumarami na ang nagbabayad gamit ang QR.", "Malaking tulong sa tindahan namin, wala nang problema sa barya."],
    "chatr.card": ["Wala pa rin ang akin, isang linggo na."],
    "chatr.qr": ["Oo, pati ang mga tindera sa palengke tumatanggap na."],
    "chatr.padala": ["Diretso sa wallet ng nanay ko, mabilis naman.", "Sa {outlet} pinapa-claim ko, malapit lang sa kanila."],
    "chatr.payday": ["Tama, ipon muna bago gastos!", "Sana lahat ganyan kadisiplinado."],
    "curious": [
        "Ganito rin ang tanong ko.",
        "Gusto ko rin pong malaman.",
        "Inaabangan ko rin ang sagot dito.",
        "Ako rin, gusto kong malaman.",
        "Pakisagot po, pareho kami ng tanong.",
    ],
    "confirm": ["Pumasok na po, maraming salamat!", "Naibalik na ang pera ko. Salamat po!", "Ayos na po, salamat!"],
    "spamwarn": ["Scam 'yan, huwag niyong pindutin!", "Ini-report ko na. Pakitanggal po, admin."],
    "event.reply": ["Kita-kits doon!", "Nakapagparehistro na ako!", "Sana may livestream po."],
    "ann.reply": ["Salamat sa paalala!", "Ayos, hinihintay ko ito!", "Sige po, salamat!"],
    "praise.reply": [
        "Totoo, ang bilis na ngayon.",
        "Sang-ayon ako, gumanda talaga ang serbisyo.",
        "Buti naman at maayos sa iyo!",
    ],
    # ---- the outage --------------------------------------------------------------------------------
    "crisis.down": [
        "Down ba kayo? Ayaw pumasok ng cash-in ko.",
        "May problema ba ang app? Hindi ako makapagpadala.",
        "Ano'ng nangyayari? Ayaw gumana ng lahat.",
        "Sira na naman ba? #BayaniPayDown",
    ],
    "crisis.lost": [
        "Nawala yung pera ko! Nabawas sa {bank} pero wala sa wallet.",
        "Nasaan na ang {amount} ko? Kailangan ko iyon pambayad ng kuryente.",
        "Nabawasan ang balance ko ng {amount} pero hindi natuloy ang padala. Ibalik niyo po.",
    ],
    "crisis.angry": [
        "Wala man lang paliwanag. Nakakagalit na.",
        "Dalawang oras na, wala pa ring sagot ang Bayani Pay.",
        "Ililipat ko na lang sa bangko ang pera ko pagkatapos nito.",
    ],
    "crisis.metoo": ["Ako rin, ayaw gumana.", "Pareho tayo, nabawasan din ang {bank} ko.", "Ganito rin sa akin mula kaninang umaga."],
    "crisis.ok": [
        "Pumasok na po ang pera ko. Salamat sa Diyos.",
        "Ayos na ulit sa akin, bumalik na ang balance.",
        "Gumagana na ulit ang cash-in.",
    ],
}
