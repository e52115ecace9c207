"""A hand-written SELECT read back through ``Columns`` gives what the ORM gives."""

import pytest
from django.db import connection

from saylau.core.audit import audit
from saylau.core.columns import Columns
from saylau.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_values_read_by_hand_become_the_instance_the_orm_reads(world):
    entry = audit(actor=world.admin, action="test.read", obj=world.member1,
                  changes={"surname": "Омарова", "numbers": [1, 2.5], "nested": {"a": None}})
    columns = Columns(AuditEntry, "e")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns.sql(connection)} FROM {AuditEntry._meta.db_table} e WHERE e.id = %s",
                       [entry.pk])
        read = columns.instance(cursor.fetchone(), connection)
    stored = AuditEntry.objects.get(pk=entry.pk)
    for field in AuditEntry._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(stored, field.attname), field.name
    assert read.at.tzinfo is not None and read.changes["numbers"] == [1, 2.5]
    assert not read._state.adding and read._state.db == connection.alias


def test_some_fields_only(world):
    entry = audit(actor=world.admin, action="test.some", obj=world.member1)
    columns = Columns(AuditEntry, "e", ["id", "at"])
    assert len(columns) == 2
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns.sql(connection)} FROM {AuditEntry._meta.db_table} e WHERE e.id = %s",
                       [entry.pk])
        assert columns.values(cursor.fetchone(), connection) == [entry.pk, AuditEntry.objects.get(pk=entry.pk).at]
