"""The nightly clean-up removes photo folders no image row names, once they are a day old."""

import os
import time

from shop.media.cleanup import remove_orphaned_photo_folders


def test_the_clean_up_removes_only_old_folders_no_image_names(app, tmp_path):
    media = tmp_path / "media"
    orphan = media / "products" / "7" / ("a" * 20)
    fresh = media / "products" / "8" / ("b" * 20)
    for folder in (orphan, fresh):
        folder.mkdir(parents=True)
        (folder / "original.jpg").write_bytes(b"x")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(orphan, (two_days_ago, two_days_ago))
    saved, app.config["MEDIA_DIR"] = app.config["MEDIA_DIR"], str(media)
    try:
        removed = remove_orphaned_photo_folders()
    finally:
        app.config["MEDIA_DIR"] = saved

    assert removed == [f"products/7/{'a' * 20}"]
    assert not orphan.exists() and fresh.exists()
    assert not (media / "products" / "7").exists()
