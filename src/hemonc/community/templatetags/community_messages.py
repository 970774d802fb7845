"""The header's Messages link with the member's unread count."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def messages_nav_link(context: Any) -> SafeString:
    """`<li>` with the link to Messages and, when some wait, the unread count."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return mark_safe("")
    from hemonc.community.selectors_messages import unread_total

    url = reverse("community:messages")
    return mark_safe(
        render_to_string(
            "community/messages/_nav.html",
            {
                "url": url,
                "current": request.path.startswith(url),
                "unread": unread_total(user=user),
            },
        )
    )
