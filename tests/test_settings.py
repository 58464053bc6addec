"""Configuration: [tool.h5lint], CLI overrides, validation that names what is wrong."""

from __future__ import annotations

import re
import sys

import pytest
from conftest import REPO

from h5lint.catalog import load_catalog
from h5lint.findings import Severity
from h5lint.keras.versions import TargetError, parse_target
from h5lint.project import ConfigError, find_config
from h5lint.settings import resolve

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def test_readme_configuration_example_is_valid():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = tomllib.loads(re.search(r"```toml\n(.*?)```", readme, re.S).group(1))["tool"]["h5lint"]
    settings = resolve(example, None, "README.md")
    assert "H5L205" not in settings.enabled and "H5L201" in settings.enabled
    assert settings.severity["H5L501"] is Severity.ERROR
    assert settings.ignored_for("legacy/old.h5") == {"H5L402", "H5L403"}
    assert settings.options["H5L102"]["allow-ops"] == ["ReadFile"]
    assert settings.target.keras_major == 3
    assert settings.custom_objects == {"acme>Scale", "focal_loss"}
    assert settings.exclude.matches("experiments/run1/model.h5")
    assert settings.exclude.matches("venv", is_dir=True)  # the defaults are kept


@pytest.mark.parametrize(
    "config, message",
    [
        ({"selct": ["ALL"]}, "unknown key 'selct'"),
        ({"select": ["H5L999"]}, "'H5L999' matches no rule"),
        ({"severity": {"H5L201": "fatal"}}, "'fatal' is not one of error, warning, info"),
        ({"rule-options": {"H5L102": {"allow": []}}}, "rule H5L102 has no option 'allow'"),
        ({"rule-options": {"H5L105": {"max-ratio": "big"}}}, "max-ratio: expected int"),
        ({"target": "pytorch>=2"}, "is not a runtime"),
    ],
)
def test_config_errors_name_the_key(config, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        resolve(config, None, "pyproject.toml")


def test_cli_overrides_the_file():
    settings = resolve({"select": ["H5L1"], "fail-on": "error"}, {"select": ["H5L201"], "fail-on": "info"})
    assert settings.enabled == ("H5L201",)
    assert settings.fail_on is Severity.INFO


def test_selection_by_name_and_prefix():
    settings = resolve({"select": ["lambda-layer", "H5L50"], "ignore": ["non-finite-weights"]})
    h5l50 = {code for code in load_catalog() if code.startswith("H5L50")}
    assert settings.enabled == tuple(sorted({"H5L101"} | h5l50 - {"H5L502"}))


@pytest.mark.parametrize(
    "text, package, major",
    [("keras>=3", "keras", 3), ("tf-keras==2.15", "tf-keras", 2), ("tensorflow==2.15", "tensorflow", 2),
     ("tensorflow>=2.16", "tensorflow", 3), ("keras==2.12", "keras", 2),
     ("keras<3", "keras", 2), ("tensorflow<2.16", "tensorflow", 2), ("keras<3.5", "keras", 3),
     # as people write them: any case, the -cpu/-gpu builds, _ for -, no version at all
     ("Keras>=3", "keras", 3), ("tensorflow-cpu==2.15", "tensorflow", 2), ("tf_keras", "tf-keras", 2),
     (" TensorFlow-GPU < 2.16 ", "tensorflow", 2)],
)
def test_targets(text, package, major):
    target = parse_target(text)
    assert (target.package, target.keras_major) == (package, major)


@pytest.mark.parametrize(
    "text, said",
    [("keras 3", "'3' is not a version specifier"), ("keras>=", "'>=' is not a version specifier"),
     ("keras>=three", "is not a version specifier"), ("pytorch>=2", "is not a runtime h5lint knows"), ("", "is not")],
)
def test_targets_it_cannot_parse_say_so_with_examples(text, said):
    with pytest.raises(TargetError, match=re.escape(said)) as raised:
        parse_target(text)
    assert "e.g. 'keras>=3'" in str(raised.value) and "'tensorflow-cpu==2.15'" in str(raised.value)


def test_cli_target_errors_exit_2_naming_the_target(tmp_path):
    from typer.testing import CliRunner

    from h5lint.cli import app

    result = CliRunner().invoke(app, ["check", str(tmp_path), "--target", "keras 3"])
    assert result.exit_code == 2
    assert "h5lint: error: configuration: target: 'keras 3': '3' is not a version specifier" in result.stderr


def test_config_found_by_walking_up(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.h5lint]\nignore = ["H5L205"]\n', encoding="utf-8")
    models = tmp_path / "a" / "b"
    models.mkdir(parents=True)
    path, section = find_config(models)
    assert path == tmp_path / "pyproject.toml" and section == {"ignore": ["H5L205"]}
