"""Synthetic data at city, province or national scale, for the benchmark (never real figures).

    python scripts/make_scale_data.py city     [--out DIR]
    python scripts/make_scale_data.py province [--out DIR]
    python scripts/make_scale_data.py national [--out DIR]
    python scripts/make_scale_data.py custom --regions 3 --years 2 --evaluations 10 --out DIR

Writes the six CSV files of the data contract (../shared/docs/csv-contract.md) and a
README.md saying the folder is synthetic. National: 2,850 counties × 10 years with 200
evaluations per county-year, a tenth of the province's density (5.7 million rows, ~0.8 GB):
the size a whole country's published self-evaluations would reach if each county listed its
main projects only. Every row's 来源 says so too, and every region
is called 合成县NNN, so these numbers can never be mistaken for a real budget. Seeded:
the same arguments always write the same bytes. Default output: bench-data/<scale>/
(git-ignored), never data/.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "bench-data"
SOURCE = "合成数据（基准测试用，非真实数字）"
FIRST_YEAR = 2016
METHODS = ("单位自评", "部门评价", "财政重点评价", "第三方评价")
METHOD_SHARE = (0.85, 0.10, 0.04, 0.01)
# Like the seed, 财政重点评价 publishes grade counts only (grades.csv), never per evaluation.
COUNTS_ONLY = "财政重点评价"
TARGET_TYPES = ("项目支出", "部门整体支出", "政策")
TARGET_SHARE = (0.90, 0.08, 0.02)
CATEGORIES = ("税收返还", "一般性转移支付", "专项转移支付")
ITEMS_PER_CATEGORY = 3


@dataclass(frozen=True)
class Scale:
    regions: int
    years: int
    evaluations: int  # per region and year
    note: str = ""  # said in the README


SCALES = {
    # A city: 30 counties × 10 years = 300 region-years.
    "city": Scale(regions=30, years=10, evaluations=200),
    # A province: about 120 counties × 10 years, about 2,000 evaluated projects per county-year
    # (文成县 alone self-evaluates 2,630 a year): 2.4 million evaluation rows.
    "province": Scale(regions=120, years=10, evaluations=2000),
    # The country: about 2,850 county-level divisions × 10 years; evaluations at a tenth of the
    # province's density (200 per county-year): 5.7 million evaluation rows.
    "national": Scale(
        regions=2850, years=10, evaluations=200, note="评价对象密度为省级的十分之一，省级每县每年 2,000 个"
    ),
}


def region_names(n: int) -> np.ndarray:
    return np.array([f"合成县{i:03d}" for i in range(1, n + 1)], dtype=object)


def grid(scale: Scale, per: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year, region, index within region-year) for `per` rows in every region-year."""
    years = np.arange(FIRST_YEAR, FIRST_YEAR + scale.years)
    regions = region_names(scale.regions)
    year = np.repeat(np.repeat(years, scale.regions), per)
    region = np.tile(np.repeat(regions, per), scale.years)
    index = np.tile(np.arange(per), scale.years * scale.regions)
    return year, region, index


def money(rng: np.random.Generator, size: int, low: float, high: float) -> np.ndarray:
    return np.round(rng.uniform(low, high, size), 2)


def transfers(rng: np.random.Generator, scale: Scale) -> pd.DataFrame:
    """Per region-year: 3 line items under each category, the category totals, and the 合计."""
    per = len(CATEGORIES) * ITEMS_PER_CATEGORY
    year, region, index = grid(scale, per)
    budget, prior = money(rng, len(year), 50, 5000), money(rng, len(year), 50, 5000)
    items = pd.DataFrame(
        {
            "年度": year,
            "地区": region,
            "类别": np.array(CATEGORIES, dtype=object)[index // ITEMS_PER_CATEGORY],
            "项目": [f"合成项目{i % ITEMS_PER_CATEGORY + 1}" for i in index],
            "预算数": budget,
            "上年执行数": prior,
        }
    )
    keys = ["年度", "地区", "类别"]
    cats = items.groupby(keys, sort=False)[["预算数", "上年执行数"]].sum().round(2).reset_index().assign(项目="")
    total = cats.groupby(["年度", "地区"], sort=False)[["预算数", "上年执行数"]].sum().round(2).reset_index()
    total = total.assign(类别="合计", 项目="")
    frame = pd.concat([total, cats, items], ignore_index=True)
    order = {"合计": 0, **{c: i + 1 for i, c in enumerate(CATEGORIES)}}
    frame = frame.sort_values(
        ["年度", "地区", "类别", "项目"], key=lambda s: s.map(order) if s.name == "类别" else s, kind="stable"
    )
    frame["增减额"] = (frame["预算数"] - frame["上年执行数"]).round(2)
    frame["增减率"] = (frame["增减额"] / frame["上年执行数"] * 100).round(2)
    return frame.assign(单位="万元", 说明="", 来源=SOURCE)


def debt(rng: np.random.Generator, scale: Scale) -> pd.DataFrame:
    """Per region-year, in 亿元: 一般债务, 专项债务 and their stated 合计."""
    year, region, index = grid(scale, 2)
    n = len(year)
    balance = money(rng, n, 1, 60)
    parts = pd.DataFrame(
        {
            "年度": year,
            "地区": region,
            "债务类型": np.where(index == 0, "一般债务", "专项债务"),
            "限额": np.round(balance * rng.uniform(1.05, 1.4, n), 2),
            "余额": balance,
            "新增债券": money(rng, n, 0, 8),
            "再融资债券": money(rng, n, 0, 4),
            "还本": money(rng, n, 0, 4),
            "付息": money(rng, n, 0, 2),
        }
    )
    sums = ["限额", "余额", "新增债券", "再融资债券", "还本", "付息"]
    total = parts.groupby(["年度", "地区"], sort=False)[sums].sum().round(2).reset_index().assign(债务类型="合计")
    total["平均期限"] = np.round(rng.uniform(5, 20, len(total)), 1)
    total["平均利率"] = np.round(rng.uniform(2.2, 3.8, len(total)), 2)
    frame = pd.concat([parts, total], ignore_index=True).sort_values(["年度", "地区"], kind="stable")
    return frame.assign(单位="亿元", 说明="", 来源=SOURCE)


def evaluations(rng: np.random.Generator, scale: Scale) -> pd.DataFrame:
    year, region, index = grid(scale, scale.evaluations)
    n = len(year)
    method = np.array(METHODS, dtype=object)[rng.choice(len(METHODS), n, p=METHOD_SHARE)]
    score = np.round(np.clip(rng.normal(84, 8, n), 40, 100), 1)
    grade = np.select([score >= 90, score >= 80, score >= 60], ["优", "良", "中"], "差").astype(object)
    ungraded = method == COUNTS_ONLY
    amount = money(rng, n, 1, 3000)
    amount[rng.random(n) < 0.05] = np.nan  # some amounts are not published: 未公布, never 0
    names = np.array([f"合成项目{i:05d}" for i in range(scale.evaluations)], dtype=object)
    return pd.DataFrame(
        {
            "年度": year,
            "地区": region,
            "评价方式": method,
            "对象类型": np.array(TARGET_TYPES, dtype=object)[rng.choice(len(TARGET_TYPES), n, p=TARGET_SHARE)],
            "评价对象": names[index],
            "涉及金额": amount,
            "得分": np.where(ungraded, np.nan, score),
            "等级": np.where(ungraded, "", grade),
            "单位": "万元",
            "说明": "",
            "来源": SOURCE,
        }
    )


def grades(evaluated: pd.DataFrame) -> pd.DataFrame:
    """Published counts for the counts-only method (its evaluations carry no grade)."""
    per = evaluated[evaluated["评价方式"] == COUNTS_ONLY].groupby(["年度", "地区", "评价方式"], sort=False).size()
    keys, total = per.reset_index()[["年度", "地区", "评价方式"]], per.to_numpy()
    counts = {g: np.floor(total * share).astype(int) for g, share in (("良", 0.45), ("中", 0.2), ("差", 0.05))}
    counts = {"优": total - sum(counts.values()), **counts}  # the counts add up to the evaluations
    frame = pd.concat([keys.assign(等级=g, 数量=c) for g, c in counts.items()], ignore_index=True)
    return frame.sort_values(["年度", "地区"], kind="stable").assign(单位="万元", 来源=SOURCE)


def indicators(scale: Scale) -> pd.DataFrame:
    year, region, index = grid(scale, 2)
    return pd.DataFrame(
        {
            "年度": year,
            "地区": region,
            "板块": "绩效管理",
            "指标": np.where(index == 0, "开展绩效自评的预算单位数", "绩效自评覆盖率"),
            "数值": np.where(index == 0, 37, 100),
            "单位": np.where(index == 0, "家", "%"),
            "说明": "",
            "来源": SOURCE,
        }
    )


def notes(scale: Scale) -> pd.DataFrame:
    year, region, _ = grid(scale, 1)
    return pd.DataFrame(
        {
            "年度": year,
            "地区": region,
            "板块": "绩效管理",
            "标题": "合成数据说明",
            "内容": f"本地区本年度的数字均为{SOURCE}。",
            "来源": SOURCE,
        }
    )


README = """# 合成数据（基准测试用，非真实数字）

本文件夹由 `scripts/make_scale_data.py` 生成，只用于测量看板的速度和内存，**不是任何地区的
真实预算数字**。地区名称为「合成县NNN」，每一行的「来源」列都写明「{source}」。

- 规模：{regions} 个地区 × {years} 个年度（{first}–{last}年），每个地区每年 {evaluations} 个评价对象{note}
- 文件格式与 data/ 相同（CSV 数据约定），可用 `python app.py check {folder}` 检查
- 请勿复制到 data/，也不要提交到仓库（bench-data/ 已被 .gitignore 忽略）
"""


def write(folder: Path, scale: Scale, seed: int = 20261127) -> dict[str, int]:
    """Write the six files and the README; returns rows per file."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    evaluated = evaluations(rng, scale)
    frames = {
        "transfers.csv": transfers(rng, scale),
        "debt.csv": debt(rng, scale),
        "evaluations.csv": evaluated,
        "grades.csv": grades(evaluated),
        "indicators.csv": indicators(scale),
        "notes.csv": notes(scale),
    }
    for name, frame in frames.items():
        # Written next to the target and renamed: a running server never reads half a file.
        part = folder / f".{name}.part"
        frame.to_csv(part, index=False, encoding="utf-8", float_format="%.2f", lineterminator="\n")
        part.replace(folder / name)
    (folder / "README.md").write_text(
        README.format(
            source=SOURCE,
            regions=scale.regions,
            years=scale.years,
            first=FIRST_YEAR,
            last=FIRST_YEAR + scale.years - 1,
            evaluations=scale.evaluations,
            note=f"（{scale.note}）" if scale.note else "",
            folder=folder,
        ),
        encoding="utf-8",
    )
    return {name: len(frame) for name, frame in frames.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成合成的城市级、省级或全国数据（基准测试用，非真实数字）")
    parser.add_argument("scale", choices=[*SCALES, "custom"])
    parser.add_argument("--out", type=Path, help="输出文件夹（默认 bench-data/<规模>/）")
    parser.add_argument("--regions", type=int, default=3)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--evaluations", type=int, default=10, help="每个地区每年的评价对象数")
    args = parser.parse_args(argv)
    scale = SCALES.get(args.scale) or Scale(args.regions, args.years, args.evaluations)
    folder = args.out or DEFAULT_OUT / args.scale
    if folder.resolve() == (ROOT / "data").resolve():
        parser.error("合成数据不能写入 data/")
    started = time.perf_counter()
    rows = write(folder, scale)
    print(f"{folder}：" + "，".join(f"{name} {n:,} 行" for name, n in rows.items()))
    print(f"用时 {time.perf_counter() - started:.1f} 秒")
    return 0


if __name__ == "__main__":
    sys.exit(main())
