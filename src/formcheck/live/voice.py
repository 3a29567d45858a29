"""Spoken cues through an offline text-to-speech engine, on its own thread.

The person is 2-3 m from the screen, so cues are spoken as well as shown. Engines, in order:
the ``espeak-ng`` (or ``espeak``) command (Debian/Ubuntu: ``apt install espeak-ng``; macOS:
``brew install espeak-ng``), else ``pyttsx3`` (``pip install 'formcheck[voice]'``: SAPI5 on
Windows, NSSpeech on macOS). Without either, live mode runs silently and says so once.

``say`` never blocks the frame loop: it drops the text into a one-item slot that the speaking
thread takes from; a newer cue replaces one not yet begun (an old cue is worse than none).
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Sequence

WORDS_PER_MINUTE = 160  # a calm coaching pace; espeak's default (175) sounds hurried at a distance


def find_engine() -> tuple[str, list[str]]:
    """(engine name, command prefix) of the first engine found; ("", []) when there is none."""
    for name in ("espeak-ng", "espeak"):
        path = shutil.which(name)
        if path:
            return name, [path, "-s", str(WORDS_PER_MINUTE)]
    try:
        import pyttsx3  # noqa: F401
    except ImportError:
        return "", []
    return "pyttsx3", []


class Voice:
    """Speak cues in the background: ``say`` returns at once.

    >>> with Voice() as voice:          # doctest: +SKIP
    ...     voice.say("Chest up")
    """

    def __init__(self, command: Sequence[str] | None = None) -> None:
        if command is None:
            self.engine, self._command = find_engine()
        else:
            self.engine, self._command = "command", list(command)
        self.spoken: list[str] = []
        self.failures = 0
        self._cond = threading.Condition()
        self._next: str | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._speak_loop, name="formcheck-voice", daemon=True)
        if self.engine:
            self._thread.start()

    @property
    def available(self) -> bool:
        return bool(self.engine)

    def say(self, text: str) -> None:
        """Queue ``text`` (replacing a cue not yet begun) and return immediately."""
        if not self.engine:
            return
        with self._cond:
            self._next = text
            self._cond.notify()

    def _speak_loop(self) -> None:
        engine = None
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._next is not None or self._closed)
                if self._next is None:
                    return
                text, self._next = self._next, None
            try:
                if self._command:
                    subprocess.run([*self._command, text], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   timeout=15, check=True)
                else:
                    import pyttsx3

                    engine = engine or pyttsx3.init()
                    engine.say(text)
                    engine.runAndWait()
                self.spoken.append(text)
            except Exception:  # no audio device, engine crash: cues stay on screen, speech is best effort
                self.failures += 1

    def close(self, timeout: float = 5.0) -> None:
        """Finish the cue being spoken (up to ``timeout``) and stop; queued ones are dropped."""
        with self._cond:
            self._closed = True
            self._next = None
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def __enter__(self) -> Voice:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
