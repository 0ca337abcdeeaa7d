"""What can be checked of the container files without a Docker engine (none runs on this project's
machines, and no image registry is reachable, so the image is never built here): compose.yaml parses,
its commands and the Dockerfile's are the Procfile's, Redis keeps an AOF on a volume, the image runs as
a user that is not root, and every variable the compose file sets or reads is documented in the README."""
import re

import yaml

from tests.helpers.common import ROOT

README = (ROOT / "README.md").read_text()


def procfile() -> dict[str, str]:
    lines = [line for line in (ROOT / "Procfile").read_text().splitlines() if line.strip() and not line.startswith("#")]
    return {name.strip(): command.strip() for name, command in (line.split(":", 1) for line in lines)}


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_parses_and_runs_each_procfile_process_with_the_same_command():
    services = compose()["services"]
    for name, command in procfile().items():
        assert name in services, f"Procfile process {name!r} has no compose service"
        assert services[name]["command"] == command


def test_dockerfile_runs_the_procfile_command_as_a_user_that_is_not_root():
    dockerfile = (ROOT / "Dockerfile").read_text()
    (cmd,) = re.findall(r"^CMD (.+)$", dockerfile, re.M)
    assert cmd == procfile()["web"]
    assert all(re.match(r"python:[\d.]+-slim", image) for image in re.findall(r"^FROM (\S+)", dockerfile, re.M))
    users = re.findall(r"^USER (\S+)$", dockerfile, re.M)
    assert users and users[-1] not in ("root", "0"), "the app does not run as root"
    # Test tools are kept out of the image: it installs requirements.txt, which has none of them.
    instructions = "\n".join(line for line in dockerfile.splitlines() if not line.startswith("#"))
    assert "requirements-dev" not in instructions and "-r /tmp/requirements.txt" in instructions
    runtime = {line.split("==")[0].lower() for line in (ROOT / "requirements.txt").read_text().splitlines()
               if line and not line.startswith("#")}
    assert not runtime & {"pytest", "pytest-xdist", "hypothesis", "playwright", "pyyaml", "ruff", "mypy",
                          "import-linter"}, "test tools are kept out of the image"
    assert not re.search(r"^ENV .*(SECRET|TOKEN|KEY)=", dockerfile, re.M), "no secrets baked into the image"
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".venv" in ignored and ".env" in ignored and ".git" in ignored


def test_redis_keeps_an_aof_on_a_volume():
    services = compose()["services"]
    redis = services["redis"]
    assert "--appendonly yes" in redis["command"]
    assert any(v.endswith(":/data") for v in redis["volumes"])
    assert set(v.split(":")[0] for v in redis["volumes"]) <= set(compose()["volumes"])
    assert services["web"]["environment"]["REDIS_URL"] == "redis://redis:6379/0"


def test_every_variable_the_compose_file_sets_or_reads_is_documented():
    text = (ROOT / "compose.yaml").read_text()
    names = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))
    for service in compose()["services"].values():
        names |= set(service.get("environment", {}))
    assert len(names) > 10
    missing = sorted(n for n in names if f"`{n}`" not in README)
    assert not missing, f"README does not document {missing}"


def test_the_readme_says_the_image_was_not_built_here():
    assert "The image has not been built on the project's own machines" in README
