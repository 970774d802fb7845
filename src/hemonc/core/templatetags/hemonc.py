from django import template
from django.utils.safestring import SafeString, mark_safe

from hemonc.core.countries import country_flag, country_name
from hemonc.core.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    return mark_safe(render_markdown(text))  # sanitized by nh3


@register.filter
def country(code: str) -> str:
    return country_name(code)


@register.filter
def flag(code: str) -> str:
    return country_flag(code)
