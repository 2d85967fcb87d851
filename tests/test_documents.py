"""The one document reader: TOML, YAML and JSON alike, errors with line and column, bounded work."""

from __future__ import annotations

from pathlib import Path

import pytest

from vises.errors import ConfigError, LimitError, SroiError
from vises.io.documents import read_document
from vises.io.evaluations import read_evaluations
from vises.io.grid_files import read_grid
from vises.io.read_log import recording_reads
from vises.limits import Limits, current_limits, use_limits
from vises.sroi import load_model

LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("m.toml", 'code = "x"\ncurrency = = "EUR"\n', "not valid TOML at line 2, column 12"),
        ("m.json", '{"code": "x",\n  "currency" "EUR"}', "not valid JSON at line 2, column 14"),
        ("m.yaml", "code: x\ncurrency: [EUR\n", "not valid YAML at line 3, column 1"),
    ],
)
def test_every_syntax_names_line_and_column_and_itself(tmp_path: Path, name: str, text: str, where: str) -> None:
    path = write(tmp_path, name, text)
    for reader, kind in ((load_model, SroiError), (read_evaluations, ConfigError), (read_grid, ConfigError)):
        with pytest.raises(kind) as caught:
            reader(path)
        assert where in str(caught.value) and caught.value.file == str(path)
        if not name.endswith(".yaml"):
            assert "YAML" not in caught.value.message  # a JSON or TOML value map is never "not valid YAML"


def test_end_of_file_toml_error_has_a_place(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"not valid TOML at line 2, column 7: .*at the end of the file"):
        read_document(write(tmp_path, "g.toml", 'code = "x"\n[nodes'))


def test_billion_laughs_is_refused_before_anyone_walks_it(tmp_path: Path) -> None:
    with pytest.raises(LimitError, match="YAML aliases expanded") as caught:
        read_document(write(tmp_path, "lol.yaml", LAUGHS))
    assert caught.value.exit_code == 2 and "document_bytes" in str(caught.value)


def test_a_few_aliases_are_fine(tmp_path: Path) -> None:
    data = read_document(write(tmp_path, "g.yaml", "base: &b {weight: 2}\nnodes: [*b, *b]\n"))
    assert data["nodes"] == [{"weight": 2}, {"weight": 2}]


def test_a_document_that_contains_itself_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="contains itself"):
        read_document(write(tmp_path, "s.yaml", "a: &a [1, *a]\n"))


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("deep.json", "[" * 5000 + "]" * 5000),
        ("deep.toml", "a = " + "[" * 3000 + "]" * 3000),
        ("deep.yaml", "a: " + "[" * 2000 + "]" * 2000),
        ("medium.json", '{"a": ' * 100 + "1" + "}" * 100),
        ("dotted.toml", "a" + ".b" * 200 + " = 1\n"),
    ],
)
def test_deep_nesting_is_a_limit_not_a_crash(tmp_path: Path, name: str, text: str) -> None:
    with pytest.raises(LimitError, match="document_depth") as caught:
        read_document(write(tmp_path, name, text))
    assert caught.value.file == str(tmp_path / name)


def test_limits_can_be_raised(tmp_path: Path) -> None:
    path = write(tmp_path, "medium.json", '{"a": ' * 100 + "1" + "}" * 100)
    with use_limits(document_depth=200) as chosen:
        assert chosen.document_depth == 200 and current_limits().document_depth == 200
        assert read_document(path)
    assert current_limits() == Limits()
    with pytest.raises(ConfigError, match="unknown limit"):
        use_limits(depth=3).__enter__()


def test_limits_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISES_LIMIT_DOCUMENT_BYTES", "100")
    with pytest.raises(LimitError, match="document_bytes = 100"):
        read_document(write(tmp_path, "big.toml", f'code = "{"x" * 200}"\n'))
    monkeypatch.setenv("VISES_LIMIT_DOCUMENT_BYTES", "lots")
    with pytest.raises(ConfigError, match="not a whole number"):
        current_limits()


def test_bom_non_utf8_folder_and_reads_noted(tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    path.write_bytes(b'\xef\xbb\xbf{"code": "x"}')
    with recording_reads() as read:
        assert read_document(path) == {"code": "x"}
    assert read == {path.resolve()}
    (tmp_path / "latin.toml").write_bytes('code = "caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        read_document(tmp_path / "latin.toml")
    (tmp_path / "dir.toml").mkdir()
    with pytest.raises(ConfigError, match="folder"):
        read_document(tmp_path / "dir.toml")
