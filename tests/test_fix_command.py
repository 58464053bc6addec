"""``h5lint fix``: writes a NEW file (never the input), only the stored configs change, refusals write nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import h5py
import pytest
from conftest import SAMPLES
from typer.testing import CliRunner

from h5lint.cli import app
from h5lint.fix.configs import config_sha256
from h5lint.fix.plan import FIXED, NOTHING_TO_FIX, REFUSED, plan_fix
from h5lint.fix.run import read_model
from h5lint.fix.write import OutputError, check_output
from h5lint.keras.versions import DEFAULT_TARGET

RUNNER = CliRunner()


def _fix(*args: str):
    return RUNNER.invoke(app, ["fix", *args])


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def lstm(tmp_path: Path) -> Path:
    copy = tmp_path / "tfk_stateful_lstm.h5"
    shutil.copyfile(SAMPLES / "tfk_stateful_lstm.h5", copy)
    return copy


def _datasets(path: Path) -> dict[str, bytes]:
    found = {}
    with h5py.File(path, "r") as h5:
        h5.visititems(
            lambda name, obj: found.__setitem__(name, obj[()].tobytes()) if isinstance(obj, h5py.Dataset) else None
        )
    return found


def test_h5_copy_gets_new_configs_and_the_same_weights(lstm: Path, tmp_path: Path):
    before = _digest(lstm)
    out = tmp_path / "fixed.h5"
    result = _fix(str(lstm), "--target", "keras>=3", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "dropped lstm.time_major (False)" in result.output
    assert _digest(lstm) == before, "fix wrote to the file it read"
    assert _datasets(out) == _datasets(lstm)
    with h5py.File(out, "r") as h5:
        config = json.loads(h5.attrs["model_config"])
        assert "time_major" not in json.dumps(config)
        assert h5.attrs["keras_version"] == "2.21.0"
    # What was written is what the plan hashed (and what the generator verified).
    plan = plan_fix(read_model(str(lstm)), DEFAULT_TARGET)
    with h5py.File(out, "r") as h5:
        docs = {name: json.loads(h5.attrs[name]) for name in plan.after}
    assert config_sha256(docs) == plan.config_sha256


def test_the_fixed_copy_has_nothing_left_to_fix(lstm: Path, tmp_path: Path):
    out = tmp_path / "fixed.h5"
    assert _fix(str(lstm), "--target", "keras>=3", "-o", str(out)).exit_code == 0
    assert plan_fix(read_model(str(out)), DEFAULT_TARGET).status == NOTHING_TO_FIX


def test_keras_zip_members_are_copied_unchanged_but_config(tmp_path: Path):
    source = SAMPLES / "tfk_lstm_not_stateful.keras"
    out = tmp_path / "fixed.keras"
    assert _fix(str(source), "--target", "keras>=3", "-o", str(out)).exit_code == 0
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(out) as after:
        assert [i.filename for i in before.infolist()] == [i.filename for i in after.infolist()]
        for info in before.infolist():
            if info.filename != "config.json":
                assert before.read(info) == after.read(info.filename), info.filename
                assert info.compress_type == after.getinfo(info.filename).compress_type
        config = json.loads(after.read("config.json"))
    assert config["module"] == "keras.src.models.functional"


def test_architecture_json(tmp_path: Path):
    out = tmp_path / "fixed.json"
    assert _fix(str(SAMPLES / "tfk_sigmoid_head_bce_arch.json"), "--target", "keras>=3", "-o", str(out)).exit_code == 0
    doc = json.loads(out.read_text())
    assert doc["module"] == "keras.src.models.functional" and doc["keras_version"] == "2.21.0"


def test_diff_writes_nothing(lstm: Path, tmp_path: Path):
    result = _fix(str(lstm), "--target", "keras>=3", "--diff")
    assert result.exit_code == 0
    assert '-     "time_major": false,' in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tfk_stateful_lstm.h5"]


def test_refusal_names_its_reason_and_writes_nothing(tmp_path: Path):
    out = tmp_path / "fixed.h5"
    result = _fix(str(SAMPLES / "tfk_custom_loss.h5"), "--target", "keras>=3", "-o", str(out))
    assert result.exit_code == 1
    assert "cannot fix it, nothing written" in result.output and "my_loss" in result.output
    assert not out.exists()


def test_never_writes_over_the_input_or_an_existing_file(lstm: Path, tmp_path: Path):
    before = _digest(lstm)
    result = _fix(str(lstm), "--target", "keras>=3", "-o", str(lstm))
    assert result.exit_code == 2 and "never writes to what it reads" in result.output
    taken = tmp_path / "taken.h5"
    taken.write_bytes(b"mine")
    result = _fix(str(lstm), "--target", "keras>=3", "-o", str(taken))
    assert result.exit_code == 2 and taken.read_bytes() == b"mine"
    assert _digest(lstm) == before


def test_never_writes_through_a_link_or_inside_a_model_folder(lstm: Path, tmp_path: Path):
    before = _digest(lstm)
    link = tmp_path / "link.h5"
    link.symlink_to(lstm)
    assert _fix(str(lstm), "--target", "keras>=3", "-o", str(link)).exit_code == 2
    hard = tmp_path / "hard.h5"
    hard.hardlink_to(lstm)
    assert _fix(str(lstm), "--target", "keras>=3", "-o", str(hard)).exit_code == 2
    assert _digest(lstm) == before
    # Folders are refused by format today; the output check itself still keeps a copy out of its source.
    folder = tmp_path / "unzipped"
    shutil.copytree(SAMPLES / "k3_sigmoid_head_bce_unzipped", folder)
    with pytest.raises(OutputError, match="never writes to what it reads"):
        check_output(str(folder), folder / "copy.keras", "keras-zip")


def test_a_reader_that_dies_is_a_usage_error_not_a_crash(lstm: Path, monkeypatch):
    import os
    import signal

    from h5lint.parsers.h5 import model as h5_model

    def crash(path, **kwargs):
        os.kill(os.getpid(), signal.SIGSEGV)

    monkeypatch.setattr(h5_model, "read", crash)
    result = _fix(str(lstm), "--target", "keras>=3", "--diff")
    assert result.exit_code == 2 and "SIGSEGV" in result.output


def test_usage_errors():
    assert _fix(str(SAMPLES / "tfk_stateful_lstm.h5"), "--target", "keras>=3").exit_code == 2  # no -o, no --diff
    assert _fix(str(SAMPLES / "broken_empty.h5"), "--target", "keras>=3", "--diff").exit_code == 2
    assert _fix(str(SAMPLES / "tfk_stateful_lstm.h5"), "--target", "pytorch", "--diff").exit_code == 2


def test_json_output(lstm: Path, tmp_path: Path):
    result = _fix(str(lstm), "--target", "keras>=3", "-o", str(tmp_path / "f.h5"), "--format", "json")
    doc = json.loads(result.output)
    assert doc["status"] == FIXED and doc["output"] == str(tmp_path / "f.h5")
    assert {c["transformation"] for c in doc["changes"]} == {"drop-default-arguments", "compile-settings"}


@pytest.mark.parametrize(
    "name,reason",
    [
        ("tfk_lambda_anon.h5", "Lambda layers hold Python code"),
        ("tfk_tfoplambda.h5", "layers Keras 3 does not have"),
        ("tfk_sigmoid_head_bce_savedmodel", "it is a SavedModel"),
        ("tfk_sigmoid_head_bce_weights.h5", "holds no model config"),
        ("tfk_attention.h5", "tensors as keyword arguments"),
        ("edited_external_link.h5", "points at other files"),
    ],
)
def test_refusals(name, reason):
    plan = plan_fix(read_model(str(SAMPLES / name)), DEFAULT_TARGET)
    assert plan.status == REFUSED and any(reason in r for r in plan.refusals), plan.refusals


def test_keras3_files_and_other_targets():
    assert plan_fix(read_model(str(SAMPLES / "k3_sigmoid_head_bce.keras")), DEFAULT_TARGET).status == NOTHING_TO_FIX
    from h5lint.keras.versions import parse_target

    plan = plan_fix(read_model(str(SAMPLES / "tfk_stateful_lstm.h5")), parse_target("tf-keras"))
    assert plan.status == REFUSED and "fix writes copies for Keras 3" in plan.refusals[0]


def test_fix_never_crashes_on_the_corpora():
    from conftest import FORMAT_EXAMPLES, REALWORLD

    from h5lint.discover import discover
    from h5lint.keras.model import interpret
    from h5lint.parsers import read_candidate

    for root in (SAMPLES, FORMAT_EXAMPLES, REALWORLD / "files"):
        for candidate in discover([str(root)]):
            outcome = read_candidate(candidate)
            if outcome.artifact is not None:
                plan = plan_fix(interpret(outcome.artifact), DEFAULT_TARGET)
                assert plan.status in (FIXED, NOTHING_TO_FIX, REFUSED)
                assert (plan.status == REFUSED) == bool(plan.refusals), candidate.path
