import datetime, io
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from conftest import make_iin
from saylau.commissions import services, iin as iin_rules
from saylau.commissions.models import Membership, Person, Commission
from saylau.core.models import AuditEntry

def csv_bytes(rows, sep=","):
    return ("\r\n".join(sep.join(r) for r in rows) + "\r\n").encode()

H = ["iin","surname","first_name","commission","position","term_start","term_end"]

def test_seed(world):
    print(Commission.objects.count(), Membership.objects.count(), Person.objects.count())

def test_past_term_end(world):
    c = csv_bytes([H, [make_iin(50), "A", "B", "PEC-19-0001", "member", "", "2020-01-01"]])
    try:
        services.member_import_apply(by=world.admin, filename="a.csv", content=c)
    except Exception as e:
        print("EXC", type(e), e)

def test_future_start(world):
    c = csv_bytes([H, [make_iin(50), "A", "B", "PEC-19-0001", "member", "2030-01-01", ""]])
    for i in range(2):
        p = services.member_import_apply(by=world.admin, filename="a.csv", content=c)
        print(p.summary())
    print(Membership.objects.filter(person__iin=make_iin(50)).count())

def test_blank_first_line(world):
    c = b"\r\n" + csv_bytes([H, [make_iin(50), "A", "B", "PEC-19-0001", "member", "", ""]])
    try:
        p = services.member_import_apply(by=world.admin, filename="a.csv", content=c)
        print(p.summary())
    except Exception as e:
        print("EXC", type(e), e, getattr(e, "plan", None) and e.plan.summary())

def test_bulk(world):
    rows = [H] + [[make_iin(1000+i), "A", "B", "PEC-19-0001", "member", "", ""] for i in range(2000)]
    with CaptureQueriesContext(connection) as ctx:
        p = services.member_import_apply(by=world.admin, filename="a.csv", content=csv_bytes(rows))
    print(p.summary()["rows"], len(ctx.captured_queries), connection.vendor)

def test_bulk_breakdown(world):
    from collections import Counter
    rows = [H] + [[make_iin(1000+i), "A", "B", "PEC-19-0001", "member", "", ""] for i in range(2000)]
    with CaptureQueriesContext(connection) as ctx:
        p = services.member_import_apply(by=world.admin, filename="a.csv", content=csv_bytes(rows))
    print(Counter(q["sql"][:40] for q in ctx.captured_queries))
    print(connection.features.max_query_params)
