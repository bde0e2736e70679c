"""Writes a 绩效监控 demo folder: the real example (examples/monitor) plus 合成数据 (synthetic)
monthly execution, so the page has months to show. Never into data/: the folder is git-ignored.

    .venv/bin/python scripts/make_monitor_data.py [FOLDER]   (default: monitor-data/)

Every synthetic row's 来源 says 「合成数据（演示用，非真实数字）」; the real year-end rows and every
target row are copied from examples/monitor unchanged, with their own 来源.
"""

from __future__ import annotations

import csv
import random
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
EXAMPLE = HERE / "examples" / "monitor"
SYNTHETIC = "合成数据（演示用，非真实数字）"
UNITS = 37  # the seed's 37 budget units that self-evaluated
REGION = "合成区"


def synthetic_rows(seed: int = 13) -> tuple[list[list], list[list]]:
    """(execution rows, target rows) of UNITS synthetic units 合成单位01…, months 1–6, years 2022–2023."""
    rng = random.Random(seed)
    execution, targets = [], []
    for n in range(1, UNITS + 1):
        agency = f"合成单位{n:02d}"
        budget = rng.randint(50, 2000)
        pace = rng.uniform(0.55, 1.15)
        spent = 0.0
        for month in range(1, 7):
            spent = max(spent, round(budget * min(1.05, pace * month / 12 * rng.uniform(0.9, 1.1)), 2))
            execution.append([2023, REGION, agency, "", month, budget, f"{spent:.2f}", "万元", SYNTHETIC])
        for i, (level1, level2, name) in enumerate(
            (
                ("产出指标", "数量", "完成事项数"),
                ("产出指标", "时效", "按时完成率"),
                ("满意度指标", "服务对象满意度", "满意度"),
            )
        ):
            goal = (10, 100, 90)[i]
            actual = "" if rng.random() < 0.1 else round(goal * rng.uniform(0.8, 1.1))
            score = "" if actual == "" else (30 if actual >= goal else round(30 * actual / goal, 1))
            targets.append(
                [
                    2023,
                    REGION,
                    agency,
                    "",
                    level1,
                    level2,
                    name,
                    "≥",
                    goal,
                    actual,
                    ("项", "%", "%")[i],
                    30,
                    score,
                    "",
                    "",
                    SYNTHETIC,
                ]
            )
        # 评价结果应用: a project scored in 2022, its budget in 2022 and 2023
        project, score = "合成项目", round(rng.uniform(55, 99), 1)
        targets.append(
            [2022, REGION, agency, project, "总分", "", "总分", "", "", "", "", 100, score, "", "", SYNTHETIC]
        )
        before = rng.randint(20, 500)
        after = round(before * rng.uniform(0.7, 1.3))
        execution.append([2022, REGION, agency, project, 12, before, round(before * 0.95), "万元", SYNTHETIC])
        execution.append([2023, REGION, agency, project, 6, after, round(after * 0.4), "万元", SYNTHETIC])
    return execution, targets


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else HERE / "monitor-data"
    if folder.resolve() == (HERE / "data").resolve():
        print("不写入 data/：合成数据只放在不提交的文件夹里")
        return 1
    folder.mkdir(parents=True, exist_ok=True)
    execution, targets = synthetic_rows()
    for name, rows in (("execution.csv", execution), ("targets.csv", targets)):
        with (EXAMPLE / name).open(encoding="utf-8") as f:
            real = list(csv.reader(f))
        with (folder / name).open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerows(real)
            writer.writerows(rows)
    shutil.copy(EXAMPLE / "sources.csv", folder / "sources.csv")
    print(f"已写入 {folder}（真实示例 + {UNITS} 个合成单位的合成数据）")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
