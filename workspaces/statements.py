"""Reads on every request's path, compiled to SQL once per process and database instead of on every call.

Django builds and compiles a queryset's SQL each time it runs: for the member read of every request (three tables
joined) that is about two thirds of its Python cost, the database's answer the rest. A `CompiledRead` is a
values-list query written once as a function of named parameters; the first call on a database builds it with a
sentinel in place of each parameter and compiles it; every call then runs that SQL with its values in the
sentinels' places, and converts the rows as Django would (the same converters: Decimals, datetimes, booleans on
SQLite). The SQL is the ORM's own, so it is what the plain queryset would have sent.

Only for a query of fixed shape: a parameter is one value (an id, a key; a list only as one array, `AnyOf`: an
`IN` of varying length changes the SQL), and nothing but the parameters changes between calls: a value the build
computes (a `timezone.now()`, a setting) is frozen in the SQL at the first call, so it must be a parameter. Values are sent as given: an id as
an integer, a text as a string (the field's own conversion is not applied again).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import NOT_PROVIDED, ForeignKey, Lookup, Model, QuerySet, signals

M = TypeVar("M", bound=Model)

# A sentinel per parameter: integers no id reaches, distinct from each other and from any other parameter.
_SENTINEL_BASE = -(2**62)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (position in params, parameter name)
    names: tuple[str, ...]  # the columns, in the SQL's order (fields, then annotations)
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]  # (column, converters, expression)


class CompiledRead:
    """`CompiledRead(lambda user_id, workspace_id: Membership.objects.filter(...).values_list(...))`, then
    `read.rows(user_id=4, workspace_id=1)`: a list of tuples (fields first, then annotations), or `read.dicts(...)`."""

    def __init__(self, build: Callable[..., QuerySet], *, lock: str = "") -> None:
        """`lock`: a locking clause appended on PostgreSQL (`FOR UPDATE OF "pos_posinvoice"`: a values query has no
        `select_for_update(of=...)`); SQLite has no row locks, its writers queue."""
        self.build = build
        self.lock = lock
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self, using: str, names: tuple[str, ...]) -> _Compiled:
        sentinels = {name: _SENTINEL_BASE - index for index, name in enumerate(names)}
        queryset = self.build(**sentinels)
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()
        if self.lock and connections[using].vendor == "postgresql":
            sql = f"{sql} {self.lock}"
        # A text field receives the sentinel as text: matched by its digits.
        by_text = {str(value): name for name, value in sentinels.items()}
        slots = tuple(
            (position, by_text[str(value)])
            for position, value in enumerate(params)
            if isinstance(value, (int, str)) and str(value) in by_text
        )
        if {name for _position, name in slots} != set(names):
            raise ValueError(f"Every parameter must reach the SQL as one value: {names}")
        fields = [select[0] for select in compiler.select[: compiler.col_count]]
        converters = tuple(
            (position, tuple(convs), expression)
            for position, (convs, expression) in compiler.get_converters(fields).items()
        )
        query = queryset.query
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
        return _Compiled(sql=sql, params=tuple(params), slots=slots, names=names, converters=converters)

    def rows(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[tuple[Any, ...]]:
        """The rows' values in the SQL's order: the fields, then the annotations (`dicts` names them)."""
        return self._run(using, values)[1]

    def dicts(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[dict[str, Any]]:
        """The rows as `values()` gives them: {column: value}."""
        names, rows = self._run(using, values)
        return [dict(zip(names, row, strict=True)) for row in rows]

    def _run(self, using: str, values: dict[str, Any]) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(using) or self._compile(using, tuple(sorted(values)))
                self._compiled[using] = compiled
        params = list(compiled.params)
        for position, name in compiled.slots:
            params[position] = values[name]
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if not compiled.converters:
            return compiled.names, [tuple(row) for row in rows]
        converted = []
        for row in rows:
            row = list(row)
            for position, convs, expression in compiled.converters:
                value = row[position]
                for converter in convs:
                    value = converter(value, expression, connection)
                row[position] = value
            converted.append(tuple(row))
        return compiled.names, converted


@dataclass(frozen=True)
class _Insert:
    sql: str
    fields: tuple[Any, ...]


_inserts: dict[tuple[type[Model], str], _Insert | None] = {}


def _insert_of(model: type[Model], using: str) -> _Insert | None:
    """The INSERT of a new row of `model` with every concrete column but its auto key, returning the key. None (the
    ORM saves) for what it does not write so: a model with parents, a database default, a key of its own, or a
    database that cannot return the key."""
    key = (model, using)
    if key not in _inserts:
        connection = connections[using]
        opts = model._meta
        fields = tuple(f for f in opts.local_concrete_fields if f is not opts.auto_field and not f.generated)
        returning, _params = connection.ops.return_insert_columns([opts.pk])
        insert = None
        plain = (
            not opts.parents
            and opts.auto_field is opts.pk
            and opts.db_returning_fields == [opts.pk]
            and all(f.db_default is NOT_PROVIDED for f in fields)
        )
        if plain and connection.features.can_return_columns_from_insert and returning:
            quote = connection.ops.quote_name
            columns = ", ".join(quote(f.column) for f in fields)
            values = ", ".join(["%s"] * len(fields))
            insert = _Insert(
                f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES ({values}) {returning}", fields
            )
        _inserts[key] = insert
    return _inserts[key]


def insert(obj: M) -> M:
    """`obj.save(force_insert=True)` for a new row written on a request's path (an event, an idempotency record, a
    line): the same row and values, with the INSERT written once per model and database instead of built by the
    ORM each time (~0.26 ms of Python a row against ~0.12 ms). Each value goes through its field as `save` sends
    it (`pre_save`: `auto_now_add`; `get_db_prep_save`: JSON, bytes, decimals); the key comes back by RETURNING.
    The ORM saves instead where a `pre_save` / `post_save` receiver watches the model, the key is already set or
    the database cannot return it."""
    model = type(obj)
    using = router.db_for_write(model, instance=obj)
    compiled = _insert_of(model, using)
    if (
        compiled is None
        or obj.pk is not None
        or signals.pre_save.has_listeners(model)
        or signals.post_save.has_listeners(model)
    ):
        obj.save(force_insert=True, using=using)
        return obj
    connection = connections[using]
    params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in compiled.fields]
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, params)
        obj.pk = cursor.fetchone()[0]
    obj._state.adding, obj._state.db = False, using
    return obj


def attnames(model: type[Model]) -> list[str]:
    """A model's concrete columns (`store_id`, not `store`), as `Model.from_db` takes them."""
    return [field.attname for field in model._meta.concrete_fields]


def instance(
    model: type[M], names: Sequence[str], values: Sequence[Any], using: str = DEFAULT_DB_ALIAS
) -> M | None:
    """A model instance from a row's slice of its columns (`names`, `attnames(model)`), as the ORM builds it; None
    when the slice is a LEFT JOIN's empty side (no primary key)."""
    if values[names.index(model._meta.pk.attname)] is None:
        return None
    return model.from_db(using, names, values)


@ForeignKey.register_lookup
class AnyOf(Lookup):
    """`invoice_id__any_of=[1, 2, 3]`: `= ANY(%s)` with the ids as one array parameter (PostgreSQL only), so that a
    read of any number of ids has one SQL text and can be a `CompiledRead` (`IN (...)` has a placeholder per id)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value: Any, connection: Any) -> tuple[str, list[Any]]:
        return "%s", [value]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]
