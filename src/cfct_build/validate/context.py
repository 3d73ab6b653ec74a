"""What the checks look at: the package's files, read and parsed once, leniently.

Every accessor tolerates a broken package: a check gets None or an empty list where a value is
missing or has the wrong type (the schema check reports that), never an exception.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import yaml

from cfct_build.validate import jsonpos
from cfct_build.validate.source import MANIFEST, PackageSource, normalize
from cfct_build.validate.yamlnodes import YamlProblem, YNode, compose

REMOTE_PREFIXES = ("s3://", "https://", "http://")
TOO_DEEP = "the document is nested too deeply to read"
# CfCT's build stage runs validate-template and cfn_nag on files of templates/ whose names
# match this (unescaped) grep pattern, and json.tool on parameters/ files matching '.json'
# but not '.j2' (run-validation.sh).
CFCT_TEMPLATE_NAME = re.compile(r".template$|.yaml$|.yml$|.json$")
CFCT_PARAMETER_NAME = re.compile(r".json")
CFCT_PARAMETER_EXCLUDED = re.compile(r".j2")


@dataclass(frozen=True)
class Problem:
    message: str
    line: int | None


class _CfnLoader(yaml.SafeLoader):
    """YAML templates: CloudFormation's short-form tags (!Ref, !Sub, ...) as plain mappings."""


def _cfn_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    name = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    return {name: value}


_CfnLoader.add_multi_constructor("!", _cfn_tag)


def decode_text(raw: bytes) -> tuple[str | None, Problem | None]:
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, Problem(f"not UTF-8 text (byte {raw[exc.start]:#04x})", line)


@dataclass
class TemplateDoc:
    rel: str
    size: int  # bytes
    data: dict[str, Any] | None
    problem: Problem | None

    @property
    def parameters(self) -> dict[str, dict[str, Any]]:
        params = (self.data or {}).get("Parameters")
        if not isinstance(params, dict):
            return {}
        return {str(k): v if isinstance(v, dict) else {} for k, v in params.items()}

    @property
    def outputs(self) -> list[str]:
        outputs = (self.data or {}).get("Outputs")
        return [str(k) for k in outputs] if isinstance(outputs, dict) else []


def parse_template(rel: str, raw: bytes) -> TemplateDoc:
    text, problem = decode_text(raw)
    if text is None:
        return TemplateDoc(rel, len(raw), None, problem)
    data: Any
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return TemplateDoc(rel, len(raw), None, Problem(f"invalid JSON: {exc.msg}", exc.lineno))
        except RecursionError:
            return TemplateDoc(rel, len(raw), None, Problem(TOO_DEEP, None))
    else:
        try:
            data = yaml.load(text, Loader=_CfnLoader)  # a SafeLoader subclass
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            line = mark.line + 1 if mark is not None else None
            return TemplateDoc(rel, len(raw), None, Problem(f"invalid YAML: {exc.problem}", line))
        except yaml.YAMLError as exc:
            return TemplateDoc(rel, len(raw), None, Problem(f"invalid YAML: {exc}", None))
        except RecursionError:
            return TemplateDoc(rel, len(raw), None, Problem(TOO_DEEP, None))
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        return TemplateDoc(
            rel,
            len(raw),
            None,
            Problem(f"not a template: the document is {kind}, expected a mapping", 1),
        )
    return TemplateDoc(rel, len(raw), {str(k): v for k, v in data.items()}, None)


@dataclass
class JsonDoc:
    rel: str
    text: str | None
    data: Any
    problem: Problem | None

    @cached_property
    def located(self) -> list[jsonpos.Located]:
        if self.text is None or self.problem is not None:
            return []
        try:
            return jsonpos.locate(self.text)
        except RecursionError:  # json.loads (in C) may accept more nesting than the walker
            return []

    def line(self, path: tuple[str | int, ...]) -> int | None:
        return jsonpos.line_of(self.located, path)


def parse_json(rel: str, raw: bytes) -> JsonDoc:
    text, problem = decode_text(raw)
    if text is None:
        return JsonDoc(rel, None, None, problem)
    try:
        return JsonDoc(rel, text, json.loads(text), None)
    except json.JSONDecodeError as exc:
        return JsonDoc(
            rel, text, None, Problem(f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno)
        )
    except RecursionError:
        return JsonDoc(rel, text, None, Problem(TOO_DEEP, None))


@dataclass(frozen=True)
class Res:
    """One manifest resource (resources.<index>), read leniently."""

    index: int
    node: YNode

    @property
    def path(self) -> str:
        return f"resources.{self.index}"

    def field(self, key: str) -> YNode | None:
        return self.node.get(key)

    def text(self, key: str) -> str | None:
        node = self.node.get(key)
        return node.text if node is not None else None

    @property
    def name(self) -> str | None:
        return self.text("name")

    @property
    def label(self) -> str:
        """How messages name this resource."""
        return f"resource {self.name!r}" if self.name else self.path

    @property
    def deploy_method(self) -> str | None:
        return self.text("deploy_method")

    @property
    def targets(self) -> YNode | None:
        node = self.node.get("deployment_targets")
        return node if node is not None and node.is_map else None

    def target_items(self, key: str) -> list[YNode]:
        return self.targets.seq(key) if self.targets is not None else []

    def items(self, key: str) -> list[YNode]:
        return self.node.seq(key)


@dataclass(frozen=True)
class FileRef:
    """A resource_file or parameter_file value."""

    res: Res
    key: str  # "resource_file" or "parameter_file"
    node: YNode
    value: str
    local: str | None  # normalized package path; None for remote or invalid references

    @property
    def remote(self) -> bool:
        return self.value.lower().startswith(REMOTE_PREFIXES)


@dataclass(frozen=True)
class ParamValue:
    """One parameter as written in the manifest or in a parameter file."""

    res: Res
    key: str | None
    value: str | None  # None when not a string
    file: str
    line: int | None
    path: str
    in_file: bool  # from the parameter file


@dataclass
class Context:
    source: PackageSource
    lint: bool
    _templates: dict[str, TemplateDoc | None] = field(default_factory=dict)
    _json: dict[str, JsonDoc | None] = field(default_factory=dict)

    @cached_property
    def manifest_raw(self) -> bytes | None:
        return self.source.read(MANIFEST)

    @cached_property
    def manifest_text(self) -> str | None:
        if self.manifest_raw is None:
            return None
        text, _ = decode_text(self.manifest_raw)
        return text

    @cached_property
    def _parsed(self) -> tuple[YNode | None, Problem | None]:
        if self.manifest_raw is None:
            return None, None
        text, problem = decode_text(self.manifest_raw)
        if text is None:
            return None, problem
        try:
            doc = compose(text)
        except YamlProblem as exc:
            return None, Problem(f"not valid YAML: {exc.message}", exc.line)
        if doc is None:
            return None, Problem(
                "the manifest is empty: expected a mapping with region, version and resources", 1
            )
        return doc, None

    @property
    def manifest(self) -> YNode | None:
        """The manifest's root node; None when absent or unreadable as YAML."""
        return self._parsed[0]

    @property
    def manifest_problem(self) -> Problem | None:
        return self._parsed[1]

    @cached_property
    def resources(self) -> list[Res]:
        doc = self.manifest
        if doc is None or not doc.is_map:
            return []
        return [Res(i, n) for i, n in enumerate(doc.seq("resources")) if n.is_map]

    @cached_property
    def refs(self) -> list[FileRef]:
        out = []
        for res in self.resources:
            for key in ("resource_file", "parameter_file"):
                node = res.field(key)
                if node is not None and node.text:
                    value = node.text
                    local = None if value.lower().startswith(REMOTE_PREFIXES) else normalize(value)
                    out.append(FileRef(res, key, node, value, local))
        return out

    def ref(self, res: Res, key: str) -> FileRef | None:
        for r in self.refs:
            if r.res.index == res.index and r.key == key:
                return r
        return None

    def template(self, rel: str) -> TemplateDoc | None:
        """The parsed template at `rel`; None when the file is absent."""
        if rel not in self._templates:
            raw = self.source.read(rel)
            self._templates[rel] = None if raw is None else parse_template(rel, raw)
        return self._templates[rel]

    def json(self, rel: str) -> JsonDoc | None:
        """The parsed JSON file at `rel` (policies, parameter files); None when absent."""
        if rel not in self._json:
            raw = self.source.read(rel)
            self._json[rel] = None if raw is None else parse_json(rel, raw)
        return self._json[rel]

    def resource_template(self, res: Res) -> TemplateDoc | None:
        """The local, parseable template of a stack_set resource."""
        ref = self.ref(res, "resource_file")
        if res.deploy_method != "stack_set" or ref is None or ref.local is None:
            return None
        doc = self.template(ref.local)
        return doc if doc is not None and doc.data is not None else None

    @cached_property
    def template_files(self) -> list[str]:
        """Every file CfCT's build validates as a template, plus local stack_set templates."""
        files = {
            p
            for p in self.source.listing("templates")
            if CFCT_TEMPLATE_NAME.search(p.rsplit("/", 1)[-1])
        }
        for ref in self.refs:
            if ref.key == "resource_file" and ref.res.deploy_method == "stack_set":
                files.update(self._existing(ref))
        return sorted(files)

    @cached_property
    def policy_files(self) -> list[str]:
        """Local files of scp and rcp resources that exist."""
        files = set()
        for ref in self.refs:
            if ref.key == "resource_file" and ref.res.deploy_method in ("scp", "rcp"):
                files.update(self._existing(ref))
        return sorted(files)

    def _existing(self, ref: FileRef) -> list[str]:
        """[the local path] if the reference is local and the file exists, else []."""
        if ref.local is not None and self.source.read(ref.local) is not None:
            return [ref.local]
        return []

    @cached_property
    def parameter_files(self) -> list[str]:
        """Files CfCT's build JSON-checks (parameters/*.json*) plus referenced parameter files."""
        files = set()
        for p in self.source.listing("parameters"):
            name = p.rsplit("/", 1)[-1]
            if CFCT_PARAMETER_NAME.search(name) and not CFCT_PARAMETER_EXCLUDED.search(name):
                files.add(p)
        for ref in self.refs:
            if ref.key == "parameter_file":
                files.update(self._existing(ref))
        return sorted(files)

    def written_parameters(self, res: Res) -> list[ParamValue]:
        """The parameters a resource sets, from `parameters` and from its parameter file."""
        out: list[ParamValue] = []
        for item in res.items("parameters"):
            if not item.is_map:
                continue
            key = item.get("parameter_key")
            node = item.get("parameter_value")
            where = node if node is not None else item
            out.append(
                ParamValue(
                    res,
                    key.text if key else None,
                    node.text if node else None,
                    MANIFEST,
                    where.line,
                    where.where,
                    False,
                )
            )
        ref = self.ref(res, "parameter_file")
        doc = self.json(ref.local) if ref is not None and ref.local else None
        if doc is not None and isinstance(doc.data, list):
            for i, entry in enumerate(doc.data):
                if not isinstance(entry, dict):
                    continue
                key, value = entry.get("ParameterKey"), entry.get("ParameterValue")
                path = (i, "ParameterValue") if "ParameterValue" in entry else (i,)
                out.append(
                    ParamValue(
                        res,
                        key if isinstance(key, str) else None,
                        value if isinstance(value, str) else None,
                        doc.rel,
                        doc.line(path),
                        ".".join(map(str, path)),
                        True,
                    )
                )
        return out
