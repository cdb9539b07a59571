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


# =========================================================================== realistic
#
# The "realistic" profile (``articles(n, seed, profile="realistic")``), for the batch
# benchmark. The short articles above are all trade news of 600-1200 characters; an
# archive is longer and sparser. Calibrated on what we have of real articles:
#
# - length: the seed articles of ../shared/corpus/seeds (whole agency articles) run from
#   about 2,000 to 6,500 characters; the dev corpus texts are excerpts cut at 2,000 bytes.
#   Here the body length is drawn from a log-normal with a median of 1,800 characters
#   (10 % below ~950, 10 % above ~3,400, clipped to 300-12,000): about 2,000 characters
#   and 3.4 KB of UTF-8 on average.
# - fact density: the seeds give 3-9 facts each (about 1.9 per 1,000 characters), the dev
#   excerpts about 2.2 per article. An archive also holds economic news without any
#   bilateral figure: 30 % of the articles here have no fact sentence at all; the others
#   have about one per 800 characters (at least one, at most ten), each among filler
#   that holds numbers that are not facts (shares, prices, rates, budgets, population,
#   growth without a level, counts of documents, dates).
# - all six languages of the core (ru, kk, en, uz-Latn, uz-Cyrl, ky), weighted as WEIGHTS.
#
# Each template is a function of a context (random generator, year, reporting country,
# partner) so that every use draws new figures. Every sentence was written for this file.


class _Ctx:
    """What a template needs: the random generator, the article's year and two parties."""

    __slots__ = ("r", "y", "a", "b")

    def __init__(self, r: random.Random, y: int, a: Any, b: Any) -> None:
        self.r, self.y, self.a, self.b = r, y, a, b

    def amt(self, sep: str = ",") -> str:
        return f"{self.r.randint(1, 48)}{sep}{self.r.randint(1, 9)}"

    def n(self, lo: int, hi: int) -> int:
        return self.r.randint(lo, hi)

    def since(self) -> int:
        return self.r.randint(2005, 2015)

    def target(self) -> int:
        return self.r.randint(self.y + 2, 2035)


# Russian: (nominative, instrumental, genitive, "в" + accusative, "из" + genitive)
_RU_MONTHS_GEN = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]

_RU_FACTS = (
    lambda c: (
        f"По итогам {c.y - 1} года товарооборот между {c.a[1]} и {c.b[1]} составил "
        f"{c.amt()} млрд долларов, увеличившись на {c.n(1, 25)},{c.n(1, 9)}%."
    ),
    lambda c: (
        f"За январь–{MONTHS_RU.split()[c.n(2, 10)]} {c.y} года экспорт {c.a[2]} в "
        f"{c.b[3]} достиг {c.n(100, 990)} млн долларов США."
    ),
    lambda c: (
        f"Стороны договорились довести товарооборот между {c.a[1]} и {c.b[1]} до "
        f"{c.n(2, 30)} млрд долларов к {c.target()} году."
    ),
    lambda c: f"В прошлом году импорт {c.b[2]} из {c.a[4]} превысил {c.amt()} млрд долларов.",
    lambda c: (
        f"Прямые инвестиции {c.b[2]} в экономику {c.a[2]} с {c.since()} года превысили "
        f"{c.n(2, 30)} миллиардов долларов."
    ),
    lambda c: (
        f"Объем грузоперевозок между {c.a[1]} и {c.b[1]} по железной дороге в {c.y - 1} "
        f"году вырос на {c.n(2, 15)}% и составил {c.amt()} млн тонн."
    ),
    lambda c: (
        f"Импорт {c.a[2]} из {c.b[4]} за первое полугодие {c.y} года составил около "
        f"{c.n(100, 900)} млн долларов."
    ),
    lambda c: (
        f"Инвестиции {c.a[2]} в экономику {c.b[2]} за {c.y - 1} год составили свыше "
        f"{c.n(50, 900)} млн долларов."
    ),
)
_RU_FILLER = (
    lambda c: f"Об этом сообщила пресс-служба министерства торговли {c.a[2]}.",
    lambda c: "Стороны обсудили развитие транспортных коридоров и логистики.",
    lambda c: f"В ходе встречи было подписано {c.n(3, 40)} документов о сотрудничестве.",
    lambda c: "Особое внимание уделено промышленной кооперации и цифровизации таможенных процедур.",
    lambda c: f"Делегация {c.b[2]} посетила несколько совместных предприятий.",
    lambda c: "Эксперты отмечают, что потенциал взаимной торговли используется не полностью.",
    lambda c: "Следующее заседание межправительственной комиссии пройдет в следующем году.",
    lambda c: "Участники форума также обсудили вопросы энергетики, водных ресурсов и туризма.",
    lambda c: (
        "По словам вице-министра, бизнес двух стран заинтересован в новых инвестиционных проектах."
    ),
    lambda c: "Планируется открытие торгового дома и оптово-распределительного центра на границе.",
    lambda c: f"Министр отметил рост поставок сельскохозяйственной продукции на {c.n(5, 60)}%.",
    lambda c: f"На долю {c.b[2]} приходится {c.n(5, 60)} % внешней торговли {c.a[2]}.",
    lambda c: f"Население {c.a[2]} превысило {c.n(6, 40)} миллионов человек.",
    lambda c: (
        f"Официальный курс доллара США, установленный Нацбанком, составил "
        f"{c.n(400, 530)},{c.n(1, 9)} тенге."
    ),
    lambda c: (
        f"Объем розничной торговли в стране за девять месяцев {c.y} года составил "
        f"{c.amt()} трлн тенге."
    ),
    lambda c: f"Товарооборот {c.a[2]} и {c.b[2]} за год вырос на {c.n(100, 900)} млн долларов.",
    lambda c: f"Цена пшеницы на бирже выросла до {c.n(70, 140)} тыс. тенге за тонну.",
    lambda c: (
        f"Бюджет на {c.y + 1} год предусматривает доходы в размере {c.n(100, 900)} млрд рублей."
    ),
    lambda c: f"Встреча состоялась {c.n(1, 28)} {_RU_MONTHS_GEN[c.n(0, 11)]} {c.y} года в Астане.",
    lambda c: (
        f"В работе форума приняли участие более {c.n(100, 900)} представителей бизнеса "
        f"из {c.n(3, 20)} стран."
    ),
    lambda c: (
        f"Урожай зерна в этом году, по предварительным данным, составит {c.n(10, 25)} млн тонн."
    ),
    lambda c: (
        f"На предприятии работают {c.n(200, 3000)} человек, в том числе "
        f"{c.n(20, 150)} иностранных специалистов."
    ),
)
_RU_TITLES = (
    lambda c: f"Товарооборот {c.a[2]} и {c.b[2]} вырос",
    lambda c: f"{c.a[0]} и {c.b[0]} обсудили торгово-экономическое сотрудничество",
    lambda c: "Межправкомиссия подвела итоги года",
    lambda c: f"Новые логистические проекты {c.a[2]}",
)

# Kazakh: (nominative, genitive, dative, ablative)
KK_FORMS = {
    "CHN": ("Қытай", "Қытайдың", "Қытайға", "Қытайдан"),
    "RUS": ("Ресей", "Ресейдің", "Ресейге", "Ресейден"),
    "UZB": ("Өзбекстан", "Өзбекстанның", "Өзбекстанға", "Өзбекстаннан"),
    "KGZ": ("Қырғызстан", "Қырғызстанның", "Қырғызстанға", "Қырғызстаннан"),
    "TUR": ("Түркия", "Түркияның", "Түркияға", "Түркиядан"),
    "TJK": ("Тәжікстан", "Тәжікстанның", "Тәжікстанға", "Тәжікстаннан"),
    "AZE": ("Әзербайжан", "Әзербайжанның", "Әзербайжанға", "Әзербайжаннан"),
    "DEU": ("Германия", "Германияның", "Германияға", "Германиядан"),
}
_KK_MONTHS = [
    "қаңтар",
    "ақпан",
    "наурыз",
    "сәуір",
    "мамыр",
    "маусым",
    "шілде",
    "тамыз",
    "қыркүйек",
    "қазан",
    "қараша",
    "желтоқсан",
]
_KK_FACTS = (
    lambda c: (
        f"{c.y - 1} жылы Қазақстан мен {c.b[0]} арасындағы тауар айналымы {c.amt()} млрд "
        "доллар болды."
    ),
    lambda c: (
        f"Былтыр Қазақстан мен {c.b[0]} арасындағы тауар айналымы {c.amt()} млрд доллардан асты."
    ),
    lambda c: (
        f"Екі ел {c.target()} жылға дейін Қазақстан мен {c.b[0]} арасындағы тауар "
        f"айналымын {c.n(2, 20)} млрд долларға жеткізуді мақсат етіп отыр."
    ),
    lambda c: (
        f"{c.y} жылдың қаңтар-{_KK_MONTHS[c.n(2, 10)]} айларында Қазақстанның {c.b[2]} "
        f"экспорты {c.amt()} млрд АҚШ долларын құрады."
    ),
    lambda c: f"{c.y - 1} жылы Қазақстанның {c.b[3]} импорты {c.n(100, 900)} млн долларды құрады.",
    lambda c: (
        f"{c.since()} жылдан бері {c.b[0]} Қазақстан экономикасына {c.n(2, 30)} млрд "
        "доллардан астам инвестиция салды."
    ),
    lambda c: (
        f"{c.y - 1} жылы Қазақстан мен {c.b[0]} арасындағы теміржол арқылы жүк тасымалы "
        f"{c.amt()} млн тоннаға жетті."
    ),
)
_KK_FILLER = (
    lambda c: "Бұл туралы Сауда және интеграция министрлігінің баспасөз қызметі хабарлады.",
    lambda c: "Тараптар көлік-логистика саласындағы ынтымақтастықты талқылады.",
    lambda c: f"Кездесу барысында {c.n(3, 30)} құжатқа қол қойылды.",
    lambda c: "Сарапшылардың пікірінше, екі ел арасындағы сауда әлеуеті толық пайдаланылмай отыр.",
    lambda c: "Келесі отырыс алдағы жылы Астанада өтеді.",
    lambda c: "Тараптар өнеркәсіптік кооперацияны дамыту мәселесін қарастырды.",
    lambda c: "Форум қатысушылары энергетика, су ресурстары және туризм мәселелерін де талқылады.",
    lambda c: "Вице-министрдің айтуынша, екі елдің бизнесі жаңа инвестициялық жобаларға мүдделі.",
    lambda c: "Шекарада сауда үйі мен көтерме-тарату орталығын ашу жоспарланып отыр.",
    lambda c: f"Қазақстанның сыртқы саудасындағы {c.b[1]} үлесі {c.n(5, 40)} пайызды құрайды.",
    lambda c: f"Биржада бидайдың бағасы тоннасына {c.n(70, 140)} мың теңгеге дейін көтерілді.",
    lambda c: (
        f"Ұлттық банк АҚШ долларының ресми бағамын {c.n(400, 530)},{c.n(1, 9)} теңге "
        "деңгейінде белгіледі."
    ),
    lambda c: (
        f"{c.y} жылдың тоғыз айында елдегі бөлшек сауда көлемі {c.amt()} трлн теңгені құрады."
    ),
    lambda c: (
        f"Қазақстан мен {c.b[0]} арасындағы тауар айналымы {c.y - 1} жылы "
        f"{c.n(2, 30)} пайызға өсті."
    ),
    lambda c: (
        f"{c.y + 1} жылға арналған республикалық бюджеттің кірістері {c.amt()} трлн "
        "теңге көлемінде бекітілді."
    ),
    lambda c: f"Кәсіпорында {c.n(200, 3000)} адам жұмыс істейді.",
)
_KK_TITLES = (
    lambda c: f"Қазақстан мен {c.b[0]} арасындағы сауда өсті",
    lambda c: f"Қазақстан мен {c.b[0]} ынтымақтастықты талқылады",
    lambda c: "Үкіметаралық комиссия жыл қорытындысын шығарды",
)

EN_MONTHS = MONTHS_EN.split()
_EN_FACTS = (
    lambda c: (
        f"Trade turnover between {c.a} and {c.b} reached ${c.amt('.')} billion in "
        f"{c.y - 1}, up {c.n(2, 30)}% year on year."
    ),
    lambda c: (
        f"In January-{EN_MONTHS[c.n(2, 10)]} {c.y}, {c.a}'s exports to {c.b} amounted to "
        f"US${c.n(100, 990)} million."
    ),
    lambda c: (
        f"The two presidents set a goal of raising trade between {c.a} and {c.b} to "
        f"${c.n(2, 30)} billion by {c.target()}."
    ),
    lambda c: f"Last year, bilateral trade between {c.a} and {c.b} exceeded ${c.amt('.')} billion.",
    lambda c: (
        f"Since {c.since()}, {c.b} has invested more than ${c.n(2, 30)} billion in {c.a}'s economy."
    ),
    lambda c: (
        f"Rail freight between {c.a} and {c.b} rose {c.n(2, 15)}% to {c.amt('.')} "
        f"million tonnes in {c.y - 1}."
    ),
    lambda c: (
        f"{c.a}'s imports from {c.b} totalled about ${c.n(100, 900)} million in the "
        f"first half of {c.y}."
    ),
)
_EN_FILLER = (
    lambda c: "The ministry of trade said the sides discussed transport corridors and logistics.",
    lambda c: f"During the visit, the delegations signed {c.n(3, 40)} cooperation documents.",
    lambda c: "Analysts say the potential of mutual trade is still far from fully used.",
    lambda c: "The next meeting of the intergovernmental commission will take place next year.",
    lambda c: "Both governments pledged to simplify customs procedures at the border.",
    lambda c: f"Officials also visited {c.n(2, 9)} joint ventures in the industrial zone.",
    lambda c: "Forum participants also discussed energy, water resources and tourism.",
    lambda c: "According to the deputy minister, businesses in both countries want new projects.",
    lambda c: "A trading house and a wholesale distribution centre are planned near the border.",
    lambda c: f"{c.b} accounts for {c.n(5, 60)}% of {c.a}'s foreign trade.",
    lambda c: f"Wheat prices in {c.a} rose to {c.n(70, 140)},000 tenge per tonne.",
    lambda c: f"{c.a}'s population exceeded {c.n(6, 40)} million people in {c.y - 1}.",
    lambda c: (
        f"The National Bank set the official US dollar rate at {c.n(400, 530)}.{c.n(1, 9)} tenge."
    ),
    lambda c: (
        f"Retail trade in {c.a} amounted to {c.amt('.')} trillion tenge in January-September {c.y}."
    ),
    lambda c: f"Trade between {c.a} and {c.b} grew by {c.n(2, 30)}% in {c.y - 1}.",
    lambda c: f"The meeting took place in Astana on {EN_MONTHS[c.n(0, 11)]} {c.n(1, 28)}, {c.y}.",
    lambda c: (
        f"The plant employs {c.n(200, 3000)} people and plans to hire {c.n(20, 150)} "
        "more next year."
    ),
)
_EN_TITLES = (
    lambda c: f"{c.a} and {c.b} trade grows",
    lambda c: f"{c.a}, {c.b} discuss economic cooperation",
    lambda c: "Intergovernmental commission sums up the year",
)

# Uzbek (Latin): nominative; genitive, dative, ablative add -ning, -ga, -dan
_UZL_MONTHS = [
    "yanvar",
    "fevral",
    "mart",
    "aprel",
    "may",
    "iyun",
    "iyul",
    "avgust",
    "sentabr",
    "oktabr",
    "noyabr",
    "dekabr",
]
_UZL_FACTS = (
    lambda c: (
        f"{c.y - 1}-yilda Oʻzbekiston va {c.b} oʻrtasidagi tovar ayirboshlash hajmi "
        f"{c.amt()} mlrd dollarni tashkil etdi."
    ),
    lambda c: (
        f"Oʻtgan yili Oʻzbekiston va {c.b} oʻrtasidagi savdo aylanmasi {c.amt()} mlrd "
        "dollardan oshdi."
    ),
    lambda c: (
        f"{c.y - 1}-yilda Oʻzbekistonning {c.b}ga eksporti {c.n(100, 900)} mln dollarni "
        "tashkil etdi."
    ),
    lambda c: (
        f"{c.y - 1}-yilda Oʻzbekistonning {c.b}dan importi qariyb {c.amt()} mlrd "
        "dollarni tashkil etdi."
    ),
    lambda c: (
        f"Joriy yilning yanvar-{_UZL_MONTHS[c.n(2, 10)]} oylarida Oʻzbekiston {c.b}ga "
        f"{c.n(20, 900)} ming tonna meva-sabzavot eksport qildi."
    ),
    lambda c: (
        f"{c.since()}-yildan buyon {c.b} kompaniyalari Oʻzbekiston iqtisodiyotiga "
        f"{c.n(2, 20)} mlrd dollardan ortiq sarmoya kiritgan."
    ),
    lambda c: (
        f"{c.y - 1}-yilda Oʻzbekiston va {c.b} oʻrtasida temir yoʻl orqali yuk tashish "
        f"hajmi {c.amt()} mln tonnani tashkil etdi."
    ),
)
_UZL_FILLER = (
    lambda c: "Bu haqda Investitsiyalar va tashqi savdo vazirligi matbuot xizmati xabar berdi.",
    lambda c: "Tomonlar transport va logistika sohasidagi hamkorlikni muhokama qildi.",
    lambda c: f"Uchrashuv yakunida {c.n(3, 30)} ta hujjat imzolandi.",
    lambda c: "Ekspertlar ikki mamlakat savdo salohiyati toʻliq ishlatilmayotganini taʼkidlamoqda.",
    lambda c: "Hukumatlararo komissiyaning navbatdagi yigʻilishi kelgusi yilda boʻlib oʻtadi.",
    lambda c: (
        "Forum ishtirokchilari energetika, suv resurslari va turizm masalalarini ham koʻrib chiqdi."
    ),
    lambda c: (
        "Vazir oʻrinbosarining soʻzlariga koʻra, ikki mamlakat biznesi yangi loyihalarga "
        "qiziqmoqda."
    ),
    lambda c: "Chegarada savdo uyi va ulgurji tarqatish markazini ochish rejalashtirilgan.",
    lambda c: f"{c.b} Oʻzbekiston tashqi savdosining {c.n(5, 40)} foizini egallaydi.",
    lambda c: f"Toshkentda bir kilogramm goʻshtning narxi {c.n(80, 140)} ming soʻmga yetdi.",
    lambda c: (
        f"Markaziy bank dollarning rasmiy kursini {c.n(10, 13)} {c.n(100, 999)} soʻm "
        "etib belgiladi."
    ),
    lambda c: (
        f"Joriy yilning toʻqqiz oyida chakana savdo aylanmasi {c.n(100, 400)} trln "
        "soʻmni tashkil etdi."
    ),
    lambda c: (
        f"Oʻzbekiston va {c.b} oʻrtasidagi savdo aylanmasi {c.y - 1}-yilda "
        f"{c.n(2, 30)} foizga oʻsdi."
    ),
    lambda c: f"Oʻzbekiston aholisi soni {c.n(33, 38)},{c.n(1, 9)} million kishidan oshdi.",
)
_UZL_TITLES = (
    lambda c: f"Oʻzbekiston va {c.b} savdosi oʻsdi",
    lambda c: f"Oʻzbekiston va {c.b} hamkorlikni muhokama qildi",
)

# Uzbek (Cyrillic): nominative; genitive, dative, ablative add -нинг, -га, -дан
_UZC_FACTS = (
    lambda c: (
        f"{c.y - 1} йилда Ўзбекистон ва {c.b} ўртасидаги товар айирбошлаш ҳажми "
        f"{c.amt()} млрд долларни ташкил этди."
    ),
    lambda c: (
        f"Ўтган йили Ўзбекистон ва {c.b} ўртасидаги товар айланмаси тахминан {c.amt()} "
        "млрд долларни ташкил этди."
    ),
    lambda c: (
        f"{c.y - 1} йилда Ўзбекистоннинг {c.b}га экспорти {c.amt()} млрд доллардан ортиқ бўлди."
    ),
    lambda c: (
        f"Ўзбекистоннинг {c.b}дан импорти {c.y - 1} йилда қарийб {c.n(100, 900)} млн "
        "долларни ташкил этди."
    ),
    lambda c: f"{c.y - 1} йилда Ўзбекистон {c.b}дан {c.amt()} миллион тонна буғдой импорт қилди.",
    lambda c: (
        f"{c.b} компаниялари {c.y - 1} йилда Ўзбекистон иқтисодиётига {c.n(50, 900)} млн "
        "доллар инвестиция киритди."
    ),
    lambda c: (
        f"{c.y - 1} йилда Ўзбекистон ва {c.b} ўртасида темир йўл орқали юк ташиш ҳажми "
        f"{c.amt()} млн тоннани ташкил этди."
    ),
)
_UZC_FILLER = (
    lambda c: "Бу ҳақда Инвестициялар ва ташқи савдо вазирлиги матбуот хизмати хабар берди.",
    lambda c: "Томонлар транспорт ва логистика соҳасидаги ҳамкорликни муҳокама қилди.",
    lambda c: f"Учрашув якунида {c.n(3, 30)} та ҳужжат имзоланди.",
    lambda c: "Мутахассислар савдо салоҳияти тўлиқ ишлатилмаётганини таъкидламоқда.",
    lambda c: "Ҳукуматлараро комиссиянинг навбатдаги йиғилиши келгуси йилда бўлиб ўтади.",
    lambda c: (
        "Форум иштирокчилари энергетика, сув ресурслари ва туризм масалаларини ҳам кўриб чиқди."
    ),
    lambda c: (
        "Вазир ўринбосарининг сўзларига кўра, икки мамлакат бизнеси янги лойиҳаларга қизиқмоқда."
    ),
    lambda c: "Чегарада савдо уйи ва улгуржи тарқатиш марказини очиш режалаштирилган.",
    lambda c: f"{c.b} Ўзбекистон ташқи савдосининг {c.n(5, 40)} фоизини эгаллайди.",
    lambda c: f"Тошкент бозорларида бир килограмм гўштнинг нархи {c.n(80, 140)} минг сўмга етди.",
    lambda c: (
        f"Марказий банк долларнинг расмий курсини {c.n(10, 13)} {c.n(100, 999)} сўм этиб белгилади."
    ),
    lambda c: (
        f"Жорий йилнинг тўққиз ойида чакана савдо айланмаси {c.n(100, 400)} трлн сўмни ташкил этди."
    ),
    lambda c: (
        f"Ўзбекистон ва {c.b} ўртасидаги товар айланмаси {c.y - 1} йилда {c.n(2, 30)} фоизга ўсди."
    ),
    lambda c: f"Ўзбекистон аҳолиси сони {c.n(33, 38)},{c.n(1, 9)} миллион кишидан ошди.",
)
_UZC_TITLES = (
    lambda c: f"Ўзбекистон ва {c.b} савдоси ўсди",
    lambda c: f"Ўзбекистон ва {c.b} ҳамкорликни муҳокама қилди",
)

# Kyrgyz: (nominative, genitive, dative, ablative)
KY_FORMS = {
    "KAZ": ("Казакстан", "Казакстандын", "Казакстанга", "Казакстандан"),
    "CHN": ("Кытай", "Кытайдын", "Кытайга", "Кытайдан"),
    "UZB": ("Өзбекстан", "Өзбекстандын", "Өзбекстанга", "Өзбекстандан"),
    "TUR": ("Түркия", "Түркиянын", "Түркияга", "Түркиядан"),
    "RUS": ("Россия", "Россиянын", "Россияга", "Россиядан"),
    "TJK": ("Тажикстан", "Тажикстандын", "Тажикстанга", "Тажикстандан"),
}
_KY_FACTS = (
    lambda c: (
        f"{c.y - 1}-жылы Кыргызстандын {c.b[0]} менен соода жүгүртүүсү {c.amt()} млрд "
        "долларды түздү."
    ),
    lambda c: (
        f"Кыргызстандын {c.b[0]} менен соода жүгүртүүсү {c.y - 2}-жылы {c.amt()} миллиард "
        "доллардан ашты."
    ),
    lambda c: f"{c.y - 1}-жылы Кыргызстандын {c.b[2]} экспорту {c.n(20, 900)} млн долларды түздү.",
    lambda c: (
        f"{c.y - 1}-жылы Кыргызстандын {c.b[3]} импорту {c.amt()} млрд доллардан ашуун болду."
    ),
    lambda c: (
        f"{c.since()}-жылдан бери {c.b[0]} Кыргызстандын экономикасына {c.n(1, 9)} млрд "
        "доллардан ашуун инвестиция салды."
    ),
    lambda c: (
        f"{c.y - 1}-жылы Кыргызстан менен {c.b[1]} ортосундагы жүк ташуу көлөмү "
        f"{c.amt()} млн тоннага жетти."
    ),
    lambda c: (
        f"Өткөн жылы Кыргызстандын {c.b[2]} экспорту болжол менен {c.n(20, 900)} млн "
        "долларды түздү."
    ),
)
_KY_FILLER = (
    lambda c: "Бул тууралуу Экономика жана коммерция министрлигинин басма сөз кызматы билдирди.",
    lambda c: "Тараптар транспорт жана логистика тармагындагы кызматташтыкты талкуулашты.",
    lambda c: f"Жолугушуунун жыйынтыгында {c.n(3, 30)} документке кол коюлду.",
    lambda c: "Эксперттердин пикиринде, соода мүмкүнчүлүктөрү толук пайдаланылбай жатат.",
    lambda c: "Өкмөттөр аралык комиссиянын кийинки жыйыны келерки жылы өтөт.",
    lambda c: (
        "Форумдун катышуучулары энергетика, суу ресурстары жана туризм маселелерин да карашты."
    ),
    lambda c: "Вице-министрдин айтымында, эки өлкөнүн бизнеси жаңы долбоорлорго кызыкдар.",
    lambda c: "Чек арада соода үйүн жана дүң бөлүштүрүү борборун ачуу пландалууда.",
    lambda c: f"{c.b[0]} Кыргызстандын тышкы соодасынын {c.n(5, 40)} пайызын ээлейт.",
    lambda c: (
        f"Бишкекте ун баасы 50 килограммга {c.n(1, 2)} {c.n(100, 999)} сомго чейин көтөрүлдү."
    ),
    lambda c: (
        f"Улуттук банк АКШ долларынын расмий курсун {c.n(84, 89)},{c.n(10, 99)} сом "
        "деңгээлинде белгиледи."
    ),
    lambda c: (
        f"{c.y}-жылдын тогуз айында Кыргызстанда чекене соода жүгүртүү "
        f"{c.n(200, 600)} млрд сомду түздү."
    ),
    lambda c: f"Кыргызстандын калкынын саны {c.n(6, 7)},{c.n(1, 9)} миллион адамдан ашты.",
    lambda c: (
        f"{c.y - 1}-жылы Кыргызстан менен {c.b[1]} соода жүгүртүүсү {c.n(2, 30)} пайызга өстү."
    ),
)
_KY_TITLES = (
    lambda c: f"Кыргызстандын {c.b[0]} менен соодасы өстү",
    lambda c: f"Кыргызстан менен {c.b[0]} кызматташтыкты талкуулашты",
)


def _ru_ctx(r: random.Random, y: int) -> _Ctx:
    a, b = _pair(r, RU)
    return _Ctx(r, y, RU[a], RU[b])


def _kk_ctx(r: random.Random, y: int) -> _Ctx:
    return _Ctx(r, y, None, KK_FORMS[r.choice(sorted(KK_FORMS))])


def _en_ctx(r: random.Random, y: int) -> _Ctx:
    a, b = _pair(r, EN)
    return _Ctx(r, y, EN[a], EN[b])


def _uzl_ctx(r: random.Random, y: int) -> _Ctx:
    _, b = _pair(r, UZL, "UZB")
    return _Ctx(r, y, None, UZL[b])


def _uzc_ctx(r: random.Random, y: int) -> _Ctx:
    _, b = _pair(r, UZC, "UZB")
    return _Ctx(r, y, None, UZC[b])


def _ky_ctx(r: random.Random, y: int) -> _Ctx:
    return _Ctx(r, y, None, KY_FORMS[r.choice(sorted(KY_FORMS))])


#: language -> (context maker, titles, fact templates, filler templates)
REALISTIC = {
    "ru": (_ru_ctx, _RU_TITLES, _RU_FACTS, _RU_FILLER),
    "kk": (_kk_ctx, _KK_TITLES, _KK_FACTS, _KK_FILLER),
    "en": (_en_ctx, _EN_TITLES, _EN_FACTS, _EN_FILLER),
    "uz-Latn": (_uzl_ctx, _UZL_TITLES, _UZL_FACTS, _UZL_FILLER),
    "uz-Cyrl": (_uzc_ctx, _UZC_TITLES, _UZC_FACTS, _UZC_FILLER),
    "ky": (_ky_ctx, _KY_TITLES, _KY_FACTS, _KY_FILLER),
}
#: the body length (characters): log-normal around this median
MEDIAN_CHARS = 1800
LENGTH_SIGMA = 0.5
MIN_CHARS, MAX_CHARS = 300, 12_000
#: share of articles with no fact sentence; characters per fact sentence in the others
NO_FACT_SHARE = 0.30
CHARS_PER_FACT = 800


def realistic_article(i: int, rng: random.Random) -> dict[str, Any]:
    """One record of the realistic profile (see the notes above); ``i`` makes id and URL."""
    lang = rng.choices(list(REALISTIC), weights=WEIGHTS)[0]
    make, titles, fact_templates, filler = REALISTIC[lang]
    year = rng.randint(2016, 2025)
    date = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    c = make(rng, year)
    target = min(MAX_CHARS, max(MIN_CHARS, int(rng.lognormvariate(0, LENGTH_SIGMA) * MEDIAN_CHARS)))
    if rng.random() < NO_FACT_SHARE:
        k = 0
    else:
        k = min(10, max(1, round(target / CHARS_PER_FACT * rng.uniform(0.6, 1.4))))
    facts = [rng.choice(fact_templates)(c) for _ in range(k)]
    size = sum(len(s) + 1 for s in facts)
    rest: list[str] = []
    fresh: list[Any] = []
    while size < target:
        if not fresh:  # each filler once before any repeats
            fresh = list(filler)
            rng.shuffle(fresh)
        sentence = fresh.pop()(c)
        rest.append(sentence)
        size += len(sentence) + 1
    rest += facts[1:]
    rng.shuffle(rest)
    sentences = facts[:1] + rest  # a trade article leads with a figure
    paragraphs: list[str] = []
    while sentences:
        n = rng.randint(1, 4)
        paragraphs.append(" ".join(sentences[:n]))
        sentences = sentences[n:]
    title = rng.choice(titles)(c)
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


PROFILES = {"short": article, "realistic": realistic_article}


def records(n: int, seed: int = 1, profile: str = "short", start: int = 0) -> Iterator[dict]:
    """``n`` records of a profile (``short``: ``article``; ``realistic``), ids from ``start``."""
    make = PROFILES[profile]
    rng = random.Random(seed)
    for i in range(start, start + n):
        yield make(i, rng)


def write_profile_jsonl(
    path: Path, n: int, seed: int = 1, profile: str = "realistic", start: int = 0
) -> Path:
    """``n`` records of a profile to a JSONL file, streamed (any ``n`` in little memory)."""
    with path.open("w", encoding="utf-8") as f:
        lines: list[str] = []
        for rec in records(n, seed, profile, start):
            lines.append(json.dumps(rec, ensure_ascii=False))
            if len(lines) >= 1000:
                f.write("\n".join(lines) + "\n")
                lines = []
        if lines:
            f.write("\n".join(lines) + "\n")
    return path
