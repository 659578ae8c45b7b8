"""Knowledge management: add and remove with rebuild; a refused file or failed rebuild changes nothing."""

from __future__ import annotations

import json

import pytest

from reportqa.knowledge import add_document, remove_document, safe_name
from retrieval.documents import DocumentError
from ui.knowledge import add_upload, docs_frame, passages_frame, rebuild, remove

DOC = "示范水塔建设。商丘市计划新建示范水塔88座。\n"


def test_safe_name():
    assert safe_name("../../etc/passwd") == "passwd.txt"
    assert safe_name("报告 2024.PDF") == "报告_2024.txt" and safe_name("a.md") == "a.md"


def test_add_then_remove_rebuilds_and_updates_the_manifest(own_holder, tmp_path):
    upload = tmp_path / "towers.txt"
    upload.write_text(DOC, encoding="utf-8")
    before = own_holder.engine
    status, docs, _, passages = add_upload(own_holder, True, str(upload), "水塔", "商丘市", "2024", "zh")
    assert "rq-msg-ok" in status and own_holder.engine is not before
    assert "towers.txt" in docs["source"].tolist() and "88座" in " ".join(passages["text"])
    manifest = json.loads((own_holder.settings.knowledge_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["documents"]["towers.txt"] == {"title": "水塔", "city": "商丘市", "year": 2024}
    assert "88" in own_holder.engine.ask("计划新建示范水塔多少座？").text
    status, docs, *_ = remove(own_holder, True, "towers.txt", "zh")
    assert "rq-msg-ok" in status and docs["source"].tolist() == ["shangqiu-2023-government-work-report.txt"]


def test_a_refused_upload_keeps_the_engine_and_folder(own_holder, tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 nothing")
    before, files = own_holder.engine, sorted(p.name for p in own_holder.settings.knowledge_dir.iterdir())
    status, *_ = add_upload(own_holder, True, str(broken), "", "", "", "zh")
    assert "rq-msg-error" in status and "broken.pdf" in status
    assert own_holder.engine is before
    assert sorted(p.name for p in own_holder.settings.knowledge_dir.iterdir()) == files


def test_a_failed_rebuild_undoes_the_change(own_holder, tmp_path):
    folder = own_holder.settings.knowledge_dir
    manifest = (folder / "manifest.json").read_bytes()
    upload = tmp_path / "towers.txt"
    upload.write_text(DOC, encoding="utf-8")

    def failing():
        raise DocumentError("index build failed")

    with pytest.raises(DocumentError):
        add_document(folder, upload, "towers.txt", {}, failing)
    assert not (folder / "towers.txt").exists() and (folder / "manifest.json").read_bytes() == manifest
    with pytest.raises(DocumentError):
        remove_document(folder, "shangqiu-2023-government-work-report.txt", failing)
    assert (folder / "shangqiu-2023-government-work-report.txt").exists()
    assert (folder / "manifest.json").read_bytes() == manifest


def test_staff_actions_need_a_login(own_holder):
    assert "rq-msg-error" in rebuild(own_holder, False, "zh")[0]
    assert "rq-msg-error" in remove(own_holder, False, "x", "zh")[0]


def test_listing_and_search(shared_holder):
    docs = docs_frame(shared_holder)
    assert docs["passages"].tolist() == [len(shared_holder.engine.chunks)]
    assert all(
        "人才公寓" in t or "人才公寓" in s
        for t, s in zip(
            passages_frame(shared_holder, "人才公寓")["text"],
            passages_frame(shared_holder, "人才公寓")["section"],
            strict=True,
        )
    )
