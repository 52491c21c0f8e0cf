"""Querysets compiled to SQL once and run again with other ids: for the few queries that every
signed-in page makes (the user, the learner's enrolment and progress).

Building a queryset and compiling it to SQL is Python work that Django repeats on every request:
about half a millisecond for a user by id, many times what SQLite or PostgreSQL take to answer it.
A ``PreparedQuery`` compiles its queryset once per database, with marker ids in place of the real
ones, notes where each marker landed among the SQL's parameters, and keeps the columns' order and
converters the compiler worked out. From then on it runs that SQL with the real ids and makes the
model instances as the ORM's ModelIterable does (each column converted, then ``Model.from_db``):
the same instances, for a fraction of the cost (measured in docs/benchmarks.md).

Only for plain filters on ids (whole numbers, or UUIDs for the names given as ``uuids``) that
select the model's own columns (no ``select_related``, no annotations): the compiled SQL must not
depend on the values, and with ids it does not. A queryset whose parameters are not exactly the
markers is refused when first compiled.
"""

import uuid
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, models

# Marker ids: far above any real id, so a marker found among the parameters is one of ours.
MARKER_BASE = 7_394_000_000_000_001
_UUID_FIELD = models.UUIDField()  # turns a UUID into what the database is sent, as a UUID column does


class PreparedQuery:
    """``PreparedQuery(build, "learner", "module")``, where ``build(learner=..., module=...)``
    returns the queryset; calling it with the real ids returns a list of the same rows' instances.
    Names listed in ``uuids`` take UUIDs (a UUID primary key) instead of whole numbers."""

    def __init__(self, build, *names, uuids=()):
        if not names and not uuids:
            raise ImproperlyConfigured("A prepared query needs the names of its id parameters.")
        self.build = build
        self.names = (*names, *uuids)
        self.uuids = frozenset(uuids)
        self._compiled = {}  # database alias -> Compiled

    def compile(self, using):
        markers = {
            name: uuid.UUID(int=MARKER_BASE + index) if name in self.uuids else MARKER_BASE + index
            for index, name in enumerate(self.names)
        }
        queryset = self.build(**markers)
        if queryset.query.select_related:
            raise ImproperlyConfigured("A prepared query cannot load related objects (select_related).")
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        by_sent_value = {self._sent(name, marker, using): name for name, marker in markers.items()}
        order = [
            by_sent_value.get(param) if isinstance(param, int | str | uuid.UUID) else None for param in params
        ]
        if None in order or set(order) != set(self.names):
            raise ImproperlyConfigured(
                f"The prepared query's SQL parameters {params!r} are not exactly its markers {markers!r}."
            )
        if compiler.klass_info["select_fields"] != list(range(len(compiler.select))):
            raise ImproperlyConfigured("A prepared query selects its model's columns only (no annotations).")
        columns = [expression for expression, _sql, _alias in compiler.select]
        return Compiled(
            model=queryset.model,
            sql=sql,
            order=order,
            attnames=[column.target.attname for column in columns],
            converters=list(compiler.get_converters(columns).items()),
        )

    def _sent(self, name, value, using):
        """What the database is sent for the id ``value`` of parameter ``name``."""
        if name in self.uuids:
            if not isinstance(value, uuid.UUID):
                raise TypeError(f"{name} must be a UUID, not {value!r}.")
            return _UUID_FIELD.get_db_prep_value(value, connections[using])
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be a whole number (an id), not {value!r}.")
        return value

    def __call__(self, *, using=DEFAULT_DB_ALIAS, **ids):
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self.compile(using)
        params = [self._sent(name, ids[name], using) for name in compiled.order]
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        return [compiled.instance(using, connection, row) for row in rows]


@dataclass(frozen=True)
class Compiled:
    """A queryset's SQL and what turns each of its rows into an instance."""

    model: type
    sql: str
    order: list  # the id parameters' names, in the order the SQL takes them
    attnames: list  # the model field of each column
    converters: list  # [(column position, (converter functions, expression))]

    def instance(self, using, connection, row):
        values = list(row)
        for position, (functions, expression) in self.converters:
            value = values[position]
            for convert in functions:
                value = convert(value, expression, connection)
            values[position] = value
        return self.model.from_db(using, self.attnames, values)
