"""The production settings, with the bench URLs (the bare baseline view) in front of the site's."""

from hemonc.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
