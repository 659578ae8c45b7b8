"""Start the reportqa web page: read settings, build (or reuse) the index, serve the UI on 127.0.0.1."""

from __future__ import annotations

import logging
import os
import sys

# Before gradio is imported: no usage analytics, no model downloads, no telemetry from the vector store.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ.setdefault(
    "OMP_WAIT_POLICY", "PASSIVE"
)  # see docs/benchmarks.md: spinning OpenMP threads starve the server
# Gradio keeps per-event records for its monitoring page (off here); 1,000 instead of 10,000 bounds that memory.
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")
# ... and summarises them with pandas after every event for that page; once per 1e9 events is never.
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000000000")


def stderr_progress(total: int, label: str):
    """A tqdm bar on stderr for each indexing step."""
    from tqdm import tqdm

    bar = tqdm(total=total, desc=label, unit="passage", file=sys.stderr, disable=total == 0, leave=False)
    return bar.update


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from reportqa.corrections import CorrectionStore
    from reportqa.engine import build_engine
    from reportqa.settings import Settings
    from ui.app import build_app, launch_options, queue_options, tune_queue, warm_up_gradio
    from ui.holder import EngineHolder
    from ui.lockdown import ignore_env_allowed_paths, local_only_warning

    settings = Settings()
    ignore_env_allowed_paths()
    local_only_warning(settings.server_host)
    corrections = CorrectionStore(settings.corrections_path)
    engine = build_engine(settings, progress=stderr_progress, corrections=corrections)
    logging.getLogger("reportqa").info("warmed up in %.1f s", engine.warm_up())
    warm_up_gradio()
    app = build_app(EngineHolder(engine, settings), settings)
    tune_queue(app.queue(**queue_options(settings))).launch(**launch_options(settings))


if __name__ == "__main__":
    main()
