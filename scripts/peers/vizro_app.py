"""The 转移支付 page written the usual Vizro way (a peer for `benchmark.py --peers`).

    .venv-peers/bin/gunicorn -c gunicorn.conf.py scripts.peers.vizro_app:server   (or python vizro_app.py)

A declarative page: Graphs and an AgGrid over one data source, a year and a region Filter that
Vizro applies to the components that name them as targets. Same charts and table as
scripts/peers/page.py gives the Streamlit peer.
"""

from __future__ import annotations

import sys
from pathlib import Path

import dash_ag_grid as dag
import vizro.models as vm
from vizro import Vizro
from vizro.managers import data_manager
from vizro.models.types import capture

sys.path.insert(0, str(Path(__file__).resolve().parent))
import page  # noqa: E402

frame = page.load()
data_manager["transfers"] = frame


@capture("graph")
def bars(data_frame):
    return page.fig_bars(data_frame)


@capture("graph")
def waterfall(data_frame):
    return page.fig_waterfall(data_frame)


@capture("graph")
def compare(data_frame):
    return page.fig_compare(data_frame)


@capture("graph")
def trend(data_frame):
    return page.fig_trend(data_frame)


@capture("ag_grid")
def table(data_frame):
    shown = page.table(data_frame)
    return dag.AgGrid(
        columnDefs=[{"field": c} for c in shown.columns],
        rowData=shown.to_dict("records"),
        dashGridOptions={"domLayout": "autoHeight"},
    )


both = ["bars", "waterfall", "table"]
dashboard = vm.Dashboard(
    title="税收返还和转移支付（合成数据）",
    pages=[
        vm.Page(
            title="税收返还和转移支付",
            layout=vm.Grid(grid=[[0, 1], [2, 2], [3, 3], [4, 4]], row_min_height="400px"),
            components=[
                vm.Graph(id="bars", title="预算数与上年执行数", figure=bars(data_frame="transfers")),
                vm.Graph(
                    id="waterfall", title="从上年执行数到本年预算数的增减", figure=waterfall(data_frame="transfers")
                ),
                vm.Table(id="table", title="分类别明细", figure=table(data_frame="transfers")),
                vm.Graph(id="compare", title="各地区预算数对比", figure=compare(data_frame="transfers")),
                vm.Graph(id="trend", title="历年预算数", figure=trend(data_frame="transfers")),
            ],
            controls=[
                vm.Filter(
                    column="年度",
                    targets=[*both, "compare"],
                    selector=vm.Dropdown(id="year", multi=False, value=max(page.years(frame))),
                ),
                vm.Filter(column="地区", targets=[*both, "trend"], selector=vm.Dropdown(id="region", multi=False)),
            ],
        )
    ],
)
app = Vizro().build(dashboard)
server = app.dash.server

if __name__ == "__main__":
    app.run(port=8051)
