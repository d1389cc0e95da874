"""An answer's JSON text written by PostgreSQL, byte for byte what the renderer writes from the same row.

A list page of a hundred documents with their lines costs most of its time in Python: a dict per row and per line,
their values converted, then encoded. PostgreSQL can write the same text while it reads the rows, for a fraction of
that: a list then selects one text per document and the view hands the texts to the renderer as they are
(`orjson.Fragment`). Each value is written as `workspaces.api.renderers` writes it:

- `text`: a JSON string escaped as the renderer escapes it (`to_json`: `\\"`, `\\\\`, `\\n`..., other controls as
  `\\u00XX`, everything else as is, UTF-8);
- `id_text`: an integer (or UUID) as a string, `"15"`;
- `number`: an amount as its exact literal with no trailing zeros (`trim_scale`: `100`, `3684.78`, `0`), as
  `workspaces.numbers.decimal_literal`;
- `moment`: ISO 8601 in UTC with milliseconds, truncated, and `Z` (`renderers.format_datetime`);
- `day`: `YYYY-MM-DD`; `midnight`: a date as midnight UTC, `YYYY-MM-DDT00:00:00.000Z`;
- `boolean`: `true` / `false`;
- `obj`: an object of such values, keys in the order given, no whitespace (the renderer's compact separators);
- `array`: the JSON texts a subquery selects, in its order, as an array (NULL if one of them is NULL);
- `stored`: a text the database keeps written in a column of the row (a stored generated column), read as it is.

Every value is `null` where the column is NULL. PostgreSQL only: a caller keeps its Python answer for SQLite, and a
test holds the two byte-equal (`tests/workspaces/test_json_sql.py` and each list's own).
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Expression, Func, QuerySet, Subquery, TextField, Value

_TEXT = TextField()
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _value(template: str, expression: Expression | str) -> Func:
    return Func(expression, template=f"COALESCE({template}, 'null')", output_field=_TEXT)


def text(expression: Expression | str) -> Func:
    return _value("to_json((%(expressions)s)::text)::text", expression)


def id_text(expression: Expression | str) -> Func:
    return _value("'\"' || (%(expressions)s)::text || '\"'", expression)


def number(expression: Expression | str) -> Func:
    return _value("trim_scale(%(expressions)s)::text", expression)


def moment(expression: Expression | str) -> Func:
    return _value(
        "'\"' || to_char((%(expressions)s) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') || '\"'",
        expression,
    )


def day(expression: Expression | str) -> Func:
    return _value("'\"' || to_char(%(expressions)s, 'YYYY-MM-DD') || '\"'", expression)


def midnight(expression: Expression | str) -> Func:
    """A date as midnight UTC with milliseconds (`MidnightUtcField`): `"2024-01-15T00:00:00.000Z"`."""
    return _value("'\"' || to_char(%(expressions)s, 'YYYY-MM-DD') || 'T00:00:00.000Z\"'", expression)


def boolean(expression: Expression | str) -> Func:
    return Func(
        expression,
        template="CASE %(expressions)s WHEN true THEN 'true' WHEN false THEN 'false' ELSE 'null' END",
        output_field=_TEXT,
    )


def literal(json_text: str) -> Value:
    """A constant already written as JSON (`null`, `"apiKey"`)."""
    return Value(json_text, output_field=_TEXT)


class JsonObject(Func):
    """`{"key":value,...}` from `(key, JSON text expression)` pairs, in their order."""

    output_field = _TEXT

    def __init__(self, *pairs: tuple[str, Expression]) -> None:
        for key, _expression in pairs:
            if not _KEY.fullmatch(key):
                raise ValueError(f"A JSON key here is a plain name: {key!r}")
        self.keys = tuple(key for key, _expression in pairs)
        super().__init__(*(expression for _key, expression in pairs))

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        parts, params = [], []
        for index, (key, expression) in enumerate(zip(self.keys, self.get_source_expressions(), strict=True)):
            sql, values = compiler.compile(expression)
            opening = "{" if index == 0 else ","
            parts.append(f"'{opening}\"{key}\":' || ({sql})")
            params.extend(values)
        return "(" + " || ".join(parts or ["'{'"]) + " || '}')", params


def obj(*pairs: tuple[str, Expression]) -> JsonObject:
    return JsonObject(*pairs)


class JsonArray(Func):
    """The JSON texts of a subquery (a `values_list` of one JSON text expression, ordered) as one array; `[]` for
    none. NULL where a line's text is NULL (a line its caller cannot write: `array_to_string` would drop it
    silently), for the caller to write that row in Python. `OFFSET 0` keeps the planner from reading the lines
    twice."""

    output_field = _TEXT

    def __init__(self, queryset: QuerySet) -> None:
        super().__init__(Subquery(queryset, output_field=_TEXT))

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        lines_sql, params = compiler.compile(self.get_source_expressions()[0])
        sql = (
            "(SELECT CASE WHEN array_position(lines.texts, NULL) IS NULL "
            "THEN '[' || array_to_string(lines.texts, ',') || ']' END "
            f"FROM (SELECT ARRAY{lines_sql} AS texts OFFSET 0) AS lines)"
        )
        return sql, params


def array(queryset: QuerySet) -> JsonArray:
    """`JsonArray`: an `OuterRef` in `queryset` ties it to the outer row."""
    return JsonArray(queryset)


class Stored(Expression):
    """A text column that the database writes and the model does not declare (a stored generated column, e.g. a
    line's answer kept by `pos/migrations/0009_line_answers.py`), read from the table of the query it is in."""

    output_field = _TEXT

    def __init__(self, column: str) -> None:
        if not _KEY.fullmatch(column):
            raise ValueError(f"A stored column here is a plain name: {column!r}")
        super().__init__()
        self.column = column

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        table = compiler.quote_name_unless_alias(compiler.query.base_table)
        return f"{table}.{connection.ops.quote_name(self.column)}", []


def stored(column: str) -> Stored:
    return Stored(column)


def available() -> bool:
    """Whether this database writes the answers (PostgreSQL); else the caller renders its rows in Python."""
    return connection.vendor == "postgresql"
