"""The README is a landing page whose measured tables are the files the commands wrote."""

import os

import pytest

from sigmoid_hw.scripts.readme import main, refresh, stale_blocks

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_readme_blocks_equal_their_files(capsys):
    assert main(["--readme", os.path.join(ROOT, "README.md"), "--check"]) == 0, \
        capsys.readouterr().out


def test_readme_is_a_landing_page():
    with open(os.path.join(ROOT, "README.md")) as f:
        lines = f.read().splitlines()
    assert len(lines) <= 200
    assert lines[0].strip().startswith("make demo") and lines[1].strip().startswith("make test")


def test_refresh_copies_a_file_and_check_names_a_stale_block(tmp_path):
    (tmp_path / "t.md").write_text("| a |\n|---|\n| 1 |\n")
    text = "x\n<!-- measured: t.md -->\nold\n<!-- end measured -->\ny\n"
    assert stale_blocks(text, str(tmp_path)) == ["t.md"]
    new = refresh(text, str(tmp_path))
    assert new == "x\n<!-- measured: t.md -->\n| a |\n|---|\n| 1 |\n<!-- end measured -->\ny\n"
    assert stale_blocks(new, str(tmp_path)) == []


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"^README names 'gone\.md', which does not exist"):
        refresh("<!-- measured: gone.md -->\n<!-- end measured -->\n", str(tmp_path))


def test_readme_counts_the_verify_matrix():
    """The README's count of ``make verify``'s configurations is the matrix's."""
    import re
    from sigmoid_hw.scripts.verification import configurations
    with open(os.path.join(ROOT, "README.md")) as f:
        found = re.search(r"the registry's (\d+) configurations", f.read())
    assert found and int(found.group(1)) == len(configurations())
