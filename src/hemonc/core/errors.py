"""Domain errors: a service raises one when a business rule is broken."""


class DomainError(Exception):
    """A rule of the domain was broken; the message is fit to show the user."""


class PermissionDenied(DomainError):
    """The actor may not do this."""


class RateLimited(DomainError):
    """Done too often: the message says what and for how long."""
