"""What the emulator models: the template each emulated stack instance receives, and its gaps.

moto's CloudFormation silently skips resource types it has no model for, and crashes on a few
it does have (a `Fn::GetAtt` on a skipped resource; an `AWS::KMS::Key` with `Tags` in the
CloudFormation shape). So each emulated stack instance receives a copy of the package
template with exactly those parts left out, and every part left out is reported as a `Gap`:

- a resource whose type the running moto has no model for (asked of moto itself, so a
  different moto version, or the test suite's emulator extension, gives a different answer);
- a resource or output that refers to a left-out resource (`Ref`, `Fn::GetAtt`, `Fn::Sub`)
  (a `DependsOn` entry naming one is dropped silently: it only orders creation);
- a property on which the stock moto model crashes (`KNOWN_CRASHES`), only while that stock
  model is the one in use;
- a `Ref` to a resource whose moto model has no Ref value (`REF_PROPERTY`): written as the
  value CloudFormation's Ref returns (e.g. an event bus's `Name`), reported as adapted.

The StackSet itself always receives the package template byte for byte: only the instances'
copies differ. Beyond the gaps listed, moto may store only part of a modelled resource's
properties and never evaluates SCPs, bucket, key or role policies (see the README).
"""

from __future__ import annotations

import importlib
import json
import re
from dataclasses import dataclass
from typing import Any

from cfct_build.simulate.aws import quiet

# (resource type, property) -> the moto model class that crashes on that property.
KNOWN_CRASHES = {
    ("AWS::KMS::Key", "Tags"): "moto.kms.models.Key",
}
# What CloudFormation's `Ref` returns for types whose moto model has no Ref value (moto then
# hands the model object itself to the referring resource, which crashes): the property named.
REF_PROPERTY = {
    "AWS::Events::EventBus": "Name",
}
_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")


@dataclass(frozen=True, order=True)
class Gap:
    """One part of a template that the emulated stack instance does not receive."""

    resource_file: str
    logical_id: str  # resource or output logical ID
    kind: str  # "resource" | "output" | "property" | "ref" (adapted, nothing lost)
    type: str  # resource type ("" for an output)
    reason: str

    def __str__(self) -> str:
        what = f"{self.logical_id} ({self.type})" if self.type else f"output {self.logical_id}"
        return f"{self.resource_file}: {what}: {self.reason}"


def _model_class(resource_type: str) -> Any:
    parsing = importlib.import_module("moto.cloudformation.parsing")
    return parsing.resource_class_from_type(resource_type)


def modelled(resource_type: str) -> bool:
    """Does the running moto create this resource type (rather than skip it)?"""
    with quiet():  # moto logs a warning for every type it skips
        return _model_class(resource_type) is not None


def _stock_model(dotted: str) -> Any:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _references(node: Any) -> set[str]:
    """Logical IDs a template fragment refers to (Ref, Fn::GetAtt, Fn::Sub variables)."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= _references(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                target = value[0] if isinstance(value, list) else str(value).split(".", 1)[0]
                found.add(target)
            elif key == "Fn::Sub":
                text = value if isinstance(value, str) else value[0]
                found |= set(_SUB_NAME.findall(text))
                if isinstance(value, list):
                    found |= _references(value[1])
            else:
                found |= _references(value)
    return found


def _replace_refs(node: Any, values: dict[str, Any]) -> set[str]:
    """Replace `{"Ref": X}` by `values[X]` in place; return the X replaced."""
    done: set[str] = set()
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, value in list(items):
        if isinstance(value, dict) and len(value) == 1 and value.get("Ref") in values:
            done.add(value["Ref"])
            node[key] = values[value["Ref"]]
        elif isinstance(value, dict | list):
            done |= _replace_refs(value, values)
    return done


def emulated_template(resource_file: str, text: str) -> tuple[str, tuple[Gap, ...]]:
    """The template an emulated stack instance receives, and what was left out of it.

    Not cached: the answer depends on the moto model lookup in use at the time of the call.
    """
    template = json.loads(text)
    resources: dict[str, Any] = template.get("Resources", {})
    gaps: list[Gap] = []
    dropped: dict[str, str] = {}
    for logical_id, resource in resources.items():
        rtype = resource.get("Type", "")
        if not modelled(rtype):
            dropped[logical_id] = f"moto has no model for {rtype}: not created"
    changed = True
    while changed:  # resources referring to a dropped one go too (transitively)
        changed = False
        for logical_id, resource in resources.items():
            if logical_id in dropped:
                continue
            refs = _references(resource.get("Properties", {})) & set(dropped)
            if refs:
                dropped[logical_id] = f"refers to {', '.join(sorted(refs))}, not created"
                changed = True
    for logical_id, reason in dropped.items():
        gaps.append(
            Gap(resource_file, logical_id, "resource", resources[logical_id]["Type"], reason)
        )
        del resources[logical_id]
    for logical_id, resource in resources.items():
        depends = resource.get("DependsOn")
        if depends is not None:
            names = [depends] if isinstance(depends, str) else list(depends)
            kept = [n for n in names if n not in dropped]
            if kept != names:
                if kept:
                    resource["DependsOn"] = kept
                else:
                    del resource["DependsOn"]
        for (rtype, prop), dotted in KNOWN_CRASHES.items():
            if resource.get("Type") != rtype or prop not in resource.get("Properties", {}):
                continue
            if _model_class(rtype) is _stock_model(dotted):
                del resource["Properties"][prop]
                gaps.append(
                    Gap(
                        resource_file,
                        logical_id,
                        "property",
                        rtype,
                        f"{prop} left out: moto's {rtype} model fails on it",
                    )
                )
    ref_values: dict[str, Any] = {}
    for logical_id, resource in resources.items():
        rtype = resource.get("Type", "")
        ref_prop = REF_PROPERTY.get(rtype)
        model = _model_class(rtype)
        if ref_prop and not hasattr(model, "physical_resource_id"):
            value = resource.get("Properties", {}).get(ref_prop)
            if isinstance(value, str):
                ref_values[logical_id] = value
    for logical_id, resource in resources.items():
        replaced = _replace_refs(resource, ref_values)
        for target in sorted(replaced):
            rtype = resources[target]["Type"]
            gaps.append(
                Gap(
                    resource_file,
                    logical_id,
                    "ref",
                    resource.get("Type", ""),
                    f"Ref {target} written as its {REF_PROPERTY[rtype]} "
                    f"{ref_values[target]!r} (moto's {rtype} model has no Ref value)",
                )
            )
    outputs: dict[str, Any] = template.get("Outputs", {})
    for name in list(outputs):
        refs = _references(outputs[name]) & set(dropped)
        if refs:
            del outputs[name]
            gaps.append(
                Gap(resource_file, name, "output", "", f"refers to {', '.join(sorted(refs))}")
            )
    if not gaps:
        return text, ()
    return json.dumps(template, indent=2, sort_keys=True) + "\n", tuple(sorted(gaps))
