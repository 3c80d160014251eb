"""`__in` on integer columns ignores numbers no column can hold, as Django's `exact`, `gt`… do.

Django (5.0+) answers `id=99999999999999999999` with no rows, but `id__in=[99999999999999999999]`
reaches the database: SQLite's driver raises OverflowError (a 500) before any SQL runs. Such a
number comes only from a hand-made request (a picker's hidden id, a multiple-choice filter, an admin
filter); it names no row, so it is dropped here, once for every model and form.
"""

from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int) or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)
