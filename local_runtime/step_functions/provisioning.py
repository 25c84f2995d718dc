"""`AWS::Serverless::StateMachine` in the local stack: its definition loaded, the machine in moto.

The definition is the template's own: `DefinitionUri` (a file beside the template) or an
inline `Definition`, with `DefinitionSubstitutions` resolved through the template's intrinsics
and put in place of their ``${Name}`` as SAM does. It is loaded (and refused, naming the state
and the field, if the runtime cannot run it) when the stack is provisioned, then registered in
moto so that `StartExecution`, `DescribeExecution` and `ListExecutions` answer as they would.
`!Ref` gives the machine's ARN, `!GetAtt .Name` its name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from local_runtime.provision import Physical
from local_runtime.step_functions.definition import (
    DefinitionError,
    StateMachineDefinition,
    parse_definition,
)
from local_runtime.template import Resource

if TYPE_CHECKING:
    from local_runtime.provision import Stack

__all__ = ["StateMachineSpec", "create_state_machine", "state_machine_specs"]

STATE_MACHINE_TYPE = "AWS::Serverless::StateMachine"
_VARIABLE = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True)
class StateMachineSpec:
    """A state machine as the stack made it: identity and loaded definition."""

    logical_id: str
    name: str
    arn: str
    definition: StateMachineDefinition


def _substitute(where: str, value: Any, substitutions: dict[str, str]) -> Any:
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            key = match.group(1)
            if key not in substitutions:
                raise DefinitionError(
                    f"{where}: ${{{key}}} is not one of its DefinitionSubstitutions"
                )
            return substitutions[key]

        return _VARIABLE.sub(replace, value)
    if isinstance(value, dict):
        return {k: _substitute(where, v, substitutions) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(where, v, substitutions) for v in value]
    return value


def _document(stack: Stack, resource: Resource) -> Any:
    where = resource.logical_id
    props = resource.properties
    if "Definition" in props:
        return stack.resolve(props["Definition"])
    uri = stack.resolve(props.get("DefinitionUri"))
    if not isinstance(uri, str):
        raise DefinitionError(
            f"{where}: the local runtime needs a Definition or a local DefinitionUri file"
        )
    file = (Path(stack.template.base_dir) / uri).resolve()
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DefinitionError(f"{where}: cannot load {file}: {exc}") from exc


def load_definition(stack: Stack, resource: Resource) -> tuple[Any, StateMachineDefinition]:
    """The substituted ASL document and its loaded definition; DefinitionError if unsupported."""
    where = resource.logical_id
    kind = stack.resolve(resource.properties.get("Type", "STANDARD"))
    if kind != "STANDARD":
        raise DefinitionError(f"{where}: only STANDARD state machines run locally, not {kind}")
    raw = stack.resolve(resource.properties.get("DefinitionSubstitutions") or {})
    substitutions = {str(key): str(value) for key, value in raw.items()}
    document = _substitute(where, _document(stack, resource), substitutions)
    return document, parse_definition(document, where)


def create_state_machine(stack: Stack, resource: Resource) -> Physical:
    """Load the definition, then create the machine in moto (its ARN is moto's)."""
    document, _ = load_definition(stack, resource)
    name = stack.resolve(resource.properties.get("Name")) or stack.physical_name(
        resource.logical_id
    )
    role = f"arn:aws:iam::{stack.account_id}:role/{stack.physical_name(resource.logical_id)}Role"
    created = stack.client("stepfunctions").create_state_machine(
        name=name, definition=json.dumps(document), roleArn=role, type="STANDARD"
    )
    arn = created["stateMachineArn"]
    return Physical(ref=arn, attributes={"Arn": arn, "Name": name})


def state_machine_specs(stack: Stack) -> dict[str, StateMachineSpec]:
    """Every active state machine of the stack, provisioned, with its loaded definition."""
    specs: dict[str, StateMachineSpec] = {}
    for resource in stack.active(STATE_MACHINE_TYPE):
        physical = stack.physical(resource.logical_id)
        _, definition = load_definition(stack, resource)
        specs[resource.logical_id] = StateMachineSpec(
            logical_id=resource.logical_id,
            name=str(physical.attributes["Name"]),
            arn=physical.ref,
            definition=definition,
        )
    return specs
