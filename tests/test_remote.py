"""Artifacts named by URL: the same findings as on disk, read by byte ranges, from moto's S3 server, a
local HTTP server, a fake Hugging Face filesystem and a Dask LocalCluster (all on 127.0.0.1)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from conftest import REPO, SAMPLES

pytest.importorskip("fsspec")
pytest.importorskip("s3fs")

from remote_services import (  # noqa: E402
    S3_ENV,
    moto_s3,
    range_http_server,
    s3_client,
    upload_folder,
    write_big_h5,
)

from h5lint.candidate import NO_ACCESS  # noqa: E402
from h5lint.discover import discover  # noqa: E402
from h5lint.remote.identity import of_entries  # noqa: E402
from h5lint.runner import CheckRequest, run_check  # noqa: E402
from h5lint.settings import Settings  # noqa: E402

BUCKET = "models"
CONFIG_ONLY = ["H5L1", "H5L2", "H5L3", "H5L4"]  # no rule reads weight values (H5L104 reads HDF5 links only)
# One or more samples of every format and folder layout, and broken ones: the quick loop's corpus (the
# whole of sample_models/ is compared in CI, marked slow).
FEW = (
    "k3_linear_head_bce.h5",
    "k3_linear_head_bce.keras",
    "k3_nonfinite_weights.keras",
    "k3_sigmoid_head_bce_arch.json",
    "k3_sharded_weights",
    "k3_sigmoid_head_bce_unzipped",
    "tfjs_sigmoid_head_bce",
    "tfk_sigmoid_head_bce_savedmodel",
    "tfk_sigmoid_head_bce_ckpt",
    "broken_truncated.h5",
    "broken_lfs_pointer.h5",
    "edited_external_link.h5",
    "edited_zip_slip.keras",
)


@pytest.fixture(scope="module")
def few(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("few") / "few"
    folder.mkdir()
    for name in FEW:
        source = SAMPLES / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, folder / name)
    return folder


@pytest.fixture(scope="module")
def s3(few):
    """moto's S3 server with the FEW samples uploaded under few/; yields its endpoint."""
    with moto_s3() as endpoint:
        client = s3_client(endpoint)
        client.create_bucket(Bucket=BUCKET)
        upload_folder(client, BUCKET, few, "few")
        yield endpoint


@pytest.fixture
def s3_env(s3, monkeypatch):
    import s3fs

    for key, value in {**S3_ENV, "AWS_ENDPOINT_URL": s3}.items():
        monkeypatch.setenv(key, value)
    s3fs.S3FileSystem.clear_instance_cache()
    yield s3
    s3fs.S3FileSystem.clear_instance_cache()


def _report(tmp_path: Path, paths: list[str], **options) -> dict:
    out = tmp_path / f"report-{len(list(tmp_path.glob('report-*')))}.json"
    request = CheckRequest(paths=paths, output_format="json", output=out, exit_zero=True, jobs=2, **options)
    assert run_check(request) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def _comparable(doc: dict, *prefixes: str) -> str:
    """The report's artifacts and findings with the location of the files taken out (paths aside)."""

    def strip(value):
        if isinstance(value, str):
            for prefix in prefixes:
                # Only as a path (followed by "/" or the whole value): "sample_models" is also in module names.
                base = prefix.rstrip("/")
                value = "<root>" if value == base else value.replace(base + "/", "<root>/")
            return value
        if isinstance(value, list):
            return [strip(v) for v in value]
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("fingerprint", "bytes_fetched")}
        return value

    kept = {"artifacts": doc["artifacts"], "findings": doc["findings"], "unreadable": doc["unreadable"]}
    return json.dumps(strip(kept), indent=1, sort_keys=True)


@pytest.fixture(scope="module")
def few_report(few, tmp_path_factory):
    return _report(tmp_path_factory.mktemp("local"), [str(few)])


def test_s3_gives_the_same_findings_as_the_local_files(s3_env, few, few_report, tmp_path):
    remote = _report(tmp_path, [f"s3://{BUCKET}/few/"])
    assert _comparable(remote, f"s3://{BUCKET}/few") == _comparable(few_report, str(few))
    assert all(a["bytes_fetched"] is not None for a in remote["artifacts"])
    assert remote["summary"]["bytes_fetched"] == sum(a["bytes_fetched"] for a in remote["artifacts"])
    assert all(a["bytes_fetched"] is None for a in few_report["artifacts"])


def test_http_gives_the_same_findings_as_the_local_files(few, few_report, tmp_path):
    with range_http_server(few) as (base, requests):
        remote = _report(tmp_path, [f"{base}/"])
    assert _comparable(remote, base) == _comparable(few_report, str(few))
    assert all(method == "HEAD" or rng for method, _, rng in requests)  # every file GET asked for a range


def test_dask_local_cluster_gives_the_same_report_as_a_serial_run(s3_env, few, few_report, tmp_path):
    distributed = pytest.importorskip("distributed")
    # Threads, not processes: each Dask worker still checks its partition in h5lint's own supervised
    # processes, and two more Python worker processes would double the test's time for nothing it tests.
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=None
    ) as cluster:
        remote = _report(tmp_path, [f"s3://{BUCKET}/few/"], dask=cluster.scheduler_address)
    assert _comparable(remote, f"s3://{BUCKET}/few") == _comparable(few_report, str(few))


@pytest.mark.slow
def test_all_samples_read_alike_from_disk_s3_http_and_dask(s3_env, tmp_path):
    distributed = pytest.importorskip("distributed")
    local = _report(tmp_path, [str(SAMPLES)])
    upload_folder(s3_client(s3_env), BUCKET, SAMPLES, "samples")
    expected = _comparable(local, str(SAMPLES), SAMPLES.relative_to(REPO).as_posix())
    assert _comparable(_report(tmp_path, [f"s3://{BUCKET}/samples/"]), f"s3://{BUCKET}/samples") == expected
    with range_http_server(SAMPLES) as (base, _):
        assert _comparable(_report(tmp_path, [f"{base}/"]), base) == expected
    dask = pytest.importorskip("dask")
    # Worker processes, as on a real cluster: not daemonic, so h5lint can start its supervised readers.
    with dask.config.set({"distributed.worker.daemon": False}), distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        on_dask = _report(tmp_path, [f"s3://{BUCKET}/samples/"], dask=cluster.scheduler_address)
    assert _comparable(on_dask, f"s3://{BUCKET}/samples") == expected


def test_a_big_h5_on_s3_is_judged_from_a_few_ranges(s3_env, tmp_path):
    big = tmp_path / "big.h5"
    write_big_h5(big, inputs=4096, units=2560)  # 40 MiB of float32 weights
    assert big.stat().st_size > 40 << 20
    s3_client(s3_env).upload_file(str(big), BUCKET, "big/model.h5")
    config_only = _report(tmp_path, [f"s3://{BUCKET}/big/model.h5"], cli_config={"select": CONFIG_ONLY})
    (artifact,) = config_only["artifacts"]
    assert artifact["format"] == "h5-full"
    assert [f["code"] for f in config_only["findings"]] == ["H5L201"]  # the linear head under binary_crossentropy
    assert artifact["bytes_fetched"] < 256 << 10, artifact["bytes_fetched"]
    # The weight rules stream the values, within the byte budget: over it the artifact says so.
    budgeted = _report(tmp_path, [f"s3://{BUCKET}/big/model.h5"], remote_budget=4)
    messages = [f["message"] for f in budgeted["findings"] if f["code"] == "H5L001"]
    assert any("remote byte budget of 4,194,304 bytes" in m for m in messages), messages
    assert budgeted["artifacts"][0]["bytes_fetched"] <= 4 << 20
    assert "H5L201" in {f["code"] for f in budgeted["findings"]}  # the budget hides no other finding


@pytest.mark.slow
def test_a_1_gib_h5_on_s3_costs_well_under_a_megabyte_config_only(s3_env, tmp_path):
    big = tmp_path / "big.h5"
    write_big_h5(big, inputs=131072, units=2048)  # 1 GiB of float32 weights
    assert big.stat().st_size > 1 << 30
    s3_client(s3_env).upload_file(str(big), BUCKET, "big/1gib.h5")
    doc = _report(tmp_path, [f"s3://{BUCKET}/big/1gib.h5"], cli_config={"select": CONFIG_ONLY})
    assert [f["code"] for f in doc["findings"]] == ["H5L201"]
    assert doc["artifacts"][0]["bytes_fetched"] < 1 << 20, doc["artifacts"][0]["bytes_fetched"]


def test_statistics_and_sarif_name_the_url_and_the_bytes(s3_env, tmp_path):
    url = f"s3://{BUCKET}/samples/k3_linear_head_bce.keras"
    text = tmp_path / "report.txt"
    run_check(CheckRequest(paths=[url], output_format="full", output=text, exit_zero=True, statistics=True, jobs=1))
    lines = text.read_text(encoding="utf-8").splitlines()
    assert any(line.startswith("    fetched ") and line.endswith(" bytes") for line in lines), lines
    assert any(line.startswith("Bytes fetched: ") and "for 1 remote artifact" in line for line in lines), lines
    sarif = tmp_path / "report.sarif"
    run_check(CheckRequest(paths=[url], output_format="sarif", output=sarif, exit_zero=True, jobs=1))
    results = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {url}


def _codes_by_path(doc: dict) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {a["path"]: [] for a in doc["artifacts"]}
    for finding in doc["findings"]:
        found.setdefault(finding["path"], []).append(finding["code"])
    return found


@pytest.mark.parametrize("mode", ["ignore-ranges", "huge-length"])
def test_a_server_lying_about_ranges_or_sizes_gets_a_finding(tmp_path, mode):
    served = tmp_path / "served"
    served.mkdir()
    write_big_h5(served / "model.h5", inputs=512, units=256)  # 512 KiB: more than one block
    shutil.copy2(SAMPLES / "k3_linear_head_bce.keras", served / "model.keras")
    with range_http_server(served, mode) as (base, _):
        doc = _report(tmp_path, [f"{base}/model.h5", f"{base}/model.keras"])
    by_path = _codes_by_path(doc)
    # A server that ignores Range sends a small file whole for its one block, which is then its real bytes.
    lied_to = [f"{base}/model.h5"] + ([f"{base}/model.keras"] if mode == "huge-length" else [])
    for path in lied_to:
        messages = [f["message"] for f in doc["findings"] if f["path"] == path and f["code"] == "H5L001"]
        assert messages and all(m.startswith(path + ": ") for m in messages), (mode, by_path)
    assert all(a["bytes_fetched"] <= 1 << 20 for a in doc["artifacts"])  # it stopped at what it could not trust


def test_a_listing_naming_dotdot_is_refused_and_the_rest_is_read(few, tmp_path):
    with range_http_server(few / "tfjs_sigmoid_head_bce", "dotdot") as (base, requests):
        doc = _report(tmp_path, [f"{base}/"])
    codes = _codes_by_path(doc)
    refused = [path for path in codes if "/../" in path]
    assert refused and codes[refused[0]] == ["H5L001"], codes
    assert "cannot be read" in next(f["message"] for f in doc["findings"] if f["path"] == refused[0])
    assert not any("outside" in path for _, path, _ in requests)  # never fetched
    assert any(a["format"] == "tfjs" for a in doc["artifacts"])  # the model beside it is still checked


@pytest.fixture
def fake_hf(few, monkeypatch):
    import importlib

    from remote_services import FakeHfFileSystem

    registry = importlib.import_module("fsspec.registry")  # the module: fsspec.registry is its read-only view
    monkeypatch.setenv("HF_FAKE_ROOT", str(few.parent))
    # Registered for this test only (monkeypatch restores the registry): forked workers inherit it.
    monkeypatch.setitem(registry._registry, "hf", FakeHfFileSystem)
    FakeHfFileSystem.clear_instance_cache()
    return monkeypatch


def test_hf_urls_are_listed_and_read_like_folders(fake_hf, few, few_report, tmp_path):
    # No hub here: a fake HfFileSystem over a local folder, with LFS sha256s in its listings.
    remote = _report(tmp_path, ["hf://few"])
    assert _comparable(remote, "hf://few") == _comparable(few_report, str(few))


def test_hostile_hf_listing_names_are_refused(fake_hf, tmp_path):
    fake_hf.setenv("HF_FAKE_HOSTILE", "../../etc/passwd")
    codes = _codes_by_path(_report(tmp_path, ["hf://few"]))
    assert codes["hf://few/../../etc/passwd"] == ["H5L001"]
    assert codes["hf://few/k3_linear_head_bce.h5"] == ["H5L201"]


def test_identity_keys_a_cache_from_the_listing_alone(few, tmp_path):
    from h5lint.remote.identity import identify

    served = tmp_path / "served"
    shutil.copytree(few / "tfk_sigmoid_head_bce_savedmodel", served / "sm")
    shutil.copy2(few / "k3_linear_head_bce.h5", served / "model.h5")
    with range_http_server(served) as (base, requests):
        first = identify(f"{base}/model.h5")
        assert identify(f"{base}/model.h5") == first and first.key is not None and first.etag is not None
        assert not [r for r in requests if r[0] == "GET"]  # a HEAD: no file's bytes
        # An index page gives no stamp per member: a folder there has no key, and is read again.
        assert identify(f"{base}/sm/").key is None
        (served / "model.h5").write_bytes((served / "model.h5").read_bytes() + b"\0")
        assert identify(f"{base}/model.h5").key != first.key


def test_identity_of_s3_objects_and_folders_is_their_etags(s3_env):
    from h5lint.remote.identity import identify

    url = f"s3://{BUCKET}/few/k3_linear_head_bce.keras"
    before = identify(url)
    assert before.etag and before.size == (SAMPLES / "k3_linear_head_bce.keras").stat().st_size
    assert identify(url) == before
    folder = f"s3://{BUCKET}/few/tfk_sigmoid_head_bce_savedmodel/"
    unchanged = identify(folder)
    assert unchanged.members is not None and identify(folder) == unchanged
    s3_client(s3_env).put_object(Bucket=BUCKET, Key="few/tfk_sigmoid_head_bce_savedmodel/extra.txt", Body=b"x")
    assert identify(folder).key != unchanged.key


def test_a_rescan_of_an_unchanged_bucket_fetches_only_the_listing(s3_env, few, tmp_path, monkeypatch):
    monkeypatch.delenv("H5LINT_NO_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))  # the cache's key
    client = s3_client(s3_env)
    upload_folder(client, BUCKET, few, "cached")
    url = f"s3://{BUCKET}/cached/"

    def scan() -> tuple[dict, dict[str, int]]:
        doc = _report(tmp_path, [url], cache_dir=tmp_path / "cache")
        return doc, {a["path"].removeprefix(url): a["bytes_fetched"] for a in doc["artifacts"]}

    cold, cold_bytes = scan()
    warm, warm_bytes = scan()
    assert _comparable(warm, url) == _comparable(cold, url)
    assert min(cold_bytes.values()) > 0 and set(warm_bytes.values()) == {0}, warm_bytes
    assert warm["summary"]["bytes_fetched"] == 0
    # A changed object, a changed TF.js shard (read beside its model.json), a member added to a SavedModel:
    # each makes its own artifact read again, and only those.
    client.put_object(Bucket=BUCKET, Key="cached/k3_linear_head_bce.h5", Body=(few / "broken_truncated.h5").read_bytes())
    shard = (few / "tfjs_sigmoid_head_bce" / "group1-shard1of1.bin").read_bytes()
    client.put_object(Bucket=BUCKET, Key="cached/tfjs_sigmoid_head_bce/group1-shard1of1.bin", Body=shard[::-1])
    client.put_object(Bucket=BUCKET, Key="cached/tfk_sigmoid_head_bce_savedmodel/assets/new.txt", Body=b"x")
    changed, changed_bytes = scan()
    again = {"k3_linear_head_bce.h5", "tfjs_sigmoid_head_bce/model.json", "tfk_sigmoid_head_bce_savedmodel"}
    assert {path for path, fetched in changed_bytes.items() if fetched} == again, changed_bytes
    assert _codes_by_path(changed)[f"{url}k3_linear_head_bce.h5"] == ["H5L001"]


def test_weak_or_missing_stamps_are_never_trusted(few, tmp_path):
    from h5lint.remote.listing import entry

    weak = entry("https://h/m.h5", "m.h5", {"size": 3, "ETag": 'W/"abc"'})
    assert weak.etag is None and of_entries(weak.url, (weak,)).key is None
    with range_http_server(few) as (base, _):
        # An index page gives no stamp per file: nothing found by walking it is cached.
        assert all(c.stamp is None for c in discover([f"{base}/"]) if c.path.endswith(".h5"))


def test_hf_identity_carries_the_lfs_sha256(fake_hf):
    from h5lint.remote.identity import identify

    identity = identify("hf://few/k3_linear_head_bce.h5")
    assert identity.sha256 is not None and identity.sha256 in identity.key


def test_without_the_remote_extra_a_url_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "fsspec", None)
    monkeypatch.setitem(sys.modules, "fsspec.core", None)
    (candidate,) = discover(["s3://bucket/model.h5"], Settings(enabled=()))
    assert candidate.containers == (NO_ACCESS,)
    assert "pip install 'h5lint[remote]'" in (candidate.detail or "")


def test_local_runs_never_import_fsspec():
    import subprocess

    code = (
        "import sys; from h5lint.engine import lint_paths; from h5lint.settings import Settings; "
        f"lint_paths([{str(SAMPLES / 'k3_linear_head_bce.keras')!r}], Settings(enabled=('H5L201',))); "
        "print('fsspec' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_file_urls_do_not_follow_links_out_of_the_folder(few, tmp_path):
    scanned = tmp_path / "scanned"
    scanned.mkdir()
    shutil.copy2(few / "k3_linear_head_bce.h5", scanned / "model.h5")
    (scanned / "elsewhere").symlink_to(few / "tfjs_sigmoid_head_bce", target_is_directory=True)
    codes = _codes_by_path(_report(tmp_path, [scanned.as_uri()]))
    assert codes[f"{scanned.as_uri()}/model.h5"] == ["H5L201"]
    assert {path for path, found in codes.items() if "elsewhere" in path and found == ["H5L001"]}, codes
    assert not [path for path, found in codes.items() if "elsewhere" in path and found != ["H5L001"]], codes


def test_a_remote_global_heap_that_would_loop_libhdf5_is_refused_as_hdf5_reads_it(tmp_path):
    from test_hostile import CLEAN_H5, _rezip, _trap_heap

    served = tmp_path / "served"
    served.mkdir()
    (served / "trap.h5").write_bytes(_trap_heap(bytearray(CLEAN_H5.read_bytes())))
    _rezip(served / "trap.keras", change=lambda n, d: bytes(_trap_heap(bytearray(d))) if n.endswith(".h5") else d)
    # HeapGuard sees the collection before libhdf5 walks it; were it to miss, the worker would spin in C
    # until the time limit, and the finding would name the limit instead.
    with range_http_server(served) as (base, _):
        doc = _report(tmp_path, [f"{base}/trap.h5", f"{base}/trap.keras"], timeout=30)
    found = {(f["path"], f["code"], f["location"]): f["message"] for f in doc["findings"]}
    h5 = found.get((f"{base}/trap.h5", "H5L001", "file"), "")
    keras = found.get((f"{base}/trap.keras", "H5L001", "member:model.weights.h5"), "")
    assert "global heap" in h5 and "time limit" not in h5, found
    assert "global heap" in keras and "time limit" not in keras, found


def test_without_the_dask_extra_dask_is_a_usage_error_naming_it(monkeypatch):
    from h5lint.distributed import scan_many
    from h5lint.project import ConfigError

    monkeypatch.setitem(sys.modules, "dask.bag", None)
    with pytest.raises(ConfigError, match=r"pip install 'h5lint\[dask\]'"):
        list(scan_many(["s3://bucket/"], Settings(enabled=()), scheduler="tcp://127.0.0.1:1"))


def _partition_in_a_daemon(queue) -> None:
    from h5lint.budgets import Budgets
    from h5lint.distributed import check_partition

    try:
        check_partition([], Settings(enabled=()), Budgets(), None)
        queue.put("no error")
    except Exception as exc:  # the message travels back to the test
        queue.put(str(exc))


def test_a_daemonic_dask_worker_is_told_the_setting_that_fixes_it():
    import multiprocessing

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_partition_in_a_daemon, args=(queue,), daemon=True)
    process.start()
    message = queue.get(timeout=60)
    process.join()
    assert "DASK_DISTRIBUTED__WORKER__DAEMON=False" in message
