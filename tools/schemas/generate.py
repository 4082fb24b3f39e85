#!/usr/bin/env python3
"""Writes the JSON schemas test/deployment validates the Helm chart's objects against.

Kubernetes: the strict schemas of the PyPI package kubernetes-validate (generated from the
Kubernetes OpenAPI document), for the kinds the chart renders, with the definitions they reach.
KEDA: the openAPIV3Schema of the ScaledObject and TriggerAuthentication CRDs in KEDA's Go module,
made strict (unknown fields rejected, as the Kubernetes schemas do: the API server would drop them).

Run from the repository root: python3 tools/schemas/generate.py  (needs pip, go and PyYAML).
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile

import yaml

KUBERNETES_VALIDATE = "1.37.0"
KUBERNETES_VERSIONS = ["v1.25.0", "v1.33.0"]  # the chart's oldest supported and a current one
KEDA_MODULE = "github.com/kedacore/keda/v2"
KEDA_VERSION = "v2.18.3"
KINDS = [
    "configmap-v1",
    "secret-v1",
    "service-v1",
    "serviceaccount-v1",
    "deployment-apps-v1",
    "poddisruptionbudget-policy-v1",
    "ingress-networking-v1",
]
KEDA_CRDS = {"keda.sh_scaledobjects.yaml": "scaledobject", "keda.sh_triggerauthentications.yaml": "triggerauthentication"}
OUT = os.path.join("test", "deployment", "schemas")
DEFS_REF = re.compile(r"^(?:/api/)?_definitions\.json#/\$defs/(.+)$|^#/\$defs/(.+)$")


def local_refs(node, defs_prefix):
    """Rewrites refs to the shared definitions file as relative ones, collecting their names."""
    found = set()

    def walk(value):
        if isinstance(value, dict):
            value.pop("$id", None)
            ref = value.get("$ref")
            if isinstance(ref, str):
                match = DEFS_REF.match(ref)
                if match:
                    name = match.group(1) or match.group(2)
                    found.add(name)
                    value["$ref"] = f"{defs_prefix}#/$defs/{name}"
            for child in value.values():
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    walk(node)
    return found


def kubernetes(wheel):
    with zipfile.ZipFile(wheel) as z:
        for version in KUBERNETES_VERSIONS:
            base = f"kubernetes_validate/kubernetes-json-schema/{version}-local-strict"
            target = os.path.join(OUT, "kubernetes", f"{version}-local-strict")
            os.makedirs(target, exist_ok=True)
            definitions = json.loads(z.read(f"{base}/_definitions.json"))
            wanted = set()
            for kind in KINDS:
                schema = json.loads(z.read(f"{base}/{kind}.json"))
                wanted |= local_refs(schema, "_definitions.json")
                write(os.path.join(target, f"{kind}.json"), schema)
            # Only the definitions the kinds reach, so the repository carries a few hundred KB.
            kept, todo = {}, list(wanted)
            while todo:
                name = todo.pop()
                if name in kept:
                    continue
                kept[name] = definitions["$defs"][name]
                todo.extend(local_refs(kept[name], "") - kept.keys())
            write(os.path.join(target, "_definitions.json"), {"$defs": dict(sorted(kept.items()))})


def strict(node):
    """additionalProperties: false wherever a CRD schema lists properties and allows no others."""
    if isinstance(node, dict):
        if (
            "properties" in node
            and "additionalProperties" not in node
            and not node.get("x-kubernetes-preserve-unknown-fields")
        ):
            node["additionalProperties"] = False
        for child in node.values():
            strict(child)
    elif isinstance(node, list):
        for child in node:
            strict(child)


def keda(module_dir):
    target = os.path.join(OUT, "keda.sh")
    os.makedirs(target, exist_ok=True)
    for file, kind in KEDA_CRDS.items():
        with open(os.path.join(module_dir, "config", "crd", "bases", file)) as f:
            crd = yaml.safe_load(f)
        for version in crd["spec"]["versions"]:
            schema = version["schema"]["openAPIV3Schema"]
            strict(schema)
            # metadata is checked by Kubernetes' ObjectMeta elsewhere; the CRD only says "object".
            schema["properties"]["metadata"] = {"type": "object"}
            schema["$schema"] = "http://json-schema.org/draft-07/schema#"
            write(os.path.join(target, f"{kind}_{version['name']}.json"), schema)


def write(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=1, sort_keys=False)
        f.write("\n")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, f"kubernetes-validate=={KUBERNETES_VALIDATE}"],
            check=True,
        )
        wheel = next(os.path.join(tmp, f) for f in os.listdir(tmp) if f.endswith(".whl"))
        kubernetes(wheel)
        env = {**os.environ, "GOMODCACHE": os.path.join(tmp, "gomod"), "GOFLAGS": "-modcacherw"}
        out = subprocess.run(
            ["go", "mod", "download", "-json", f"{KEDA_MODULE}@{KEDA_VERSION}"], check=True, capture_output=True, env=env
        )
        keda(json.loads(out.stdout)["Dir"])
        with open(os.path.join(OUT, "SOURCES.md"), "w") as f:
            f.write(
                "# Where these schemas come from\n\n"
                "Written by `python3 tools/schemas/generate.py`; do not edit by hand.\n\n"
                f"- `kubernetes/<version>-local-strict/`: PyPI `kubernetes-validate` {KUBERNETES_VALIDATE} (Apache-2.0), "
                "the strict schemas of the kinds the chart renders, with `$id`s dropped and references made "
                "relative, and `_definitions.json` cut to the definitions they reach.\n"
                f"- `keda.sh/`: the `openAPIV3Schema` of KEDA's CRDs in the Go module `{KEDA_MODULE}` {KEDA_VERSION} "
                "(Apache-2.0, `config/crd/bases/`), with `additionalProperties: false` where the CRD lists "
                "properties and keeps no unknown fields.\n"
            )


if __name__ == "__main__":
    main()
