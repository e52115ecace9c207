"""Reference data: the CEC, the 20 regions (ISO 3166-2:KZ, the map since June 2022) and one regional TEC each.

Codes: the CEC is ``CEC``; a regional TEC is ``TEC-<nn>`` with the ISO region number.
"""

from django.db import migrations

CEC = {
    "code": "CEC",
    "name_kk": "Қазақстан Республикасының Орталық сайлау комиссиясы",
    "name_ru": "Центральная избирательная комиссия Республики Казахстан",
    "name_en": "Central Election Commission of the Republic of Kazakhstan",
    "address": "Астана",
}

# iso, kk, ru, en, is_city, regional TEC name in kk, ru, en
REGIONS = [
    ("KZ-10", "Абай облысы", "Абайская область", "Abai Region", False,
     "Абай облыстық аумақтық сайлау комиссиясы",
     "Территориальная избирательная комиссия области Абай",
     "Abai Regional Territorial Election Commission"),
    ("KZ-11", "Ақмола облысы", "Акмолинская область", "Akmola Region", False,
     "Ақмола облыстық аумақтық сайлау комиссиясы",
     "Акмолинская областная территориальная избирательная комиссия",
     "Akmola Regional Territorial Election Commission"),
    ("KZ-15", "Ақтөбе облысы", "Актюбинская область", "Aktobe Region", False,
     "Ақтөбе облыстық аумақтық сайлау комиссиясы",
     "Актюбинская областная территориальная избирательная комиссия",
     "Aktobe Regional Territorial Election Commission"),
    ("KZ-19", "Алматы облысы", "Алматинская область", "Almaty Region", False,
     "Алматы облыстық аумақтық сайлау комиссиясы",
     "Алматинская областная территориальная избирательная комиссия",
     "Almaty Regional Territorial Election Commission"),
    ("KZ-23", "Атырау облысы", "Атырауская область", "Atyrau Region", False,
     "Атырау облыстық аумақтық сайлау комиссиясы",
     "Атырауская областная территориальная избирательная комиссия",
     "Atyrau Regional Territorial Election Commission"),
    ("KZ-27", "Батыс Қазақстан облысы", "Западно-Казахстанская область", "West Kazakhstan Region", False,
     "Батыс Қазақстан облыстық аумақтық сайлау комиссиясы",
     "Западно-Казахстанская областная территориальная избирательная комиссия",
     "West Kazakhstan Regional Territorial Election Commission"),
    ("KZ-31", "Жамбыл облысы", "Жамбылская область", "Zhambyl Region", False,
     "Жамбыл облыстық аумақтық сайлау комиссиясы",
     "Жамбылская областная территориальная избирательная комиссия",
     "Zhambyl Regional Territorial Election Commission"),
    ("KZ-33", "Жетісу облысы", "Область Жетісу", "Zhetisu Region", False,
     "Жетісу облыстық аумақтық сайлау комиссиясы",
     "Территориальная избирательная комиссия области Жетісу",
     "Zhetisu Regional Territorial Election Commission"),
    ("KZ-35", "Қарағанды облысы", "Карагандинская область", "Karaganda Region", False,
     "Қарағанды облыстық аумақтық сайлау комиссиясы",
     "Карагандинская областная территориальная избирательная комиссия",
     "Karaganda Regional Territorial Election Commission"),
    ("KZ-39", "Қостанай облысы", "Костанайская область", "Kostanay Region", False,
     "Қостанай облыстық аумақтық сайлау комиссиясы",
     "Костанайская областная территориальная избирательная комиссия",
     "Kostanay Regional Territorial Election Commission"),
    ("KZ-43", "Қызылорда облысы", "Кызылординская область", "Kyzylorda Region", False,
     "Қызылорда облыстық аумақтық сайлау комиссиясы",
     "Кызылординская областная территориальная избирательная комиссия",
     "Kyzylorda Regional Territorial Election Commission"),
    ("KZ-47", "Маңғыстау облысы", "Мангистауская область", "Mangystau Region", False,
     "Маңғыстау облыстық аумақтық сайлау комиссиясы",
     "Мангистауская областная территориальная избирательная комиссия",
     "Mangystau Regional Territorial Election Commission"),
    ("KZ-55", "Павлодар облысы", "Павлодарская область", "Pavlodar Region", False,
     "Павлодар облыстық аумақтық сайлау комиссиясы",
     "Павлодарская областная территориальная избирательная комиссия",
     "Pavlodar Regional Territorial Election Commission"),
    ("KZ-59", "Солтүстік Қазақстан облысы", "Северо-Казахстанская область", "North Kazakhstan Region", False,
     "Солтүстік Қазақстан облыстық аумақтық сайлау комиссиясы",
     "Северо-Казахстанская областная территориальная избирательная комиссия",
     "North Kazakhstan Regional Territorial Election Commission"),
    ("KZ-61", "Түркістан облысы", "Туркестанская область", "Turkistan Region", False,
     "Түркістан облыстық аумақтық сайлау комиссиясы",
     "Туркестанская областная территориальная избирательная комиссия",
     "Turkistan Regional Territorial Election Commission"),
    ("KZ-62", "Ұлытау облысы", "Область Ұлытау", "Ulytau Region", False,
     "Ұлытау облыстық аумақтық сайлау комиссиясы",
     "Территориальная избирательная комиссия области Ұлытау",
     "Ulytau Regional Territorial Election Commission"),
    ("KZ-63", "Шығыс Қазақстан облысы", "Восточно-Казахстанская область", "East Kazakhstan Region", False,
     "Шығыс Қазақстан облыстық аумақтық сайлау комиссиясы",
     "Восточно-Казахстанская областная территориальная избирательная комиссия",
     "East Kazakhstan Regional Territorial Election Commission"),
    ("KZ-71", "Астана қаласы", "город Астана", "Astana City", True,
     "Астана қалалық аумақтық сайлау комиссиясы",
     "Астанинская городская территориальная избирательная комиссия",
     "Astana City Territorial Election Commission"),
    ("KZ-75", "Алматы қаласы", "город Алматы", "Almaty City", True,
     "Алматы қалалық аумақтық сайлау комиссиясы",
     "Алматинская городская территориальная избирательная комиссия",
     "Almaty City Territorial Election Commission"),
    ("KZ-79", "Шымкент қаласы", "город Шымкент", "Shymkent City", True,
     "Шымкент қалалық аумақтық сайлау комиссиясы",
     "Шымкентская городская территориальная избирательная комиссия",
     "Shymkent City Territorial Election Commission"),
]


def load(apps, schema_editor):
    Region = apps.get_model("commissions", "Region")
    Commission = apps.get_model("commissions", "Commission")
    cec, _created = Commission.objects.update_or_create(code=CEC["code"], defaults={**CEC, "level": "cec"})
    for iso, kk, ru, en, is_city, tec_kk, tec_ru, tec_en in REGIONS:
        region, _created = Region.objects.update_or_create(
            iso_code=iso, defaults={"name_kk": kk, "name_ru": ru, "name_en": en, "is_city": is_city}
        )
        Commission.objects.update_or_create(
            code=f"TEC-{iso[3:]}",
            defaults={
                "level": "regional", "parent": cec, "region": region,
                "name_kk": tec_kk, "name_ru": tec_ru, "name_en": tec_en,
            },
        )


def unload(apps, schema_editor):
    Commission = apps.get_model("commissions", "Commission")
    Region = apps.get_model("commissions", "Region")
    Commission.objects.filter(level="regional", code__in=[f"TEC-{r[0][3:]}" for r in REGIONS]).delete()
    Commission.objects.filter(code=CEC["code"]).delete()
    Region.objects.filter(iso_code__in=[r[0] for r in REGIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("commissions", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
