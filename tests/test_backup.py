"""`manage.py backup` and `restore`: what was there comes back, row for row and byte for byte."""

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from activities import activity_services, photo_services
from activities.models import Photo
from members import backups, demo
from members.models import User
from projects.models import MicroProject
from tests.activities import image_files as files
from tests.activities.conftest import in_progress_of, tutoring_data

# Backup and restore work on whole databases, outside any test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def school_with_a_photo(media_root, demo_schools) -> Photo:
    leader = User.objects.get(username="leader1")
    teacher = User.objects.get(username="teacher1")
    project = in_progress_of(leader)
    activity = activity_services.activity_log_create(actor=leader, project=project, data=tutoring_data(project))
    return photo_services.photo_upload(
        actor=teacher, activity=activity, files=[files.upload("IMG_0001.jpg", files.jpeg_bytes((640, 480)))]
    ).saved[0]


def _media(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def _backup(output: Path) -> Path:
    call_command("backup", output=str(output))
    (archive,) = output.glob("dangjian-backup-*.tar.gz")
    return archive


def _wipe(media_root: Path) -> None:
    call_command("flush", interactive=False)
    for path in sorted(media_root.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()


def test_backup_wipe_restore_gives_back_the_same_rows_and_file_bytes(tmp_path, media_root, school_with_a_photo):
    photo = school_with_a_photo
    rows_before = backups.row_counts()
    media_before = _media(media_root)
    assert rows_before["members.User"] > 20 and rows_before["activities.Photo"] == 1
    assert photo.original.name in media_before

    archive = _backup(tmp_path / "backups")
    _wipe(media_root)
    assert User.objects.count() == 0 and MicroProject.objects.count() == 0 and _media(media_root) == {}

    call_command("restore", str(archive), yes=True)

    assert backups.row_counts() == rows_before
    assert _media(media_root) == media_before
    restored = Photo.objects.get()
    assert restored.original.name == photo.original.name
    assert restored.original.open("rb").read() == media_before[photo.original.name]
    assert MicroProject.objects.get().title == photo.activity.project.title
    # The people can log in again with their own passwords.
    response = Client(REMOTE_ADDR="203.0.113.30").post(
        "/accounts/login/", {"username": "leader1", "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 302


def test_the_archive_is_private_and_its_manifest_describes_it(tmp_path, media_root, school_with_a_photo):
    archive = _backup(tmp_path / "backups")

    assert archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["format"] == 1
    assert manifest["database"]["file"] in names
    assert f"media/{school_with_a_photo.original.name}" in names
    assert manifest["media"]["files"] == len(_media(media_root))
    assert manifest["rows"]["activities.Photo"] == 1
    assert "members.0001_initial" in manifest["migrations"]


def test_restore_without_yes_refuses_and_changes_nothing(tmp_path, media_root, school_with_a_photo):
    archive = _backup(tmp_path / "backups")
    MicroProject.objects.update(title="备份之后改的标题")
    (media_root / "after-the-backup.jpg").write_bytes(b"new")
    media_now = _media(media_root)

    with pytest.raises(CommandError, match="replaces ALL data and uploaded files of this site"):
        call_command("restore", str(archive))

    assert MicroProject.objects.get().title == "备份之后改的标题"
    assert _media(media_root) == media_now


def test_a_damaged_dump_is_refused_before_anything_is_replaced(tmp_path, media_root, school_with_a_photo):
    archive = _backup(tmp_path / "backups")
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member) if member.isfile() else None
            if member.name.startswith("database."):
                content = data.read()[:-10] + bytes(10)
                data = io.BytesIO(content)
            target.addfile(member, data)
    MicroProject.objects.update(title="恢复前的标题")

    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(damaged), yes=True)

    assert MicroProject.objects.get().title == "恢复前的标题"


def test_something_that_is_not_a_backup_is_refused(tmp_path, media_root, demo_schools):
    not_a_backup = tmp_path / "photos.tar.gz"
    with tarfile.open(not_a_backup, "w:gz"):
        pass

    with pytest.raises(CommandError, match="is not a portal backup"):
        call_command("restore", str(not_a_backup), yes=True)

    assert User.objects.filter(username="secretary").exists()
