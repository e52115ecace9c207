"""Reference data: the topic tree (the stages of an election) and the legal acts items cite."""

from django.db import migrations

# code, kk, ru, en — the order is the order of an election campaign (../shared/domain.md, "Testing").
TOPICS = [
    ("legal-framework", "Құқықтық негіз және сайлау органдары", "Правовая основа и избирательные органы",
     "Legal framework and election bodies"),
    ("commission-work", "Комиссия жұмысы және шешімдері", "Работа комиссии и её решения",
     "Commission work and decisions"),
    ("voter-lists", "Сайлаушылар тізімі", "Списки избирателей", "Voter lists"),
    ("nomination", "Кандидаттар мен партиялық тізімдерді ұсыну және тіркеу",
     "Выдвижение и регистрация кандидатов и партийных списков",
     "Nomination and registration of candidates and party lists"),
    ("campaigning", "Сайлауалды үгіт және БАҚ", "Предвыборная агитация и СМИ", "Campaigning and the media"),
    ("campaign-finance", "Сайлау қорлары және қаржыландыру", "Избирательные фонды и финансирование",
     "Campaign finance"),
    ("polling-station", "Сайлау учаскесін дайындау", "Подготовка избирательного участка",
     "Preparation of the polling station"),
    ("observers", "Дауыс беру күніндегі байқаушылар, сенім білдірілген адамдар және БАҚ",
     "Наблюдатели, доверенные лица и СМИ в день голосования", "Observers, proxies and the media on voting day"),
    ("voting", "Дауыс беру тәртібі (мерзімінен бұрын, жылжымалы жәшік, шетелде)",
     "Порядок голосования (досрочное, переносной ящик, за рубежом)",
     "Voting procedure (early, mobile ballot box, abroad)"),
    ("counting", "Дауыстарды санау, қорытындылау, хаттамалар", "Подсчёт голосов, подведение итогов, протоколы",
     "Counting and tabulation, protocols"),
    ("complaints", "Шағымдар және жауапкершілік", "Жалобы и ответственность", "Complaints and liability"),
    ("emergencies", "Ерекше және төтенше жағдайлар", "Нештатные и чрезвычайные ситуации",
     "Abnormal and emergency situations"),
    ("referendum", "Референдумның ерекшеліктері", "Особенности референдума", "Referendum specifics"),
    ("data-protection", "Дербес деректерді қорғау және ақпараттық қауіпсіздік",
     "Защита персональных данных и информационная безопасность",
     "Personal data protection and information security"),
    ("public-communication", "Жұртшылықпен және әлеуметтік желілермен жұмыс",
     "Работа с населением и социальными сетями", "Working with the public and social media"),
]

ACTS = [
    ("constitution", "Қазақстан Республикасының Конституциясы", "Конституция Республики Казахстан",
     "Constitution of the Republic of Kazakhstan"),
    ("elections", "«Қазақстан Республикасындағы сайлау туралы» Конституциялық заң",
     "Конституционный закон «О выборах в Республике Казахстан»",
     'Constitutional Law "On Elections in the Republic of Kazakhstan"'),
    ("referendum", "«Республикалық референдум туралы» Конституциялық заң",
     "Конституционный закон «О республиканском референдуме»",
     'Constitutional Law "On the Republican Referendum"'),
    ("personal-data", "«Дербес деректер және оларды қорғау туралы» Заң",
     "Закон «О персональных данных и их защите»", 'Law "On Personal Data and Their Protection"'),
    ("administrative-code", "Әкімшілік құқық бұзушылық туралы кодекс", "Кодекс об административных правонарушениях",
     "Code of Administrative Offences"),
    ("criminal-code", "Қылмыстық кодекс", "Уголовный кодекс", "Criminal Code"),
]


def load(apps, schema_editor):
    Topic = apps.get_model("assessment", "Topic")
    LegalAct = apps.get_model("assessment", "LegalAct")
    for order, (code, kk, ru, en) in enumerate(TOPICS):
        Topic.objects.update_or_create(code=code, defaults={
            "name_kk": kk, "name_ru": ru, "name_en": en, "sort_order": order})
    for code, kk, ru, en in ACTS:
        LegalAct.objects.update_or_create(code=code, defaults={"title_kk": kk, "title_ru": ru, "title_en": en})


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
