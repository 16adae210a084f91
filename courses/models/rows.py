"""Model instances from rows a raw statement already read, and the ids such a statement
takes."""

from django.db import DEFAULT_DB_ALIAS


def as_read(model, **values):
    """A ``model`` instance holding ``values`` (by attname) as a query would have read them:
    its other fields are deferred (loaded from the database on first access), never left
    at their defaults."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(DEFAULT_DB_ALIAS, names, [values[name] for name in names])


def is_row_id(value: int) -> bool:
    """Whether ``value`` can be a row's id: a positive bigint (what the database's functions
    take; any other value names no row)."""
    return 0 < value < 2**63
