"""What a language switch sends the instrument on /Descent at defaults: the component's data of the first view and of
the rerun after lang=zh, as JSON bytes (AppTest, no browser), and whether the scene and the paths kept their ids.

    python bench/language_switch.py                 # this tree
    python bench/language_switch.py --root DIR      # another tree (say, `git archive 306bc92 | tar -x -C DIR`)
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def measure(root: Path) -> None:
    """Print the bytes of the first view and of the language switch, and what the switch re-sent."""
    sys.path.insert(0, str(root))
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(root / "pages" / "1_Descent.py"), default_timeout=180)
    at.run()
    en = json.loads(at.get("bidi_component")[0].proto.json)
    at.selectbox(key="lang").set_value("zh").run()
    zh = json.loads(at.get("bidi_component")[0].proto.json)

    def size(value: object) -> str:
        return f"{len(json.dumps(value)):,}"

    print(f"first view: {size(en)} bytes (scene {size(en['scene'])}, paths {size(en['paths'])}, "
          f"texts {size(en['texts'])})")
    print(f"language switch: {size(zh)} bytes; scene sent again: {'scene' in zh}; same scene id: "
          f"{zh['scene_id'] == en['scene_id']}; same paths id (autoplay not restarted): "
          f"{zh['paths_id'] == en['paths_id']}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    measure(parser.parse_args().root.resolve())
