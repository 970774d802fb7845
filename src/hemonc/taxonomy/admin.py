"""Topics are saved and deleted through the taxonomy services' steps (audited, the slug made
once); career paths belong to no service and stay editable."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from hemonc.core.permissions import require
from hemonc.taxonomy import services
from hemonc.taxonomy.hashtags import normalize_hashtag
from hemonc.taxonomy.models import CareerPath, Topic

TOPIC_FIELDS = ("name", "hashtag", "kind", "description")


def _actor(request: HttpRequest) -> AbstractBaseUser:
    """Who acts in an admin request: the admin lets in signed-in staff only."""
    if not isinstance(request.user, AbstractBaseUser):
        raise PermissionDenied
    return request.user


class TopicForm(forms.ModelForm[Topic]):
    class Meta:
        model = Topic
        fields = TOPIC_FIELDS

    def clean_hashtag(self) -> str:
        hashtag = normalize_hashtag(self.cleaned_data.get("hashtag", ""))
        others = Topic.objects.filter(hashtag__iexact=hashtag).exclude(pk=self.instance.pk)
        if hashtag and others.exists():
            raise forms.ValidationError(f"A topic with the hashtag #{hashtag} already exists.")
        return hashtag


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin[Topic]):
    """The admin's change and delete pages already run in a transaction, where the durable
    public services cannot: they call the services' private steps after the same check."""

    form = TopicForm
    list_display = ["name", "hashtag", "kind", "slug"]
    list_filter = ["kind"]
    search_fields = ["name", "hashtag", "description"]
    readonly_fields = ["slug"]  # made once from the hashtag or name: links keep working

    def save_model(self, request: HttpRequest, obj: Topic, form: Any, change: bool) -> None:
        actor = _actor(request)
        require(actor, "taxonomy.manage_topics", obj)
        data = form.cleaned_data
        if change:
            fields = {name: data[name] for name in TOPIC_FIELDS if name in form.changed_data}
            # The form copied its values onto `obj`; the service compares with the stored row.
            obj.refresh_from_db(fields=list(TOPIC_FIELDS))
            services._topic_update(topic=obj, actor=actor, fields=fields)
            return
        topic = services._topic_create(actor=actor, **{name: data[name] for name in TOPIC_FIELDS})
        obj.pk = topic.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: Topic) -> None:
        actor = _actor(request)
        require(actor, "taxonomy.manage_topics", obj)
        services._topic_delete(topic=obj, actor=actor)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Topic]) -> None:
        for topic in queryset:
            self.delete_model(request, topic)


@admin.register(CareerPath)
class CareerPathAdmin(admin.ModelAdmin[CareerPath]):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name"]
