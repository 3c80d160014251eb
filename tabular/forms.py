"""The upload form every spreadsheet import uses."""
from django import forms

from .spreadsheets import MAX_UPLOAD_BYTES, UploadError, file_format_of, read_upload


class SpreadsheetUploadForm(forms.Form):
    """The file; one that cannot be read is refused here with the reason, in Japanese.

    A valid form's cleaned data also holds the file's `name`, `file_format` and `content`.
    """

    file = forms.FileField(
        label="ファイル",
        help_text="Excel（.xlsx）または CSV（.csv）、5MBまで",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={"required": "ファイルを選んでください。", "empty": "ファイルが空です。"},
    )

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
