"""The assessment and the report jobs, moved here from the projects app with their tables (projects_*)."""

import config.choice_labels
import django.core.validators
import django.db.models.deletion
import yearend.models
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


MOVED_MODELS = ("assessmentround", "assessmentcriterion", "assessmentsheet", "assessmentscore", "assessmentresult", "assessmentevent", "reportjob",)


def move_content_types(apps, schema_editor):
    """Give the moved models' content types (and so their permissions) the new app label."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED_MODELS:
        if not ContentType.objects.filter(app_label="yearend", model=model).exists():
            ContentType.objects.filter(app_label="projects", model=model).update(app_label="yearend")


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="yearend", model__in=MOVED_MODELS).update(app_label="projects")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('branches', '0003_districts'),
        ('projects', '0006_move_stats_and_yearend'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables exist already (created by the projects app): state only.
            state_operations=[
                migrations.CreateModel(
                    name='AssessmentRound',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('school_year', models.CharField(max_length=9, verbose_name='学年')),
                        ('status', models.CharField(choices=[('open', '考核中'), ('published', '已公布')], default='open', max_length=20, verbose_name='状态')),
                        ('excellent_threshold', models.DecimalField(decimal_places=2, default=Decimal('90'), max_digits=5, verbose_name='优秀分数线')),
                        ('good_threshold', models.DecimalField(decimal_places=2, default=Decimal('80'), max_digits=5, verbose_name='良好分数线')),
                        ('pass_threshold', models.DecimalField(decimal_places=2, default=Decimal('60'), max_digits=5, verbose_name='合格分数线')),
                        ('opened_at', models.DateTimeField(auto_now_add=True, verbose_name='开启时间')),
                        ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='公布时间')),
                        ('committee', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assessment_rounds', to='branches.committee', verbose_name='党委')),
                        ('opened_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='开启人')),
                        ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='公布人')),
                    ],
                    options={
                        'verbose_name': '年度考核',
                        'verbose_name_plural': '年度考核',
                        'db_table': 'projects_assessmentround',
                        'ordering': ['-school_year', '-pk'],
                    },
                    bases=(config.choice_labels.FastChoiceDisplay, models.Model),
                ),
                migrations.CreateModel(
                    name='AssessmentResult',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sheet_count', models.PositiveSmallIntegerField(verbose_name='评分人数')),
                        ('mean', models.DecimalField(decimal_places=2, max_digits=6, verbose_name='平均分')),
                        ('rating', models.CharField(choices=[('excellent', '优秀'), ('good', '良好'), ('pass', '合格'), ('fail', '不合格')], max_length=20, verbose_name='考核等次')),
                        ('rank', models.PositiveSmallIntegerField(verbose_name='排名')),
                        ('project', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assessment_results', to='projects.microproject', verbose_name='项目')),
                        ('assessment_round', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='results', to='yearend.assessmentround', verbose_name='年度考核')),
                    ],
                    options={
                        'verbose_name': '考核结果',
                        'verbose_name_plural': '考核结果',
                        'db_table': 'projects_assessmentresult',
                        'ordering': ['rank', 'pk'],
                    },
                    bases=(config.choice_labels.FastChoiceDisplay, models.Model),
                ),
                migrations.CreateModel(
                    name='AssessmentEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(choices=[('opened', '开启考核'), ('rubric_changed', '修改考核细则'), ('thresholds_changed', '修改等次分数线'), ('scored', '提交考核评分'), ('score_changed', '修改考核评分'), ('published', '公布考核结果')], max_length=20, verbose_name='操作')),
                        ('comment', models.TextField(blank=True, verbose_name='说明')),
                        ('details', models.JSONField(blank=True, default=dict, verbose_name='详情')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='时间')),
                        ('actor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                        ('project', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='projects.microproject', verbose_name='项目')),
                        ('assessment_round', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='yearend.assessmentround', verbose_name='年度考核')),
                    ],
                    options={
                        'verbose_name': '考核记录',
                        'verbose_name_plural': '考核记录',
                        'db_table': 'projects_assessmentevent',
                        'ordering': ['created_at', 'pk'],
                    },
                    bases=(config.choice_labels.FastChoiceDisplay, models.Model),
                ),
                migrations.CreateModel(
                    name='AssessmentCriterion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=50, verbose_name='考核维度')),
                        ('description', models.TextField(blank=True, verbose_name='评分说明')),
                        ('max_score', models.PositiveSmallIntegerField(default=20, validators=[django.core.validators.MinValueValidator(1)], verbose_name='满分')),
                        ('weight', models.DecimalField(decimal_places=2, default=Decimal('1'), max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='权重')),
                        ('position', models.PositiveSmallIntegerField(default=0, verbose_name='排序')),
                        ('assessment_round', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='criteria', to='yearend.assessmentround', verbose_name='年度考核')),
                    ],
                    options={
                        'verbose_name': '考核维度',
                        'verbose_name_plural': '考核维度',
                        'db_table': 'projects_assessmentcriterion',
                        'ordering': ['position', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='AssessmentSheet',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('comment', models.TextField(blank=True, verbose_name='考核意见')),
                        ('weighted_total', models.DecimalField(decimal_places=2, max_digits=6, verbose_name='加权总分')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='提交时间')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='修改时间')),
                        ('assessment_round', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sheets', to='yearend.assessmentround', verbose_name='年度考核')),
                        ('assessor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assessment_sheets', to=settings.AUTH_USER_MODEL, verbose_name='考核人')),
                        ('project', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assessment_sheets', to='projects.microproject', verbose_name='项目')),
                    ],
                    options={
                        'verbose_name': '考核评分表',
                        'verbose_name_plural': '考核评分表',
                        'db_table': 'projects_assessmentsheet',
                        'ordering': ['created_at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='AssessmentScore',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('score', models.DecimalField(decimal_places=1, max_digits=5, verbose_name='得分')),
                        ('criterion', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='scores', to='yearend.assessmentcriterion', verbose_name='考核维度')),
                        ('sheet', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scores', to='yearend.assessmentsheet', verbose_name='考核评分表')),
                    ],
                    options={
                        'verbose_name': '考核维度得分',
                        'verbose_name_plural': '考核维度得分',
                        'db_table': 'projects_assessmentscore',
                    },
                ),
                migrations.CreateModel(
                    name='ReportJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('xlsx', '年度数据工作簿（Excel）'), ('docx', '年度工作总结初稿（Word）')], max_length=10, verbose_name='报告类型')),
                        ('school_year', models.CharField(max_length=9, verbose_name='学年')),
                        ('status', models.CharField(choices=[('queued', '排队中'), ('running', '生成中'), ('done', '已完成'), ('failed', '未完成')], default='queued', max_length=20, verbose_name='状态')),
                        ('progress', models.PositiveSmallIntegerField(default=0, verbose_name='进度（%）')),
                        ('file', models.FileField(blank=True, max_length=200, upload_to=yearend.models.report_path, verbose_name='文件')),
                        ('error_message', models.TextField(blank=True, verbose_name='错误信息')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='申请时间')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='开始时间')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='完成时间')),
                        ('committee', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='report_jobs', to='branches.committee', verbose_name='党委')),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='申请人')),
                    ],
                    options={
                        'verbose_name': '报告任务',
                        'verbose_name_plural': '报告任务',
                        'db_table': 'projects_reportjob',
                        'ordering': ['-created_at', '-pk'],
                    },
                    bases=(config.choice_labels.FastChoiceDisplay, models.Model),
                ),
                migrations.AddConstraint(
                    model_name='assessmentround',
                    constraint=models.UniqueConstraint(fields=('committee', 'school_year'), name='assessment_round_unique_year'),
                ),
                migrations.AddConstraint(
                    model_name='assessmentround',
                    constraint=models.CheckConstraint(condition=models.Q(('pass_threshold__gte', 0), ('good_threshold__gt', models.F('pass_threshold')), ('excellent_threshold__gt', models.F('good_threshold')), ('excellent_threshold__lte', 100)), name='assessment_thresholds_ordered'),
                ),
                migrations.AddConstraint(
                    model_name='assessmentresult',
                    constraint=models.UniqueConstraint(fields=('assessment_round', 'project'), name='one_assessment_result_per_project'),
                ),
                migrations.AddConstraint(
                    model_name='assessmentcriterion',
                    constraint=models.UniqueConstraint(fields=('assessment_round', 'name'), name='assessment_criterion_unique_name'),
                ),
                migrations.AddConstraint(
                    model_name='assessmentcriterion',
                    constraint=models.CheckConstraint(condition=models.Q(('max_score__gte', 1)), name='assessment_criterion_max_positive'),
                ),
                migrations.AddConstraint(
                    model_name='assessmentcriterion',
                    constraint=models.CheckConstraint(condition=models.Q(('weight__gt', 0)), name='assessment_criterion_weight_positive'),
                ),
                migrations.AddConstraint(
                    model_name='assessmentsheet',
                    constraint=models.UniqueConstraint(fields=('assessment_round', 'project', 'assessor'), name='one_assessment_sheet_per_assessor'),
                ),
                migrations.AddConstraint(
                    model_name='assessmentsheet',
                    constraint=models.CheckConstraint(condition=models.Q(('weighted_total__gte', 0), ('weighted_total__lte', 100)), name='assessment_total_0_100'),
                ),
                migrations.AddConstraint(
                    model_name='assessmentscore',
                    constraint=models.UniqueConstraint(fields=('sheet', 'criterion'), name='one_assessment_score_per_criterion'),
                ),
                migrations.AddConstraint(
                    model_name='assessmentscore',
                    constraint=models.CheckConstraint(condition=models.Q(('score__gte', 0)), name='assessment_score_not_negative'),
                ),
                migrations.AddIndex(
                    model_name='reportjob',
                    index=models.Index(fields=['committee', '-created_at'], name='projects_re_committ_8667ea_idx'),
                ),
                migrations.AddConstraint(
                    model_name='reportjob',
                    constraint=models.CheckConstraint(condition=models.Q(('progress__lte', 100)), name='report_progress_at_most_100'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
