#!/usr/bin/env python3
"""Compares `hcpctl calendar law` (liblunar-date) with an independent computation of the same
rules: python3-lunardate for 春节 (除夕 to 初三), 端午 (五月初五) and 中秋 (八月十五), PyEphem
(python3-ephem) for the 清明 solar term — the instant the Sun's apparent ecliptic longitude of
date reaches 15°, as a China (UTC+8) date.

usage: check_statutory.py HCPCTL FIRST_YEAR LAST_YEAR   (exit 0: equal, 1: differences, 77: skipped)
"""
import datetime
import math
import subprocess
import sys

try:
    import ephem
    from lunardate import LunarDate
except ImportError as e:  # ./dev installs python3-ephem and python3-lunardate
    print(f"SKIP: {e}")
    sys.exit(77)

CHINA = datetime.timedelta(hours=8)


def sun_longitude(when):
    sun = ephem.Sun()
    sun.compute(when)
    return math.degrees(float(ephem.Ecliptic(sun, epoch=when).lon))


def qingming(year):
    lo = ephem.Date(datetime.datetime(year, 3, 30))
    hi = ephem.Date(datetime.datetime(year, 4, 10))
    for _ in range(60):  # bisection to well under a second
        mid = ephem.Date((lo + hi) / 2)
        if sun_longitude(mid) < 15.0:
            lo = mid
        else:
            hi = mid
    return (ephem.Date(hi).datetime() + CHINA).date()


def law(year):
    days = {}

    def add(d, name):
        days.setdefault(d, []).append(name)

    add(datetime.date(year, 1, 1), "元旦")
    new_year = LunarDate(year, 1, 1).toSolarDate()
    for offset in range(-1, 3):
        add(new_year + datetime.timedelta(days=offset), "春节")
    add(qingming(year), "清明节")
    add(datetime.date(year, 5, 1), "劳动节")
    add(datetime.date(year, 5, 2), "劳动节")
    for day in (1, 2, 3):
        add(datetime.date(year, 10, day), "国庆节")
    add(LunarDate(year, 5, 5).toSolarDate(), "端午节")
    add(LunarDate(year, 8, 15).toSolarDate(), "中秋节")
    return {d.isoformat(): "、".join(names) for d, names in days.items()}


def main():
    hcpctl, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    out = subprocess.run([hcpctl, "calendar", "law", "--from", str(first), "--to", str(last)],
                         check=True, capture_output=True, text=True).stdout
    ours = dict(line.split("\t", 1) for line in out.splitlines() if line)
    theirs = {}
    for year in range(first, last + 1):
        theirs.update(law(year))
    bad = 0
    for date in sorted(set(ours) | set(theirs)):
        if ours.get(date) != theirs.get(date):
            print(f"{date}: hcpctl {ours.get(date)!r}, independent {theirs.get(date)!r}")
            bad += 1
    print(f"{len(theirs)} statutory days {first}–{last}: {bad} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
