"""Small helpers every app may use: model updates, service errors on forms, kana folding.

Imports nothing of ours, so any app can depend on it.
"""
