"""Staffed hours: are staff on now, and if not, when are they back."""
import datetime as dt
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class StaffHours:
    def __init__(self, timezone: str, hours: dict[str, str]):
        self.zone = ZoneInfo(timezone)
        self.windows: dict[int, tuple[dt.time, dt.time]] = {}
        for day, span in hours.items():
            start, end = span.split("-")
            self.windows[DAYS.index(day)] = (dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip()))

    def staffed(self, now: dt.datetime) -> bool:
        local = now.astimezone(self.zone)
        window = self.windows.get(local.weekday())
        return window is not None and window[0] <= local.time() < window[1]

    def next_start(self, now: dt.datetime) -> dt.datetime | None:
        """When staff are next on, in local time; None if no hours are configured."""
        local = now.astimezone(self.zone)
        for ahead in range(0, 8):
            day = local.date() + dt.timedelta(days=ahead)
            window = self.windows.get(day.weekday())
            if not window:
                continue
            start = dt.datetime.combine(day, window[0], self.zone)
            if start > local:
                return start
        return None
