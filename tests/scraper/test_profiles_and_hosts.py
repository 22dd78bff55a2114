"""Site profiles load as data and are checked; the host allow-list holds."""

import json

import pytest

from scraper.browser import resolver_rules
from scraper.hosts import DisallowedHost, host_allowed, require_allowed
from scraper.profiles import ProfileError, available_profiles, load_profile, parse_profile


def test_shipped_profiles_load_with_six_partitions_each():
    assert {"demo", "myntra"} <= set(available_profiles())
    for name in ("demo", "myntra"):
        profile = load_profile(name)
        pairs = {(s.gender, s.category) for s in profile.start_urls}
        assert len(pairs) == 6
        assert profile.allowed_hosts


def test_myntra_profile_follows_the_blogs_listing_structure():
    profile = load_profile("myntra")
    assert profile.listing.card == "li.product-base"
    assert profile.listing.next_page == ("li.pagination-next a",)
    assert profile.absolute("/mens-topwear") == "https://www.myntra.com/mens-topwear"
    assert profile.delay_seconds >= 1  # politeness towards a real shop


def test_unknown_profile_names_the_ones_available():
    with pytest.raises(ProfileError, match=r"available: .*demo"):
        load_profile("nope")


def test_profile_with_bad_partition_is_refused():
    data = json.loads(load_profile.__globals__["PROFILE_DIR"].joinpath("demo.json").read_text())
    data["start_urls"][0]["category"] = "hats"
    with pytest.raises(ProfileError, match="hats"):
        parse_profile(data)


def test_profile_with_unknown_selector_key_is_refused():
    data = json.loads(load_profile.__globals__["PROFILE_DIR"].joinpath("demo.json").read_text())
    data["listing"]["colour_swatch"] = ".x"
    with pytest.raises(ProfileError, match="colour_swatch"):
        parse_profile(data)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8765/p/1", True),
        ("https://www.myntra.com/mens-topwear", True),
        ("https://assets.myntassets.com/x.jpg", True),
        ("https://evil.example.com/x.jpg", False),
        ("https://www.myntra.com.evil.example/x", False),
        ("file:///etc/passwd", False),
        ("ftp://127.0.0.1/x", False),
    ],
)
def test_host_allow_list(url, allowed):
    hosts = ("127.0.0.1", "www.myntra.com", "assets.myntassets.com")
    assert host_allowed(url, hosts) is allowed


def test_wildcard_hosts_match_subdomains_only():
    assert host_allowed("https://img.cdn.example/x", ("*.cdn.example",))
    assert not host_allowed("https://cdn.example.evil/x", ("*.cdn.example",))
    with pytest.raises(DisallowedHost):
        require_allowed("https://other.example/x", ("*.cdn.example",))


def test_chromium_can_resolve_only_the_profiles_hosts():
    rules = resolver_rules(("www.myntra.com",))
    assert rules.startswith("MAP * ~NOTFOUND")
    assert "EXCLUDE www.myntra.com" in rules and "EXCLUDE 127.0.0.1" in rules
