"""The coordination app's pages, one module per area (home, clients, logs, events)."""
