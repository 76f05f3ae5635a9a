"""The layout stays as the README describes it: no import cycle, small modules, a short reading path.

Imports are read with ``ast`` from every module of the package, including
imports inside functions and under ``TYPE_CHECKING``; importing ``a.b.c``
also runs the ``__init__`` of ``a.b``, so that package counts as imported too.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "autograd_graph"
MAX_LINES = 450
# network → schedule → compiled engine → kernels: what a reader follows from net.forward to the numbers
READING_PATH = ("network.py", "engines/schedule.py", "engines/compiled.py", "engines/kernels.py")
READING_PATH_MAX_LINES = 300


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ["autograd_graph", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imported(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that importing ``name`` runs, directly."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            wanted = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                prefix = package[: len(package) - (node.level - 1)]
                base = ".".join(prefix + ([base] if base else []))
            wanted = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in wanted:
            while target and target not in known:
                target = target.rpartition(".")[0]
            # the module itself, and every package above it (their __init__ runs first)
            while target and target != "autograd_graph":
                if target != name and not name.startswith(target + "."):
                    targets.add(target)
                target = target.rpartition(".")[0]
    return targets


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(u: str) -> list[str] | None:
        state[u] = 1
        stack.append(u)
        for v in sorted(graph[u]):
            if state.get(v) == 1:
                return stack[stack.index(v) :] + [v]
            if v not in state and (cycle := visit(v)):
                return cycle
        stack.pop()
        state[u] = 2
        return None

    for u in sorted(graph):
        if u not in state and (cycle := visit(u)):
            return cycle
    return None


def test_no_import_cycle():
    known = modules()
    graph = {name: imported(name, path, known) for name, path in known.items()}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a"}}) is None


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_module_is_over_the_limit(name):
    lines = len(modules()[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines (at most {MAX_LINES}): split it by job"


@pytest.mark.parametrize("module", READING_PATH)
def test_the_reading_path_is_short(module):
    lines = len((PACKAGE / module).read_text(encoding="utf-8").splitlines())
    assert lines <= READING_PATH_MAX_LINES, f"{module}: {lines} lines on the reading path (at most 300)"


def test_engines_read_no_private_attribute_of_the_network():
    # the engines see an IndexedGraph, the weight vector and activation objects: never Network internals
    for path in (PACKAGE / "engines").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and "network" in node.module:
                pytest.fail(f"{path.name} imports {node.module}")
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                owner = node.value
                if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                    assert node.attr == "_sparsetools" or isinstance(owner, ast.Name) and owner.id == "np", (
                        f"{path.name}:{node.lineno} reads the private attribute {node.attr}"
                    )
