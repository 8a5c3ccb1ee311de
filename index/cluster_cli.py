"""``search-cluster up|down|status --dir DIR``: a local Sphinx cluster of N nodes.

``up`` writes each node's config (``index.store.sphinx.node_config``: an RT
shard each; node 1 also the distributed index over all the shards, and the
meta and vocabulary indexes), starts ``searchd`` for each, waits until every
node answers, records the shards in the meta index and prints the backend
URL. ``down`` stops exactly the processes ``up`` started (their ids are in
DIR/cluster.json, checked against their command lines). For trying the
cluster backend and for tests; docs/scale-out.md describes a production one.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from .store import sphinx as sx

STATE_FILE = "cluster.json"
START_TIMEOUT_S = 20
STOP_TIMEOUT_S = 10


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def searchd_binary() -> str | None:
    return shutil.which("searchd")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _ours(pid: int, config: str) -> bool:
    """Is ``pid`` still the searchd we started with ``config``? (A pid may be reused.)"""
    line = _cmdline(pid)
    return "searchd" in line and config in line


def _wait_answering(host: str, port: int, deadline: float, process: subprocess.Popen) -> None:
    while True:
        try:
            sx.connect(host, port, timeout=1).close()
            return
        except sx.ClusterUnavailable:
            if process.poll() is not None:
                raise sx.ClusterUnavailable(f"searchd on port {port} exited with status {process.returncode}")
            if time.monotonic() > deadline:
                raise sx.ClusterUnavailable(f"searchd on port {port} did not answer in {START_TIMEOUT_S} s")
            time.sleep(0.2)


def up(directory: Path, nodes: int, name: str = "news", host: str = "127.0.0.1") -> str:
    """Starts the nodes (if they are not running) and returns the backend URL."""
    binary = searchd_binary()
    if binary is None:
        raise sx.ClusterUnavailable("searchd not installed (apt-get install sphinxsearch, or Manticore's searchd)")
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    state_path = directory / STATE_FILE
    state = json.loads(state_path.read_text()) if state_path.exists() else None
    if state and all(_ours(node["pid"], node["config"]) for node in state["nodes"]):
        return state["url"]
    if state and len(state["nodes"]) != nodes:
        raise sx.ClusterUnavailable(f"{directory} holds a cluster of {len(state['nodes'])} nodes, not {nodes}; "
                                    "resharding is a re-index into a new cluster (docs/scale-out.md)")
    ports = [(n["sql_port"], n["api_port"]) for n in state["nodes"]] if state else \
        [(free_port(host), free_port(host)) for _ in range(nodes)]
    running = {node["node"]: node for node in state["nodes"] if _ours(node["pid"], node["config"])} if state else {}
    started = []
    try:
        for number in range(1, nodes + 1):
            if number in running:  # a node that stopped is started again; the others go on
                continue
            (directory / f"node{number}").mkdir(exist_ok=True)
            config = directory / f"node{number}.conf"
            config.write_text(sx.node_config(str(directory), name, number, ports, host), encoding="utf-8")
            log = open(directory / f"node{number}.out", "ab")
            process = subprocess.Popen([binary, "--config", str(config), "--nodetach"], stdout=log,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
            log.close()
            started.append((number, config, process))
        deadline = time.monotonic() + START_TIMEOUT_S
        for number, _config, process in started:
            _wait_answering(host, ports[number - 1][0], deadline, process)
    except BaseException:
        for _number, _config, process in started:
            process.terminate()
            process.wait(STOP_TIMEOUT_S)
        raise
    url = sx.ClusterUrl(host, ports[0][0], name)
    shards = [{"name": sx.shard_name(name, n), "host": host, "sql_port": sql, "api_port": api}
              for n, (sql, api) in enumerate(ports, start=1)]
    conn = sx.connect(host, ports[0][0])
    with conn.cursor() as cur:
        cur.execute(f"REPLACE INTO {url.meta} (id, kind_text, kind, value) VALUES (2, 'shards', 'shards', %s)",
                    (json.dumps(shards),))
    conn.close()
    nodes_state = [{"node": number, "pid": process.pid, "config": str(config),
                    "sql_port": ports[number - 1][0], "api_port": ports[number - 1][1]}
                   for number, config, process in started]
    state = {"url": str(url), "nodes": sorted([*running.values(), *nodes_state], key=lambda node: node["node"])}
    state_path.write_text(json.dumps(state, indent=2), encoding="utf-8")
    return str(url)


def down(directory: Path) -> int:
    """Stops the nodes ``up`` started in ``directory``; returns how many."""
    state_path = directory.resolve() / STATE_FILE
    if not state_path.exists():
        return 0
    state = json.loads(state_path.read_text())
    stopped = []
    for node in state["nodes"]:
        if _ours(node["pid"], node["config"]):
            os.kill(node["pid"], signal.SIGTERM)
            stopped.append(node)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for node in stopped:
        while _ours(node["pid"], node["config"]) and time.monotonic() < deadline:
            _reap(node["pid"])
            time.sleep(0.1)
        if _ours(node["pid"], node["config"]):
            os.kill(node["pid"], signal.SIGKILL)
            _reap(node["pid"])
    for node in state["nodes"]:
        node["pid"] = 0
    state_path.write_text(json.dumps(state, indent=2), encoding="utf-8")
    return len(stopped)


def _reap(pid: int) -> None:
    """Collects a node this process started (a zombie still has its command line)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def status(directory: Path) -> list[dict]:
    state_path = directory.resolve() / STATE_FILE
    if not state_path.exists():
        return []
    state = json.loads(state_path.read_text())
    out = []
    for node in state["nodes"]:
        answering = False
        if node["pid"] and _ours(node["pid"], node["config"]):
            try:
                sx.connect("127.0.0.1", node["sql_port"], timeout=1).close()
                answering = True
            except sx.ClusterUnavailable:
                pass
        out.append({**node, "running": bool(node["pid"]) and _ours(node["pid"], node["config"]),
                    "answering": answering, "url": state["url"]})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="search-cluster", description="Start, stop or inspect a local Sphinx cluster.")
    parser.add_argument("action", choices=("up", "down", "status"))
    parser.add_argument("--dir", type=Path, required=True, help="where the nodes' configs, data and logs live")
    parser.add_argument("--nodes", type=int, default=2, help="nodes (shards) to start (up)")
    parser.add_argument("--name", default="news", help="the distributed index's name (up)")
    args = parser.parse_args(argv)
    try:
        if args.action == "up":
            if args.nodes < 1:
                parser.error("--nodes must be at least 1")
            print(up(args.dir, args.nodes, args.name))
        elif args.action == "down":
            print(f"stopped {down(args.dir)} node(s)")
        else:
            nodes = status(args.dir)
            if not nodes:
                print(f"no cluster in {args.dir}")
                return 1
            print(nodes[0]["url"])
            for node in nodes:
                print(f"node {node['node']}: port {node['sql_port']}, "
                      f"{'answering' if node['answering'] else 'running, not answering' if node['running'] else 'stopped'}")
            return 0 if all(node["answering"] for node in nodes) else 1
    except sx.ClusterUnavailable as exc:
        print(f"search-cluster: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
