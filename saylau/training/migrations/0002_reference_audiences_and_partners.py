"""Reference data: the audiences of electoral training and the main partner organisations."""

from django.db import migrations

TEC = ["regional", "territorial"]
# code, kk, ru, en, commission levels, positions
AUDIENCES = [
    ("tec_chairs", "Аумақтық сайлау комиссияларының төрағалары", "Председатели территориальных избирательных комиссий",
     "TEC chairs", TEC, ["chair"]),
    ("tec_members", "Аумақтық сайлау комиссияларының мүшелері", "Члены территориальных избирательных комиссий",
     "TEC members", TEC, []),
    ("district_members", "Округтік сайлау комиссияларының мүшелері", "Члены окружных избирательных комиссий",
     "District commission members", ["district"], []),
    ("precinct_members", "Учаскелік сайлау комиссияларының мүшелері", "Члены участковых избирательных комиссий",
     "Precinct commission members", ["precinct"], []),
    ("trainers", "Тренерлер", "Тренеры", "Trainers", [], []),
    ("civil_servants", "Жергілікті атқарушы органдардың мемлекеттік қызметшілері",
     "Государственные служащие местных исполнительных органов", "Civil servants of local executive bodies", [], []),
    ("judges", "Судьялар", "Судьи", "Judges", [], []),
    ("law_enforcement", "Құқық қорғау органдарының қызметкерлері", "Сотрудники правоохранительных органов",
     "Law enforcement", [], []),
    ("call_centre", "Call-орталық қызметкерлері", "Сотрудники call-центра", "Call-centre staff", [], []),
    ("observers_media", "Байқаушылар, сенім білдірілген адамдар және БАҚ өкілдері",
     "Наблюдатели, доверенные лица и представители СМИ", "Observers, proxies and media", [], []),
    ("young_voters", "Жас және алғаш дауыс беретін сайлаушылар", "Молодые и впервые голосующие избиратели",
     "Young and first-time voters", [], []),
]


def load(apps, schema_editor):
    Audience = apps.get_model("training", "Audience")
    Organisation = apps.get_model("training", "Organisation")
    for order, (code, kk, ru, en, levels, positions) in enumerate(AUDIENCES):
        Audience.objects.update_or_create(code=code, defaults={
            "name_kk": kk, "name_ru": ru, "name_en": en, "commission_levels": levels, "positions": positions,
            "sort_order": order,
        })
    academy, _ = Organisation.objects.update_or_create(short_name="АГУ", defaults={
        "name_kk": "Қазақстан Республикасы Президентінің жанындағы Мемлекеттік басқару академиясы",
        "name_ru": "Академия государственного управления при Президенте Республики Казахстан",
        "name_en": "Academy of Public Administration under the President of the Republic of Kazakhstan",
        "kind": "academy",
    })
    Organisation.objects.update_or_create(short_name="ЭОО", defaults={
        "name_kk": "Электоралдық оқыту орталығы", "name_ru": "Центр электорального обучения",
        "name_en": "Electoral Training Centre", "kind": "academy", "parent": academy,
    })


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
