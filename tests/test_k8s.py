"""The Kubernetes manifests in deploy/k8s: valid against the Kubernetes schema (kubernetes-validate, strict: an
unknown or misspelt field fails), and saying what a class needs of them."""
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

K8S = Path(__file__).resolve().parents[1] / "deploy" / "k8s"


def manifests():
    return {doc["kind"]: doc for path in sorted(K8S.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text())}


@pytest.mark.parametrize("path", sorted(K8S.glob("*.yaml")), ids=lambda p: p.name)
def test_each_manifest_is_valid_kubernetes(path):
    for doc in yaml.safe_load_all(path.read_text()):
        kubernetes_validate.validate(doc, kubernetes_validate.latest_version(), strict=True)


def test_the_check_catches_a_misspelt_field():
    service = manifests()["Service"]
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate({**service, "spec": {**service["spec"], "sessionAfinity": "ClientIP"}},
                                     kubernetes_validate.latest_version(), strict=True)


def test_what_a_class_needs(root):
    m = manifests()
    pod = m["Deployment"]["spec"]["template"]
    (app,) = pod["spec"]["containers"]
    assert m["Deployment"]["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
    assert m["Service"]["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    assert {p["containerPort"] for p in app["ports"]} == {8501} and "EXPOSE 8501" in (root / "Dockerfile").read_text()
    for probe in ("readinessProbe", "livenessProbe"):
        assert app[probe]["httpGet"]["path"] == "/_stcore/health"
    assert app["resources"]["requests"]["cpu"] and app["resources"]["limits"]["cpu"]
    assert m["Service"]["spec"]["sessionAffinity"] == "ClientIP"  # a session's websocket stays on its pod
    hpa = m["HorizontalPodAutoscaler"]["spec"]
    assert hpa["scaleTargetRef"]["name"] == m["Deployment"]["metadata"]["name"]
    assert hpa["metrics"][0]["resource"]["name"] == "cpu"
