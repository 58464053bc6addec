"""Version rules (H5L401-H5L403) on the real-world files: exact findings, and where they differ from the manifest.

Every file under realworld/files is linted with only these rules, under the default target (keras>=3) and
under tf-keras. The H5L403 reasons were checked by loading the files (those without Lambda layers) or
their configs with Keras 3.15.1 in a separate environment; each expectation names the reason it must give.
"""

from __future__ import annotations

import csv
import functools
import json
from pathlib import Path

import pytest
from conftest import REALWORLD, SAMPLES

from h5lint.engine import lint_paths
from h5lint.settings import resolve

FILES = REALWORLD / "files"
CODES = ("H5L401", "H5L402", "H5L403")

SAVEDMODEL = "does not read SavedModels"
LEGACY_JSON = "model.to_json() config in the legacy form"
TIME_MAJOR = "(time_major)"
LIST_SEQUENTIAL = "is a bare list of layers"
FIRST_LAYER_SHAPE = "carries batch_input_shape"
KERAS1_CONFIG = "are converted only by standalone Keras 2.0-2.3"
COMPILE = "Keras 3's compile cannot rebuild"
NO_MODULE = "wrapped layers are stored without a 'module'"

# file -> {(code, location): text the message must contain}; every other file has no finding.
EXPECTED_KERAS3 = {
    # tf.keras RNN configs carry time_major, which Keras 3 rejects ("Unrecognized keyword arguments").
    "0KNV1__test-chatbot__model.h5": {("H5L403", "file"): "lstm (time_major)"},
    "27caribou__lstm-melody-generation__model.h5": {("H5L403", "file"): TIME_MAJOR},
    "Aaronvpp__LSTM-Name-Classification__model_weights.h5": {("H5L403", "file"): "lstm (time_major), lstm_1 (time_major)"},
    "tuanTaAnh__ids-2018-version2__LSTM_model.h5": {("H5L403", "file"): "SparseCategoricalCrossentropy(reduction='auto')"},
    # model.to_json() output of Keras 2: Keras 3's model_from_json finds no class ("Could not locate class").
    "0xDaksh__Credit-Card-Fraud__model.json": {("H5L403", "file"): LEGACY_JSON},
    "ChenxinWang0210__Behavioral-Cloning__model.json": {("H5L403", "file"): LEGACY_JSON},
    "dventimiglia__CarND-Behavioral-Cloning__model.json": {("H5L403", "file"): LEGACY_JSON},
    "chen0040__keras-timeseries-web-api__demo__models__monthly-milk-production__stateful-lstm-architecture.json": {
        ("H5L403", "file"): LEGACY_JSON
    },
    # Sequential without an InputLayer whose first layer has batch_input_shape; Keras 3 first fails on this
    # file's GlorotUniform config (its "dtype" key, reported too), then on the shape (checked on a copy).
    "1000sAlex__Py_f4_neuron__model.h5": {("H5L403", "file"): "batch_input_shape (conv1d)"},
    "15louafi__EnglishToKatakanaSeq2Seq__model.h5": {("H5L403", "file"): "time_distributed_1 wraps Dense"},
    "2015131141143821__CarND-Behavioral-Cloning-Project__model.h5": {("H5L403", "file"): LIST_SEQUENTIAL},
    # A tf.keras 2.13 .keras zip: its Functional is named in keras.src.engine.functional, which Keras 3 cannot
    # import, and its DepthwiseConv2D configs carry groups (both checked by loading it with Keras 3.15.1).
    "AliElgamel9__FastNeuralStyleTransfer__model.keras": {
        ("H5L403", "file"): "model_2 (keras.src.engine.functional)"
    },
    # tf.keras 2.12 loss object (reduction='auto'); the file is also HDF5 named .keras (H5L003's finding).
    "41Leahcim__astronomy_pipeline__model.keras": {("H5L403", "file"): "BinaryCrossentropy(reduction='auto')"},
    # SavedModels written by tf.keras (Keras metadata or Keras object identifiers).
    "71hyeon__Deep-Learning__Augment_model.h5py": {("H5L403", "file"): SAVEDMODEL},
    "AbfCodes__Stock-Prediction__savedmodel_root": {("H5L403", "file"): SAVEDMODEL},
    "AdamClarkStandke__GAN_Models__savedmodel_root": {("H5L403", "file"): SAVEDMODEL},
    "Amaury-ISEN__detection_masque__savedmodel_root": {("H5L403", "file"): SAVEDMODEL},
    "ConJones__TetrisDQN__old_agents__agent_no_conv_small_less_hi_great_start": {("H5L403", "file"): SAVEDMODEL},
    "Engr-Muhammad-Anees__sentiment-analysis-imdb-lstm__savedmodel_root": {("H5L403", "file"): SAVEDMODEL},
    "IEEE-NITK__Speech-to-Image__savedmodel_root": {("H5L403", "file"): SAVEDMODEL},
    # Their CuDNNLSTM layers are H5L303's (one finding per class); H5L403 gives the other reasons.
    "Praneet9__Cryptocurrency_Prediction__models__RNN_Final.model": {
        ("H5L403", "file"): "(1) the first layer of a Sequential model without an InputLayer carries batch_input_shape"
    },
    "nimiew__stock_prediction__models__RNN_Final.model": {
        ("H5L403", "file"): "layers that do not work on that rank (BatchNormalization) then break the build"
    },
    "jeremy-shannon__CarND-Behavioral-Cloning-Project__model.h5": {
        ("H5L402", "file"): "written by Keras 1.2.0",
        ("H5L403", "file"): KERAS1_CONFIG,
    },
    "lyssym__TF_Serving_example__model__crf.h5": {("H5L403", "file"): "bidirectional_1 wraps LSTM"},
    "malfaro2__dl4j-test-resources__src__main__resources__modelimport__keras__examples__gans__wgan_discriminator.h5": {
        ("H5L403", "file"): LIST_SEQUENTIAL
    },
    "malfaro2__dl4j-test-resources__src__main__resources__modelimport__keras__weights__space_to_depth_graph_tensorflow_2.h5": {
        ("H5L403", "file"): "compiled loss 'mse'"
    },
    "mvirgo__MLND-Capstone__full_CNN_model.h5": {("H5L403", "file"): LIST_SEQUENTIAL},
    # Keras 2.0.5 optimizer config uses 'lr' ("Argument(s) not recognized: {'lr': ...}" with compile=True).
    "oarriaga__face_classification__trained_models__emotion_models__fer2013_mini_XCEPTION.102-0.66.hdf5": {
        ("H5L403", "file"): "optimizer Adam(lr=...)"
    },
    "oarriaga__face_classification__trained_models__gender_models__gender_mini_XCEPTION.21-0.95.hdf5": {
        ("H5L403", "file"): "optimizer Adam(lr=...)"
    },
    "tuanTaAnh__ids-2018-version2__MLP_model.h5": {("H5L403", "file"): "compiled loss 'mse'"},
    # The manifest's backend column says theano for this file only.
    "malfaro2__dl4j-test-resources__src__main__resources__modelimport__keras__fullconfigs__lstm__lstm_th_keras_2_weights.h5": {
        ("H5L402", "file"): "records backend 'theano'"
    },
    # The manifest says this DL4J fixture carries no backend evidence; its weight names do: Keras 1 on
    # TensorFlow writes 'dense_1_W:0', on Theano 'dense_1_W' (formats.md §1.3), and the file name says theano.
    "malfaro2__dl4j-test-resources__src__main__resources__modelimport__keras__weights__batch_to_conv2d_theano_1.h5": {
        ("H5L402", "file"): "so it ran on Theano",
        ("H5L403", "file"): KERAS1_CONFIG,
    },
    # Keras 1 files the manifest records as keras_version 1.x (configs only: no backend known).
    "multicom-toolbox__DeepSF__models__model_SimilarityReduction.json": {
        ("H5L402", "file"): "written by Keras 1.2.2",
        ("H5L403", "file"): "(here: Convolution1D, Merge)",
    },
    "ncondo__CarND-Behavioral-Cloning__model.json": {
        ("H5L402", "file"): "written by Keras 1.2.1",
        ("H5L403", "file"): LEGACY_JSON,
    },
    # Keras 1 weights-only files (no keras_version, which Keras 1 never wrote there): the manifest's
    # notes call them Keras 1.x; h5lint knows it from the '<layer>_W' weight names.
    "datlife__behavioral-cloning__model__cnn.h5": {("H5L402", "file"): "Keras 1 names (conv0_W:0"},
    "ncondo__CarND-Behavioral-Cloning__model.h5": {("H5L402", "file"): "Keras 1 names (convolution2d_1_W:0"},
    # Theano per the repository's README (manifest notes); the ':0'-less names confirm it.
    "multicom-toolbox__DeepSF__models__model_SimilarityReduction.h5": {("H5L402", "file"): "so it ran on Theano"},
    # keras-rl 2016 weights: the manifest only says "Keras 1.x era"; the names say Keras 1 on Theano.
    "matthiasplappert__keras-rl-weights__dqn_CartPole-v0_weights.h5f": {("H5L402", "file"): "so it ran on Theano"},
}

# Under tf-keras, H5L402 stays; H5L403 remains only for what tf-keras cannot read: Keras 1 configs and
# files written by Keras 3.
KERAS3_FILE = "written by Keras 3."
EXPECTED_TF_KERAS = {
    name: {key: text for key, text in found.items() if key[0] == "H5L402"}
    for name, found in EXPECTED_KERAS3.items()
    if ("H5L402", "file") in found
}
for _name in (
    "jeremy-shannon__CarND-Behavioral-Cloning-Project__model.h5",
    "malfaro2__dl4j-test-resources__src__main__resources__modelimport__keras__weights__batch_to_conv2d_theano_1.h5",
    "multicom-toolbox__DeepSF__models__model_SimilarityReduction.json",
    "ncondo__CarND-Behavioral-Cloning__model.json",
):
    EXPECTED_TF_KERAS[_name][("H5L403", "file")] = KERAS1_CONFIG
EXPECTED_TF_KERAS.update(
    {
        "3barney__raspberry_car__model.keras": {("H5L403", "file"): "written by Keras 3.3.3"},
        "404error-010__ANN-Churn-Classification__model.h5": {("H5L403", "file"): "written by Keras 3.10.0"},
        "AdjoaPanyin__Stock_Price_RNN__model.keras": {("H5L403", "file"): "written by Keras 3.4.1"},
        "AlrzA2003__BinanceTrader__model.keras": {("H5L403", "file"): KERAS3_FILE},
        "Srthk03__Speaker_Verification__siamese_model.keras": {("H5L403", "file"): KERAS3_FILE},
        "THE-NIKHIL07__english-hindi-translation-model__source_vectorizer_model.keras": {("H5L403", "file"): KERAS3_FILE},
        "mmoffatt2__smart_doorlock__siamese_model_0.7.keras": {("H5L403", "file"): "written by Keras 3.2.1"},
        "phamminhquan1101__Online-Newspapers-Topic-Classification__model_output.h5": {("H5L403", "file"): KERAS3_FILE},
        "sreeja-s-ds__CNC_mill_tool_wear_Prediction__multi_output_model.h5": {("H5L403", "file"): KERAS3_FILE},
    }
)


def _manifest() -> list[dict[str, str]]:
    with (REALWORLD / "manifest.tsv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@functools.lru_cache(maxsize=None)
def _findings(target: str | None) -> dict[str, dict[tuple[str, str], str]]:
    """file (top-level entry of realworld/files) -> {(code, location): message}."""
    settings = resolve(None, {"select": list(CODES), **({"target": target} if target else {})})
    report = lint_paths([str(p) for p in sorted(FILES.iterdir())], settings)
    found: dict[str, dict[tuple[str, str], str]] = {}
    for artifact in report.artifacts:
        name = Path(artifact.path).relative_to(FILES).parts[0]
        entry = found.setdefault(name, {})
        for finding in artifact.findings:
            entry[(finding.code, finding.location or "")] = finding.message
    return found


def _check(target: str | None, expected: dict[str, dict[tuple[str, str], str]]) -> None:
    found = _findings(target)
    names = {row["local_name"] for row in _manifest()}
    assert names <= set(found), f"not linted: {sorted(names - set(found))}"
    for name in sorted(names):
        got = found.get(name, {})
        want = expected.get(name, {})
        assert sorted(got) == sorted(want), (name, got)
        for key, text in want.items():
            assert text in got[key], (name, key, got[key])


def test_realworld_default_target():
    _check(None, EXPECTED_KERAS3)


def test_realworld_tf_keras_target():
    _check("tf-keras", EXPECTED_TF_KERAS)


def _rows(keep) -> list:
    return [pytest.param(row, id=row["local_name"][:60]) for row in _manifest() if keep(row)]


@pytest.mark.parametrize("row", _rows(lambda row: row["backend"] in ("theano", "cntk")))
def test_manifest_legacy_backends_are_reported(row):
    assert ("H5L402", "file") in _findings(None)[row["local_name"]]


@pytest.mark.parametrize("row", _rows(lambda row: row["keras_version"].startswith("1.")))
def test_manifest_keras1_files_are_reported(row):
    assert "Keras 1" in _findings(None)[row["local_name"]][("H5L402", "file")]


def test_no_missing_version_tag_in_the_wild():
    # Every real full model records its version; the two SavedModel folders without saved_model.pb
    # (0x7a726f model1, AnwerSaeed017 partial_savedmodel) are not SavedModels to any loader: H5L004's finding.
    assert not [name for name, found in _findings(None).items() if any(code == "H5L401" for code, _ in found)]


# ---------------------------------------------------------------------------------------------
# Generated sample models: the generator loaded each tf-keras / Keras 3 sample with the real loaders
# (samples.json "load_check"), which is ground truth for H5L403 in both directions.

SAMPLE_FACTS = json.loads((SAMPLES / "samples.json").read_text(encoding="utf-8"))
LOAD_CHECKED = {name: entry["load_check"] for name, entry in SAMPLE_FACTS.items() if entry.get("load_check")}


@functools.lru_cache(maxsize=None)
def _sample_findings(target: str | None) -> dict[str, set[tuple[str, str]]]:
    settings = resolve(None, {"select": list(CODES), **({"target": target} if target else {})})
    report = lint_paths([str(SAMPLES / name) for name in sorted(SAMPLE_FACTS)], settings)
    found: dict[str, set[tuple[str, str]]] = {}
    for artifact in report.artifacts:
        entry = found.setdefault(Path(artifact.path).relative_to(SAMPLES).parts[0], set())
        entry |= {(f.code, f.location or "") for f in artifact.findings}
    return found


@pytest.mark.parametrize("target,loader", [(None, "keras "), ("tf-keras", "tf_keras ")])
def test_sample_models_match_real_loaders(target, loader):
    found = _sample_findings(target)
    for name, results in LOAD_CHECKED.items():
        result = next(value for key, value in results.items() if key.startswith(loader))
        if result.startswith("not tried"):
            continue  # Lambda samples: the generator did not let tf-keras run their code
        flagged = ("H5L403", "file") in found.get(name, set())
        if result == "ok":
            assert not flagged, f"{name}: {loader}loads it, but H5L403 says it cannot"
        if flagged:
            assert result.startswith("error"), (name, result)


def test_sample_models_h5l403_is_one_file_finding():
    # H5L403 reports once per file and lists every reason; per-layer findings belong to H5L303/H5L304
    # (CuDNN, removed layers such as TFOpLambda).
    for name, got in _sample_findings(None).items():
        assert all(location == "file" for code, location in got if code == "H5L403"), name
