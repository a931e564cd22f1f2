"""A shared, shiftable clock: the control API moves sandbox time to test expiry without waiting."""

import threading
import time


class Clock:
    def __init__(self):
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Seconds since the epoch, as both emulated clouds see them."""
        return time.time() + self._offset

    @property
    def offset(self) -> float:
        return self._offset

    def set_offset(self, seconds: float) -> None:
        with self._lock:
            self._offset = float(seconds)

    def reset(self) -> None:
        self.set_offset(0.0)
