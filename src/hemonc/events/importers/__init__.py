"""Readers of the session files organizers have; each yields validated rows."""
