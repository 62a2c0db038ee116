"""The demo district: 渝中区教育系统 over both demo schools, with its officer's login `district`."""

from members.models import User

from . import services
from .models import Committee, District

DISTRICT_LOGIN = "district"


def seed_district(committees: list[Committee], *, password: str) -> District:
    """The district over the demo schools and its overseer (no member profile); idempotent."""
    user, created = User.objects.get_or_create(username=DISTRICT_LOGIN, defaults={"first_name": "渝中区教委党工委"})
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    return services.district_ensure(slug="yuzhong", name="渝中区教育系统", committees=committees, overseers=[user])
