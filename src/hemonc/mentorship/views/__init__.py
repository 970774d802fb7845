"""Mentorship pages, one module per concept: offers and requests, mentorships and check-ins,
programs, speed mentoring. Each action has its own URL and view."""
