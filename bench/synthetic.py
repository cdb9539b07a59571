"""A synthetic multilingual news corpus, written from our own sentence templates.

``articles(n, seed)`` yields ``n`` JSONL-style records ``{id, url, date, lang, text}``:
short trade-news articles (about 600-1200 characters) in Russian, Kazakh, English,
Uzbek (Latin and Cyrillic) and Kyrgyz, with varied countries, figures, periods and
publication dates. Deterministic for a given seed. Used by ``bench/bench_ingest.py`` and
by the store tests (the crash test needs a corpus of thousands of articles).

Every sentence here was written for this file; none comes from a real article.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Country forms per language. Russian: (nominative, instrumental, genitive, "в"+accusative,
# "из"+genitive). Other languages: the nominative, which their templates combine with a
# postposition or a conjunction.
RU = {
    "KAZ": ("Казахстан", "Казахстаном", "Казахстана", "Казахстан", "Казахстана"),
    "UZB": ("Узбекистан", "Узбекистаном", "Узбекистана", "Узбекистан", "Узбекистана"),
    "KGZ": ("Кыргызстан", "Кыргызстаном", "Кыргызстана", "Кыргызстан", "Кыргызстана"),
    "TJK": ("Таджикистан", "Таджикистаном", "Таджикистана", "Таджикистан", "Таджикистана"),
    "CHN": ("Китай", "Китаем", "Китая", "Китай", "Китая"),
    "RUS": ("Россия", "Россией", "России", "Россию", "России"),
    "TUR": ("Турция", "Турцией", "Турции", "Турцию", "Турции"),
    "AZE": ("Азербайджан", "Азербайджаном", "Азербайджана", "Азербайджан", "Азербайджана"),
}
KK = {
    "KAZ": "Қазақстан",
    "UZB": "Өзбекстан",
    "KGZ": "Қырғызстан",
    "TJK": "Тәжікстан",
    "CHN": "Қытай",
    "TUR": "Түркия",
    "AZE": "Әзербайжан",
}
EN = {
    "KAZ": "Kazakhstan",
    "UZB": "Uzbekistan",
    "KGZ": "Kyrgyzstan",
    "TJK": "Tajikistan",
    "CHN": "China",
    "RUS": "Russia",
    "TUR": "Turkey",
    "AZE": "Azerbaijan",
    "MNG": "Mongolia",
}
UZL = {
    "KAZ": "Qozogʻiston",
    "UZB": "Oʻzbekiston",
    "KGZ": "Qirgʻiziston",
    "TJK": "Tojikiston",
    "TUR": "Turkiya",
    "TKM": "Turkmaniston",
    "MNG": "Moʻgʻuliston",
}
UZC = {
    "KAZ": "Қозоғистон",
    "UZB": "Ўзбекистон",
    "KGZ": "Қирғизистон",
    "TJK": "Тожикистон",
    "TKM": "Туркманистон",
}
KY_WITH = {  # "Кыргызстандын X менен соода жүгүртүүсү"
    "KAZ": "Казакстан",
    "CHN": "Кытай",
    "UZB": "Өзбекстан",
    "TUR": "Түркия",
    "RUS": "Россия",
}

MONTHS_RU = "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь"
MONTHS_EN = "January February March April May June July August September October November December"


def _amount(rng: random.Random) -> tuple[str, str]:
    """A figure in billions with a decimal comma and with a decimal point."""
    whole = rng.randint(1, 48)
    tenth = rng.randint(1, 9)
    return f"{whole},{tenth}", f"{whole}.{tenth}"


def _pair(rng: random.Random, table: dict[str, Any], first: str | None = None) -> tuple[str, str]:
    codes = sorted(table)
    a = first or rng.choice(codes)
    b = rng.choice([c for c in codes if c != a])
    return a, b


def _ru(rng: random.Random, year: int) -> tuple[str, list[str]]:
    a, b = _pair(rng, RU)
    comma, _ = _amount(rng)
    pct = f"{rng.randint(1, 25)},{rng.randint(1, 9)}"
    month = MONTHS_RU.split()[rng.randint(2, 10)]
    title = f"Товарооборот {RU[a][2]} и {RU[b][2]} вырос"
    facts = [
        f"По итогам {year - 1} года товарооборот между {RU[a][1]} и {RU[b][1]} составил "
        f"{comma} млрд долларов, увеличившись на {pct}%.",
        f"За январь–{month} {year} года экспорт {RU[a][2]} в {RU[b][3]} достиг "
        f"{rng.randint(100, 990)} млн долларов США.",
        f"Стороны договорились довести товарооборот между {RU[a][1]} и {RU[b][1]} до "
        f"{rng.randint(2, 30)} млрд долларов к {rng.randint(year + 2, 2035)} году.",
        f"В прошлом году импорт {RU[b][2]} из {RU[a][4]} превысил {comma} млрд долларов.",
    ]
    filler = [
        f"Об этом сообщила пресс-служба министерства торговли {RU[a][2]}.",
        "Стороны обсудили развитие транспортных коридоров и логистики.",
        f"В ходе встречи было подписано {rng.randint(3, 40)} документов о сотрудничестве.",
        "Особое внимание уделено промышленной кооперации и цифровизации таможенных процедур.",
        f"Делегация {RU[b][2]} посетила несколько совместных предприятий.",
        "Эксперты отмечают, что потенциал взаимной торговли используется не полностью.",
        "Следующее заседание межправительственной комиссии пройдет в следующем году.",
        "Участники форума также обсудили вопросы энергетики, водных ресурсов и туризма.",
        "По словам вице-министра, бизнес двух стран заинтересован в новых инвестиционных проектах.",
        "Планируется открытие торгового дома и оптово-распределительного центра на границе.",
        f"Министр отметил рост поставок сельскохозяйственной продукции на {rng.randint(5, 60)}%.",
    ]
    return title, _mix(rng, facts, filler)


def _kk(rng: random.Random, year: int) -> tuple[str, list[str]]:
    a, b = _pair(rng, KK, "KAZ")
    comma, _ = _amount(rng)
    title = f"{KK[a]} мен {KK[b]} арасындағы сауда өсті"
    facts = [
        f"{year - 1} жылы {KK[a]} мен {KK[b]} арасындағы тауар айналымы {comma} млрд доллар болды.",
        f"Былтыр {KK[a]} мен {KK[b]} арасындағы тауар айналымы {comma} млрд доллардан асты.",
        f"Екі ел {rng.randint(year + 2, 2035)} жылға дейін {KK[a]} мен {KK[b]} арасындағы тауар "
        f"айналымын {rng.randint(2, 20)} млрд долларға жеткізуді мақсат етіп отыр.",
    ]
    filler = [
        "Бұл туралы Сауда және интеграция министрлігінің баспасөз қызметі хабарлады.",
        "Тараптар көлік-логистика саласындағы ынтымақтастықты талқылады.",
        f"Кездесу барысында {rng.randint(3, 30)} құжатқа қол қойылды.",
        "Сарапшылардың пікірінше, екі ел арасындағы сауда әлеуеті толық пайдаланылмай отыр.",
        "Келесі отырыс алдағы жылы Астанада өтеді.",
        "Тараптар өнеркәсіптік кооперацияны дамыту мәселесін қарастырды.",
        "Форум қатысушылары энергетика, су ресурстары және туризм мәселелерін де талқылады.",
        "Вице-министрдің айтуынша, екі елдің бизнесі жаңа инвестициялық жобаларға мүдделі.",
        "Шекарада сауда үйі мен көтерме-тарату орталығын ашу жоспарланып отыр.",
    ]
    return title, _mix(rng, facts, filler)


def _en(rng: random.Random, year: int) -> tuple[str, list[str]]:
    a, b = _pair(rng, EN)
    _, point = _amount(rng)
    month = MONTHS_EN.split()[rng.randint(2, 10)]
    title = f"{EN[a]} and {EN[b]} trade grows"
    facts = [
        f"Trade turnover between {EN[a]} and {EN[b]} reached ${point} billion in {year - 1}, "
        f"up {rng.randint(2, 30)}% year on year.",
        f"In January-{month} {year}, {EN[a]}'s exports to {EN[b]} amounted to "
        f"US${rng.randint(100, 990)} million.",
        f"The two presidents set a goal of raising trade between {EN[a]} and {EN[b]} to "
        f"${rng.randint(2, 30)} billion by {rng.randint(year + 2, 2035)}.",
        f"Last year, bilateral trade between {EN[a]} and {EN[b]} exceeded ${point} billion.",
    ]
    filler = [
        "The ministry of trade said the sides discussed transport corridors and logistics.",
        f"During the visit, the delegations signed {rng.randint(3, 40)} cooperation documents.",
        "Analysts say the potential of mutual trade is still far from fully used.",
        "The next meeting of the intergovernmental commission will take place next year.",
        "Both governments pledged to simplify customs procedures at the border.",
        f"Officials also visited {rng.randint(2, 9)} joint ventures in the industrial zone.",
        "Forum participants also discussed energy, water resources and tourism.",
        "According to the deputy minister, businesses in both countries want new projects.",
        "A trading house and a wholesale distribution centre are planned near the border.",
    ]
    return title, _mix(rng, facts, filler)


def _uzl(rng: random.Random, year: int) -> tuple[str, list[str]]:
    a, b = _pair(rng, UZL, "UZB")
    comma, _ = _amount(rng)
    title = f"{UZL[a]} va {UZL[b]} savdosi oʻsdi"
    facts = [
        f"{year - 1}-yilda {UZL[a]} va {UZL[b]} oʻrtasidagi tovar ayirboshlash hajmi {comma} "
        f"mlrd dollarni tashkil etdi.",
        f"Oʻtgan yili {UZL[a]} va {UZL[b]} oʻrtasidagi savdo aylanmasi {comma} mlrd dollardan oshdi.",
    ]
    filler = [
        "Bu haqda Investitsiyalar va tashqi savdo vazirligi matbuot xizmati xabar berdi.",
        "Tomonlar transport va logistika sohasidagi hamkorlikni muhokama qildi.",
        f"Uchrashuv yakunida {rng.randint(3, 30)} ta hujjat imzolandi.",
        "Ekspertlar ikki mamlakat savdo salohiyati toʻliq ishlatilmayotganini taʼkidlamoqda.",
        "Hukumatlararo komissiyaning navbatdagi yigʻilishi kelgusi yilda boʻlib oʻtadi.",
        "Forum ishtirokchilari energetika, suv resurslari va turizm masalalarini ham koʻrib chiqdi.",
        "Vazir oʻrinbosarining soʻzlariga koʻra, ikki mamlakat biznesi yangi loyihalarga qiziqmoqda.",
        "Chegarada savdo uyi va ulgurji tarqatish markazini ochish rejalashtirilgan.",
    ]
    return title, _mix(rng, facts, filler)


def _uzc(rng: random.Random, year: int) -> tuple[str, list[str]]:
    a, b = _pair(rng, UZC, "UZB")
    comma, _ = _amount(rng)
    title = f"{UZC[a]} ва {UZC[b]} савдоси ўсди"
    facts = [
        f"{year - 1} йилда {UZC[a]} ва {UZC[b]} ўртасидаги товар айирбошлаш ҳажми {comma} "
        f"млрд долларни ташкил этди.",
        f"Ўтган йили {UZC[a]} ва {UZC[b]} ўртасидаги товар айланмаси тахминан {comma} млрд "
        f"долларни ташкил этди.",
    ]
    filler = [
        "Бу ҳақда Инвестициялар ва ташқи савдо вазирлиги матбуот хизмати хабар берди.",
        "Томонлар транспорт ва логистика соҳасидаги ҳамкорликни муҳокама қилди.",
        f"Учрашув якунида {rng.randint(3, 30)} та ҳужжат имзоланди.",
        "Мутахассислар савдо салоҳияти тўлиқ ишлатилмаётганини таъкидламоқда.",
        "Ҳукуматлараро комиссиянинг навбатдаги йиғилиши келгуси йилда бўлиб ўтади.",
        "Форум иштирокчилари энергетика, сув ресурслари ва туризм масалаларини ҳам кўриб чиқди.",
        "Вазир ўринбосарининг сўзларига кўра, икки мамлакат бизнеси янги лойиҳаларга қизиқмоқда.",
        "Чегарада савдо уйи ва улгуржи тарқатиш марказини очиш режалаштирилган.",
    ]
    return title, _mix(rng, facts, filler)


def _ky(rng: random.Random, year: int) -> tuple[str, list[str]]:
    b = rng.choice(sorted(KY_WITH))
    comma, _ = _amount(rng)
    title = f"Кыргызстандын {KY_WITH[b]} менен соодасы өстү"
    facts = [
        f"{year - 1}-жылы Кыргызстандын {KY_WITH[b]} менен соода жүгүртүүсү {comma} млрд "
        f"долларды түздү.",
        f"Кыргызстандын {KY_WITH[b]} менен соода жүгүртүүсү {year - 2}-жылы {comma} миллиард "
        f"доллардан ашты.",
    ]
    filler = [
        "Бул тууралуу Экономика жана коммерция министрлигинин басма сөз кызматы билдирди.",
        "Тараптар транспорт жана логистика тармагындагы кызматташтыкты талкуулашты.",
        f"Жолугушуунун жыйынтыгында {rng.randint(3, 30)} документке кол коюлду.",
        "Эксперттердин пикиринде, соода мүмкүнчүлүктөрү толук пайдаланылбай жатат.",
        "Өкмөттөр аралык комиссиянын кийинки жыйыны келерки жылы өтөт.",
        "Форумдун катышуучулары энергетика, суу ресурстары жана туризм маселелерин да карашты.",
        "Вице-министрдин айтымында, эки өлкөнүн бизнеси жаңы долбоорлорго кызыкдар.",
        "Чек арада соода үйүн жана дүң бөлүштүрүү борборун ачуу пландалууда.",
    ]
    return title, _mix(rng, facts, filler)


WRITERS = (("ru", _ru), ("kk", _kk), ("en", _en), ("uz-Latn", _uzl), ("uz-Cyrl", _uzc), ("ky", _ky))
WEIGHTS = (30, 20, 20, 12, 8, 10)


def _mix(rng: random.Random, facts: list[str], filler: list[str]) -> list[str]:
    """One to three fact sentences among filler, grouped into paragraphs."""
    chosen = rng.sample(facts, k=min(len(facts), rng.randint(1, 3)))
    body = chosen + rng.sample(filler, k=rng.randint(min(5, len(filler)), len(filler)))
    lead, rest = body[0], body[1:]
    rng.shuffle(rest)
    return [lead, *rest]


def article(i: int, rng: random.Random) -> dict[str, Any]:
    """One record; ``i`` makes its id and URL."""
    lang, writer = rng.choices(WRITERS, weights=WEIGHTS)[0]
    year = rng.randint(2016, 2025)
    date = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    title, sentences = writer(rng, year)
    paragraphs: list[str] = []
    while sentences:
        k = rng.randint(1, 3)
        paragraphs.append(" ".join(sentences[:k]))
        sentences = sentences[k:]
    body = "\n".join(paragraphs)
    header = rng.random() < 0.5  # half carry the corpus date header, half a metadata date
    text = f" date {date.isoformat()} {title}\n{body}\n" if header else f"{title}\n{body}\n"
    return {
        "id": f"syn-{i:07d}",
        "url": f"https://news.example.org/{lang}/{date.year}/{i:07d}",
        "date": None if header else date.isoformat(),
        "lang": lang,
        "text": text,
    }


def articles(n: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    for i in range(n):
        yield article(i, rng)


def write_jsonl(path: Path, n: int, seed: int = 1, start: int = 0) -> Path:
    """``n`` records to a JSONL file (ids from ``start``)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as f:
        for i in range(start, start + n):
            f.write(json.dumps(article(i, rng), ensure_ascii=False) + "\n")
    return path
