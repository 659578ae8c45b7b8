"""`add_files`: report files copied in as they are, recorded in the manifest, indexed; broken ones refused by name;
a failed rebuild leaves the folder as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reportqa.knowledge import add_files
from retrieval.documents import MANIFEST, load_documents, read_manifest

REPORTS = Path(__file__).resolve().parents[1] / "data" / "reports"
JILIN = REPORTS / "2025年吉林省政府工作报告.docx"
HEBEI = REPORTS / "2025年河北省政府工作报告.docx"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "old.txt").write_text("建成人才公寓2000套。", encoding="utf-8")
    (knowledge / MANIFEST).write_text(
        json.dumps({"documents": {"old.txt": {"title": "旧报告", "city": "商丘市"}}}), encoding="utf-8"
    )
    return knowledge


def test_files_are_copied_as_they_are_and_recorded_in_the_manifest(folder: Path, tmp_path: Path) -> None:
    added, refused, result = add_files(folder, [JILIN, HEBEI], {"source": "省政府网"}, lambda: "rebuilt")

    assert (added, refused, result) == ([JILIN.name, HEBEI.name], [], "rebuilt")
    assert (folder / JILIN.name).read_bytes() == JILIN.read_bytes()  # the .docx itself, read where it lies
    manifest = read_manifest(folder)
    assert manifest["old.txt"] == {"title": "旧报告", "city": "商丘市"}
    assert manifest[HEBEI.name] == {
        "title": "2025年河北省政府工作报告",
        "region": "河北省",
        "year": 2025,
        "source": "省政府网",
    }
    documents = {d.source: d for d in load_documents(folder)[0]}
    assert (documents[JILIN.name].region, documents[JILIN.name].origin) == ("吉林省", "省政府网")


def test_overrides_win_over_what_the_document_says(folder: Path) -> None:
    add_files(folder, [JILIN], {"title": "吉林", "region": "吉林", "year": 2024}, lambda: None)
    assert read_manifest(folder)[JILIN.name] == {"title": "吉林", "region": "吉林", "year": 2024}
    assert next(d for d in load_documents(folder)[0] if d.source == JILIN.name).region == "吉林省"


def test_a_broken_file_is_refused_by_name_and_the_others_are_added(folder: Path, tmp_path: Path) -> None:
    broken = tmp_path / "2025年某省政府工作报告.docx"
    broken.write_bytes(JILIN.read_bytes()[:4000])
    unsupported = tmp_path / "figures.xlsx"
    unsupported.write_bytes(b"PK\x03\x04")
    calls: list[int] = []

    added, refused, _ = add_files(folder, [broken, HEBEI, unsupported], {}, lambda: calls.append(1))

    assert added == [HEBEI.name] and calls == [1]
    assert sorted(str(e).split(":")[0] for e in refused) == sorted([broken.name, "figures.xlsx"])
    assert not (folder / broken.name).exists() and not (folder / "figures.xlsx").exists()
    assert broken.name not in read_manifest(folder)


def test_a_file_already_there_is_refused(folder: Path) -> None:
    add_files(folder, [JILIN], {}, lambda: None)
    added, refused, result = add_files(folder, [JILIN], {}, lambda: pytest.fail("nothing to rebuild"))
    assert (added, result) == ([], None)
    assert "already in the knowledge folder" in str(refused[0])


def test_a_failed_rebuild_leaves_the_folder_as_it_was(folder: Path) -> None:
    before = sorted(p.name for p in folder.iterdir()), (folder / MANIFEST).read_bytes()

    def rebuild() -> None:
        raise RuntimeError("index check failed")

    with pytest.raises(RuntimeError):
        add_files(folder, [JILIN, HEBEI], {}, rebuild)
    assert (sorted(p.name for p in folder.iterdir()), (folder / MANIFEST).read_bytes()) == before
