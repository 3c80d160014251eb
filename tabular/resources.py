"""What every spreadsheet import resource shares (django-import-export): its columns, errors
reported by column and spreadsheet row, refused formula cells, the helpers its checks use."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from .spreadsheets import Sheet

REQUIRED = "{column}を入力してください。"
FORMULA_REFUSED = "数式は取り込めません。値だけを入力してください。"


class SheetImportMixin:
    """Mixed into an import-export Resource that reads a `tabular.spreadsheets.Sheet`.

    Subclasses set `required_columns` (the header must have them) and `example_row` (the template's
    columns in order, with an example), and define `row_label(row)` for the preview. A resource
    whose rows name a record by a natural key defines `row_key(row)` and `duplicate_message`: a
    second row with the same key is then an error (it would silently update the first).

    What a row's hooks work out for the later hooks (skip_row, save_instance) is kept in `imported`
    by row number, never on the model instance; `row_number` is the row being imported.
    """

    required_columns: tuple[str, ...] = ()
    example_row: dict[str, str] = {}
    # `{row}` is the spreadsheet row of the first row with the same key.
    duplicate_message = ""

    def __init__(self, *, sheet: Sheet | None = None, **kwargs):
        super().__init__(**kwargs)
        self.sheet = sheet
        self.imported: dict[int, object] = {}
        self.row_number = 0
        self.duplicate_of: dict[int, int] = {}

    @classmethod
    def example(cls) -> dict[str, str]:
        """The template's header and example row."""
        return dict(cls.example_row)

    def columns(self) -> list[str]:
        return [field.column_name for field in self.get_import_fields()]

    def column_of(self, key: str) -> str:
        """The column an error key (a field attribute, a model field or a column) belongs to."""
        if key == NON_FIELD_ERRORS:
            return ""
        for name, field in self.fields.items():
            if key in (name, field.attribute, field.column_name):
                return field.column_name
        return ""

    def sheet_row(self, row_number: int) -> int:
        """The spreadsheet row (the header is row 1) of the import's 1-based row number."""
        return self.sheet.row_numbers[row_number - 1] if self.sheet else row_number + 1

    def row_key(self, row) -> tuple | None:
        """The natural key of the record the row names, or None (then it is no one's duplicate)."""
        return None

    def before_import(self, dataset, **kwargs):
        """Finds rows naming the same record as an earlier row, all in one pass before the rows."""
        super().before_import(dataset, **kwargs)
        first_row_of_key = {}
        for number, values in enumerate(dataset.dict, start=1):
            key = self.row_key(values)
            if key is None:
                continue
            if key in first_row_of_key:
                self.duplicate_of[number] = first_row_of_key[key]
            else:
                first_row_of_key[key] = number

    def check_duplicate(self, errors, attribute: str) -> None:
        """Reports, under the attribute's column, that an earlier row names the same record."""
        first = self.duplicate_of.get(self.row_number)
        if first:
            errors[attribute] = ValidationError(self.duplicate_message.format(row=self.sheet_row(first)))

    def before_import_row(self, row, **kwargs):
        # skip_row() is not told which row it is looking at; the hooks after this one read it here.
        self.row_number = kwargs["row_number"]
        formulas = self.sheet.formula_cells.get(kwargs["row_number"] - 1) if self.sheet else None
        if formulas:
            # Nothing in a formula's cell was read: its result depends on the sheet it came from.
            raise ValidationError(dict.fromkeys(formulas, FORMULA_REFUSED))

    def clean_many(self, field_name, row, errors):
        """Cleans a many-to-many column (import-export only does so when saving)."""
        field = self.fields[field_name]
        if field.column_name not in row:
            return None
        try:
            return field.clean(row)
        except ValueError as error:
            errors[field.attribute] = ValidationError(str(error))
            return None

    def require(self, instance, row, errors, names):
        for name in names:
            field = self.fields[name]
            if field.attribute not in errors and getattr(instance, field.attribute) in (None, ""):
                errors[field.attribute] = ValidationError(REQUIRED.format(column=field.column_name))
