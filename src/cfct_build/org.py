"""The organization model CfCT resolves manifest targets against: root, OUs, accounts, SCPs.

One immutable `Organization` is built from one of two sources and used by `resolve.py` (the one
place that mirrors CfCT v2.8.4's targeting), `plan.py` and `simulate`:

- `load_snapshot(path)` / `parse_snapshot(text, file)` read a snapshot file (JSON, `version`
  1, format below); every problem is located (`<file>:<line>:<col>: <path>: got X; expected
  Y`) and raised as `SnapshotError` (exit code 2). `save_snapshot(org, path)` and
  `snapshot_text(org)` write one (sorted, byte-deterministic, atomic).
- `read_live(session, home_region, ...)` reads it through boto3: Organizations
  (`describe_organization`, `list_roots`, `list_organizational_units_for_parent`,
  `list_accounts_for_parent`, `list_policies_for_target`, all through paginators) and the
  enrollment source CfCT v2.8.4 uses (see below). The clients retry throttling with backoff
  (`retry_config()`: botocore standard mode, 10 attempts); progress goes to `progress` (stderr
  in the CLI). Failures raise `OrgReadError` (exit code 1) with one line for the user.

API (stable; other modules rely on it):

    Account(id, name, parent_id, state, enrolled, email="", status=None)
        .active                      state == "ACTIVE"
    OrganizationalUnit(id, name, parent_id)
    Organization(id, management_account_id, root_id, ous, accounts,
                 scps={}, rcps={}, stack_sets={}, home_region=None)
        .ou(ou_id) / .account(account_id)        -> OU / Account or None
        .children(parent_id)                      -> child OUs, in the order given
        .accounts_in(parent_id)                   -> accounts directly in a root/OU (no recursion)
        .path(target_id)                          -> ("Workloads", "Prod"); () for the root
        .path_str(target_id)                      -> "Workloads:Prod"; "Root" for the root
        .ancestors(target_id)                     -> (root_id, ..., target_id)
        .descendants(target_id)                   -> every OU below it (depth first)
        .find_ou(names)                           -> the OU at that name path, or None
        .scps_on(target_id) / .rcps_on(target_id) -> policy names attached to a root/OU
        .enrolled_ids                             -> frozenset of enrolled account ids
        .with_account(account)                    -> a copy with that account added or replaced
        .to_dict()                                -> the snapshot document (what save writes)
    Organization.from_dict(data, file="<snapshot>") -> validated Organization

Account lifecycle: `state` comes from Organizations' `State` field (PENDING_ACTIVATION, ACTIVE,
SUSPENDED, PENDING_CLOSURE, CLOSED). The `Status` field (ACTIVE, SUSPENDED, PENDING_CLOSURE),
which AWS retires on 2026-09-09, is used only when `State` is absent; `status` keeps the value
Organizations returned (None when it returned none), because CfCT v2.8.4 still reads it.

Enrollment: CfCT v2.8.4 (`manifest_parser.OrganizationsData`) treats as enrolled every account
that has a stack instance (any status, any Region) of Control Tower's baseline StackSet
`AWSControlTowerBP-BASELINE-CONFIG` in the home Region, where its pipeline runs. `read_live`
lists that StackSet's instances the same way; a snapshot records the result as `enrolled`.

Snapshot format (version 1):

    {
      "version": 1,
      "organization_id": "o-a1b2c3d4e5",
      "management_account": "111111111111",
      "home_region": "us-east-1",                       # optional: where enrollment was read
      "root": {"id": "r-a1b2", "scps": ["FullAWSAccess"], "rcps": []},
      "organizational_units": [
        {"id": "ou-a1b2-11111111", "name": "Security", "parent": "r-a1b2",
         "scps": ["FullAWSAccess", "aws-guardrails-AbCdEf"]}                 # "rcps" optional
      ],
      "accounts": [
        {"id": "333333333333", "name": "Audit", "email": "audit@example.com",  # email optional
         "parent": "ou-a1b2-11111111", "state": "ACTIVE", "status": "ACTIVE",  # one of the two
         "enrolled": true}
      ],
      "stack_sets": {                                   # optional: deployed CfCT instances
        "CustomControlTower-cfct-build-log-archive-key": [["333333333333", "us-east-1"]]
      }
    }
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from cfct_build import naming
from cfct_build.errors import CfctBuildError, Problem

SNAPSHOT_VERSION = 1
STATES = ("PENDING_ACTIVATION", "ACTIVE", "SUSPENDED", "PENDING_CLOSURE", "CLOSED")
STATUSES = ("ACTIVE", "SUSPENDED", "PENDING_CLOSURE")  # the retired field's values
ACCOUNT_ID = re.compile(r"^\d{12}$")
ROOT_ID = re.compile(r"^r-[0-9a-z]{4,32}$")
OU_ID = re.compile(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")
ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")

# botocore retry configuration for the live read: standard mode retries throttling errors
# (TooManyRequestsException, ThrottlingException, ...) and transient errors with exponential
# backoff and jitter (up to 20 s between attempts). Organizations allows only a few requests per
# second per account; the read is sequential, so backoff is enough (adaptive mode's client-side
# rate limiter would also slow every call after the first throttle).
RETRY_MODE = "standard"
RETRY_MAX_ATTEMPTS = 10
PROGRESS_EVERY = 100  # parents (root and OUs) between two progress lines


class SnapshotError(CfctBuildError):
    """A snapshot file is unreadable or invalid. Exit code 2; every problem is located."""

    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class OrgReadError(CfctBuildError):
    """The live read failed (credentials, permissions, missing StackSet). Exit code 1."""

    exit_code = 1


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    parent_id: str  # the root's or an OU's id
    state: str  # one of STATES
    enrolled: bool  # has an instance of Control Tower's baseline StackSet (CfCT's test)
    email: str = ""
    status: str | None = None  # the retired Status field as Organizations returned it

    @property
    def active(self) -> bool:
        return self.state == "ACTIVE"


@dataclass(frozen=True)
class OrganizationalUnit:
    id: str
    name: str
    parent_id: str


def state_from(state: str | None, status: str | None) -> str | None:
    """The account's lifecycle state: `State`, else the retired `Status` (same names)."""
    if state:
        return state
    return status or None


@dataclass(frozen=True)
class Organization:
    id: str
    management_account_id: str
    root_id: str
    ous: tuple[OrganizationalUnit, ...]
    accounts: tuple[Account, ...]
    scps: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # target id -> names
    rcps: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # deployed CfCT StackSet instances, by StackSet name: ((account, region), ...)
    stack_sets: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    home_region: str | None = None
    _ou_by_id: dict[str, OrganizationalUnit] = field(init=False, repr=False, compare=False)
    _account_by_id: dict[str, Account] = field(init=False, repr=False, compare=False)
    _children: dict[str, list[OrganizationalUnit]] = field(init=False, repr=False, compare=False)
    _members: dict[str, list[Account]] = field(init=False, repr=False, compare=False)
    _paths: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ou_by_id = {ou.id: ou for ou in self.ous}
        children: dict[str, list[OrganizationalUnit]] = {}
        for ou in self.ous:
            children.setdefault(ou.parent_id, []).append(ou)
        members: dict[str, list[Account]] = {}
        for a in self.accounts:
            members.setdefault(a.parent_id, []).append(a)
        object.__setattr__(self, "_ou_by_id", ou_by_id)
        object.__setattr__(self, "_account_by_id", {a.id: a for a in self.accounts})
        object.__setattr__(self, "_children", children)
        object.__setattr__(self, "_members", members)
        object.__setattr__(self, "_paths", {self.root_id: ()})

    # --- lookups -------------------------------------------------------------------------
    def ou(self, ou_id: str) -> OrganizationalUnit | None:
        return self._ou_by_id.get(ou_id)

    def account(self, account_id: str) -> Account | None:
        return self._account_by_id.get(account_id)

    def children(self, parent_id: str) -> Sequence[OrganizationalUnit]:
        return self._children.get(parent_id, ())

    def accounts_in(self, parent_id: str) -> Sequence[Account]:
        """Accounts directly in the root or OU `parent_id` (no recursion, as CfCT)."""
        return self._members.get(parent_id, ())

    def path(self, target_id: str) -> tuple[str, ...]:
        """OU names from the root down to `target_id`; () for the root. KeyError if unknown."""
        cached = self._paths.get(target_id)
        if cached is not None:
            return cached
        ou = self._ou_by_id[target_id]
        result = (*self.path(ou.parent_id), ou.name)
        self._paths[target_id] = result
        return result

    def path_str(self, target_id: str) -> str:
        """`Workloads:Prod` (the manifest's nested-OU syntax); `Root` for the root."""
        return ":".join(self.path(target_id)) or "Root"

    def ancestors(self, target_id: str) -> tuple[str, ...]:
        """Ids from the root down to `target_id`, both included."""
        chain = [target_id]
        while chain[-1] != self.root_id:
            chain.append(self._ou_by_id[chain[-1]].parent_id)
        return tuple(reversed(chain))

    def descendants(self, target_id: str) -> Iterator[OrganizationalUnit]:
        """Every OU below `target_id`, depth first, in the order given."""
        stack = list(reversed(self.children(target_id)))
        while stack:
            ou = stack.pop()
            yield ou
            stack.extend(reversed(self.children(ou.id)))

    def find_ou(self, names: Sequence[str]) -> OrganizationalUnit | None:
        """The OU at the name path `names` from the root (exact names), or None."""
        parent = self.root_id
        found: OrganizationalUnit | None = None
        for name in names:
            found = next((c for c in self.children(parent) if c.name == name), None)
            if found is None:
                return None
            parent = found.id
        return found

    def scps_on(self, target_id: str) -> tuple[str, ...]:
        return self.scps.get(target_id, ())

    def rcps_on(self, target_id: str) -> tuple[str, ...]:
        return self.rcps.get(target_id, ())

    @property
    def enrolled_ids(self) -> frozenset[str]:
        return frozenset(a.id for a in self.accounts if a.enrolled)

    def with_account(self, account: Account) -> Organization:
        """A copy with `account` added (or replacing the account with the same id)."""
        kept = tuple(a for a in self.accounts if a.id != account.id)
        return replace(self, accounts=(*kept, account))

    # --- snapshot documents --------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The snapshot document: OUs, accounts and StackSets sorted by id/name."""

        def policies(target: str) -> dict[str, list[str]]:
            out: dict[str, list[str]] = {"scps": sorted(self.scps_on(target))}
            if self.rcps_on(target):
                out["rcps"] = sorted(self.rcps_on(target))
            return out

        doc: dict[str, Any] = {
            "version": SNAPSHOT_VERSION,
            "organization_id": self.id,
            "management_account": self.management_account_id,
        }
        if self.home_region:
            doc["home_region"] = self.home_region
        doc["root"] = {"id": self.root_id, **policies(self.root_id)}
        doc["organizational_units"] = [
            {"id": ou.id, "name": ou.name, "parent": ou.parent_id, **policies(ou.id)}
            for ou in sorted(self.ous, key=lambda o: o.id)
        ]
        accounts = []
        for a in sorted(self.accounts, key=lambda x: x.id):
            item: dict[str, Any] = {"id": a.id, "name": a.name}
            if a.email:
                item["email"] = a.email
            item.update(parent=a.parent_id, state=a.state)
            if a.status is not None:
                item["status"] = a.status
            item["enrolled"] = a.enrolled
            accounts.append(item)
        doc["accounts"] = accounts
        if self.stack_sets:
            doc["stack_sets"] = {
                name: [list(pair) for pair in sorted(pairs)]
                for name, pairs in sorted(self.stack_sets.items())
            }
        return doc

    @classmethod
    def from_dict(
        cls, data: Any, file: str = "<snapshot>", text: str | None = None
    ) -> Organization:
        """Validate a snapshot document; `text` (the file's JSON) locates the problems."""
        return _Validator(data, file, text).organization()


# --- snapshot files ----------------------------------------------------------------------


def snapshot_text(org: Organization) -> str:
    return json.dumps(org.to_dict(), indent=2, ensure_ascii=False) + "\n"


def save_snapshot(org: Organization, path: Path | str) -> None:
    """Write the snapshot atomically (never a half-written file)."""
    from cfct_build.bootstrap import write_atomically

    write_atomically(Path(path), snapshot_text(org))


def load_snapshot(path: Path | str) -> Organization:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SnapshotError([Problem(str(p), "", f"not UTF-8 text ({exc.reason})")]) from None
    except OSError as exc:  # missing, a directory, unreadable: bad input (exit 2), like settings
        reason = "a directory" if p.is_dir() else (exc.strerror or str(exc)).lower()
        raise SnapshotError(
            [Problem(str(p), "", f"got {reason}; expected a readable snapshot file")]
        ) from None
    return parse_snapshot(text, str(p))


def parse_snapshot(text: str, file: str = "<snapshot>") -> Organization:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise _DuplicateKey(key)
            out[key] = value
        return out

    try:
        data = json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        msg = f"not valid JSON: {exc.msg}"
        raise SnapshotError([Problem(file, "", msg, exc.lineno, exc.colno)]) from None
    except _DuplicateKey as exc:
        line, col = _duplicate_position(text, exc.key)
        msg = f"duplicate key {json.dumps(exc.key)}; expected each key once"
        raise SnapshotError([Problem(file, "", msg, line, col)]) from None
    return Organization.from_dict(data, file, text)


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(key)


def _duplicate_position(text: str, key: str) -> tuple[int | None, int | None]:
    """Line and column of the second occurrence of `"key":` (best effort)."""
    needle = re.compile(re.escape(json.dumps(key)) + r"\s*:")
    hits = [m.start() for m in needle.finditer(text)]
    if len(hits) < 2:
        return None, None
    return _line_col(text, hits[1])


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


Key = str | int


def json_positions(text: str) -> dict[tuple[Key, ...], int]:
    """Offsets of every value in a valid JSON text, by path (keys and list indexes)."""
    positions: dict[tuple[Key, ...], int] = {}
    ws = " \t\n\r"
    i = 0

    def skip(j: int) -> int:
        while j < len(text) and text[j] in ws:
            j += 1
        return j

    def string_end(j: int) -> int:  # j at the opening quote
        j += 1
        while text[j] != '"':
            j += 2 if text[j] == "\\" else 1
        return j + 1

    def value(j: int, path: tuple[Key, ...]) -> int:
        j = skip(j)
        positions[path] = j
        c = text[j]
        if c == "{":
            j = skip(j + 1)
            if text[j] == "}":
                return j + 1
            while True:
                end = string_end(j)
                key = json.loads(text[j:end])
                j = skip(end) + 1  # past ':'
                j = skip(value(j, (*path, key)))
                if text[j] == "}":
                    return j + 1
                j = skip(j + 1)  # past ','
        if c == "[":
            j = skip(j + 1)
            if text[j] == "]":
                return j + 1
            n = 0
            while True:
                j = skip(value(j, (*path, n)))
                n += 1
                if text[j] == "]":
                    return j + 1
                j += 1
        if c == '"':
            return string_end(j)
        while j < len(text) and text[j] not in ",]} \t\n\r":
            j += 1
        return j

    value(i, ())
    return positions


class _Validator:
    """Checks a snapshot document and builds the Organization; collects located problems."""

    def __init__(self, data: Any, file: str, text: str | None) -> None:
        self.data = data
        self.file = file
        self.text = text
        self.problems: list[tuple[tuple[Key, ...], str]] = []
        self._positions: dict[tuple[Key, ...], int] | None = None

    def bad(self, path: tuple[Key, ...], message: str) -> None:
        self.problems.append((path, message))

    def raise_if_bad(self) -> None:
        if not self.problems:
            return
        if self._positions is None and self.text is not None:
            try:
                self._positions = json_positions(self.text)
            except (IndexError, ValueError):  # not the JSON we parsed; report without lines
                self._positions = {}
        problems = []
        for path, message in self.problems:
            where = self._find(path)
            line, col = (
                _line_col(self.text, where) if where is not None and self.text else (None, None)
            )
            problems.append(Problem(self.file, _dotted(path), message, line, col))
        problems.sort(key=lambda p: (p.line or 0, p.column or 0, p.path))
        raise SnapshotError(problems)

    def _find(self, path: tuple[Key, ...]) -> int | None:
        positions = self._positions or {}
        while True:
            if path in positions:
                return positions[path]
            if not path:
                return None
            path = path[:-1]

    # --- field readers -------------------------------------------------------------------
    def field(
        self,
        obj: Mapping[str, Any],
        path: tuple[Key, ...],
        key: str,
        check: Callable[[Any], bool],
        expected: str,
        *,
        required: bool = True,
        default: Any = None,
    ) -> Any:
        if key not in obj:
            if required:
                self.bad(path, f"missing key {key!r}; expected {expected}")
            return default
        value = obj[key]
        if not check(value):
            self.bad((*path, key), f"got {_show(value)}; expected {expected}")
            return default
        return value

    def mapping(self, value: Any, path: tuple[Key, ...], keys: Iterable[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.bad(path, f"got {_show(value)}; expected a JSON object")
            return {}
        allowed = set(keys)
        for key in value:
            if key not in allowed:
                self.bad(
                    (*path, key),
                    f"unknown key {key!r}; expected one of {', '.join(sorted(allowed))}",
                )
        return value

    def names(self, obj: Mapping[str, Any], path: tuple[Key, ...], key: str) -> tuple[str, ...]:
        value = self.field(
            obj, path, key, _is_str_list, "a list of policy names", required=False, default=[]
        )
        return tuple(value)

    # --- the document --------------------------------------------------------------------
    def organization(self) -> Organization:
        top = self.mapping(
            self.data,
            (),
            (
                "version",
                "organization_id",
                "management_account",
                "home_region",
                "root",
                "organizational_units",
                "accounts",
                "stack_sets",
            ),
        )
        if not isinstance(self.data, dict):
            self.raise_if_bad()
        version = top.get("version")
        if "version" not in top:
            self.bad((), f"missing key 'version'; expected {SNAPSHOT_VERSION}")
        elif version != SNAPSHOT_VERSION or isinstance(version, bool):
            self.bad(
                ("version",),
                f"got {_show(version)}; expected {SNAPSHOT_VERSION} (the snapshot format "
                "this cfct-build reads and writes)",
            )
            self.raise_if_bad()  # another format: the rest would only add noise
        org_id = self.field(top, (), "organization_id", _matches(ORG_ID), "an o-... id")
        management = self.field(
            top, (), "management_account", _matches(ACCOUNT_ID), "a 12-digit account ID string"
        )
        home_region = self.field(
            top, (), "home_region", _matches(REGION), "a Region, e.g. us-east-1", required=False
        )
        root = self.mapping(top.get("root", {}), ("root",), ("id", "scps", "rcps"))
        if "root" not in top:
            self.bad((), 'missing key \'root\'; expected {"id": "r-...", "scps": [...]}')
        root_id = self.field(root, ("root",), "id", _matches(ROOT_ID), "an r-... id")
        scps: dict[str, tuple[str, ...]] = {}
        rcps: dict[str, tuple[str, ...]] = {}
        if root_id:
            scps[root_id] = self.names(root, ("root",), "scps")
            rcps[root_id] = self.names(root, ("root",), "rcps")

        ous = self._ous(top, root_id, scps, rcps)
        accounts = self._accounts(top, root_id, ous)
        stack_sets = self._stack_sets(top)
        if management and accounts is not None and management not in {a.id for a in accounts}:
            self.bad(
                ("management_account",),
                f"got {_show(management)}; expected the id of an account in accounts",
            )
        self.raise_if_bad()
        return Organization(
            id=org_id,
            management_account_id=management,
            root_id=root_id,
            ous=tuple(ous),
            accounts=tuple(accounts or ()),
            scps={k: v for k, v in scps.items() if v},
            rcps={k: v for k, v in rcps.items() if v},
            stack_sets=stack_sets,
            home_region=home_region,
        )

    def _ous(
        self,
        top: Mapping[str, Any],
        root_id: str | None,
        scps: dict[str, tuple[str, ...]],
        rcps: dict[str, tuple[str, ...]],
    ) -> list[OrganizationalUnit]:
        items = self.field(
            top, (), "organizational_units", _is_list, "a list of OUs", required=False, default=[]
        )
        ous: list[OrganizationalUnit] = []
        where: dict[str, int] = {}
        for n, raw in enumerate(items):
            path: tuple[Key, ...] = ("organizational_units", n)
            item = self.mapping(raw, path, ("id", "name", "parent", "scps", "rcps"))
            ou_id = self.field(item, path, "id", _matches(OU_ID), "an ou-... id")
            name = self.field(item, path, "name", _is_name, "a non-empty OU name")
            parent = self.field(item, path, "parent", _is_str, "the id of the root or an OU")
            if ou_id in where:
                self.bad((*path, "id"), f"got {_show(ou_id)} again; expected each OU id once")
                continue
            if not (ou_id and name and parent):
                continue
            where[ou_id] = n
            scps[ou_id] = self.names(item, path, "scps")
            rcps[ou_id] = self.names(item, path, "rcps")
            ous.append(OrganizationalUnit(ou_id, name, parent))
        # parents exist, no cycles, names unique under one parent (Organizations enforces it)
        known = set(where) | ({root_id} if root_id else set())
        by_id = {ou.id: ou for ou in ous}
        seen_names: dict[tuple[str, str], str] = {}
        for ou in ous:
            path = ("organizational_units", where[ou.id])
            if ou.parent_id not in known:
                self.bad(
                    (*path, "parent"),
                    f"got {_show(ou.parent_id)}; expected the root's id or an OU id listed in "
                    "organizational_units",
                )
                continue
            key = (ou.parent_id, ou.name)
            if key in seen_names:
                self.bad(
                    (*path, "name"),
                    f"got {_show(ou.name)} again under {ou.parent_id} (also {seen_names[key]}); "
                    "expected unique OU names under one parent",
                )
            seen_names[key] = ou.id
            cursor, steps = ou.parent_id, 0
            while cursor in by_id and steps <= len(by_id):
                cursor, steps = by_id[cursor].parent_id, steps + 1
            if steps > len(by_id):
                self.bad(
                    (*path, "parent"),
                    f"got {_show(ou.parent_id)}, which leads back to {ou.id}; expected a chain of "
                    "parents ending at the root",
                )
        return ous

    def _accounts(
        self, top: Mapping[str, Any], root_id: str | None, ous: list[OrganizationalUnit]
    ) -> list[Account] | None:
        if "accounts" not in top:
            self.bad((), "missing key 'accounts'; expected a list of accounts")
            return None
        items = self.field(top, (), "accounts", _is_list, "a list of accounts", default=[])
        parents = {ou.id for ou in ous} | ({root_id} if root_id else set())
        accounts: list[Account] = []
        seen: set[str] = set()
        keys = ("id", "name", "email", "parent", "state", "status", "enrolled")
        for n, raw in enumerate(items):
            path: tuple[Key, ...] = ("accounts", n)
            item = self.mapping(raw, path, keys)
            account_id = self.field(
                item, path, "id", _matches(ACCOUNT_ID), "a 12-digit account ID string"
            )
            name = self.field(item, path, "name", _is_str, "the account name")
            email = self.field(item, path, "email", _is_str, "an email", required=False, default="")
            parent = self.field(item, path, "parent", _is_str, "the id of the root or an OU")
            state = self.field(
                item, path, "state", _one_of(STATES), " | ".join(STATES), required=False
            )
            status = self.field(
                item, path, "status", _one_of(STATUSES), " | ".join(STATUSES), required=False
            )
            enrolled = self.field(item, path, "enrolled", _is_bool, "true or false")
            if isinstance(item, dict) and "state" not in item and "status" not in item:
                self.bad(path, f"missing key 'state'; expected one of {' | '.join(STATES)}")
            if parent is not None and parent not in parents:
                self.bad(
                    (*path, "parent"),
                    f"got {_show(parent)}; expected the root's id or an OU id listed in "
                    "organizational_units",
                )
            if account_id in seen:
                self.bad(
                    (*path, "id"), f"got {_show(account_id)} again; expected each account once"
                )
                continue
            lifecycle = state_from(state, status)
            if account_id and name is not None and parent and lifecycle and enrolled is not None:
                seen.add(account_id)
                accounts.append(
                    Account(account_id, name, parent, lifecycle, enrolled, email, status)
                )
        return accounts

    def _stack_sets(self, top: Mapping[str, Any]) -> dict[str, tuple[tuple[str, str], ...]]:
        raw = top.get("stack_sets", {})
        if not isinstance(raw, dict):
            self.bad(("stack_sets",), f"got {_show(raw)}; expected a JSON object")
            return {}
        out: dict[str, tuple[tuple[str, str], ...]] = {}
        for name, pairs in raw.items():
            path: tuple[Key, ...] = ("stack_sets", name)
            if not isinstance(pairs, list):
                self.bad(path, f"got {_show(pairs)}; expected a list of [account, region]")
                continue
            good: list[tuple[str, str]] = []
            for n, pair in enumerate(pairs):
                if (
                    isinstance(pair, list)
                    and len(pair) == 2
                    and _matches(ACCOUNT_ID)(pair[0])
                    and _matches(REGION)(pair[1])
                ):
                    good.append((pair[0], pair[1]))
                else:
                    self.bad(
                        (*path, n),
                        f'got {_show(pair)}; expected ["<12-digit account>", "<region>"]',
                    )
            out[name] = tuple(good)
        return out


def _dotted(path: tuple[Key, ...]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_str(v: Any) -> bool:
    return isinstance(v, str)


def _is_name(v: Any) -> bool:
    return isinstance(v, str) and v != ""


def _is_bool(v: Any) -> bool:
    return isinstance(v, bool)


def _is_list(v: Any) -> bool:
    return isinstance(v, list)


def _is_str_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _matches(pattern: re.Pattern[str]) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, str) and bool(pattern.match(v))


def _one_of(values: Sequence[str]) -> Callable[[Any], bool]:
    return lambda v: v in values and isinstance(v, str)


# --- live read ---------------------------------------------------------------------------


def retry_config() -> Any:
    """botocore Config for every client of the live read (throttling: backoff with jitter)."""
    from botocore.config import Config

    return Config(retries={"mode": RETRY_MODE, "total_max_attempts": RETRY_MAX_ATTEMPTS})


def read_live(
    session: Any,
    home_region: str,
    *,
    stack_sets: Sequence[str] = (),
    read_rcps: bool = False,
    progress: TextIO | None = None,
) -> Organization:
    """Read the organization with a boto3 Session (management-account credentials).

    `stack_sets`: CfCT StackSet names (`CustomControlTower-<name>`) whose deployed instances to
    record (absent StackSets are skipped). `read_rcps`: also list attached RCPs. Raises
    OrgReadError with one line on any AWS failure."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    try:
        return _read(session, home_region, stack_sets, read_rcps, progress)
    except NoCredentialsError:
        raise OrgReadError(
            "no AWS credentials found; use --profile or set AWS_PROFILE to a profile of the "
            "management account (read-only access to Organizations and CloudFormation is enough)"
        ) from None
    except ClientError as exc:
        err = exc.response.get("Error", {})
        op = exc.operation_name
        message = " ".join(str(err.get("Message", exc)).split())
        raise OrgReadError(f"AWS error {err.get('Code', 'Error')} in {op}: {message}") from None
    except BotoCoreError as exc:
        raise OrgReadError(" ".join(str(exc).split())) from None


def session(profile: str | None = None) -> Any:
    """A boto3 Session; an unknown profile is an OrgReadError."""
    import boto3
    from botocore.exceptions import BotoCoreError

    try:
        return boto3.Session(profile_name=profile)
    except BotoCoreError as exc:
        raise OrgReadError(" ".join(str(exc).split())) from None


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page.get(key, [])


def _read(
    session: Any,
    home_region: str,
    stack_set_names: Sequence[str],
    read_rcps: bool,
    progress: TextIO | None,
) -> Organization:
    config = retry_config()
    orgs = session.client("organizations", region_name=home_region, config=config)
    cfn = session.client("cloudformation", region_name=home_region, config=config)

    def say(text: str) -> None:
        if progress is not None:
            print(f"reading organization: {text}", file=progress, flush=True)

    described = orgs.describe_organization()["Organization"]
    roots = list(_pages(orgs, "list_roots", "Roots"))
    root_id = roots[0]["Id"]

    def policies(target: str, kind: str) -> tuple[str, ...]:
        found = _pages(orgs, "list_policies_for_target", "Policies", TargetId=target, Filter=kind)
        return tuple(p["Name"] for p in found)

    ous: list[OrganizationalUnit] = []
    raw_accounts: list[tuple[dict[str, Any], str]] = []
    scps: dict[str, tuple[str, ...]] = {}
    rcps: dict[str, tuple[str, ...]] = {}
    queue = [root_id]
    done = 0
    while queue:
        parent = queue.pop(0)
        for item in _pages(
            orgs, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent
        ):
            ous.append(OrganizationalUnit(item["Id"], item["Name"], parent))
            queue.append(item["Id"])
        raw_accounts.extend(
            (a, parent)
            for a in _pages(orgs, "list_accounts_for_parent", "Accounts", ParentId=parent)
        )
        scps[parent] = policies(parent, "SERVICE_CONTROL_POLICY")
        if read_rcps:
            rcps[parent] = policies(parent, "RESOURCE_CONTROL_POLICY")
        done += 1
        if done % PROGRESS_EVERY == 0:
            say(
                f"{done} of {done + len(queue)} parents (root and OUs) found so far read, "
                f"{len(raw_accounts)} accounts"
            )

    say(f"listing stack instances of {naming.CT_BASELINE_STACKSET} in {home_region}")
    baseline = _stack_instances(cfn, naming.CT_BASELINE_STACKSET)
    if baseline is None:
        raise OrgReadError(
            f"StackSet {naming.CT_BASELINE_STACKSET} not found in {home_region}: CfCT v2.8.4 "
            "reads it to decide which accounts are enrolled in Control Tower, and its pipeline "
            "fails without it (is the home Region right, and is this the management account?)"
        )
    deployed: dict[str, tuple[tuple[str, str], ...]] = {}
    for name in stack_set_names:
        pairs = _stack_instances(cfn, name)
        if pairs is not None:
            deployed[name] = pairs

    enrolled = {account for account, _region in baseline}
    accounts = []
    for raw, parent in raw_accounts:
        status = raw.get("Status")
        state = state_from(raw.get("State"), status) or "ACTIVE"
        accounts.append(
            Account(
                id=raw["Id"],
                name=raw.get("Name", ""),
                parent_id=parent,
                state=state,
                enrolled=raw["Id"] in enrolled,
                email=raw.get("Email", ""),
                status=status,
            )
        )
    say(f"done: {len(ous)} OUs, {len(accounts)} accounts, {len(enrolled)} enrolled")
    return Organization(
        id=described["Id"],
        management_account_id=described["MasterAccountId"],
        root_id=root_id,
        ous=tuple(ous),
        accounts=tuple(accounts),
        scps={k: v for k, v in scps.items() if v},
        rcps={k: v for k, v in rcps.items() if v},
        stack_sets=deployed,
        home_region=home_region,
    )


def _stack_instances(cfn: Any, name: str) -> tuple[tuple[str, str], ...] | None:
    """(account, region) of every instance of a StackSet; None when it does not exist."""
    from botocore.exceptions import ClientError

    try:
        found = _pages(cfn, "list_stack_instances", "Summaries", StackSetName=name)
        return tuple(sorted({(s["Account"], s["Region"]) for s in found}))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "StackSetNotFoundException":
            return None
        raise
