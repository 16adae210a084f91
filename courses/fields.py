"""Model fields shared by the apps."""

from django.db import models

from courses.timing import end_of_minute


class DeadlineField(models.DateTimeField):
    """A due time typed to the minute, kept as the last instant of that minute (SPEC, Time).

    Staff type "23:59" in the admin or the course file; students read it as "until
    midnight", so the stored instant is 23:59:59.999999 and 00:00:00 is the first late
    one. Rounded when a model is cleaned (the admin, the course file) and again on every
    save, so no path stores a deadline that ends at the start of its minute.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return end_of_minute(value) if value is not None else None

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value is not None:
            value = end_of_minute(value)
            setattr(model_instance, self.attname, value)
        return value
