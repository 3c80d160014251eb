"""The upload form every spreadsheet import uses."""

from collections.abc import Iterable

from django import forms

from .spreadsheets import MAX_UPLOAD_BYTES, UploadError, file_format_of, read_upload


class SpreadsheetUploadForm(forms.Form):
    """What to import (one of `kinds`) and the file; a file that cannot be read is refused here
    with the reason, in Japanese.

    A valid form's cleaned data holds the kind's identifier as `kind`, and the file's `name`,
    `file_format` and `content`.
    """

    kind = forms.ChoiceField(
        label="取り込むもの",
        widget=forms.RadioSelect,
        error_messages={
            "required": "取り込むものを選んでください。",
            "invalid_choice": "取り込むものを選んでください。",
        },
    )
    file = forms.FileField(
        label="ファイル",
        help_text="Excel（.xlsx）または CSV（.csv）、5MBまで",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={"required": "ファイルを選んでください。", "empty": "ファイルが空です。"},
    )

    def __init__(self, *args, kinds: Iterable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind.identifier, kind.verbose_name) for kind in kinds]

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is None:
            return data
        if upload.size > MAX_UPLOAD_BYTES:
            self.add_error("file", "ファイルが大きすぎます。5MB以下のファイルにしてください。")
            return data
        content = upload.read()
        try:
            read_upload(upload.name, content)
        except UploadError as error:
            self.add_error("file", str(error))
            return data
        data.update(name=upload.name, file_format=file_format_of(upload.name), content=content)
        return data
