from django.contrib import admin

from hemonc.taxonomy.models import CareerPath, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "hashtag", "kind", "slug"]
    list_filter = ["kind"]
    search_fields = ["name", "hashtag", "description"]
    prepopulated_fields = {"slug": ["hashtag"]}


@admin.register(CareerPath)
class CareerPathAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name"]
