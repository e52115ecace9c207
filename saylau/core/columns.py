"""A model's fields as columns of a hand-written SELECT, and the values read back as the ORM would make them.

For the few reads on every request where compiling the ORM's query costs more than running it (the bearer
token's look-up): the SQL is written once, and the row still becomes model instances with the database
backend's and the fields' converters applied (SQLite's naive datetimes made aware, JSON decoded, …)."""

from __future__ import annotations

from django.db import models


class Columns:
    def __init__(self, model: type[models.Model], alias: str, names: list[str] | None = None):
        self.model, self.alias = model, alias
        self.fields = [model._meta.get_field(name) for name in names] if names else list(model._meta.concrete_fields)
        self._converters: dict[str, list] = {}  # per database vendor

    def __len__(self) -> int:
        return len(self.fields)

    def sql(self, connection) -> str:
        return ", ".join(f"{self.alias}.{connection.ops.quote_name(field.column)}" for field in self.fields)

    def values(self, row, connection) -> list:
        """The fields' values from their columns' part of ``row``, converted as the ORM converts them."""
        converters = self._converters.get(connection.vendor)
        if converters is None:
            converters = self._converters[connection.vendor] = [
                (column, connection.ops.get_db_converters(column) + field.get_db_converters(connection))
                for field in self.fields for column in [field.get_col(self.alias)]]
        values = []
        for value, (column, functions) in zip(row, converters, strict=True):
            for function in functions:
                value = function(value, column, connection)
            values.append(value)
        return values

    def instance(self, row, connection) -> models.Model:
        return self.model.from_db(connection.alias, [field.attname for field in self.fields],
                                  self.values(row, connection))
