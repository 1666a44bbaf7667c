"""create_* component factories; ids.py holds every component id once."""
