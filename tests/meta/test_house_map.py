"""docs/house.md is checked against the code (issue 18): every import obeys the map's layers,
no controller package imports another back, domain modules import no adapters, and no class
in controller/ is a mixin. Imports are read with ``ast`` (module level, in functions and
under ``TYPE_CHECKING``), never by importing the code."""

from __future__ import annotations

import ast
import dataclasses
import enum
import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import controller
from controller.billing.api import BillingServicer
from controller.billing.self_service import RoomSelfService
from controller.billing.service import BillingDesk
from controller.billing.till import Till
from controller.rooms.board import RoomBoard
from controller.rooms.model import DEFAULT_TIERS
from controller.store.db import open_store
from ktv.purity import DOMAIN_MODULES, EDGE_LIBRARIES
from ktv.v1 import billing_pb2_grpc

ROOT = Path(__file__).resolve().parents[2]
HOUSE = ROOT / "docs" / "house.md"
TOPS = ("ktv", "media_index", "controller", "room_agent")


@dataclass(frozen=True)
class Import:
    importer: str  # module name
    imported: str  # module name (the longest prefix of the import that is a module)
    line: int
    runtime: bool  # False under ``if TYPE_CHECKING:``

    def __str__(self) -> str:
        return f"{self.importer}:{self.line} imports {self.imported}"


# --- reading the code --------------------------------------------------------------------


def module_files(root: Path = ROOT) -> dict[str, Path]:
    out = {}
    for top in TOPS:
        for path in (root / top).rglob("*.py"):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[:2] == ("ktv", "v1"):
                continue  # generated
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def _as_module(name: str, modules: dict[str, Path]) -> str | None:
    """``controller.billing.money.format_yuan`` -> ``controller.billing.money``."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                hidden.update(id(n) for n in ast.walk(child))
    return hidden


def imports_of(module: str, source: str, modules: dict[str, Path]) -> Iterator[Import]:
    tree = ast.parse(source)
    hidden = _type_checking_nodes(tree)
    is_package = modules.get(module, Path()).name == "__init__.py"
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, *([base] if base else [])])
            # ``from controller import settings`` imports controller.settings
            names = [f"{base}.{a.name}" for a in node.names] or [base]
        targets = {_as_module(name, modules) for name in names} - {None, module}
        for target in sorted(t for t in targets if t is not None):
            yield Import(module, target, node.lineno, id(node) not in hidden)


def all_imports(root: Path = ROOT) -> list[Import]:
    modules = module_files(root)
    out = []
    for module, path in modules.items():
        out.extend(imports_of(module, path.read_text(encoding="utf-8"), modules))
    return out


# --- reading the map ---------------------------------------------------------------------


def layer_blocks(text: str) -> dict[str, list[list[str]]]:
    blocks = {}
    for name, body in re.findall(r"```layers (\w+)\n(.*?)```", text, re.S):
        blocks[name] = [line.split() for line in body.splitlines() if line.strip()]
    return blocks


def exceptions(text: str) -> set[tuple[str, str]]:
    body = re.search(r"```exceptions\n(.*?)```", text, re.S)
    out = set()
    for line in (body.group(1) if body else "").splitlines():
        rule = line.split("#", 1)[0].strip()
        if rule:
            importer, _, imported = rule.partition("->")
            out.add((importer.strip(), imported.strip()))
    return out


def unit_of(module: str, layers: list[list[str]]) -> tuple[str, int] | None:
    """(unit, layer) of a module: the longest unit its name starts with. A block's own top
    name (``controller``) is only that package's ``__init__``, so a new module is not
    silently put on the bottom line."""
    best = None
    top = module.split(".")[0]
    for level, units in enumerate(layers):
        for unit in units:
            covers = module == unit or (unit != top and module.startswith(unit + "."))
            if covers and (best is None or len(unit) > len(best[0])):
                best = (unit, level)
    return best


def layer_violations(
    imports: list[Import], blocks: dict[str, list[list[str]]], allowed: set[tuple[str, str]]
) -> list[str]:
    problems = []
    for imp in imports:
        if (imp.importer, imp.imported) in allowed:
            continue
        top_a, top_b = imp.importer.split(".")[0], imp.imported.split(".")[0]
        block = blocks["top"] if top_a != top_b else blocks.get(top_a)
        if block is None:
            continue
        key_a = top_a if top_a != top_b else imp.importer
        key_b = top_b if top_a != top_b else imp.imported
        a, b = unit_of(key_a, block), unit_of(key_b, block)
        if a is None or b is None:
            continue  # test_every_module_is_on_the_map says so
        if a[0] != b[0] and a[1] <= b[1]:
            problems.append(f"{imp} ({a[0]} may not import {b[0]}: docs/house.md)")
    return problems


def package_cycles(imports: list[Import], prefix: str = "controller") -> list[list[str]]:
    """Strongly connected components (size > 1) of the graph of ``prefix``'s packages and
    top-level modules (``controller.billing``, ``controller.server``, ...)."""

    def unit(module: str) -> str:
        return ".".join(module.split(".")[:2])

    edges: dict[str, set[str]] = {}
    for imp in imports:
        if imp.importer.startswith(prefix + ".") and imp.imported.startswith(prefix + "."):
            a, b = unit(imp.importer), unit(imp.imported)
            if a != b:
                edges.setdefault(a, set()).add(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def adapters(imports_by_module: dict[str, list[str]]) -> set[str]:
    return {
        module
        for module, names in imports_by_module.items()
        if any(name.split(".")[0] in EDGE_LIBRARIES for name in names)
    }


def external_imports(root: Path = ROOT) -> dict[str, list[str]]:
    """Every module's runtime imports of anything (ours or not), by their written names."""
    out = {}
    for module, path in module_files(root).items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        hidden = _type_checking_nodes(tree)
        names = []
        for node in ast.walk(tree):
            if id(node) in hidden:
                continue
            if isinstance(node, ast.Import):
                names += [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.append(node.module)
        out[module] = names
    return out


def domain_violations(imports: list[Import], adapter_modules: set[str]) -> list[str]:
    domain = set(DOMAIN_MODULES)
    return [
        f"{imp} (a domain module imports an adapter)"
        for imp in imports
        if imp.runtime and imp.importer in domain and imp.imported in adapter_modules
    ]


# --- the tests ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def house() -> str:
    return HOUSE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    return all_imports()


def test_the_map_has_its_blocks_and_names_only_what_exists(house: str) -> None:
    blocks = layer_blocks(house)
    assert set(blocks) == {"top", "controller", "room_agent"}
    modules = module_files()
    for name, layers in blocks.items():
        for unit in (u for line in layers for u in line):
            assert unit in modules, f"docs/house.md ({name}) names {unit}, which does not exist"
    for importer, imported in exceptions(house):
        assert importer in modules and imported in modules, (importer, imported)


def test_every_module_is_on_the_map(house: str) -> None:
    blocks = layer_blocks(house)
    missing = [
        module
        for module in module_files()
        if module.split(".")[0] in blocks and unit_of(module, blocks[module.split(".")[0]]) is None
    ]
    assert missing == [], "put these in docs/house.md's layers: " + ", ".join(missing)


def test_every_import_follows_the_map(house: str, imports: list[Import]) -> None:
    problems = layer_violations(imports, layer_blocks(house), exceptions(house))
    assert problems == [], "\n".join(problems)


def test_the_exceptions_are_still_needed(house: str, imports: list[Import]) -> None:
    used = {(imp.importer, imp.imported) for imp in imports}
    assert exceptions(house) <= used, "drop the stale exception from docs/house.md"


def test_room_agent_and_controller_never_import_each_other(
    house: str, imports: list[Import]
) -> None:
    allowed = exceptions(house)
    crossing = [
        str(imp)
        for imp in imports
        if {imp.importer.split(".")[0], imp.imported.split(".")[0]} == {"controller", "room_agent"}
        and (imp.importer, imp.imported) not in allowed
    ]
    assert crossing == []


def test_no_import_cycle_between_controller_packages(imports: list[Import]) -> None:
    assert package_cycles(imports) == []


def test_domain_modules_import_no_adapters(imports: list[Import]) -> None:
    found = adapters(external_imports())
    assert "controller.store.db" in found and "room_agent.core.ports" not in found
    assert domain_violations(imports, found) == []


# --- the checks catch what they are for --------------------------------------------------


def _with(source_for: dict[str, str]) -> list[Import]:
    """The real tree's imports, with some modules' sources replaced."""
    modules = module_files()
    out = []
    for module, path in modules.items():
        source = source_for.get(module) or path.read_text(encoding="utf-8")
        out.extend(imports_of(module, source, modules))
    return out


def _plus(module: str, line: str) -> dict[str, str]:
    path = module_files()[module]
    return {module: path.read_text(encoding="utf-8") + "\n" + line + "\n"}


@pytest.mark.parametrize(
    ("module", "line", "needle"),
    [
        ("room_agent.core.queue", "from controller.rooms import model", "room_agent may not"),
        ("controller.rooms.board", "import room_agent.core.room", "controller may not"),
        (
            "controller.billing.api",
            "from controller.server import DB_FILE",
            "controller.billing may not import controller.server",
        ),
        (
            "controller.rooms.model",
            "from controller.billing import money",
            "controller.rooms may not import controller.billing",
        ),
        (
            "room_agent.core.room",
            "from room_agent.ui import port",
            "core may not import room_agent.ui",
        ),
        ("ktv.text", "from media_index import model", "ktv may not import media_index"),
    ],
)
def test_a_forbidden_import_is_caught(house: str, module: str, line: str, needle: str) -> None:
    problems = layer_violations(_with(_plus(module, line)), layer_blocks(house), set())
    assert any(needle in p and module in p for p in problems), problems


def test_a_cycle_is_caught() -> None:
    # the old shape: a servicer imports the server, which imports the servicers
    bad = _with(
        {
            **_plus("controller.billing.api", "from controller.server import DB_FILE"),
            **_plus("controller.server", "import controller.billing.api"),
        }
    )
    assert ["controller.billing", "controller.server"] in package_cycles(bad)


def test_a_domain_module_importing_an_adapter_is_caught() -> None:
    found = adapters(external_imports())
    bad = _with(_plus("controller.billing.tab", "from controller.store.db import Store"))
    (problem,) = domain_violations(bad, found)
    assert problem.startswith("controller.billing.tab:") and "controller.store.db" in problem
    typed = "if TYPE_CHECKING:\n    from controller.store.db import Store"
    assert domain_violations(_with(_plus("controller.billing.tab", typed)), found) == []


# --- classes: composition, no mixins -----------------------------------------------------

LIBRARY_EXTENSION_POINTS = ("grpc", "zeroconf", "argparse", "threading", "uvicorn")


def _is_record_base(base: type) -> bool:
    """One of our frozen dataclasses with fields and no methods: events share fields."""
    params = getattr(base, "__dataclass_params__", None)
    own_methods = [
        name
        for name, value in vars(base).items()
        if inspect.isfunction(value) and not (name.startswith("__") and name.endswith("__"))
    ]
    return (
        dataclasses.is_dataclass(base) and params is not None and params.frozen and not own_methods
    )


def base_problem(cls: type, base: type) -> str | None:
    if base is object or issubclass(base, BaseException | enum.Enum):
        return None
    if getattr(base, "_is_protocol", False):
        return None
    home = base.__module__.split(".")[0]
    if home not in TOPS:
        if home in LIBRARY_EXTENSION_POINTS or base.__module__.startswith("zeroconf"):
            return None
        return f"{cls.__qualname__} extends {base.__module__}.{base.__qualname__}"
    if base.__module__.startswith("ktv.v1.") and base.__name__.endswith("Servicer"):
        return None  # a generated gRPC servicer base
    if _is_record_base(base):
        return None
    return f"{cls.__module__}.{cls.__qualname__} extends our {base.__module__}.{base.__qualname__}"


def controller_classes() -> Iterator[type]:
    for info in pkgutil.walk_packages(controller.__path__, "controller."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__:
                yield cls


def test_no_class_in_the_controller_is_a_mixin() -> None:
    problems = [
        problem
        for cls in controller_classes()
        for base in cls.__bases__
        if (problem := base_problem(cls, base)) is not None
    ]
    assert problems == []


def test_the_rule_refuses_a_mixin_and_allows_what_it_says() -> None:
    class Part:
        def helper(self) -> int:
            return 1

    class Whole(Part):
        pass

    Part.__module__ = Whole.__module__ = "controller.billing.service"
    assert base_problem(Whole, Part) is not None
    assert base_problem(BillingServicer, billing_pb2_grpc.BillingServiceServicer) is None


def test_billing_desk_and_servicer_hold_their_parts(tmp_path: Path) -> None:
    store = open_store(tmp_path / "controller.db")
    desk = BillingDesk(RoomBoard(store, tiers=DEFAULT_TIERS))
    servicer = BillingServicer(desk)
    assert isinstance(desk.till, Till) and desk.till.service is desk
    assert isinstance(servicer.self_service, RoomSelfService)
    assert servicer.self_service.desk is desk
    store.close()
    assert BillingDesk.__mro__ == (BillingDesk, object)
    assert BillingServicer.__mro__ == (
        BillingServicer,
        billing_pb2_grpc.BillingServiceServicer,
        object,
    )
    assert Till.__mro__ == (Till, object)
    assert RoomSelfService.__mro__ == (RoomSelfService, object)
