"""Where the controller is, who we are, and calls that always carry a deadline.

Address: ``--controller host:port`` > ``KTV_CONTROLLER`` > ``DATA_DIR/controller.addr`` (with
``--data-dir``) > zeroconf discovery of ``_ktv._tcp``.
Token: ``--token`` > ``KTV_TOKEN`` > ``DATA_DIR/admin.token`` (with ``--data-dir``) > the token
saved by ``ktvctl login`` (``$KTV_CONFIG_DIR`` or ``~/.config/ktv``, file ``token``).
TLS (venue CA): ``--ca-file``/``KTV_CA_FILE`` > ``DATA_DIR/tls/ca.crt`` > the CA saved in the
config dir (``ca.crt``) > ``--ca-fingerprint``/``KTV_CA_FINGERPRINT`` (fetched from the
controller's handshake, accepted only if its SHA-256 matches, then saved). With none of these,
or with ``--insecure``, ktvctl speaks plain text (controllers run with ``--insecure-dev``).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import grpc

from controller import settings
from controller.ktvctl import args as types
from ktv import errors
from ktv.errors import (
    FailedPrecondition,
    InvalidArgument,
    KtvError,
    Unauthenticated,
    Unavailable,
)

T = TypeVar("T")


def config_dir() -> Path:
    if os.environ.get("KTV_CONFIG_DIR"):
        return Path(os.environ["KTV_CONFIG_DIR"])
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "ktv"


def saved_token_path() -> Path:
    return config_dir() / "token"


def save_token(token: str) -> Path:
    path = saved_token_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(token + "\n")
    except OSError as error:
        raise FailedPrecondition(
            f"cannot save the token to {path}: {error.strerror or error} (set KTV_CONFIG_DIR, "
            "or use --no-save)"
        ) from None
    return path


def saved_ca_path() -> Path:
    return config_dir() / "ca.crt"


def resolve_ca(args: argparse.Namespace, address: str, tls_advertised: bool) -> bytes | None:
    """The venue CA to verify the controller with; None for plain text."""
    if getattr(args, "insecure", False):
        return None
    ca_file = getattr(args, "ca_file", None) or os.environ.get("KTV_CA_FILE")
    if ca_file:
        try:
            return Path(ca_file).read_bytes()
        except OSError as error:
            raise InvalidArgument(f"cannot read the CA file {ca_file}: {error}") from None
    if args.data_dir and (Path(args.data_dir) / "tls" / "ca.crt").exists():
        return _read_bytes(Path(args.data_dir) / "tls" / "ca.crt", "the venue CA")
    if saved_ca_path().exists():
        return _read_bytes(saved_ca_path(), "the saved venue CA")
    fingerprint = getattr(args, "ca_fingerprint", None) or os.environ.get("KTV_CA_FINGERPRINT")
    if fingerprint:
        from ktv.security.pinning import fetch_pinned_ca

        host, _, port = address.rpartition(":")
        pem = fetch_pinned_ca(host.strip("[]"), int(port), fingerprint, timeout_s=args.timeout)
        path = saved_ca_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(pem)
        except OSError as error:
            raise FailedPrecondition(
                f"cannot save the venue CA to {path}: {error.strerror or error}"
            ) from None
        return pem
    if tls_advertised:
        raise FailedPrecondition(
            f"the controller at {address} uses TLS: pass --ca-fingerprint (printed by "
            "`ktv-controller init`) once, or --ca-file; ktvctl remembers the venue CA"
        )
    return None


def _read_bytes(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InvalidArgument(f"cannot read {what} {path}: {error.strerror or error}") from None


def _read_setting(path: Path, what: str, parse: Callable[[str], str]) -> str:
    """A one-line file (address, token) checked like the option it stands for."""
    try:
        value = _read_bytes(path, what).decode("utf-8").strip()
        return parse(value)
    except (UnicodeDecodeError, argparse.ArgumentTypeError) as error:
        raise InvalidArgument(f"{what} in {path} is unusable: {error}") from None


def open_channel(address: str, ca_pem: bytes | None) -> grpc.Channel:
    if ca_pem is None:
        return grpc.insecure_channel(address)
    from ktv.security import grpc_tls

    return grpc.secure_channel(
        address,
        grpc_tls.staff_channel_credentials(ca_pem),
        options=grpc_tls.channel_options(),
    )


def error_from_rpc(error: grpc.RpcError, address: str) -> KtvError:
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    details = (error.details() if hasattr(error, "details") else "") or str(code)
    if code == grpc.StatusCode.UNAVAILABLE:
        return Unavailable(f"cannot reach the controller at {address}: {details}")
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return Unavailable(f"the controller at {address} did not answer in time")
    return errors.error_class_for(code.name)(details)


@dataclass
class Connection:
    address: str
    token: str
    timeout_s: float
    channel: grpc.Channel
    plain_text: bool = False

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.token}"),) if self.token else ()

    def call(self, method: Callable[..., T], request: Any) -> T:
        """A unary call with the deadline and credential; errors become KtvError."""
        try:
            return method(request, metadata=self.metadata, timeout=self.timeout_s)
        except grpc.RpcError as error:
            failure = error_from_rpc(error, self.address)
            if self.plain_text and isinstance(failure, Unavailable):
                # the usual cause: a TLS controller, and this desk has no venue CA yet
                failure = Unavailable(
                    f"{failure.message} (spoke plain text: for a TLS controller pass "
                    "--ca-fingerprint once, as printed by `ktv-controller install`)"
                )
            raise failure from None

    def close(self) -> None:
        self.channel.close()


def resolve_address(args: argparse.Namespace) -> tuple[str, bool]:
    """(host:port, whether mDNS said the controller uses TLS)."""
    if args.controller:
        return str(args.controller), False
    if os.environ.get("KTV_CONTROLLER"):
        return types.resolve(os.environ["KTV_CONTROLLER"], "KTV_CONTROLLER", types.address), False
    if args.data_dir:
        addr = Path(args.data_dir) / "controller.addr"
        if addr.is_file():
            return _read_setting(addr, "the controller address", types.address), False
    from controller.discovery import browse

    try:
        found = browse(
            min(args.timeout, settings.discovery_timeout_s),
            venue_id=args.venue,
            interfaces=[args.mdns_interface] if args.mdns_interface else None,
        )
    except OSError as error:  # e.g. --mdns-interface is not an address of this machine
        where = f" on {args.mdns_interface}" if args.mdns_interface else ""
        raise InvalidArgument(
            f"cannot browse mDNS{where}: {error.strerror or error} (--mdns-interface must be "
            "an IPv4 address of this machine; or pass --controller HOST:PORT)"
        ) from None
    if found is None:
        venue = f" of venue {args.venue!r}" if args.venue else ""
        raise Unavailable(
            f"no controller{venue} found by mDNS: pass --controller HOST:PORT, set "
            "KTV_CONTROLLER, or check that the controller is advertising _ktv._tcp"
        )
    return found.address, found.tls


def resolve_token(args: argparse.Namespace, *, required: bool = True) -> str:
    if args.token:
        return str(args.token)
    if os.environ.get("KTV_TOKEN"):
        return types.resolve(os.environ["KTV_TOKEN"], "KTV_TOKEN", types.token)
    if args.data_dir:
        path = Path(args.data_dir) / "admin.token"
        if path.is_file():
            return _read_setting(path, "the admin token", types.token)
    saved = saved_token_path()
    if saved.is_file():
        return _read_setting(saved, "the saved token", types.token)
    if required:
        raise Unauthenticated(
            "no credential: run `ktvctl login STAFF_ID`, set KTV_TOKEN, or pass --data-dir "
            "on the controller machine"
        )
    return ""


def connect(args: argparse.Namespace, *, need_token: bool = True) -> Connection:
    address, tls_advertised = resolve_address(args)
    token = resolve_token(args, required=need_token)
    ca_pem = resolve_ca(args, address, tls_advertised)
    channel = open_channel(address, ca_pem)
    return Connection(address, token, args.timeout, channel, plain_text=ca_pem is None)
