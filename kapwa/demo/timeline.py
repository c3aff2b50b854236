"""When things happen: a 90-day window with a Manila day/night and weekly rhythm, paydays, and
reply delays that sleep at night (the team works 8:00–22:00 Manila time)."""

from __future__ import annotations

import datetime as dt
import random

MANILA = dt.timezone(dt.timedelta(hours=8), "Asia/Manila")
# Relative activity per Manila hour, 00:00 … 23:00.
HOURLY = [0.30, 0.18, 0.10, 0.07, 0.07, 0.15, 0.35, 0.65, 0.90, 1.05, 1.10, 1.15, 1.30, 1.20, 1.05, 1.00,
          1.00, 1.00, 1.10, 1.30, 1.45, 1.50, 1.20, 0.65]
WEEKDAY = [1.0, 1.0, 0.97, 1.0, 1.06, 0.74, 0.66]  # Monday … Sunday


class Clock:
    def __init__(self, now: dt.datetime, days: int = 90):
        self.now = now
        self.start = now - dt.timedelta(days=days)
        self.hours: list[dt.datetime] = []
        self.cum: list[float] = []
        span = (now - self.start).total_seconds()
        total, h = 0.0, self.start
        while h < now:
            local = h.astimezone(MANILA)
            w = HOURLY[local.hour] * WEEKDAY[local.weekday()]
            if local.day in (15, 16, 30, 31, 1):  # kinsenas and katapusan: paydays
                w *= 1.2
            w *= 0.85 + 0.3 * (h - self.start).total_seconds() / span  # a growing community
            total += w
            self.hours.append(h)
            self.cum.append(total)
            h += dt.timedelta(hours=1)

    def sample(self, rng: random.Random) -> dt.datetime:
        hour = rng.choices(self.hours, cum_weights=self.cum)[0]
        return hour + dt.timedelta(seconds=rng.randrange(3600))

    @staticmethod
    def manila_at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=MANILA).astimezone(dt.UTC)

    def later(self, rng: random.Random, t: dt.datetime, mean_s: float, min_s: float = 20) -> dt.datetime:
        """A member's next message: exponential wait; long waits rarely end in the small hours."""
        delay = rng.expovariate(1 / mean_s) + min_s
        out = t + dt.timedelta(seconds=delay)
        if delay > 1800:
            local = out.astimezone(MANILA)
            if 1 <= local.hour < 7 and rng.random() < 0.8:
                wake = local.replace(hour=7, minute=0, second=0) + dt.timedelta(seconds=rng.randrange(7200))
                out = wake.astimezone(dt.UTC)
        return out

    def staff_after(self, rng: random.Random, t: dt.datetime, mean_s: float = 5400, urgent: bool = False) -> dt.datetime:
        """When the team answers: within business hours, or the next morning."""
        local = t.astimezone(MANILA)
        if urgent:
            return t + dt.timedelta(seconds=rng.expovariate(1 / 1500) + 120)
        if 8 <= local.hour < 22:
            out = t + dt.timedelta(seconds=rng.expovariate(1 / mean_s) + 180)
            if 8 <= out.astimezone(MANILA).hour < 22:
                return out
        morning = local.replace(hour=8, minute=0, second=0, microsecond=0)
        if local.hour >= 8:
            morning += dt.timedelta(days=1)
        return (morning + dt.timedelta(seconds=rng.expovariate(1 / 2700))).astimezone(dt.UTC)
