"""The database's own functions, as the tests that compare them with their migrations read
them: what PostgreSQL holds (``definition``) and the text between a function's dollar quotes
(``body``)."""

import re

from django.db import connection

_BODY = re.compile(r"\$(?:function)?\$(.*)\$(?:function)?\$", re.DOTALL)


def body(sql: str) -> str:
    """The function's body: the text between its dollar quotes."""
    return _BODY.search(sql).group(1)


def definition(function: str) -> str:
    """``CREATE OR REPLACE FUNCTION …`` as the database holds ``function`` now."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_functiondef(%s::regproc)", [function])
        return cursor.fetchone()[0]
