"""Per-call VAD and end-of-turn analyzers built on the process's shared ONNX sessions.

Pipecat's analyzers load their model in `__init__`; these subclasses take the loaded session
instead, so a new call costs a few small objects, not a model load.
"""

from __future__ import annotations

import onnxruntime as ort
from pipecat.audio.turn.smart_turn.base_smart_turn import BaseSmartTurn, SmartTurnParams
from pipecat.audio.turn.smart_turn.local_smart_turn_v3 import LocalSmartTurnAnalyzerV3
from pipecat.audio.vad.silero import SileroOnnxModel, SileroVADAnalyzer
from pipecat.audio.vad.vad_analyzer import VADAnalyzer, VADParams


class SharedSileroVAD(SileroVADAnalyzer):
    def __init__(self, session: ort.InferenceSession, *, params: VADParams | None = None) -> None:
        VADAnalyzer.__init__(self, sample_rate=None, params=params)
        # The session is shared; the recurrent state SileroOnnxModel keeps is this call's own.
        model = SileroOnnxModel.__new__(SileroOnnxModel)
        model.session = session
        model.sample_rates = [8000, 16000]
        model.reset_states()
        self._model = model
        self._windows_since_reset = 0
        self._low_confidence_windows = 0


class SharedSmartTurn(LocalSmartTurnAnalyzerV3):
    def __init__(self, session: ort.InferenceSession, *, params: SmartTurnParams | None = None) -> None:
        BaseSmartTurn.__init__(self, params=params)
        self._log_data = False
        self._session = session
