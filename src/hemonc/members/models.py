"""Members: the account (email sign-in), the profile with per-field visibility, blocks, mutes."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, Group, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connection, models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from hemonc.core.models import TimeStampedModel
from hemonc.members.enums import Gender, Role, Visibility
from hemonc.members.validators import validate_orcid
from hemonc.taxonomy.enums import Specialty, Stage
from hemonc.taxonomy.models import CareerPath, Topic


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Can use the organizers' admin. Set by the organizer role."
    )
    date_joined = models.DateTimeField(default=timezone.now, db_index=True)
    # Set by moderators: until then the member reads and downloads their data but does not
    # take part (post, message, RSVP) and gets no mail from the network's features.
    suspended_until = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]
        indexes = [
            models.Index(
                fields=["is_active"], name="members_user_inactive", condition=Q(is_active=False)
            )
        ]

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > timezone.now()

    @property
    def mail_stopped(self) -> bool:
        """A banned or suspended member gets no mail from the network's features."""
        return not self.is_active or self.is_suspended

    def __str__(self) -> str:
        """The member's public name: pages, messages and mails print users through it, so it
        never falls back to the sign-in address (nor a part of it)."""
        profile = getattr(self, "profile", None)
        return profile.display_name if profile and profile.display_name else self.neutral_name

    @property
    def neutral_name(self) -> str:
        return f"Member #{self.pk}"

    def has_role(self, role: Role) -> bool:
        if not self.is_active:
            return False
        if role == Role.ORGANIZER and self.is_superuser:
            return True
        cache = self.__dict__.setdefault("_role_cache", None)
        if cache is None:
            # Asked on nearly every page: written out (_ROLES_SQL), see the figure there.
            with connection.cursor() as cursor:
                cursor.execute(_ROLES_SQL, [self.pk])
                cache = {name for (name,) in cursor.fetchall()}
            self.__dict__["_role_cache"] = cache
        return role.value in cache

    @property
    def is_organizer(self) -> bool:
        return self.has_role(Role.ORGANIZER)

    @property
    def is_moderator(self) -> bool:
        return self.has_role(Role.MODERATOR)


# Raw SQL, justified by the directory benchmark (bench/directory.py): in its per-query profile
# of a directory page ("roles of the reader", bench/results/directory.json) the database
# answers this in 0.012 ms on SQLite and 0.24 ms on PostgreSQL (medians), while the whole warm
# page takes 3.7 ms with 0.18 ms of SQL: what a query costs is Python's building it, and
# written out it skips the ORM's join compilation, which cost ten times the query.
_ROLES_SQL = (
    f"SELECT g.name FROM {Group._meta.db_table} g "  # noqa: S608
    f"JOIN {User.groups.through._meta.db_table} ug ON ug.group_id = g.id WHERE ug.user_id = %s"
)


handle_validator = RegexValidator(
    r"^@?[A-Za-z0-9_]{1,15}$", "An X handle has up to 15 letters, digits or underscores."
)
bluesky_validator = RegexValidator(
    r"^@?[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,}$", "A Bluesky handle looks like name.bsky.social."
)
mastodon_validator = RegexValidator(
    r"^@?[A-Za-z0-9_]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$",
    "A Mastodon handle looks like @name@instance.social.",
)
linkedin_validator = RegexValidator(
    r"^https://([a-z]{2,3}\.)?linkedin\.com/in/[A-Za-z0-9_%-]+/?$",
    "A LinkedIn address looks like https://www.linkedin.com/in/your-name.",
)


class Profile(TimeStampedModel):
    """What a member tells about themselves; each professional field has its own visibility."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=80, blank=True)
    pronouns = models.CharField(max_length=30, blank=True)

    stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    stage_visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    specialty = models.CharField(max_length=30, choices=Specialty.choices, blank=True)
    specialty_visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    training_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="Year of the current training program (PGY within residency, year of fellowship).",
    )  # fmt: skip
    training_year_visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    institution = models.CharField(max_length=160, blank=True)
    institution_visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code.")
    country_visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    time_zone = models.CharField(max_length=64, blank=True)
    bio = models.TextField(blank=True, max_length=4000, help_text="Markdown.")
    # When moderators hid the bio after a report (NULL: shown). Nullable, so adding it did
    # not rebuild the table on SQLite (which would drop the directory's full-text triggers).
    bio_hidden_at = models.DateTimeField(null=True, blank=True)
    interests = models.ManyToManyField(Topic, blank=True, related_name="profiles")
    career_paths = models.ManyToManyField(CareerPath, blank=True, related_name="profiles")

    x_handle = models.CharField(max_length=16, blank=True, validators=[handle_validator])
    bluesky_handle = models.CharField(max_length=100, blank=True, validators=[bluesky_validator])
    mastodon_handle = models.CharField(max_length=120, blank=True, validators=[mastodon_validator])
    linkedin_url = models.URLField(max_length=200, blank=True, validators=[linkedin_validator])
    orcid = models.CharField(max_length=19, blank=True, validators=[validate_orcid])

    open_to_mentoring = models.BooleanField(default=False)
    looking_for_mentor = models.BooleanField(default=False)
    avatar = models.ImageField(upload_to="avatars/", blank=True)
    listed_in_directory = models.BooleanField(default=True)

    # Demographics: optional, seen by organizers only, never shown on a page to others.
    gender = models.CharField(max_length=20, choices=Gender.choices, blank=True)
    gender_self_description = models.CharField(max_length=60, blank=True)
    identity_communities = models.JSONField(default=list, blank=True)
    share_communities_with_matcher = models.BooleanField(
        default=False,
        help_text="Only organizers and the matcher see them, to honor a mentee's wish for a "
        "mentor from their community.",
    )

    # When the first-sign-in welcome was shown (members.views.welcome): shown once.
    welcomed_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Text the directory's full-text index reads; rebuilt by the profile services.
    search_document = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["display_name", "id"]
        indexes = [
            models.Index(fields=["stage"]),
            models.Index(fields=["country"]),
            models.Index(fields=["display_name", "id"]),
            models.Index(fields=["open_to_mentoring"]),
        ]

    def __str__(self) -> str:
        return self.display_name or f"Member #{self.user_id}"

    def get_absolute_url(self) -> str:
        return reverse("members:profile", args=[self.user_id])

    @property
    def bio_hidden(self) -> bool:
        return self.bio_hidden_at is not None

    @property
    def initials(self) -> str:
        words = [w for w in self.display_name.replace("Dr.", "").split() if w[:1].isalpha()]
        return "".join(w[0] for w in words[:2]).upper() or "?"


class Block(models.Model):
    """`blocker` does not want to see or be seen by `blocked`: both are hidden from each other."""

    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_received")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="members_block_unique"),
            models.CheckConstraint(
                condition=~Q(blocker=F("blocked")), name="members_block_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker} blocked {self.blocked}"


class Mute(models.Model):
    """`muter` stops seeing `muted`; the muted member is not told and still sees the muter."""

    muter = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mutes_made")
    muted = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mutes_received")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["muter", "muted"], name="members_mute_unique"),
            models.CheckConstraint(condition=~Q(muter=F("muted")), name="members_mute_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.muter} muted {self.muted}"
