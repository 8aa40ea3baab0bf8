"""Where the controller is, who we are, and calls that always carry a deadline.

Address: ``--controller host:port`` > ``KTV_CONTROLLER`` > ``DATA_DIR/controller.addr`` (with
``--data-dir``) > zeroconf discovery of ``_ktv._tcp``.
Token: ``--token`` > ``KTV_TOKEN`` > ``DATA_DIR/admin.token`` (with ``--data-dir``) > the token
saved by ``ktvctl login`` (``$KTV_CONFIG_DIR`` or ``~/.config/ktv``, file ``token``).
Venue CA (TLS): ``--ca-file`` > ``KTV_CA_FILE`` > ``DATA_DIR/tls/ca.crt`` > fetched from the
controller and pinned with ``--ca-fingerprint`` (then saved as ``ca.crt`` beside the token) >
the saved one > the controller's mDNS ``ca_fp`` (trust on first use, with a warning). No CA
at all: plain text, which only an ``--insecure-dev`` controller speaks.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import grpc

from controller import settings
from ktv import errors
from ktv.errors import KtvError, Unauthenticated, Unavailable

T = TypeVar("T")

_STATUS_TO_ERROR: dict[grpc.StatusCode, type[KtvError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: errors.InvalidArgument,
    grpc.StatusCode.NOT_FOUND: errors.NotFound,
    grpc.StatusCode.ALREADY_EXISTS: errors.AlreadyExists,
    grpc.StatusCode.FAILED_PRECONDITION: errors.FailedPrecondition,
    grpc.StatusCode.ABORTED: errors.Conflict,
    grpc.StatusCode.PERMISSION_DENIED: errors.PermissionDenied,
    grpc.StatusCode.UNAUTHENTICATED: errors.Unauthenticated,
    grpc.StatusCode.UNAVAILABLE: errors.Unavailable,
    grpc.StatusCode.DEADLINE_EXCEEDED: errors.Unavailable,
    grpc.StatusCode.UNIMPLEMENTED: errors.Unsupported,
}


def config_dir() -> Path:
    if os.environ.get("KTV_CONFIG_DIR"):
        return Path(os.environ["KTV_CONFIG_DIR"])
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "ktv"


def saved_token_path() -> Path:
    return config_dir() / "token"


def save_token(token: str) -> Path:
    path = saved_token_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    return path


def error_from_rpc(error: grpc.RpcError, address: str) -> KtvError:
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    details = (error.details() if hasattr(error, "details") else "") or str(code)
    if code == grpc.StatusCode.UNAVAILABLE:
        return Unavailable(f"cannot reach the controller at {address}: {details}")
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return Unavailable(f"the controller at {address} did not answer in time")
    return _STATUS_TO_ERROR.get(code, KtvError)(details)


@dataclass
class Connection:
    address: str
    token: str
    timeout_s: float
    channel: grpc.Channel
    tls: bool = False

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.token}"),) if self.token else ()

    def call(self, method: Callable[..., T], request: Any) -> T:
        """A unary call with the deadline and credential; errors become KtvError."""
        try:
            return method(request, metadata=self.metadata, timeout=self.timeout_s)
        except grpc.RpcError as error:
            failure = error_from_rpc(error, self.address)
            if isinstance(failure, Unavailable) and not self.tls:
                failure = Unavailable(
                    f"{failure.message} (plain text: a TLS controller needs "
                    "--ca-fingerprint once, as printed by `ktv-controller install`)"
                )
            raise failure from None

    def close(self) -> None:
        self.channel.close()


def resolve_address(args: argparse.Namespace) -> str:
    return _locate(args)[0]


def _locate(args: argparse.Namespace) -> tuple[str, str]:
    """The address, and the CA fingerprint mDNS advertised for it ("" when not found by mDNS)."""
    if args.controller:
        return str(args.controller), ""
    if os.environ.get("KTV_CONTROLLER"):
        return os.environ["KTV_CONTROLLER"], ""
    if args.data_dir:
        addr = Path(args.data_dir) / "controller.addr"
        if addr.exists():
            return addr.read_text().strip(), ""
    from controller.discovery import browse

    found = browse(
        min(args.timeout, settings.discovery_timeout_s),
        venue_id=args.venue,
        interfaces=[args.mdns_interface] if args.mdns_interface else None,
    )
    if found is None:
        venue = f" of venue {args.venue!r}" if args.venue else ""
        raise Unavailable(
            f"no controller{venue} found by mDNS: pass --controller HOST:PORT, set "
            "KTV_CONTROLLER, or check that the controller is advertising _ktv._tcp"
        )
    return found.address, found.ca_fingerprint if found.tls else ""


def saved_ca_path() -> Path:
    return config_dir() / "ca.crt"


def resolve_venue_ca(args: argparse.Namespace, address: str, advertised_pin: str = "") -> bytes:
    """The venue CA to verify the controller with; b"" means plain text."""
    explicit = getattr(args, "ca_file", None) or os.environ.get("KTV_CA_FILE")
    if explicit:
        return Path(explicit).read_bytes()
    if args.data_dir and (Path(args.data_dir) / "tls" / "ca.crt").exists():
        return (Path(args.data_dir) / "tls" / "ca.crt").read_bytes()
    pin = getattr(args, "ca_fingerprint", None) or os.environ.get("KTV_CA_FINGERPRINT", "")
    if not pin and saved_ca_path().exists():
        return saved_ca_path().read_bytes()
    if not pin and advertised_pin:
        print("ktvctl: pinning the venue CA from mDNS (trust on first use)", file=sys.stderr)
        pin = advertised_pin
    if not pin:
        return b""
    from ktv.security.pinning import fetch_pinned_ca

    host, _, port = address.rpartition(":")
    ca = fetch_pinned_ca(host.strip("[]"), int(port), pin)
    path = saved_ca_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ca)
    return ca


def open_channel(address: str, ca_pem: bytes) -> grpc.Channel:
    if not ca_pem:
        return grpc.insecure_channel(address)
    from ktv.security import grpc_tls

    creds = grpc_tls.staff_channel_credentials(ca_pem)
    return grpc.secure_channel(address, creds, options=grpc_tls.channel_options())


def resolve_token(args: argparse.Namespace, *, required: bool = True) -> str:
    if args.token:
        return str(args.token)
    if os.environ.get("KTV_TOKEN"):
        return os.environ["KTV_TOKEN"]
    if args.data_dir:
        path = Path(args.data_dir) / "admin.token"
        if path.exists():
            return path.read_text().strip()
    saved = saved_token_path()
    if saved.exists():
        return saved.read_text().strip()
    if required:
        raise Unauthenticated(
            "no credential: run `ktvctl login STAFF_ID`, set KTV_TOKEN, or pass --data-dir "
            "on the controller machine"
        )
    return ""


def connect(args: argparse.Namespace, *, need_token: bool = True) -> Connection:
    address, advertised_pin = _locate(args)
    ca_pem = resolve_venue_ca(args, address, advertised_pin)
    token = resolve_token(args, required=need_token)
    return Connection(address, token, args.timeout, open_channel(address, ca_pem), bool(ca_pem))
