"""Tables as people make them: safe spreadsheet uploads, escaped exports, dates as typed, the
dry-run import flow. Shared by `directory` and `coordination`; imports nothing of ours."""
