"""The statistics snapshots, the assessment and the report jobs move to the stats and yearend apps.

State only: the tables stay as they are (the new models keep their names with ``db_table``),
so an existing database migrates without copying a row. stats and yearend create the models
in their state after this migration.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0005_catalogue_event"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.RemoveField(
                model_name='assessmentscore',
                name='criterion',
            ),
            migrations.RemoveField(
                model_name='assessmentevent',
                name='actor',
            ),
            migrations.RemoveField(
                model_name='assessmentevent',
                name='assessment_round',
            ),
            migrations.RemoveField(
                model_name='assessmentevent',
                name='project',
            ),
            migrations.RemoveField(
                model_name='assessmentresult',
                name='assessment_round',
            ),
            migrations.RemoveField(
                model_name='assessmentresult',
                name='project',
            ),
            migrations.RemoveField(
                model_name='assessmentround',
                name='committee',
            ),
            migrations.RemoveField(
                model_name='assessmentround',
                name='opened_by',
            ),
            migrations.RemoveField(
                model_name='assessmentround',
                name='published_by',
            ),
            migrations.RemoveField(
                model_name='assessmentsheet',
                name='assessment_round',
            ),
            migrations.RemoveField(
                model_name='assessmentscore',
                name='sheet',
            ),
            migrations.RemoveField(
                model_name='assessmentsheet',
                name='assessor',
            ),
            migrations.RemoveField(
                model_name='assessmentsheet',
                name='project',
            ),
            migrations.RemoveField(
                model_name='reportjob',
                name='committee',
            ),
            migrations.RemoveField(
                model_name='reportjob',
                name='requested_by',
            ),
            migrations.RemoveField(
                model_name='statsnapshot',
                name='committee',
            ),
            migrations.DeleteModel(
                name='AssessmentCriterion',
            ),
            migrations.DeleteModel(
                name='AssessmentEvent',
            ),
            migrations.DeleteModel(
                name='AssessmentResult',
            ),
            migrations.DeleteModel(
                name='AssessmentRound',
            ),
            migrations.DeleteModel(
                name='AssessmentScore',
            ),
            migrations.DeleteModel(
                name='AssessmentSheet',
            ),
            migrations.DeleteModel(
                name='ReportJob',
            ),
            migrations.DeleteModel(
                name='StatSnapshot',
            ),
            ],
            database_operations=[],
        ),
    ]
