from django.apps import AppConfig


class MentorshipConfig(AppConfig):
    name = "hemonc.mentorship"
    label = "mentorship"
    verbose_name = "Mentorship"
