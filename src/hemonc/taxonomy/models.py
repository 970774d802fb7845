"""Topics (by hashtag) and career paths that members, sessions and posts are tagged with."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower

from hemonc.core.models import TimeStampedModel
from hemonc.taxonomy.enums import TopicKind


class Topic(TimeStampedModel):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    hashtag = models.CharField(
        max_length=60, blank=True, help_text="Without the #, in its usual capitalization."
    )
    kind = models.CharField(max_length=20, choices=TopicKind.choices, default=TopicKind.OTHER)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("hashtag"),
                name="taxonomy_topic_unique_hashtag",
                condition=~models.Q(hashtag=""),
            )
        ]

    def __str__(self) -> str:
        return f"#{self.hashtag}" if self.hashtag else self.name

    @property
    def label(self) -> str:
        return f"#{self.hashtag} · {self.name}" if self.hashtag else self.name


class CareerPath(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name
