"""Reading uploads and writing exports safely; the code lives in `tabular.spreadsheets`, shared
with the directory's provider import."""
from tabular.spreadsheets import (
    CONTENT_TYPES,
    FORMATS,
    FORMULA_START,
    MAX_ROWS,
    MAX_UNCOMPRESSED_BYTES,
    MAX_UPLOAD_BYTES,
    Sheet,
    UploadError,
    escape_formula,
    export_bytes,
    file_format_of,
    read_upload,
    unescape_formula,
)

__all__ = [
    "CONTENT_TYPES", "FORMATS", "FORMULA_START", "MAX_ROWS", "MAX_UNCOMPRESSED_BYTES", "MAX_UPLOAD_BYTES",
    "Sheet", "UploadError", "escape_formula", "export_bytes", "file_format_of", "read_upload", "unescape_formula",
]
