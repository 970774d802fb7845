"""The time zones a profile may name."""

import pytest

from hemonc.core.timezones import is_time_zone, time_zone_choices


@pytest.mark.parametrize("name", ["UTC", "Europe/Paris", "America/Argentina/Buenos_Aires"])
def test_is_time_zone_of_known_zones(name):
    assert is_time_zone(name)


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "", "../etc/passwd", "Europe/", "x" * 400, "/etc/localtime"])
def test_is_time_zone_of_anything_else_is_false(name):
    assert not is_time_zone(name)


def test_time_zone_choices_read_with_spaces_and_leave_out_etc():
    choices = dict(time_zone_choices())
    assert choices["America/New_York"] == "America/New York"
    assert choices["UTC"] == "UTC"
    assert not any(name.startswith("Etc/") for name in choices)
