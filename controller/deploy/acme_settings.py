"""The ``[acme]`` table of the venue TOML: a publicly trusted certificate for the venue's own
domain (the guest page's), obtained and renewed by lego with a DNS-01 challenge; and the lego
command line for it. Pure: parsed, checked and turned into argv here; ``controller.deploy.acme``
runs it.

Why lego (Debian ``lego``): one static binary with ~150 DNS providers built in, the Chinese
ones included (alidns, tencentcloud, dnspod, huaweicloud, baiducloud, volcengine...), each
configured by environment variables (our credentials file), and an ``exec`` provider for any
other DNS host. certbot needs one plugin per provider and Debian ships none for the Chinese
ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ktv.errors import InvalidArgument

LETS_ENCRYPT = "https://acme-v02.api.letsencrypt.org/directory"
ACME_DIR = "acme"  # under DATA_DIR: lego's --path (accounts/, certificates/)
DEFAULT_CREDENTIALS = "acme/dns.env"  # under DATA_DIR unless set
RENEW_DAYS_DEFAULT = 30  # renew when the certificate has fewer days left (Let's Encrypt: 90)
RENEW_DAYS_MAX = 89
KEY_TYPES = ("ec256", "ec384", "rsa2048", "rsa4096")
DOMAIN_MAX_CHARS = 253
LEGO_TIMEOUT_S = 1200  # one obtain/renew run: lego's random wait, DNS propagation

_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
DOMAIN_RE = re.compile(rf"(\*\.)?{_LABEL}(\.{_LABEL})+")
PROVIDER_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,39}")
EMAIL_RE = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}")
RESOLVER_RE = re.compile(r"[A-Za-z0-9.:\[\]-]{1,100}:[0-9]{1,5}")
ENV_NAME_RE = re.compile(r"[A-Z_][A-Z0-9_]{0,99}")


@dataclass(frozen=True)
class AcmeSettings:
    """``[acme]``: which domain, whose ACME server, which DNS provider and its credentials."""

    domains: tuple[str, ...]  # the first names the files: certificates/<domain>.crt
    email: str
    dns_provider: str  # lego's provider code: "alidns", "tencentcloud", "dnspod", "exec"...
    credentials_file: str = ""  # KEY=VALUE lines for the provider ("" = DATA_DIR/acme/dns.env)
    server: str = LETS_ENCRYPT
    renew_days: int = RENEW_DAYS_DEFAULT
    key_type: str = "ec256"
    resolvers: tuple[str, ...] = ()  # host:port DNS servers lego checks the TXT record with
    check_all_nameservers: bool = True  # wait until every authoritative server has the record
    server_ca_file: str = ""  # extra roots for the ACME server's own HTTPS (test servers)
    lego: str = "lego"  # the program (Debian: /usr/bin/lego)

    def certificate_files(self, data_dir: Path) -> tuple[Path, Path]:
        """(fullchain PEM, key PEM) as lego writes them (a wildcard's ``*`` becomes ``_``)."""
        stem = self.domains[0].replace("*", "_")
        base = Path(data_dir) / ACME_DIR / "certificates"
        return base / f"{stem}.crt", base / f"{stem}.key"

    def credentials_path(self, data_dir: Path) -> Path:
        return (
            Path(self.credentials_file) if self.credentials_file else data_dir / DEFAULT_CREDENTIALS
        )


def _bad(message: str) -> InvalidArgument:
    return InvalidArgument(f"[acme] {message}", reason="BAD_ACME_SETTING")


def acme_settings(data: Mapping[str, Any]) -> AcmeSettings | None:
    """The ``[acme]`` table of a parsed venue TOML, or None when there is none;
    InvalidArgument BAD_ACME_SETTING naming the key otherwise."""
    table = data.get("acme")
    if table is None:
        return None
    if not isinstance(table, Mapping):
        raise _bad("must be a table")
    known = {
        "domains",
        "email",
        "dns_provider",
        "credentials_file",
        "server",
        "renew_days",
        "key_type",
        "resolvers",
        "check_all_nameservers",
        "server_ca_file",
        "lego",
    }
    unknown = sorted(set(table) - known)
    if unknown:
        raise _bad(f"has unknown key(s) {', '.join(unknown)}: known are {', '.join(sorted(known))}")
    domains = table.get("domains")
    if isinstance(domains, str):
        domains = [domains]
    if not isinstance(domains, list) or not domains or len(domains) > 10:
        raise _bad('domains must name 1-10 domains, e.g. domains = ["ktv.example.com"]')
    names = []
    for name in domains:
        if not isinstance(name, str):
            raise _bad("domains must be strings")
        lowered = name.strip().lower().rstrip(".")
        if len(lowered) > DOMAIN_MAX_CHARS or not DOMAIN_RE.fullmatch(lowered):
            raise _bad(f"{name[:80]!r} is not a domain name (ktv.example.com)")
        names.append(lowered)
    email = table.get("email")
    if not isinstance(email, str) or not EMAIL_RE.fullmatch(email.strip()):
        raise _bad("email must be the address the ACME account registers (expiry warnings)")
    provider = table.get("dns_provider")
    if not isinstance(provider, str) or not PROVIDER_RE.fullmatch(provider):
        raise _bad(
            'dns_provider must be lego\'s provider code, e.g. "alidns", "tencentcloud", '
            '"dnspod", "huaweicloud", "cloudflare" (`lego dnshelp`)'
        )
    strings = {}
    for key in ("credentials_file", "server", "server_ca_file", "lego", "key_type"):
        value = table.get(key, getattr(AcmeSettings, key))
        if not isinstance(value, str) or len(value) > 4096:
            raise _bad(f"{key} must be a string")
        strings[key] = value
    if not strings["server"].startswith("https://"):
        raise _bad("server must be the ACME directory's https:// URL")
    if strings["key_type"] not in KEY_TYPES:
        raise _bad(f"key_type must be one of {', '.join(KEY_TYPES)}")
    if not strings["lego"]:
        raise _bad("lego must name the lego program")
    renew_days = table.get("renew_days", RENEW_DAYS_DEFAULT)
    if isinstance(renew_days, bool) or not isinstance(renew_days, int):
        raise _bad("renew_days must be a whole number")
    if not 1 <= renew_days <= RENEW_DAYS_MAX:
        raise _bad(f"renew_days must be from 1 to {RENEW_DAYS_MAX}, got {renew_days}")
    resolvers = table.get("resolvers", [])
    if not isinstance(resolvers, list) or len(resolvers) > 5:
        raise _bad('resolvers must be a list of up to 5 "host:port"')
    for resolver in resolvers:
        if not isinstance(resolver, str) or not RESOLVER_RE.fullmatch(resolver):
            raise _bad(f'resolver {str(resolver)[:80]!r} must be "host:port"')
    check_all = table.get("check_all_nameservers", True)
    if not isinstance(check_all, bool):
        raise _bad("check_all_nameservers must be true or false")
    return AcmeSettings(
        domains=tuple(dict.fromkeys(names)),
        email=email.strip(),
        dns_provider=provider,
        credentials_file=strings["credentials_file"],
        server=strings["server"],
        renew_days=renew_days,
        key_type=strings["key_type"],
        resolvers=tuple(resolvers),
        check_all_nameservers=check_all,
        server_ca_file=strings["server_ca_file"],
        lego=strings["lego"],
    )


def parse_credentials(text: str) -> dict[str, str]:
    """The credentials file: ``NAME=value`` lines (lego's variables for the provider, e.g.
    ``ALICLOUD_ACCESS_KEY=...``); blank lines and ``#`` comments skipped; one pair of
    surrounding quotes dropped. BAD_ACME_SETTING naming the line otherwise."""
    found: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        name = name.strip().removeprefix("export ").strip()
        if not sep or not ENV_NAME_RE.fullmatch(name):
            raise InvalidArgument(
                f"credentials file line {number}: expected NAME=value", reason="BAD_ACME_SETTING"
            )
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        found[name] = value
    return found


def lego_argv(settings: AcmeSettings, data_dir: Path, *, renew: bool, force: bool) -> list[str]:
    """The lego command: ``run`` for a first certificate, ``renew`` (only when fewer than
    ``renew_days`` are left, or always with ``force``) once one exists."""
    argv = [
        settings.lego,
        "--accept-tos",
        "--server",
        settings.server,
        "--email",
        settings.email,
        "--key-type",
        settings.key_type,
        "--path",
        str(Path(data_dir) / ACME_DIR),
        "--dns",
        settings.dns_provider,
    ]
    for domain in settings.domains:
        argv += ["--domains", domain]
    for resolver in settings.resolvers:
        argv += ["--dns.resolvers", resolver]
    if not settings.check_all_nameservers:
        argv.append("--dns.disable-cp")
    if not renew:
        return [*argv, "run"]
    # lego renews only when the certificate expires within --days; "force" asks for more days
    # than any certificate has, so it renews now, without lego's random wait (up to 8 min,
    # kept for unattended renewals: it spreads the load on the ACME server).
    if force:
        return [*argv, "renew", "--days", "100000", "--no-random-sleep"]
    return [*argv, "renew", "--days", str(settings.renew_days)]
