"""The one serializer: every byte cfct-build writes goes through here.

CfCT re-deploys every StackSet whose template bytes change, so output must be a pure function
of the settings: sorted keys, fixed indentation, a trailing newline, no timestamps.
"""

from __future__ import annotations

import json
from typing import Any

from troposphere import Template

SCP_MAX_CHARS = 5120


def _plain(obj: Any) -> Any:
    """awacs/troposphere objects -> plain JSON data."""
    if hasattr(obj, "to_dict") and not isinstance(obj, dict):
        return _plain(obj.to_dict())
    if hasattr(obj, "JSONrepr"):
        return _plain(obj.JSONrepr())
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    return obj


def template_json(template: Template) -> str:
    """A CloudFormation template as stable, human-diffable JSON."""
    return json.dumps(_plain(template.to_dict()), indent=2, sort_keys=True) + "\n"


def data_json(data: Any) -> str:
    """Any JSON document (parameter files, reports) in the same stable form."""
    return json.dumps(_plain(data), indent=2, sort_keys=True) + "\n"


def policy_json(policy: Any) -> str:
    """A policy document (SCP/RCP) as minified JSON with sorted keys and a trailing newline.

    Minified so CfCT's whitespace transform (see `cfct_sent_text`) changes nothing but the
    newline, and the size limit is measured on what Organizations receives.
    """
    return json.dumps(_plain(policy), separators=(",", ":"), sort_keys=True) + "\n"


def cfct_sent_text(policy_text: str) -> str:
    """The exact text CfCT sends to Organizations for an SCP/RCP file."""
    return policy_text.replace("\n", "\r\n").replace("  ", "")
