"""Writes on follow-ups: created, closed with an outcome, reopened, reassigned, moved."""
