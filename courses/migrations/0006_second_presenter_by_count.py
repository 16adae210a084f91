"""A second presenter is one who joins a reading that already has a presenter.

Migration 0004 judged "second seat" by the seat number. Seats can be freed in any
order: once every reading was taken and a second presenter joined X (seat 2),
the first presenters of X and Y could withdraw; a new claim then took X's free
seat 1, and X had two presenters while Y was free. Now any claim on a reading
that already has an active claim is refused (SC003) while a claimable reading
is free, whatever its seat number.
"""

import importlib

from django.db import migrations

_0004 = importlib.import_module("courses.migrations.0004_claim_invariants_trigger")
OLD_FUNCTION = _0004.FORWARDS.split("CREATE TRIGGER")[0]
NEW_FUNCTION = OLD_FUNCTION.replace(
    "    IF NEW.seat > 1 THEN\n",
    "    IF taken >= 1 THEN  -- the reading has a presenter: this would be a second one\n",
).replace(
    "'claim refused: seat % while reading % is still free',\n                NEW.seat,",
    "'claim refused: a second presenter (seat %) while reading % is still free',\n"
    "                NEW.seat,",
)
assert NEW_FUNCTION.count("IF taken >= 1 THEN") == 1, "0004's function text changed"


class Migration(migrations.Migration):
    dependencies = [("courses", "0005_claim_glance_function")]

    operations = [migrations.RunSQL(NEW_FUNCTION, OLD_FUNCTION)]
