"""docker-compose.yml cannot run here (no Docker engine); check its structure instead."""

from __future__ import annotations

import yaml

from tests.conftest import ROOT


def test_compose_has_the_services_the_readme_promises():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "migrate", "worker", "recover", "metrics", "flower"} <= set(services)
    assert services["recover"]["command"][:2] == ["khabar", "recover"]
    assert services["metrics"]["command"][:2] == ["khabar", "metrics"]
    assert services["migrate"]["command"] == ["khabar", "db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    worker = services["worker"]
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "container_name" not in worker and "ports" not in worker  # --scale worker=N must work
    assert worker["environment"]["KHABAR_DATABASE_URL"].startswith("postgresql+psycopg://")
    flower = " ".join(services["flower"]["command"])
    assert "--basic-auth=${FLOWER_BASIC_AUTH:?" in flower
    for name in ("migrate", "worker", "recover", "metrics", "flower"):
        assert services[name]["build"] == "."
    assert (ROOT / "Dockerfile").exists()


def test_no_secrets_committed():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if "PASSWORD" in key:
                assert str(value).startswith("${") and ":?" in str(value), (
                    f"{name}.{key} has a literal secret"
                )
            if key.endswith("DATABASE_URL"):
                assert "${POSTGRES_PASSWORD" in value
    assert (ROOT / ".env.example").exists()
    assert ".env" in (ROOT / ".gitignore").read_text().split()
