"""The statistics' stored figures: one snapshot row per scope, school year and month."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from config.choice_labels import FastChoiceDisplay

from .enums import StatScope


class StatSnapshot(FastChoiceDisplay, models.Model):
    """Figures of one scope for a school year (month empty) or one month of it, as last computed.

    Written only by `stats.services.stats_recompute` (an upsert), read by
    `stats.selectors.committee_stats`. `edited_at` is set when a write touches the scope, so a
    reader knows the figures are older than the data until the next recompute.
    """

    committee = models.ForeignKey(
        "branches.Committee", on_delete=models.CASCADE, related_name="stat_snapshots", verbose_name=_("党委")
    )
    scope_kind = models.CharField(_("统计范围"), max_length=20, choices=StatScope.choices)
    scope_id = models.PositiveBigIntegerField(_("范围编号"))
    school_year = models.CharField(_("学年"), max_length=9)
    month = models.DateField(_("月份"), null=True, blank=True, help_text=_("该月第一天；留空表示全学年"))
    figures = models.JSONField(_("统计数据"), default=dict)
    computed_at = models.DateTimeField(_("统计时间"))
    edited_at = models.DateTimeField(_("数据修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("统计快照")
        verbose_name_plural = _("统计快照")
        ordering = ["committee", "school_year", "scope_kind", "scope_id", "month"]
        constraints = [
            # Two partial constraints: a plain one would let NULL months repeat.
            models.UniqueConstraint(
                fields=["committee", "scope_kind", "scope_id", "school_year"],
                condition=models.Q(month__isnull=True),
                name="stat_snapshot_unique_year",
            ),
            models.UniqueConstraint(
                fields=["committee", "scope_kind", "scope_id", "school_year", "month"],
                condition=models.Q(month__isnull=False),
                name="stat_snapshot_unique_month",
            ),
        ]
        indexes = [
            models.Index(fields=["committee", "school_year", "scope_kind"]),
            # The stale rows only (a handful among a committee's thousands): the partial recompute's
            # check for other stale scopes (`stats.services._stamp_years`) and the sweep read these.
            models.Index(
                fields=["committee", "school_year"],
                condition=models.Q(edited_at__gt=models.F("computed_at")),
                name="stat_snapshot_stale",
            ),
        ]
        # Moved from the projects app without copying its rows: the table keeps its name.
        db_table = "projects_statsnapshot"

    def __str__(self) -> str:
        period = f"{self.month:%Y-%m}" if self.month else self.school_year
        return f"{self.get_scope_kind_display()} {self.scope_id} · {period}"


class StatFreshness(models.Model):
    """When a committee's figures of a school year were last recomputed: one stamp per committee and year.

    It promises that every figure of the year reflects all data committed before it. A recompute
    of every scope stamps the years it computed, whatever it had to write; one of some scopes
    (after an edit) only while no other scope of the year is stale. The snapshot rows themselves
    are written only when their figures change (a nightly run over unchanged years writes nothing
    but these stamps). Readers show this time as the figures' age; a row edited after its own
    ``computed_at`` is still stale.
    """

    committee = models.ForeignKey(
        "branches.Committee", on_delete=models.CASCADE, related_name="stat_freshness", verbose_name=_("党委")
    )
    school_year = models.CharField(_("学年"), max_length=9)
    computed_at = models.DateTimeField(_("统计时间"))

    class Meta:
        verbose_name = _("统计时间")
        verbose_name_plural = _("统计时间")
        constraints = [
            models.UniqueConstraint(fields=["committee", "school_year"], name="stat_freshness_unique_year"),
        ]

    def __str__(self) -> str:
        return f"{self.committee_id} · {self.school_year} · {self.computed_at:%Y-%m-%d %H:%M}"
