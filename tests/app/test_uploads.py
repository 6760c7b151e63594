"""Uploaded scenario files: size limit, safe YAML, no anchors, the CLI's messages."""

from __future__ import annotations

import pytest

from tregsim.app.uploads import MAX_UPLOAD_BYTES, read_upload
from tregsim.errors import TregsimInputError
from tregsim.scenarios import load_scenario, scenario_yaml


def test_a_builtin_scenario_uploads_unchanged(tmp_path):
    path = tmp_path / "upload.bin"
    path.write_text(scenario_yaml("pilot-2014"), encoding="utf-8")
    assert read_upload(path, "my-pilot.yaml") == load_scenario("pilot-2014")


def test_the_message_is_the_one_tregsim_run_prints(tmp_path):
    bad = scenario_yaml("pilot-2014").replace("n: 5", "n: -5")
    path = tmp_path / "pilot.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(TregsimInputError) as app_error:
        read_upload(path, "pilot.yaml")
    with pytest.raises(TregsimInputError) as cli_error:
        load_scenario(str(path))
    assert app_error.value.message == cli_error.value.message.replace(str(path), "pilot.yaml")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"x" * (MAX_UPLOAD_BYTES + 1), "above the app's limit of 256 kB"),
        (b"name: a\x00b", "binary data"),
        (b"\xff\xfe", "binary data"),
        (b"a: &x [1, 2]\nb: *x\n", "anchors or aliases"),
        (b"!!python/object/apply:os.system ['touch /tmp/pwned']\n", "is not valid YAML"),
        (b"name: [unclosed\n", "is not valid YAML at line"),
        (b"- just\n- a list\n", "must be a YAML mapping"),
    ],
)
def test_bad_uploads_are_refused_with_one_sentence(tmp_path, content, expected):
    path = tmp_path / "upload"
    path.write_bytes(content)
    with pytest.raises(TregsimInputError) as caught:
        read_upload(path, "../../etc/evil\n.yaml")
    assert expected in caught.value.message
    assert "\n" not in caught.value.message and "../" not in caught.value.message


def test_deeply_nested_yaml_is_one_sentence(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 20000 + "]" * 20000 + "\n", encoding="utf-8")
    with pytest.raises(TregsimInputError, match="nested too deeply"):
        read_upload(path, "deep.yaml")
    path.write_text("a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 400)))
    with pytest.raises(TregsimInputError, match="nested too deeply"):
        read_upload(path, "deep.yaml")
