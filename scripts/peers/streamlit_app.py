"""The 转移支付 page written the usual Streamlit way (a peer for `benchmark.py --peers`).

    .venv-peers/bin/streamlit run scripts/peers/streamlit_app.py

Year and region select boxes; every change reruns the script top to bottom, the data read once
(st.cache_data). Same charts and table as scripts/peers/page.py gives the Vizro peer.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
import page  # noqa: E402

st.set_page_config(page_title="税收返还和转移支付", layout="wide")


@st.cache_data
def data():
    return page.load()


frame = data()
st.title("税收返还和转移支付（合成数据）")
left, right = st.columns(2)
year = left.selectbox("年度", page.years(frame)[::-1], key="year")
region = right.selectbox("地区", page.regions(frame), key="region")
rows = frame[(frame["年度"] == year) & (frame["地区"] == region)]

a, b = st.columns(2)
a.subheader("预算数与上年执行数")
a.plotly_chart(page.fig_bars(rows), key="bars")
b.subheader("从上年执行数到本年预算数的增减")
b.plotly_chart(page.fig_waterfall(rows), key="waterfall")
st.subheader("分类别明细")
st.dataframe(page.table(rows), hide_index=True, key="table")
st.subheader(f"{year}年各地区预算数对比")
st.plotly_chart(page.fig_compare(frame[frame["年度"] == year]), key="compare")
st.subheader(f"{region}历年预算数")
st.plotly_chart(page.fig_trend(frame[frame["地区"] == region]), key="trend")
