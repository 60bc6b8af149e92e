"""Malformed clips are refused with one line naming the file and the problem."""

import json

import numpy as np
import pytest

from characters import get_character
from imitate.cli import main
from motions import ClipError, load_clip, resolve_clip

HUMANOID = get_character("humanoid")


def good_frames():
    path = resolve_clip("walk.txt", HUMANOID.clip_prefix)
    return json.loads(path.read_text())["Frames"]


def write(tmp_path, content, name="clip.txt"):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def bad_frames(change):
    frames = good_frames()
    change(frames)
    return {"Loop": "wrap", "Frames": frames}


def set_value(row, col, value):
    def change(frames):
        frames[row][col] = value

    return change


CASES = {
    "malformed_json": ('{"Loop": "wrap", "Frames": [[0.1, 2', "malformed JSON"),
    "missing_frames": ({"Loop": "wrap"}, 'missing "Frames"'),
    "empty_clip": ({"Loop": "wrap", "Frames": []}, "empty clip"),
    "wrong_width": (bad_frames(lambda f: [row.pop() for row in f]), "43 values but character 'humanoid' needs 44"),
    "nan": (bad_frames(set_value(3, 10, float("nan"))), "non-finite value nan in frame 3, column 10"),
    "inf": (bad_frames(set_value(2, 1, float("inf"))), "non-finite value inf in frame 2, column 1"),
    "zero_duration": (bad_frames(set_value(4, 0, 0.0)), "frame 4 has non-positive duration"),
    "negative_duration": (bad_frames(set_value(1, 0, -0.1)), "frame 1 has non-positive duration"),
    "zero_quaternion": (bad_frames(lambda f: f[5].__setitem__(slice(8, 12), [0, 0, 0, 0])), "zero-norm quaternion in frame 5"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_clip_is_refused_in_one_line(tmp_path, case, capsys):
    content, message = CASES[case]
    path = write(tmp_path, content)
    with pytest.raises(ClipError) as err:
        load_clip(path, HUMANOID.joint_dofs, "humanoid")
    text = str(err.value)
    assert "\n" not in text and text.startswith(str(path)) and message in text
    # the CLI prints the same line and exits 2, no traceback
    assert main(["motions", "--check", str(path)]) == 2
    stderr = capsys.readouterr().err
    assert stderr.strip() == f"imitate: error: {text}"


def test_near_unit_quaternions_are_normalized(tmp_path):
    frames = good_frames()
    frames[3][8:12] = [x * 1.01 for x in frames[3][8:12]]
    clip = load_clip(write(tmp_path, {"Loop": "wrap", "Frames": frames}), HUMANOID.joint_dofs)
    assert np.linalg.norm(clip.joints[3, 0:4]) == pytest.approx(1.0)


def test_unknown_character_is_refused(capsys):
    assert main(["motions", "--check", "run.txt", "--character", "robot"]) == 2
    assert "unknown character 'robot'; available: humanoid" in capsys.readouterr().err
