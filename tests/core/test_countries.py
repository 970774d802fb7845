"""Country names and flags as the directory and the profile pages show them."""

import pytest

from hemonc.core.countries import country_flag, country_name


def test_country_flag_of_a_code_in_any_case():
    assert country_flag("ng") == "\U0001f1f3\U0001f1ec"
    assert country_flag("GB") == "\U0001f1ec\U0001f1e7"


@pytest.mark.parametrize("code", ["", None, "U", "USA", "U1"])
def test_country_flag_of_what_is_no_code_is_empty(code):
    assert country_flag(code) == ""


def test_country_name_prefers_the_common_name():
    assert country_name("tw") == "Taiwan"
    assert country_name("NG") == "Nigeria"
    assert country_name("XX") == ""
