"""Simulated Streamlit viewers for `benchmark.py --peers` (runs in .venv-peers: it reads Streamlit's protobuf).

    .venv-peers/bin/python scripts/peers/st_viewers.py ACTIONS.json --url ws://127.0.0.1:P/_stcore/stream
        [--viewers 20] [--seconds 20] [--think 1]

A Streamlit viewer is a websocket session, not a series of HTTP requests: each viewer opens one,
sends the BackMsg frames a real browser sent when it opened the page, then, again and again, the
frames a browser sent when it changed a filter (recorded by scripts/peers/bench.py, widget ids
and all). An action's latency is from sending it to the ForwardMsg `script_finished` of that
rerun: the server has run the script and sent every changed element. That is what a Dash
callback's POST answer is (the server's whole part of a filter change); neither includes drawing.
Prints one JSON object: latencies (seconds), errors, run time.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import random
import sys
import time
from pathlib import Path

import websockets
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

TIMEOUT_S = 30


async def rerun(socket, frames: list[bytes]) -> None:
    """Send a rerun's frames; return when the server says the script finished."""
    for frame in frames:
        await socket.send(frame)
    while True:
        message = await asyncio.wait_for(socket.recv(), TIMEOUT_S)
        if isinstance(message, bytes) and ForwardMsg.FromString(message).WhichOneof("type") == "script_finished":
            return


async def viewer(seed: int, url: str, opening, actions, seconds: float, think: float, out: dict) -> None:
    rng = random.Random(seed)
    try:
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as socket:
            await rerun(socket, opening)  # the page opened: not timed, as the Dash viewers open none
            stop = time.monotonic() + seconds
            while time.monotonic() < stop:
                started = time.perf_counter()
                try:
                    await rerun(socket, rng.choice(actions))
                    out["latencies"].append(time.perf_counter() - started)
                except (TimeoutError, websockets.WebSocketException) as exc:
                    out["errors"].append(type(exc).__name__)
                    return
                if think:
                    await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
    except (OSError, TimeoutError, websockets.WebSocketException) as exc:
        out["errors"].append(type(exc).__name__)


async def run(args) -> dict:
    recorded = json.loads(Path(args.actions).read_text())
    decode = lambda frames: [base64.b64decode(f) for f in frames]  # noqa: E731
    opening, actions = decode(recorded["opening"]), [decode(a) for a in recorded["actions"]]
    out = {"latencies": [], "errors": []}
    started = time.perf_counter()
    await asyncio.gather(
        *(viewer(i, args.url, opening, actions, args.seconds, args.think, out) for i in range(args.viewers))
    )
    out["seconds"] = time.perf_counter() - started
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("actions")
    parser.add_argument("--url", required=True)
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--think", type=float, default=1.0)
    print(json.dumps(asyncio.run(run(parser.parse_args()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
