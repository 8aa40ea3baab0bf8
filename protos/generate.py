"""Generate ktv/v1/*_pb2*.py(i) from protos/ktv/v1/*.proto with grpcio-tools.

    python protos/generate.py          # regenerate in place
    python protos/generate.py --check  # exit 1 if the checked-in code is stale (CI runs this)

The proto root is the -I path, so generated modules import each other as ``ktv.v1.x_pb2``.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "protos"
OUT_PACKAGE = ROOT / "ktv" / "v1"
GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")


def generate(out_root: Path) -> list[Path]:
    protos = sorted((PROTO_ROOT / "ktv" / "v1").glob("*.proto"))
    if not protos:
        return []
    include = str(Path(protoc.__file__).parent / "_proto")
    args = [
        "grpc_tools.protoc",
        f"-I{PROTO_ROOT}",
        f"-I{include}",
        f"--python_out={out_root}",
        f"--pyi_out={out_root}",
        f"--grpc_python_out={out_root}",
        *[str(p) for p in protos],
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    return sorted(
        p for p in (out_root / "ktv" / "v1").iterdir() if p.name.endswith(GENERATED_SUFFIXES)
    )


def _checked_in() -> dict[str, Path]:
    return {p.name: p for p in OUT_PACKAGE.iterdir() if p.name.endswith(GENERATED_SUFFIXES)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if ktv/v1 is stale")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        fresh = {p.name: p for p in generate(Path(tmp))}
        current = _checked_in()
        if args.check:
            stale = sorted(
                name
                for name in fresh.keys() | current.keys()
                if name not in fresh
                or name not in current
                or not filecmp.cmp(fresh[name], current[name], shallow=False)
            )
            if stale:
                print(f"ktv/v1 is stale ({', '.join(stale)}): run ./run protos", file=sys.stderr)
                return 1
            return 0
        for name, path in current.items():
            if name not in fresh:
                path.unlink()
        for name, path in fresh.items():
            shutil.copyfile(path, OUT_PACKAGE / name)
        print(f"generated {len(fresh)} files into {OUT_PACKAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
