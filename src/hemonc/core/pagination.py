"""A paginator that stops counting: exact totals of huge result sets cost more than the page."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator


class CappedPaginator(Paginator):
    """Pages the first `cap` results of a search the caller fetched with a limit of `cap` + 1.

    `capped` says there were more than `cap`; pages past the cap are not offered, the member
    refines the search instead.
    """

    cap = 1000

    def __init__(self, object_list: list[Any], per_page: int) -> None:
        self.capped = len(object_list) > self.cap
        super().__init__(object_list[: self.cap], per_page)
