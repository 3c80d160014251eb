"""The deterministic demo office (`manage.py load_demo`): its users, clients, logs, events and providers."""
