"""``make mutants``: does the suite notice when the visibility rule, the release guards or the
feed's ordering are weakened in one place?

For each target below (a file, the functions to mutate in it, the tests that cover it), every
mutant (one small change, made on the syntax tree and written back into the file's text) is
written into the file, the target's tests run (``pytest -x``), and the file is restored. A mutant
is *killed* when the tests fail, *survived* when they pass. The report gives the counts per
target and the diff of every survivor; survivors known to be equivalent (no behaviour changes)
are listed in EQUIVALENT with the reason, and reported as such.

Mutation operators: comparison operators (``<`` ``<=``, ``==`` ``!=``, ``in`` ``not in``,
``is`` ``is not``), ``and``/``or`` and ``&``/``|`` swaps, negated conditions (``if``, ternaries,
``not``, ``~Q``), dropped terms (a side of ``&``/``|``, an operand of ``and``/``or``, an argument
of ``Q()``/``filter()``/``exclude()``, a whole ``filter()``/``exclude()``), replaced constants
(integers +-1, ``True``/``False``, a member of an enumeration such as ``Classification`` or
``Distribution`` by the next one), removed locks (``select_for_update()``, advisory locks,
``_locked()``), removed guard clauses (``if ...: raise``) and removed permission checks.

Targets name functions (``Class.method`` for methods; ``*`` for every function of the file), so
the table survives rewrites of the code; a function that no longer exists is reported, not
fatal. The file is always restored (also on Ctrl-C); a backup left by a killed run is restored
at the next start.

    python scripts/mutants.py                 # every target
    python scripts/mutants.py --target feed   # one target (see --list)
    python scripts/mutants.py --list          # the mutants, without running anything

Runs against PostgreSQL as the suite does, on its own test database (``<DATABASE_URL's
name>_mutants``, kept between runs), so it never touches the one ``make test`` uses.
"""

from __future__ import annotations

import argparse
import ast
import copy
import difflib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BACKUP_SUFFIX = ".mutants-orig"


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    functions: tuple[str, ...]  # "name", "Class.method", or "*" for all
    tests: tuple[str, ...]  # test files (or node ids), most likely killers first
    pytest_args: tuple[str, ...] = ("-m", "not e2e")


# What is mutated, and which tests must notice. Keep it in step with the code.
TARGETS = (
    Target(
        "querysets",
        "documents/querysets.py",
        ("*",),
        (
            "tests/documents/test_visibility.py",
            "tests/documents/test_one_rule.py",
            "tests/api/test_documents_api.py",
            "tests/api/test_changes_feed.py",
            "tests/api/test_oracle.py",
            "tests/api/test_calendar.py",
            "tests/documents/test_admin.py",
        ),
    ),
    Target(
        "release-guards",
        "documents/services/release.py",
        (
            "_require_release_permission",
            "_locked",
            "document_release",
            "document_release_undo",
            "document_classify",
        ),
        (
            "tests/documents/test_service_guards.py",
            "tests/documents/test_release_services.py",
            "tests/documents/test_admin.py",
        ),
    ),
    Target(
        "feed-service",
        "documents/services/changes.py",
        ("*",),
        (
            "tests/api/test_changes_feed.py",
            "tests/api/test_documents_api.py",
            "tests/api/test_oracle.py",
        ),
    ),
    Target(
        "feed-selector",
        "documents/selectors/changes.py",
        ("*",),
        (
            "tests/api/test_changes_feed.py",
            "tests/api/test_documents_api.py",
            "tests/api/test_oracle.py",
        ),
    ),
    Target(
        "feed-view",
        "api/views/changes.py",
        ("*",),
        ("tests/api/test_changes_feed.py", "tests/api/test_oracle.py"),
    ),
    Target(
        "lock-order",
        "documents/services/registration.py",
        ("_counters_take", "_numbers_allocate", "_subject_codes_allocate"),
        (
            "tests/documents/test_lock_order.py",
            "tests/documents/test_numbering.py",
        ),
    ),
)

# Survivors that change nothing a caller can observe:
# (target, function, description, replaced source) -> why.
EQUIVALENT: dict[tuple[str, str, str, str], str] = {
    ("release-guards", "_locked", "constant True -> False", "True"): (
        "FOR UPDATE instead of FOR NO KEY UPDATE still serialises the services on the document;"
        " it only also blocks inserts of rows that reference it"
    ),
    ("release-guards", "document_classify", "constant 100 -> 101", "100"): (
        "a classification change reason is at most 45 characters: the cut never applies"
    ),
    ("release-guards", "document_classify", "constant 100 -> 99", "100"): (
        "a classification change reason is at most 45 characters: the cut never applies"
    ),
    (
        "release-guards", "document_classify", "drop operand 1 of And",
        "classification and document.files.exists()",
    ): (
        "a document with files is never classified (uploads are refused for classified"
        " documents): only the no-op 'classify to 0' of a document with files differs"
    ),
    (
        "release-guards", "document_classify", "drop operand 1 of And",
        "classification and document.released_at is not None",
    ): (
        "a released document is never classified (refused just above): only the no-op"
        " 'classify to 0' of a released document differs"
    ),
}  # fmt: skip

# --- Mutation operators -----------------------------------------------------------------------

_COMPARE_SWAPS = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}  # fmt: skip
_FILTER_METHODS = {"filter", "exclude"}
_TERM_CALLS = {"Q", "filter", "exclude"}
_AGGREGATE_SWAPS = {"Min": "Max", "Max": "Min"}
_LOCK_WORDS = ("lock", "advisory")
_GUARD_WORDS = ("require", "permission", "has_perm")


@dataclass
class Mutant:
    function: str
    line: int
    description: str
    start: tuple[int, int]  # (line, byte column) of the replaced span, 1-based lines
    end: tuple[int, int]
    replacement: str
    source: str = field(default="", repr=False)  # the mutated file

    original: str = ""  # the replaced source text

    def key(self, target: Target) -> tuple[str, str, str, str]:
        """Stable across edits elsewhere in the file (no line numbers)."""
        return (target.name, self.function, self.description, self.original)

    @property
    def label(self) -> str:
        return f"{self.function}:{self.line} {self.description}: `{_short(self.original)}`"


def _short(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _call_name(node: ast.Call) -> str:
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    if isinstance(node.func, ast.Name):
        return node.func.id
    return ""


def _enum_members(paths: list[Path]) -> dict[str, list[str]]:
    """Members of the enumerations (TextChoices, IntegerChoices, Enum) defined in ``paths``."""
    members: dict[str, list[str]] = {}
    for path in paths:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = {ast.unparse(base).rsplit(".", 1)[-1] for base in node.bases}
            if not bases & {"TextChoices", "IntegerChoices", "Choices", "Enum", "IntEnum"}:
                continue
            names = [
                target.id
                for statement in node.body
                if isinstance(statement, ast.Assign)
                for target in statement.targets
                if isinstance(target, ast.Name) and target.id.isupper()
            ]
            if len(names) > 1:
                members[node.name] = names
    return members


def _functions(tree: ast.Module, wanted: tuple[str, ...]) -> Iterator[tuple[str, ast.AST]]:
    """(qualified name, node) of the functions to mutate (methods as Class.method)."""

    def walk(body, prefix: str):
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                yield f"{prefix}{node.name}", node
            elif isinstance(node, ast.ClassDef):
                yield from walk(node.body, f"{prefix}{node.name}.")

    for name, node in walk(tree.body, ""):
        if "*" in wanted or name in wanted:
            yield name, node


def _mutations(node: ast.AST, enums: dict[str, list[str]]) -> Iterator[tuple[str, ast.AST, str]]:
    """(description, the node to replace, its replacement source) for one node."""

    def expr(new: ast.AST) -> str:
        return f"({ast.unparse(ast.fix_missing_locations(new))})"

    if isinstance(node, ast.Compare):
        for index, op in enumerate(node.ops):
            if type(op) in _COMPARE_SWAPS:
                new = copy.deepcopy(node)
                new.ops[index] = _COMPARE_SWAPS[type(op)]()
                yield (
                    f"comparison {type(op).__name__} -> {_COMPARE_SWAPS[type(op)].__name__}",
                    node, expr(new),
                )  # fmt: skip
    elif isinstance(node, ast.BoolOp):
        swapped = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        new = copy.deepcopy(node)
        new.op = swapped
        yield f"boolean {type(node.op).__name__} -> {type(swapped).__name__}", node, expr(new)
        for index in range(len(node.values)):
            rest = [v for i, v in enumerate(node.values) if i != index]
            kept = rest[0] if len(rest) == 1 else ast.BoolOp(op=node.op, values=rest)
            yield f"drop operand {index + 1} of {type(node.op).__name__}", node, expr(kept)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd | ast.BitOr):
        swapped = ast.BitOr() if isinstance(node.op, ast.BitAnd) else ast.BitAnd()
        new = copy.deepcopy(node)
        new.op = swapped
        yield f"{type(node.op).__name__} -> {type(swapped).__name__}", node, expr(new)
        yield f"drop right side of {type(node.op).__name__}", node, expr(node.left)
        yield f"drop left side of {type(node.op).__name__}", node, expr(node.right)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.Invert):
        yield f"drop {type(node.op).__name__.lower()}", node, expr(node.operand)
    elif isinstance(node, ast.If | ast.IfExp | ast.While):
        test = node.test
        yield "negate condition", test, expr(ast.UnaryOp(op=ast.Not(), operand=test))
    elif isinstance(node, ast.Call):
        name = _call_name(node)
        terms = len(node.args) + len(node.keywords)
        if name in _TERM_CALLS and terms >= 2:
            for index in range(len(node.args)):
                new = copy.deepcopy(node)
                del new.args[index]
                yield f"drop argument {index + 1} of {name}()", node, expr(new)
            for index, keyword in enumerate(node.keywords):
                new = copy.deepcopy(node)
                del new.keywords[index]
                yield f"drop {keyword.arg}= of {name}()", node, expr(new)
        if name in _FILTER_METHODS and isinstance(node.func, ast.Attribute):
            yield f"drop .{name}()", node, expr(node.func.value)
        if name == "order_by" and isinstance(node.func, ast.Attribute):
            yield "drop .order_by()", node, expr(node.func.value)
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    flipped = arg.value[1:] if arg.value.startswith("-") else f"-{arg.value}"
                    yield f"order_by {arg.value!r} -> {flipped!r}", arg, repr(flipped)
        if name in _AGGREGATE_SWAPS and isinstance(node.func, ast.Name):
            new = copy.deepcopy(node)
            new.func.id = _AGGREGATE_SWAPS[name]
            yield f"{name}() -> {_AGGREGATE_SWAPS[name]}()", node, expr(new)
        if name == "select_for_update" and isinstance(node.func, ast.Attribute):
            yield "drop select_for_update()", node, expr(node.func.value)
        elif name.startswith("_lock") and len(node.args) == 1 and not node.keywords:
            yield f"drop lock {name}()", node, expr(node.args[0])
    elif isinstance(node, ast.Constant) and type(node.value) is bool:
        yield f"constant {node.value} -> {not node.value}", node, repr(not node.value)
    elif isinstance(node, ast.Constant) and type(node.value) is int:
        for delta in (1, -1):
            yield f"constant {node.value} -> {node.value + delta}", node, repr(node.value + delta)
    elif (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in enums
        and node.attr in enums[node.value.id]
    ):
        members = enums[node.value.id]
        other = members[(members.index(node.attr) + 1) % len(members)]
        yield f"{node.value.id}.{node.attr} -> {other}", node, f"{node.value.id}.{other}"
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        text = ast.unparse(node.value)
        if any(word in text.lower() for word in _LOCK_WORDS + _GUARD_WORDS):
            yield "remove statement", node, "pass"
    if (
        isinstance(node, ast.If)
        and not node.orelse
        and len(node.body) == 1
        and isinstance(node.body[0], ast.Raise)
    ):
        yield "remove guard clause", node, "pass"


def mutants_of(target: Target, enums: dict[str, list[str]]) -> tuple[list[Mutant], list[str]]:
    """The mutants of ``target`` and the functions it names that were not found."""
    path = ROOT / target.path
    source = path.read_text()
    tree = ast.parse(source)
    original = ast.dump(tree)
    lines = source.splitlines(keepends=True)
    found, mutants, seen = set(), [], set()
    for name, function in _functions(tree, target.functions):
        found.add(name)
        body = function.body
        # Skip the docstring: mutating it changes nothing.
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]
        for statement in body:
            # Positions inside f-strings are not reliable before Python 3.12: leave them be.
            in_fstrings = {
                id(inner)
                for node in ast.walk(statement)
                if isinstance(node, ast.JoinedStr)
                for inner in ast.walk(node)
            }
            for node in ast.walk(statement):
                if id(node) in in_fstrings:
                    continue
                for description, replaced, replacement in _mutations(node, enums):
                    start = (replaced.lineno, replaced.col_offset)
                    end = (replaced.end_lineno, replaced.end_col_offset)
                    mutated = _replace(lines, start, end, replacement)
                    try:
                        mutated_tree = ast.parse(mutated)
                    except SyntaxError:
                        continue
                    if ast.dump(mutated_tree) == original or mutated in seen:
                        continue
                    seen.add(mutated)
                    mutants.append(
                        Mutant(
                            name, start[0], description, start, end, replacement, mutated,
                            ast.get_source_segment(source, replaced) or "",
                        )
                    )  # fmt: skip
    missing = [
        name for name in target.functions if name != "*" and name not in found
    ]  # renamed or removed since the table was written
    return mutants, missing


def _replace(lines: list[str], start: tuple[int, int], end: tuple[int, int], text: str) -> str:
    """The source with the span start..end (1-based lines, byte columns) replaced by text."""
    first, last = lines[start[0] - 1].encode(), lines[end[0] - 1].encode()
    head = first[: start[1]].decode()
    tail = last[end[1] :].decode()
    return "".join(lines[: start[0] - 1]) + head + text + tail + "".join(lines[end[0] :])


# --- Running ----------------------------------------------------------------------------------


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    url = urlsplit(env.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker"))
    env["DATABASE_URL"] = urlunsplit(url._replace(path=url.path.rstrip("/") + "_mutants"))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _pytest(target: Target, env: dict[str, str], *, timeout: float, create_db: bool = False):
    """(exit code or None on timeout, seconds, last lines of output)."""
    command = [
        sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--no-header",
        "--create-db" if create_db else "--reuse-db", *target.pytest_args, *target.tests,
    ]  # fmt: skip
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )  # fmt: skip
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return None, time.monotonic() - started, ""
    tail = "\n".join(output.strip().splitlines()[-3:])
    return process.returncode, time.monotonic() - started, tail


class Restorer:
    """Puts the original file back whatever happens (exceptions, Ctrl-C, SIGTERM)."""

    def __init__(self, path: Path):
        self.path, self.backup = path, path.with_name(path.name + BACKUP_SUFFIX)
        self.original = path.read_text()

    def __enter__(self):
        self.backup.write_text(self.original)
        self._handlers = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        return self

    def write(self, text: str) -> None:
        self.path.write_text(text)

    def restore(self) -> None:
        self.path.write_text(self.original)

    def _on_signal(self, signum, frame):
        self.restore()
        self.backup.unlink(missing_ok=True)
        raise SystemExit(f"interrupted: {self.path.relative_to(ROOT)} restored")

    def __exit__(self, *exc):
        self.restore()
        self.backup.unlink(missing_ok=True)
        for sig, handler in self._handlers.items():
            signal.signal(sig, handler)
        return False


def recover_leftovers() -> None:
    """Restore files a killed run left mutated (their backups are still there)."""
    for target in TARGETS:
        path = ROOT / target.path
        backup = path.with_name(path.name + BACKUP_SUFFIX)
        if backup.exists():
            path.write_text(backup.read_text())
            backup.unlink()
            print(f"restored {target.path} from a previous run's backup", file=sys.stderr)


def run_target(target: Target, enums, env, *, limit: int | None, first: bool) -> dict:
    mutants, missing = mutants_of(target, enums)
    if limit is not None:
        mutants = mutants[:limit]
    result = {"target": target, "missing": missing, "killed": [], "survived": [], "timeout": []}
    print(f"\n== {target.name}: {target.path}, {len(mutants)} mutants", flush=True)
    for name in missing:
        print(f"   ! function {name} not found (renamed? update TARGETS)", flush=True)
    code, seconds, tail = _pytest(target, env, timeout=1800, create_db=first)
    if code != 0:
        print(f"   ! the tests fail on the unmutated code; skipped:\n{tail}", flush=True)
        result["baseline_failed"] = tail
        return result
    timeout = max(120.0, 3 * seconds + 60)
    path = ROOT / target.path
    with Restorer(path) as files:
        for number, mutant in enumerate(mutants, start=1):
            files.write(mutant.source)
            code, seconds, _tail = _pytest(target, env, timeout=timeout)
            files.restore()
            if code is None:
                outcome = "timeout"  # a hang (e.g. a deadlock) is noticed: counted as killed
            elif code == 0:
                outcome = "survived"
            else:
                outcome = "killed"
            result[outcome].append(mutant)
            print(
                f"   [{number}/{len(mutants)}] {outcome:8} {mutant.label} ({seconds:.0f} s)",
                flush=True,
            )
    return result


def diff_of(target: Target, mutant: Mutant) -> str:
    original = (ROOT / target.path).read_text().splitlines(keepends=True)
    mutated = mutant.source.splitlines(keepends=True)
    return "".join(
        difflib.unified_diff(original, mutated, f"a/{target.path}", f"b/{target.path}", n=1)
    )


def report(results: list[dict]) -> str:
    out = ["", "== Mutation report", ""]
    total = {"killed": 0, "survived": 0, "timeout": 0, "equivalent": 0}
    for result in results:
        target = result["target"]
        equivalent = [m for m in result["survived"] if m.key(target) in EQUIVALENT]
        survived = [m for m in result["survived"] if m.key(target) not in EQUIVALENT]
        counts = {
            "killed": len(result["killed"]),
            "timeout": len(result["timeout"]),
            "survived": len(survived),
            "equivalent": len(equivalent),
        }
        for name, count in counts.items():
            total[name] += count
        line = f"{target.name:15} {target.path:32} " + " ".join(
            f"{name} {count}" for name, count in counts.items()
        )
        if result.get("baseline_failed"):
            line += "  (NOT RUN: tests fail on the unmutated code)"
        out.append(line)
    out.append(
        f"{'total':15} {'':32} " + " ".join(f"{name} {count}" for name, count in total.items())
    )
    for result in results:
        target = result["target"]
        for mutant in result["survived"]:
            reason = EQUIVALENT.get(mutant.key(target))
            label = f"EQUIVALENT ({reason})" if reason else "SURVIVED"
            out += [
                "",
                f"-- {label}: {target.name} {mutant.label}",
                diff_of(target, mutant).rstrip(),
            ]
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", action="append", help="only these targets (by name)")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--limit", type=int, help="at most this many mutants per target")
    parser.add_argument("--report", type=Path, help="also write the report to this file")
    args = parser.parse_args()

    recover_leftovers()
    enums = _enum_members([ROOT / "documents/models/choices.py"] + [ROOT / t.path for t in TARGETS])
    targets = [t for t in TARGETS if not args.target or t.name in args.target]
    if unknown := set(args.target or ()) - {t.name for t in TARGETS}:
        parser.error(f"unknown target(s): {', '.join(sorted(unknown))}")
    if args.list:
        for target in targets:
            mutants, missing = mutants_of(target, enums)
            print(f"== {target.name}: {target.path}, {len(mutants)} mutants")
            for name in missing:
                print(f"   ! function {name} not found")
            for mutant in mutants:
                print(f"   {mutant.label}")
        return 0

    env = _environment()
    results = []
    for index, target in enumerate(targets):
        results.append(run_target(target, enums, env, limit=args.limit, first=index == 0))
    text = report(results)
    print(text)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(text)
    return 1 if any(r.get("baseline_failed") for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
