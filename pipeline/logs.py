"""Pipecat logs through loguru; route them into the standard logging our JSON logs are made of."""

from __future__ import annotations

import logging

from loguru import logger


def route_pipecat_logs(level: str) -> None:
    """Forward Pipecat's loguru records to `logging` ("pipecat.<module>").

    Pipecat is chatty at INFO (several lines per call), so below DEBUG only its warnings and
    errors come through.
    """

    def sink(message: object) -> None:
        record = message.record  # type: ignore[attr-defined]
        logging.getLogger(f"pipecat.{record['name']}").log(record["level"].no, record["message"])

    logger.remove()
    logger.add(sink, level="DEBUG" if level == "DEBUG" else "WARNING", format="{message}")
