"""Staffed hours: are staff on now, and if not, when are they back."""
import datetime as dt
from zoneinfo import ZoneInfo

from bot.config_schema import DAYS


class StaffHours:
    """One shift a weekday, "HH:MM-HH:MM" in local time. A shift whose end is not after its start
    crosses midnight: Monday "22:00-02:00" runs from Monday 22:00 to Tuesday 02:00 (and an end equal
    to its start is a whole day, to the same time the next day)."""

    def __init__(self, timezone: str, hours: dict[str, str]):
        self.zone = ZoneInfo(timezone)
        self.windows: dict[int, tuple[dt.time, dt.time]] = {}
        for day, span in hours.items():
            start, end = span.split("-")
            self.windows[DAYS.index(day)] = (dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip()))

    def _shift(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The shift that starts on `day`, as local start and end."""
        window = self.windows.get(day.weekday())
        if not window:
            return None
        start, end = window
        last = day + dt.timedelta(days=1) if end <= start else day
        return dt.datetime.combine(day, start, self.zone), dt.datetime.combine(last, end, self.zone)

    def staffed(self, now: dt.datetime) -> bool:
        local = now.astimezone(self.zone)
        # Today's shift, or yesterday's still running past midnight.
        for day in (local.date(), local.date() - dt.timedelta(days=1)):
            shift = self._shift(day)
            if shift and shift[0] <= local < shift[1]:
                return True
        return False

    def next_start(self, now: dt.datetime) -> dt.datetime | None:
        """When staff are next on, in local time; None if no hours are configured."""
        local = now.astimezone(self.zone)
        for ahead in range(0, 8):
            shift = self._shift(local.date() + dt.timedelta(days=ahead))
            if shift and shift[0] > local:
                return shift[0]
        return None
