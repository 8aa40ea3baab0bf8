"""Find every machine reason the source raises, by reading its syntax tree (no imports, no regex).

A reason is raised where
- an error class (``ktv.errors.KtvError`` or a subclass defined anywhere in the tree) is called
  with ``reason=...`` (or without: its ``default_reason`` counts through the class attribute);
- a class body says ``default_reason = "X"``;
- a helper is called: a function whose parameter is passed on as ``reason=PARAM`` to an error
  class or another helper (``ktv.text.bounded``, ``ktv.limits.check_fen``...): its keyword or
  positional argument is the reason, and so is the parameter's default;
- ``google.rpc.ErrorInfo(reason=...)`` is built (so ``rpc_errors.error_trailers`` is a helper).

A reason is read (a client branches on it) where a string is compared with ``x.reason``,
``reason``, ``reason_of(...)`` or ``reason_in(...)`` (``==``, ``!=``, ``in``), or is a key or
member of a literal assigned to a name ending in ``REASONS``.

Reasons built at run time (f-strings, concatenation) are reported as dynamic: a catalogue cannot
check them. Helpers are known by their bare name (a method and a function of the same name are
one helper): keep reason-forwarding helpers' names distinct. ``python -m ktv.reason_scan
--write`` regenerates docs/errors.md from ``ktv.reasons`` and the statuses found here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("controller", "room_agent", "media_index", "ktv")
BASE_ERROR = "KtvError"
SINKS = {"ErrorInfo"}  # message types whose ``reason`` field is a reason on the wire
_READERS = {"reason_of", "reason_in"}


@dataclass(frozen=True)
class Site:
    reason: str
    where: str  # path:line, relative to the repository
    status: str = ""  # the gRPC status name when known (the error class's grpc_code)


@dataclass(repr=False)
class Scan:
    raised: list[Site] = field(default_factory=list)
    read: list[Site] = field(default_factory=list)
    dynamic: list[Site] = field(default_factory=list)  # reason is the code shown, not a name

    def raised_reasons(self) -> set[str]:
        return {s.reason for s in self.raised}


def source_files(root: Path = ROOT, packages: Iterable[str] = PACKAGES) -> Iterator[Path]:
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if path.name.endswith(("_pb2.py", "_pb2_grpc.py")):
                continue  # generated from protos: no reasons, and large
            yield path


def _name_of(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_reason_name(name: str) -> bool:
    return name == "reason" or name.endswith("_reason")


@dataclass
class _Module:
    rel: str
    tree: ast.Module
    constants: dict[str, str]  # module-level NAME = "literal"


def _load(paths: Iterable[Path], root: Path) -> list[_Module]:
    modules = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        constants = {}
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        constants[target.id] = node.value.value
        modules.append(_Module(str(path.relative_to(root)), tree, constants))
    return modules


def _error_classes(modules: list[_Module]) -> dict[str, str]:
    """Class name -> grpc_code for KtvError and every subclass in the tree (to a fixed point)."""
    classes: dict[str, str] = {}
    defs = [n for m in modules for n in ast.walk(m.tree) if isinstance(n, ast.ClassDef)]
    for node in defs:
        if node.name == BASE_ERROR:
            classes[node.name] = _class_attr(node, "grpc_code") or "INTERNAL"
    changed = True
    while changed:
        changed = False
        for node in defs:
            if node.name in classes:
                continue
            parents = [_name_of(b) for b in node.bases if _name_of(b) in classes]
            if parents:
                classes[node.name] = _class_attr(node, "grpc_code") or classes[parents[0]]
                changed = True
    return classes


def _class_attr(node: ast.ClassDef, name: str) -> str:
    for stmt in node.body:
        value = _assigned(stmt, name)
        if value is not None:
            return value
    return ""


def _assigned(stmt: ast.stmt, name: str) -> str | None:
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        targets = [stmt.target]
    else:
        return None
    if any(isinstance(t, ast.Name) and t.id == name for t in targets):
        value = stmt.value
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value.value
    return None


@dataclass(frozen=True)
class _Helper:
    param: str
    index: int | None  # positional index of ``param`` in a call (methods: ``self`` not counted)
    status: str


def _params(func: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[list[str], dict[str, ast.expr]]:
    args = func.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    if positional and positional[0] in ("self", "cls"):
        positional = positional[1:]
    defaults: dict[str, ast.expr] = {}
    for arg, default in zip(
        (args.posonlyargs + args.args)[-len(args.defaults) :] if args.defaults else [],
        args.defaults,
        strict=True,
    ):
        defaults[arg.arg] = default
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if kw_default is not None:
            defaults[arg.arg] = kw_default
    names = positional + [a.arg for a in args.kwonlyargs]
    return names, defaults


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _reason_arg(call: ast.Call, keyword: str, index: int | None) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if index is not None and index < len(call.args):
        arg = call.args[index]
        return None if isinstance(arg, ast.Starred) else arg
    return None


class _Finder:
    def __init__(self, modules: list[_Module]) -> None:
        self.modules = modules
        self.classes = _error_classes(modules)
        self.helpers: dict[str, _Helper] = {}
        self._find_helpers()

    def _sink(self, call: ast.Call) -> tuple[str, int | None, str] | None:
        """(keyword, positional index, status) when ``call`` carries a reason."""
        name = _name_of(call.func)
        if name in self.classes:
            return "reason", None, self.classes[name]
        if name in SINKS:
            return "reason", None, ""
        helper = self.helpers.get(name)
        if helper is not None:
            return helper.param, helper.index, helper.status
        return None

    def _find_helpers(self) -> None:
        changed = True
        while changed:
            changed = False
            for module in self.modules:
                for func in _functions(module.tree):
                    if func.name in self.helpers or func.name in self.classes:
                        continue
                    names, _ = _params(func)
                    for call in (n for n in ast.walk(func) if isinstance(n, ast.Call)):
                        sink = self._sink(call)
                        if sink is None:
                            continue
                        value = _reason_arg(call, sink[0], sink[1])
                        if isinstance(value, ast.Name) and value.id in names:
                            index = names.index(value.id)
                            kwonly = {a.arg for a in func.args.kwonlyargs}
                            self.helpers[func.name] = _Helper(
                                value.id, None if value.id in kwonly else index, sink[2]
                            )
                            changed = True
                            break

    def scan(self) -> Scan:
        scan = Scan()
        for module in self.modules:
            self._scan_module(module, scan)
        return scan

    def _scan_module(self, module: _Module, scan: Scan) -> None:
        def at(node: ast.AST) -> str:
            return f"{module.rel}:{getattr(node, 'lineno', 0)}"

        def record(value: ast.expr, status: str, params: set[str]) -> None:
            for reason, node, dynamic in _literals(value, module.constants, params):
                (scan.dynamic if dynamic else scan.raised).append(Site(reason, at(node), status))

        for node in ast.walk(module.tree):
            if isinstance(node, ast.ClassDef) and node.name in self.classes:
                for stmt in node.body:
                    value = _assigned(stmt, "default_reason")
                    if value is not None:
                        scan.raised.append(Site(value, at(stmt), self.classes[node.name]))
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                helper = self.helpers.get(node.name)
                if helper is not None:
                    _, defaults = _params(node)
                    if helper.param in defaults:
                        record(defaults[helper.param], helper.status, set())
            elif isinstance(node, ast.Call):
                sink = self._sink(node)
                if sink is not None:
                    value = _reason_arg(node, sink[0], sink[1])
                    if value is not None:
                        record(value, sink[2], self._enclosing_params(module, node))
            elif isinstance(node, ast.Compare):
                self._reads(node, module, scan)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if node.value is not None and any(
                    _name_of(t).upper().endswith("REASONS") for t in targets
                ):
                    for text, where in _strings_in_collection(node.value):
                        scan.read.append(Site(text, at(where)))

    def _enclosing_params(self, module: _Module, call: ast.Call) -> set[str]:
        """Names that are a helper's own reason parameter (passed through, not a reason)."""
        params: set[str] = set()
        for func in _functions(module.tree):
            if func.lineno <= call.lineno <= (func.end_lineno or func.lineno):
                names, _ = _params(func)
                params.update(names)
        return params

    def _reads(self, node: ast.Compare, module: _Module, scan: Scan) -> None:
        sides = [node.left, *node.comparators]
        if not any(_is_reason_expr(s) for s in sides):
            return
        for side in sides:
            if _is_reason_expr(side):
                continue
            for text, where in _strings_in_collection(side):
                scan.read.append(Site(text, f"{module.rel}:{where.lineno}"))


def _is_reason_expr(node: ast.expr) -> bool:
    if isinstance(node, ast.Name | ast.Attribute):
        return _is_reason_name(_name_of(node))
    if isinstance(node, ast.Call):
        return _name_of(node.func) in _READERS
    return False


def _strings_in_collection(node: ast.expr) -> Iterator[tuple[str, ast.AST]]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value, node
    elif isinstance(node, ast.Dict):
        for key in node.keys:
            if key is not None:
                yield from _strings_in_collection(key)
    elif isinstance(node, ast.Set | ast.List | ast.Tuple):
        for element in node.elts:
            yield from _strings_in_collection(element)
    elif isinstance(node, ast.Call) and _name_of(node.func) in ("frozenset", "set", "tuple"):
        for arg in node.args:
            yield from _strings_in_collection(arg)


def _literals(
    value: ast.expr, constants: dict[str, str], params: set[str]
) -> Iterator[tuple[str, ast.AST, bool]]:
    """(reason, node, dynamic) for the strings a reason expression can evaluate to."""
    if isinstance(value, ast.Constant):
        if isinstance(value.value, str):
            yield value.value, value, False
    elif isinstance(value, ast.BoolOp):
        for part in value.values:
            yield from _literals(part, constants, params)
    elif isinstance(value, ast.IfExp):
        yield from _literals(value.body, constants, params)
        yield from _literals(value.orelse, constants, params)
    elif isinstance(value, ast.Name):
        if value.id in constants and value.id not in params:
            yield constants[value.id], value, False
    elif isinstance(value, ast.JoinedStr | ast.BinOp):
        yield ast.unparse(value), value, True
    # attributes (error.reason), calls (reason_in(...)), parameters: a reason passed on


def scan_tree(root: Path = ROOT, packages: Iterable[str] = PACKAGES) -> Scan:
    return _Finder(_load(source_files(root, packages), root)).scan()


# --- docs/errors.md -----------------------------------------------------------------------------
DOC = ROOT / "docs" / "errors.md"


def statuses(scan: Scan) -> dict[str, list[str]]:
    """Reason -> the gRPC status names its raise sites use, sorted."""
    found: dict[str, set[str]] = {}
    for site in scan.raised:
        found.setdefault(site.reason, set())
        if site.status:
            found[site.reason].add(site.status)
    return {reason: sorted(names) for reason, names in found.items()}


def render_doc(scan: Scan) -> str:
    """docs/errors.md: the catalogue as tables, one per area, with each reason's gRPC status."""
    from ktv import reasons

    by_reason = statuses(scan)
    lines = [
        "# Error reasons",
        "",
        "<!-- generated from ktv/reasons.py by `python -m ktv.reason_scan --write`: "
        "do not edit -->",
        "",
        "Every failed call carries a `google.rpc.ErrorInfo` (domain `ktv.v1`) in the standard",
        "`grpc-status-details-bin` trailer; its `reason` is one of the names below (the legacy",
        "`ktv-reason` trailer repeats it). Branch on the reason, show the message. The status is",
        "the gRPC status the reason travels with (read from the code that raises it).",
        "",
    ]
    for area, entries in reasons.AREAS.items():
        lines += [f"## {area}", "", "| Reason | gRPC status | Meaning |", "|---|---|---|"]
        for name, text in entries.items():
            status = ", ".join(by_reason.get(name, [])) or "-"
            lines.append(f"| `{name}` | {status} | {text.replace('|', '/')} |")
        lines.append("")
    lines += [
        "## Renamed since 0.1",
        "",
        "| 0.1 reason | now |",
        "|---|---|",
        *(f"| `{old}` | `{new}` |" for old, new in reasons.RENAMED.items()),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="print or write docs/errors.md")
    parser.add_argument("--write", action="store_true", help=f"write {DOC.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    text = render_doc(scan_tree())
    if args.write:
        DOC.write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
