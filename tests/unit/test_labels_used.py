"""Every label in dashboard/labels.py is read by the app; every key of its dicts is a code it has.

Read from the source of the app's modules (dashboard/ geo/ mapview/ pages/ web/ app.py). Tests do
not count: a label only a test reads is a label no user sees.
- A name is read when a module reads it from dashboard.labels under the name it imported it as
  (`from dashboard import labels [as x]`, `import dashboard.labels as x`, then `x.NAME`), imports
  it (`from dashboard.labels import NAME`), reads it with a literal `getattr(x, "NAME")`, or when a
  label that is read is built from it (SESSION_ENDED holds SESSION_EXPIRED).
- Any other use of the module (`getattr(labels, "ERR_" + code)`, `vars(labels)`, the module passed
  on) is a read by a computed name: it must be listed in COMPUTED_NAMES with its literal prefix,
  and then every name with that prefix counts as read. No app module does that today.
- A dict's key is read when the dict is only ever read by literal keys
  (`labels.TREND_TABLE["flows"]`) and one of them is that key. A dict read by a computed key
  (`labels.STATUS[row.status]`) cannot be checked that closely: its key must be a literal
  somewhere in the app's code (the code that makes the key: the statuses, a catalogue code, ...),
  or match a piece of an f-string listed in COMPUTED_KEYS (f"ASK_{question}"). A key that happens
  to be written for another reason somewhere still passes that looser check.
- A name assigned twice is dead on its first assignment.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# The same app modules, read the same way, as the check that their UI text lives in labels.py.
from tests.unit.test_labels_only import LABELS, REPO, _scanned_files

# Literal prefix -> the module that builds label names from it. None does today.
COMPUTED_NAMES: dict[str, str] = {}
# Dict label -> {module: f-string pieces it builds that dict's keys with}. A piece ending in "_"
# is a key's start, one starting with "_" its end.
COMPUTED_KEYS: dict[str, dict[str, tuple[str, ...]]] = {
    # ASK_STEPS = tuple(f"ASK_{question}" for question in SOP_QUESTIONS)
    "TRAINING_STEP": {"dashboard/training_rules.py": ("ASK_",)},
    # f"MISSED_{step}", f"{action}_LATE", f"{action}_MISSING"
    "TRAINING_FEEDBACK": {"dashboard/training_rules.py": ("MISSED_", "_LATE", "_MISSING")},
}


@dataclass
class Reads:
    """What the app's modules read of dashboard.labels."""

    names: set[str] = field(default_factory=set)
    literal_keys: dict[str, set] = field(default_factory=dict)  # dict -> keys read literally
    computed_keys: set[str] = field(default_factory=set)  # dicts read any other way
    computed_names: list[tuple[str, str]] = field(default_factory=list)  # (where, prefix)
    literals: set = field(default_factory=set)  # every str / int literal of the app's code
    fstring_pieces: dict[str, set[str]] = field(default_factory=dict)  # module -> pieces


def label_names(source: str) -> list[str]:
    """The module-level names a labels module assigns, in the order first assigned."""
    names: list[str] = []
    for node in ast.parse(source).body:
        for target in _targets(node):
            if isinstance(target, ast.Name) and target.id not in names:
                names.append(target.id)
    return names


def shadowed_names(source: str) -> list[str]:
    """Names assigned more than once at module level: the first value is never read."""
    seen: list[str] = []
    found: list[str] = []
    for node in ast.parse(source).body:
        for target in _targets(node):
            if isinstance(target, ast.Name):
                if target.id in seen and target.id not in found:
                    found.append(target.id)
                seen.append(target.id)
    return found


def label_keys(source: str) -> dict[str, list]:
    """Dict label -> its literal keys, with those added by `D[k] = ...` and `D.update({...})`."""
    keys: dict[str, list] = {}
    for node in ast.parse(source).body:
        for target in _targets(node):
            if isinstance(target, ast.Name) and isinstance(node.value, ast.Dict):
                keys[target.id] = _dict_keys(node.value)
            elif (
                isinstance(target, ast.Subscript)
                and isinstance(target.value, ast.Name)
                and isinstance(target.slice, ast.Constant)
            ):
                keys.setdefault(target.value.id, []).append(target.slice.value)
        call = node.value if isinstance(node, ast.Expr) else None
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "update"
            and isinstance(call.func.value, ast.Name)
            and call.args
            and isinstance(call.args[0], ast.Dict)
        ):
            keys.setdefault(call.func.value.id, []).extend(_dict_keys(call.args[0]))
    return keys


def label_references(source: str) -> dict[str, set[str]]:
    """Label -> the other labels its value is built from."""
    names = set(label_names(source))
    found: dict[str, set[str]] = {}
    for node in ast.parse(source).body:
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        used = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)} & names
        for target in _targets(node):
            if isinstance(target, ast.Name):
                found.setdefault(target.id, set()).update(used)
            elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                found.setdefault(target.value.id, set()).update(used)
    return found


def module_reads(source: str, path: str, reads: Reads | None = None) -> Reads:
    """Add what one module reads of dashboard.labels (and its literals) to reads."""
    reads = reads if reads is not None else Reads()
    tree = ast.parse(source)
    aliases, dotted = _labels_aliases(tree, reads)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    pieces = reads.fstring_pieces.setdefault(path, set())
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and type(node.value) in (str, int):
            reads.literals.add(node.value)
        if isinstance(node, ast.JoinedStr):
            pieces.update(v.value for v in node.values if isinstance(v, ast.Constant))
        if not _is_labels(node, aliases, dotted):
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.Attribute) and parent.value is node:
            reads.names.add(parent.attr)
            _read_keys(parent, parents, reads)
        elif _is_literal_getattr(parent, node):
            reads.names.add(parent.args[1].value)
        else:
            where = f"{path}:{node.lineno}: {ast.unparse(parent or node)}"
            reads.computed_names.append((where, _literal_prefix(parent)))
    return reads


@functools.cache
def tree_reads(root: Path = REPO) -> Reads:
    """What every scanned module of the tree reads, labels.py itself aside (read once a tree)."""
    reads = Reads()
    for path in _scanned_files(root):
        name = path.relative_to(root).as_posix()
        if name != LABELS:
            module_reads(path.read_text(encoding="utf-8"), name, reads)
    return reads


def unused_names(root: Path = REPO, computed: Mapping[str, str] = COMPUTED_NAMES) -> list[str]:
    """Labels no scanned module reads, directly or through a label that is read."""
    source = (root / LABELS).read_text(encoding="utf-8")
    names = label_names(source)
    reads = tree_reads(root)
    prefixes = tuple(computed)
    read = [n for n in names if n in reads.names or (prefixes and n.startswith(prefixes))]
    references = label_references(source)
    reached: set[str] = set()
    while read:
        name = read.pop()
        if name not in reached:
            reached.add(name)
            read.extend(references.get(name, ()))
    return [n for n in names if n not in reached]


def unlisted_computed_reads(
    root: Path = REPO, computed: Mapping[str, str] = COMPUTED_NAMES
) -> list[str]:
    """Reads of dashboard.labels by a computed name whose literal prefix is not listed."""
    found = tree_reads(root).computed_names
    return [where for where, prefix in found if not prefix or prefix not in computed]


def unused_keys(
    root: Path = REPO, computed: Mapping[str, Mapping[str, tuple[str, ...]]] = COMPUTED_KEYS
) -> list[str]:
    """'NAME[key]' for each key of a read dict label that no module reads or makes."""
    reads = tree_reads(root)
    found = []
    for name, keys in label_keys((root / LABELS).read_text(encoding="utf-8")).items():
        if name not in reads.names:
            continue  # not read at all: unused_names says so
        pieces = [p for ps in computed.get(name, {}).values() for p in ps]
        for key in keys:
            if name in reads.computed_keys:
                made = key in reads.literals or _built_from(key, pieces)
            else:
                made = key in reads.literal_keys.get(name, set())
            if not made:
                found.append(f"{name}[{key!r}]")
    return found


def test_every_label_is_read_by_the_app():
    unused = unused_names()
    assert unused == [], "no app module reads these labels (delete them):\n" + "\n".join(unused)


def test_every_key_of_a_label_dict_is_one_the_app_reads_or_makes():
    unused = unused_keys()
    assert unused == [], "no app module reads or makes these keys:\n" + "\n".join(unused)


def test_no_label_is_read_by_a_name_the_code_builds_unless_its_prefix_is_listed():
    assert unlisted_computed_reads() == []
    found = {prefix for _, prefix in tree_reads().computed_names}
    assert found == set(COMPUTED_NAMES), "COMPUTED_NAMES lists a prefix no module builds"


def test_no_label_is_assigned_twice():
    source = (REPO / LABELS).read_text(encoding="utf-8")
    assert shadowed_names(source) == []


def test_every_listed_key_piece_is_still_an_f_string_piece_of_its_module():
    pieces = tree_reads().fstring_pieces
    for name, modules in COMPUTED_KEYS.items():
        for module, listed in modules.items():
            assert set(listed) <= pieces.get(module, set()), (name, module)


def test_a_label_no_module_reads_is_found_though_a_test_reads_it(tmp_path):
    _write(
        tmp_path,
        {
            LABELS: 'USED = "a"\nUNUSED = "b"\nINNER = "c"\nOUTER = {"x": INNER}\nMOVED = "d"\n',
            "dashboard/x.py": "from dashboard import labels\n\nprint(labels.USED, labels.OUTER)\n",
            "pages/p.py": "from dashboard.labels import MOVED\n",
            "tests/unit/test_x.py": "from dashboard import labels\n\nassert labels.UNUSED\n",
            # Another object called labels is not the labels module.
            "geo/g.py": "labels = {}\nprint(labels.UNUSED)\n",
        },
    )
    assert unused_names(tmp_path) == ["UNUSED"]


def test_an_alias_and_a_literal_getattr_are_reads_too(tmp_path):
    _write(
        tmp_path,
        {
            LABELS: 'A = "a"\nB = "b"\nC = "c"\nD = "d"\n',
            "web/w.py": "from dashboard import labels as L\n\nprint(L.A, getattr(L, 'B'))\n",
            "app.py": "import dashboard.labels as M\n\nprint(M.C)\n",
        },
    )
    assert unused_names(tmp_path) == ["D"]


def test_a_name_the_code_builds_is_found_and_counts_once_its_prefix_is_listed(tmp_path):
    _write(
        tmp_path,
        {
            LABELS: 'ERR_X = "x"\nOTHER = "o"\n',
            "dashboard/y.py": (
                "from dashboard import labels\n\n\n"
                "def error(code):\n"
                '    return getattr(labels, "ERR_" + code)\n'
            ),
        },
    )
    assert unlisted_computed_reads(tmp_path, {}) == [
        "dashboard/y.py:5: getattr(labels, 'ERR_' + code)"
    ]
    assert unused_names(tmp_path, {}) == ["ERR_X", "OTHER"]
    listed = {"ERR_": "dashboard/y.py"}
    assert unlisted_computed_reads(tmp_path, listed) == []
    assert unused_names(tmp_path, listed) == ["OTHER"]


def test_a_dict_key_no_module_reads_or_makes_is_found(tmp_path):
    _write(
        tmp_path,
        {
            LABELS: (
                'KIND = {"A": "a", "B": "b"}\n'
                'TITLE = {"t": "t", "u": "u"}\n'
                'STEP = {"ASK_X": "x", "OTHER": "o"}\n'
                'KIND["C"] = "c"\n'
            ),
            "dashboard/x.py": (
                "from dashboard import labels\n\n"
                'CODES = ("A", "u")\n\n\n'
                "def show(code, question):\n"
                '    return labels.KIND[code], labels.TITLE["t"], labels.STEP[f"ASK_{question}"]\n'
            ),
        },
    )
    # TITLE is only read by literal keys: "u" written elsewhere does not make it read.
    assert unused_keys(tmp_path, {}) == [
        "KIND['B']",
        "KIND['C']",
        "TITLE['u']",
        "STEP['ASK_X']",
        "STEP['OTHER']",
    ]
    listed = {"STEP": {"dashboard/x.py": ("ASK_",)}}
    assert unused_keys(tmp_path, listed) == [
        "KIND['B']",
        "KIND['C']",
        "TITLE['u']",
        "STEP['OTHER']",
    ]


def test_a_name_assigned_twice_is_found():
    assert shadowed_names('A = "x"\nB = {"k": A}\nB["j"] = "y"\nA = "z"\n') == ["A"]


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def _targets(node: ast.stmt) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return list(node.targets)
    if isinstance(node, ast.AnnAssign):
        return [node.target]
    return []


def _dict_keys(node: ast.Dict) -> list:
    return [k.value for k in node.keys if isinstance(k, ast.Constant)]


def _labels_aliases(tree: ast.AST, reads: Reads) -> tuple[set[str], bool]:
    """The names the module binds dashboard.labels to, and whether it imports it dotted."""
    aliases: set[str] = set()
    dotted = False
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            if node.module == "dashboard":
                aliases.update(a.asname or a.name for a in node.names if a.name == "labels")
            elif node.module == "dashboard.labels":
                reads.names.update(a.name for a in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "dashboard.labels":
                    if alias.asname:
                        aliases.add(alias.asname)
                    else:
                        dotted = True
    return aliases, dotted


def _is_labels(node: ast.AST, aliases: set[str], dotted: bool) -> bool:
    if isinstance(node, ast.Name):
        return node.id in aliases
    return (
        dotted
        and isinstance(node, ast.Attribute)
        and node.attr == "labels"
        and isinstance(node.value, ast.Name)
        and node.value.id == "dashboard"
    )


def _read_keys(attribute: ast.Attribute, parents: dict, reads: Reads) -> None:
    """Note how the dict label `labels.NAME` is read: by a literal key or otherwise."""
    name = attribute.attr
    parent = parents.get(attribute)
    key = None
    if isinstance(parent, ast.Subscript) and parent.value is attribute:
        key = parent.slice
    elif isinstance(parent, ast.Attribute) and parent.attr == "get":
        call = parents.get(parent)
        if isinstance(call, ast.Call) and call.func is parent and call.args:
            key = call.args[0]
    if isinstance(key, ast.Constant):
        reads.literal_keys.setdefault(name, set()).add(key.value)
    else:
        reads.computed_keys.add(name)


def _is_literal_getattr(call: ast.AST | None, module: ast.AST) -> bool:
    return (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == "getattr"
        and len(call.args) >= 2
        and call.args[0] is module
        and isinstance(call.args[1], ast.Constant)
        and isinstance(call.args[1].value, str)
    )


def _literal_prefix(call: ast.AST | None) -> str:
    """'ERR_' of getattr(labels, "ERR_" + code) or getattr(labels, f"ERR_{code}"); else ''."""
    if not (isinstance(call, ast.Call) and len(call.args) >= 2):
        return ""
    name = call.args[1]
    if isinstance(name, ast.BinOp) and isinstance(name.op, ast.Add):
        name = name.left
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            return name.value
    if isinstance(name, ast.JoinedStr) and name.values:
        first = name.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
    return ""


def _built_from(key: object, pieces: list[str]) -> bool:
    if not isinstance(key, str):
        return False
    for piece in pieces:
        if piece.endswith("_") and key.startswith(piece) and len(key) > len(piece):
            return True
        if piece.startswith("_") and key.endswith(piece) and len(key) > len(piece):
            return True
    return False
