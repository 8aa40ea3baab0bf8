"""The [web] table: defaults, ports, bounds with the key named, the venue's own certificate."""

from __future__ import annotations

import pytest

from controller.web.settings import WebSettings, ports_for, web_settings
from ktv.errors import InvalidArgument


def test_no_table_means_the_defaults() -> None:
    web = web_settings({})
    assert web == WebSettings()
    assert web.enabled and web.idle_timeout_s == 900 and web.sse_ping_s == 15
    assert ports_for(web, 50051) == (8443, 8080)
    assert ports_for(web, 0) == (0, 0)  # a controller on any free port: tests
    assert ports_for(web_settings({"web": {"port": 9443}}), 0) == (9443, 0)


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"port": 70000}, "port must be a whole number from 0 to 65535"),
        ({"port": "8443"}, "port must be a whole number"),
        ({"idle_timeout_s": 10}, "idle_timeout_s must be a whole number from 60 to 86400"),
        ({"idle_timeout_s": True}, "idle_timeout_s"),
        ({"sse_ping_s": 0}, "sse_ping_s must be a whole number from 1 to 60"),
        ({"enabled": "yes"}, "enabled must be true or false"),
        ({"prot": 1}, "unknown key(s) prot"),
        ({"cert_file": "/etc/ktv/web.crt"}, "cert_file and key_file go together"),
    ],
)
def test_a_bad_entry_is_refused_naming_it(table: dict, words: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        web_settings({"web": table})
    assert refused.value.reason == "BAD_WEB_SETTING"
    assert words in refused.value.message


def test_the_venues_own_certificate() -> None:
    web = web_settings({"web": {"cert_file": "/etc/ktv/web.crt", "key_file": "/etc/ktv/web.key"}})
    assert (web.cert_file, web.key_file) == ("/etc/ktv/web.crt", "/etc/ktv/web.key")
