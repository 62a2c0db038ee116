"""The statistics snapshots, moved here from the projects app with their table (projects_statsnapshot)."""

import config.choice_labels
import django.db.models.deletion
from django.db import migrations, models


MOVED_MODELS = ("statsnapshot",)


def move_content_types(apps, schema_editor):
    """Give the moved models' content types (and so their permissions) the new app label."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED_MODELS:
        if not ContentType.objects.filter(app_label="stats", model=model).exists():
            ContentType.objects.filter(app_label="projects", model=model).update(app_label="stats")


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="stats", model__in=MOVED_MODELS).update(app_label="projects")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('projects', '0006_move_stats_and_yearend'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('branches', '0003_districts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables exist already (created by the projects app): state only.
            state_operations=[
                migrations.CreateModel(
                    name='StatSnapshot',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('scope_kind', models.CharField(choices=[('project', '项目'), ('group', '党小组'), ('branch', '党支部'), ('type', '项目类型'), ('committee', '党委')], max_length=20, verbose_name='统计范围')),
                        ('scope_id', models.PositiveBigIntegerField(verbose_name='范围编号')),
                        ('school_year', models.CharField(max_length=9, verbose_name='学年')),
                        ('month', models.DateField(blank=True, help_text='该月第一天；留空表示全学年', null=True, verbose_name='月份')),
                        ('figures', models.JSONField(default=dict, verbose_name='统计数据')),
                        ('computed_at', models.DateTimeField(verbose_name='统计时间')),
                        ('edited_at', models.DateTimeField(blank=True, null=True, verbose_name='数据修改时间')),
                        ('committee', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='stat_snapshots', to='branches.committee', verbose_name='党委')),
                    ],
                    options={
                        'verbose_name': '统计快照',
                        'verbose_name_plural': '统计快照',
                        'db_table': 'projects_statsnapshot',
                        'ordering': ['committee', 'school_year', 'scope_kind', 'scope_id', 'month'],
                        'indexes': [models.Index(fields=['committee', 'school_year', 'scope_kind'], name='projects_st_committ_80f6dd_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('month__isnull', True)), fields=('committee', 'scope_kind', 'scope_id', 'school_year'), name='stat_snapshot_unique_year'), models.UniqueConstraint(condition=models.Q(('month__isnull', False)), fields=('committee', 'scope_kind', 'scope_id', 'school_year', 'month'), name='stat_snapshot_unique_month')],
                    },
                    bases=(config.choice_labels.FastChoiceDisplay, models.Model),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
