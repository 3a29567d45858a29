"""Unit tests for formcheck.profile: the default threshold file and user overrides."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from formcheck.errors import FormcheckError, ProfileError
from formcheck.profile import DEFAULT_PROFILE, Profile, load_profile

KNOWN_SOURCES = {"article", "Casiez", "Willson", "Escamilla", "Winter", "measured", "coaching", "gait", "Hussain",
                 "design", "MediaPipe"}

# Every key cites a source; a design choice says so with [design] and its comment says why.
EXEMPT_FROM_CITATION: set[str] = set()

KEY_LINE = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=\s*([^#]*?)\s*(#.*)?$")
TABLE_LINE = re.compile(r"^\s*\[([A-Za-z0-9_.\-]+)\]\s*(#.*)?$")


def _default_lines() -> list[tuple[int, str, str, str]]:
    """(line number, dotted key, value text, comment) for every ``key = value`` line of default.toml."""
    out = []
    table = ""
    for no, line in enumerate(DEFAULT_PROFILE.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = TABLE_LINE.match(line)
        if m:
            table = m.group(1)
            continue
        m = KEY_LINE.match(line)
        assert m, f"default.toml:{no}: not a table, key or comment line: {line!r}"
        key = f"{table}.{m.group(1)}" if table else m.group(1)
        out.append((no, key, m.group(2), m.group(3) or ""))
    return out


def write(tmp_path: Path, text: str, name: str = "user.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------------- defaults


def test_default_profile_file_is_shipped_in_the_package():
    assert DEFAULT_PROFILE.name == "default.toml"
    assert DEFAULT_PROFILE.parent.name == "profiles"
    assert DEFAULT_PROFILE.is_file()


def test_defaults_load_with_known_values():
    p = load_profile()
    assert isinstance(p, Profile)
    assert p.path == str(DEFAULT_PROFILE)
    # values copied by hand from default.toml
    assert p["checks.knee.valgus_deg"] == 15.0
    assert p["smoothing.min_cutoff_hz"] == 1.5
    assert p["smoothing.max_gap_s"] == 0.3
    assert p["pose.min_visibility"] == 0.3
    assert p["reps.baseline_window_s"] == 12.0
    assert p["checks.posture.trunk_forward_deg"] == 20.0
    assert p["severity.major_factor"] == 1.5
    with pytest.raises(KeyError):
        p["checks.knee.no_such_key"]


def test_every_default_is_a_float():
    # The profile is documented as dict[str, float]; an int or bool default would slip past the override checks.
    for key, value in load_profile().values.items():
        assert type(value) is float, f"{key} = {value!r} is {type(value).__name__}"


def test_section_strips_the_prefix():
    # [smoothing] in default.toml, hand-copied; these are exactly smooth_series' keyword arguments.
    assert load_profile().section("smoothing") == {
        "min_cutoff_hz": 1.5, "beta": 0.05, "d_cutoff_hz": 1.0, "max_gap_s": 0.3,
    }
    assert load_profile().section("checks.stance") == {"too_narrow_ratio": 0.6, "too_wide_ratio": 1.8}
    # a prefix must match whole table names
    assert load_profile().section("checks.st") == {}
    assert load_profile().section("nope") == {}


def test_every_loaded_key_is_a_key_line_of_the_file():
    # The line parser below sees the same keys TOML does, so the comment rules cover every key.
    keys = [key for _, key, _, _ in _default_lines()]
    assert len(keys) == len(set(keys))
    assert set(keys) == set(load_profile().values)


def test_every_default_key_has_a_comment():
    missing = [f"line {no}: {key}" for no, key, _, comment in _default_lines() if not comment.strip("# ")]
    assert not missing, f"default.toml keys without a comment: {missing}"


def test_every_default_key_cites_a_source_or_is_exempt():
    uncited = set()
    for no, key, _, comment in _default_lines():
        tags = set(re.findall(r"\[([A-Za-z]+)\]", comment))
        assert tags <= KNOWN_SOURCES, f"default.toml:{no} {key}: unknown source {tags - KNOWN_SOURCES}"
        if not tags:
            uncited.add(key)
    assert uncited == EXEMPT_FROM_CITATION


def test_every_cited_source_is_listed_in_the_header():
    header = DEFAULT_PROFILE.read_text(encoding="utf-8").split("\n[", 1)[0]
    for tag in KNOWN_SOURCES:
        assert re.search(rf"^#\s+\[{tag}\]\s+\S", header, flags=re.M), f"[{tag}] not explained in the header"


def test_units_are_in_the_key_names():
    # "Units are in the key names (_deg, _s, _ratio, _hz)": angles, times and frequencies say so.
    p = load_profile()
    for key in p.values:
        leaf = key.rsplit(".", 1)[1]
        if "deg" in leaf or leaf.endswith(("_s", "_hz")):
            assert leaf.endswith(("_deg", "_s", "_hz")), key


# --------------------------------------------------------------------------------- overrides


def test_override_one_key_changes_only_that_key(tmp_path):
    defaults = load_profile().values
    path = write(tmp_path, "[checks.knee]\nvalgus_deg = 12.5\n")
    p = load_profile(path)
    assert p["checks.knee.valgus_deg"] == 12.5  # was 15.0
    assert p.path == str(path)
    changed = {k for k in defaults if p.values[k] != defaults[k]}
    assert changed == {"checks.knee.valgus_deg"}
    assert set(p.values) == set(defaults)


def test_override_with_dotted_key_and_integer(tmp_path):
    # A top-level dotted key is the same setting as a [table] entry; an int becomes a float.
    p = load_profile(write(tmp_path, "smoothing.max_gap_s = 1\nreps.set_pause_s = 7\n"))
    assert p["smoothing.max_gap_s"] == 1.0 and type(p["smoothing.max_gap_s"]) is float
    assert p["reps.set_pause_s"] == 7.0
    assert p["smoothing.min_cutoff_hz"] == 1.5  # sibling untouched


def test_empty_user_profile_is_the_defaults(tmp_path):
    p = load_profile(write(tmp_path, "# nothing to change\n"))
    assert p.values == load_profile().values


def test_override_does_not_leak_into_later_loads(tmp_path):
    load_profile(write(tmp_path, "[checks.knee]\nvalgus_deg = 30.0\n"))
    assert load_profile()["checks.knee.valgus_deg"] == 15.0


def test_accepts_str_path(tmp_path):
    path = write(tmp_path, "[pose]\nmin_visibility = 0.5\n")
    assert load_profile(str(path))["pose.min_visibility"] == 0.5


# ------------------------------------------------------------------------------------ errors


def test_unknown_key_is_an_error_naming_file_and_key(tmp_path):
    path = write(tmp_path, "[checks.knee]\nvalgus_degs = 12.0\n")  # typo
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    msg = str(info.value)
    assert str(path) in msg and "checks.knee.valgus_degs" in msg
    assert info.value.exit_code == 4
    assert isinstance(info.value, FormcheckError)


def test_unknown_table_is_an_error(tmp_path):
    path = write(tmp_path, "[check.knee]\nvalgus_deg = 12.0\n")
    with pytest.raises(ProfileError, match=r"check\.knee\.valgus_deg"):
        load_profile(path)


@pytest.mark.parametrize("text", ["[checks.knee.valgus_deg]\nvalue = 12.0\n",
                                  "[checks.knee]\nvalgus_deg = { value = 12.0 }\n"])
def test_key_turned_into_a_table_is_an_error(tmp_path, text):
    # A table where a number belongs flattens to an unknown key, which is reported by name.
    with pytest.raises(ProfileError, match=r"unknown setting 'checks\.knee\.valgus_deg\.value'"):
        load_profile(write(tmp_path, text))


@pytest.mark.parametrize(
    "value",
    ['"12"', "true", "false", "[10, 12]", "1979-05-27", "07:32:00"],
)
def test_non_numeric_value_is_an_error_naming_file_and_key(tmp_path, value):
    path = write(tmp_path, f"[checks.knee]\nvalgus_deg = {value}\n")
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    msg = str(info.value)
    assert str(path) in msg and "checks.knee.valgus_deg" in msg and "number" in msg


def test_missing_file_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "nope" / "missing.toml"
    with pytest.raises(ProfileError, match="not found") as info:
        load_profile(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    "text",
    [
        "[checks.knee\nvalgus_deg = 12\n",  # unclosed table header
        "[checks.knee]\nvalgus_deg = = 12\n",
        "[checks.knee]\nvalgus_deg 12\n",
        "[checks.knee]\nvalgus_deg = 12\nvalgus_deg = 13\n",  # duplicate key
        "valgus_deg = 12abc\n",
    ],
)
def test_invalid_toml_is_an_error_naming_the_file(tmp_path, text):
    path = write(tmp_path, text)
    with pytest.raises(ProfileError, match="not valid TOML") as info:
        load_profile(path)
    assert str(path) in str(info.value)


def test_non_utf8_file_is_a_profile_error(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes("# caf\xe9\n[pose]\nmin_visibility = 0.5\n".encode("latin-1"))
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_non_finite_value_is_an_error(tmp_path, value):
    with pytest.raises(ProfileError):
        load_profile(write(tmp_path, f"[checks.knee]\nvalgus_deg = {value}\n"))
