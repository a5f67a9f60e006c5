"""Seed the bench database at the large scale and report time and peak memory as JSON.

Run by bench/run.py in a child process so the memory figure is the seed's own:
    DJANGO_SETTINGS_MODULE=bench.settings python bench/seed.py
The last line of output is a JSON object: seconds, peak_rss_mb, rss_growth_mb.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.core.management import call_command

    idle = peak_rss_mb()
    started = time.perf_counter()
    call_command("seed_demo", scale="large")
    seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    result = {"seconds": seconds, "peak_rss_mb": peak, "rss_growth_mb": peak - idle}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
