"""Host names and origins as the origin guard reads them (the guard itself: tests/security/test_hardening.py)."""

from __future__ import annotations

import pytest

from ui.origins import host_allowed, host_name, same_origin

TRUSTED = ("127.0.0.1", "localhost", "::1", "*.example.gov")


@pytest.mark.parametrize(
    ("host", "name"),
    [
        ("127.0.0.1:7860", "127.0.0.1"),
        ("LOCALHOST", "localhost"),
        ("[::1]:7860", "::1"),
        ("[::1]", "::1"),
        ("", ""),
    ],
)
def test_host_name_drops_port_and_brackets(host, name):
    assert host_name(host) == name


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1:7860", True),
        ("localhost", True),
        ("localhost.:80", True),
        ("[::1]:7860", True),
        ("qa.example.gov", True),
        ("a.b.example.gov:443", True),
        ("example.gov", False),
        ("evilexample.gov", False),
        ("127.0.0.1.evil.example", False),
        ("evil.example", False),
        ("", False),
    ],
)
def test_trusted_hosts_and_subdomain_patterns(host, allowed):
    assert host_allowed(host, TRUSTED) is allowed


def test_a_star_trusts_any_host():
    assert host_allowed("anything.example:1234", ("*",))


@pytest.mark.parametrize(
    ("origin", "host", "same"),
    [
        ("http://127.0.0.1:7860", "127.0.0.1:7860", True),
        ("https://qa.example.gov", "qa.example.gov", True),
        ("https://qa.example.gov", "qa.example.gov:443", True),
        ("http://127.0.0.1:7861", "127.0.0.1:7860", False),
        ("http://localhost:7860", "127.0.0.1:7860", False),
        ("null", "127.0.0.1:7860", False),
    ],
)
def test_same_origin_compares_scheme_host_and_port(origin, host, same):
    assert same_origin(origin, host) is same
