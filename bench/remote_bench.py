"""Bytes fetched for remote artifacts: a 1 GB legacy .h5 on a local S3 API (moto's server on 127.0.0.1).

    pip install -e '.[test]' && python bench/remote_bench.py        # --gb 1.0

Builds the 1 GB file of run_bench.py (one 262,144 x 1024 float32 kernel), uploads it to moto, and
prints what h5lint fetched for a config-only scan (the rules that read weight values ignored, as in
run_bench.py), for a scan with every rule (the values are streamed within --remote-budget), and for
the same config-only scan run twice with a results cache: the second run of the unchanged object fetches
its listing only. Bytes, not seconds, are the
point: moto on the same machine says nothing about a real network's latency.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

from remote_services import S3_ENV, moto_s3, s3_client  # noqa: E402
from run_bench import _write_legacy_h5  # noqa: E402

from h5lint.runner import CheckRequest, run_check  # noqa: E402

CONFIG_ONLY = ["H5L502", "H5L503", "H5L504", "H5L505"]  # ignored: the rules that read weight values


def _scan(url: str, out: Path, **options) -> dict:
    run_check(CheckRequest(paths=[url], output_format="json", output=out, exit_zero=True, jobs=1, **options))
    doc = json.loads(out.read_text(encoding="utf-8"))
    (artifact,) = doc["artifacts"]
    return {"bytes": artifact["bytes_fetched"], "codes": sorted({f["code"] for f in doc["findings"]})}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gb", type=float, default=1.0, help="size of the .h5 (default 1.0)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="h5lint-remote-bench-") as scratch, moto_s3() as endpoint:
        os.environ.update({**S3_ENV, "AWS_ENDPOINT_URL": endpoint, "XDG_CACHE_HOME": str(Path(scratch, "home"))})
        big = Path(scratch, "big.h5")
        _write_legacy_h5(big, units=1024, big_kernel_rows=int(args.gb * (1 << 30) / 4096))
        client = s3_client(endpoint)
        client.create_bucket(Bucket="bench")
        client.upload_file(str(big), "bench", "models/big.h5")
        url = "s3://bench/models/big.h5"
        out = Path(scratch, "report.json")
        config_only = _scan(url, out, cli_config={"ignore": CONFIG_ONLY})
        every_rule = _scan(url, out, remote_budget=16)
        cached = {"cli_config": {"ignore": CONFIG_ONLY}, "no_cache": False, "cache_dir": Path(scratch, "cache")}
        cold = _scan(url, out, **cached)
        warm = _scan(url, out, **cached)
        size = big.stat().st_size
    print(f"| measurement (file of {size:,} bytes on moto S3) | bytes fetched | findings |")
    print("| --- | ---: | --- |")
    print(f"| config only (`--ignore {','.join(CONFIG_ONLY)}`) | {config_only['bytes']:,} | {', '.join(config_only['codes'])} |")
    print(f"| every rule, `--remote-budget 16` | {every_rule['bytes']:,} | {', '.join(every_rule['codes'])} |")
    print(f"| config only, results cache filled | {cold['bytes']:,} | {', '.join(cold['codes'])} |")
    print(f"| config only, again, object unchanged (listing only) | {warm['bytes']:,} | {', '.join(warm['codes'])} |")


if __name__ == "__main__":
    main()
