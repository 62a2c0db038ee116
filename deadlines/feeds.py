"""The ICS feed of a person's schedule (RFC 5545, written with icalendar), and its revocable token."""

import datetime

from django.db import transaction
from icalendar import Calendar, Event

from members.models import User

from .models import CalendarFeed, new_feed_token
from .schedule import ScheduleItem


def feed_of(user: User) -> CalendarFeed:
    """The user's feed, made on first use."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def feed_token_reset(*, user: User) -> CalendarFeed:
    """A new private address; the old one stops working at once (a lost phone, a shared link)."""
    feed = feed_of(user)
    feed.token = new_feed_token()
    feed.save(update_fields=["token", "created_at"])
    return feed


def feed_owner(token: str) -> User | None:
    feed = CalendarFeed.objects.filter(token=token).select_related("user").first()
    return feed.user if feed is not None and feed.user.is_active else None


def ics_of(items: list[ScheduleItem], *, base_url: str, name: str) -> bytes:
    """All-day events, one per item, with stable UIDs so a calendar app updates rather than duplicates."""
    calendar = Calendar()
    calendar.add("prodid", "-//dangjian//party-building micro-projects//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    stamp = datetime.datetime.now(datetime.UTC)
    for item in items:
        event = Event()
        event.add("uid", f"{item.uid}@dangjian")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + datetime.timedelta(days=1))
        event.add("summary", f"【{item.kind}】{item.title}")
        if item.link:
            event.add("url", f"{base_url}{item.link}")
        calendar.add_component(event)
    return calendar.to_ical()
