"""The 转移支付 page as a peer framework would write it: pandas and Plotly Express, no section model.

Shared by the Streamlit and the Vizro peer (streamlit_app.py, vizro_app.py) so that both draw the
same four charts and table the dashboard's /transfers draws: 预算数 vs 上年执行数 by category, the
change from last year's execution to this year's budget, the year's regions compared and the
region's years, and the category rows with their line items. Runs in .venv-peers (see
requirements-peers.txt), never imports the dashboard. The data is the synthetic city scale of
scripts/make_scale_data.py (合成数据), read from PEERS_DATA.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

TOTAL = "合计"
UNIT = "万元"
HEIGHT = 380


def data_dir() -> Path:
    return Path(os.environ.get("PEERS_DATA") or Path(__file__).resolve().parents[2] / "bench-data" / "city")


def load(folder: Path | None = None) -> pd.DataFrame:
    """transfers.csv as written by make_scale_data.py (year, region, category, item, amounts)."""
    frame = pd.read_csv((folder or data_dir()) / "transfers.csv", dtype={"项目": str, "说明": str})
    return frame.fillna({"项目": "", "说明": ""})


def years(frame: pd.DataFrame) -> list[int]:
    return sorted(int(y) for y in frame["年度"].unique())


def regions(frame: pd.DataFrame) -> list[str]:
    return sorted(frame["地区"].unique())


def categories(rows: pd.DataFrame) -> pd.DataFrame:
    """The category rows (not the 合计, not the line items) of already filtered rows."""
    return rows[(rows["项目"] == "") & (rows["类别"] != TOTAL)]


def fig_bars(rows: pd.DataFrame) -> go.Figure:
    cats = categories(rows).melt(id_vars=["类别"], value_vars=["上年执行数", "预算数"], var_name="口径")
    fig = px.bar(cats, x="类别", y="value", color="口径", barmode="group", text_auto=",.2f", height=HEIGHT)
    return fig.update_layout(yaxis_title=f"金额（{UNIT}）", xaxis_title=None, legend_title=None)


def fig_waterfall(rows: pd.DataFrame) -> go.Figure:
    cats = categories(rows)
    prior, budget = cats["上年执行数"].sum(), cats["预算数"].sum()
    fig = go.Figure(
        go.Waterfall(
            x=["上年执行数", *cats["类别"], "本年预算数"],
            y=[prior, *cats["增减额"], budget],
            measure=["absolute", *["relative"] * len(cats), "total"],
            texttemplate="%{y:,.2f}",
        )
    )
    return fig.update_layout(height=HEIGHT, yaxis_title=f"金额（{UNIT}）")


def fig_compare(rows: pd.DataFrame) -> go.Figure:
    """One year's regions, budget stacked by category."""
    fig = px.bar(categories(rows), x="地区", y="预算数", color="类别", height=HEIGHT)
    return fig.update_layout(yaxis_title=f"预算数（{UNIT}）", xaxis_title=None)


def fig_trend(rows: pd.DataFrame) -> go.Figure:
    """One region's years, budget by category."""
    fig = px.bar(categories(rows), x="年度", y="预算数", color="类别", height=HEIGHT)
    return fig.update_layout(yaxis_title=f"预算数（{UNIT}）", xaxis_title=None)


def table(rows: pd.DataFrame) -> pd.DataFrame:
    """Categories, their line items and the 合计, as the dashboard's table lists them."""
    shown = rows[["类别", "项目", "预算数", "上年执行数", "增减额", "增减率", "说明"]]
    return shown.rename(columns={"预算数": f"预算数（{UNIT}）", "上年执行数": f"上年执行数（{UNIT}）"})
