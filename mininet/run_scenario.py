#!/usr/bin/python3
"""Runs one controller scenario in Mininet and prints its results as JSON.

usage: run_scenario.py --scenario tree|reroute|redirect --controller-port P --api URL

Each scenario starts its own Mininet network with our controller as the
remote controller, measures, stops the network (net.stop()) and deletes its
own leftovers by exact name. Progress goes to stderr; stdout holds one JSON object.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mininet.log import setLogLevel  # noqa: E402
from mininet.net import Mininet  # noqa: E402
from mininet.node import RemoteController  # noqa: E402

import topos  # noqa: E402


def log(msg):
    sys.stderr.write("[scenario] %s\n" % msg)
    sys.stderr.flush()


class Api:
    def __init__(self, base):
        self.base = base.rstrip("/")

    def call(self, method, path, body=None, timeout=30):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"content-type": "application/json"} if data else {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            raise RuntimeError("%s %s -> %d %s" % (method, path, e.code, e.read().decode()))

    def get(self, path):
        return self.call("GET", path)


def wait_for(what, fn, timeout=30.0, interval=0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(interval)
    raise RuntimeError("timed out waiting for " + what)


def switch_links(net):
    """Links between switches as sorted ((dpid, port), (dpid, port)) pairs."""
    names = {s.name for s in net.switches}
    out = set()
    for link in net.links:
        a, b = link.intf1, link.intf2
        if a.node.name in names and b.node.name in names:
            ends = sorted([(a.node.dpid, a.node.ports[a]), (b.node.dpid, b.node.ports[b])])
            out.add(tuple(ends))
    return out


def api_links(api):
    return {tuple(sorted([(l["src"]["dpid"], l["src"]["port"]), (l["dst"]["dpid"], l["dst"]["port"])]))
            for l in api.get("/v1/topology")["links"]}


OUR_BRIDGES = ("fc1", "fc2", "fc3", "fce", "fcc")
OUR_IFACE = re.compile(r"^(fc[123ec]|fce|fcc|fh\d|fcl|fsa|fsb)-eth\d+$")


def remove_leftovers():
    """A crashed earlier run may have left our bridges and veths: delete them by exact name."""
    for br in OUR_BRIDGES:
        subprocess.run(["ovs-vsctl", "--if-exists", "del-br", br], capture_output=True)
    out = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        name = line.split(":")[1].strip().split("@")[0]
        if OUR_IFACE.match(name):
            subprocess.run(["ip", "link", "del", name], capture_output=True)


def start_net(topo, port):
    remove_leftovers()
    net = Mininet(topo=topo, switch=topos.UserOVS, controller=None, build=False, autoSetMacs=False)
    net.addController(RemoteController("c0", ip="127.0.0.1", port=port))
    net.build()
    net.start()
    # veth checksum offload leaves TCP/UDP checksums unfilled, and the user-space
    # datapath never fills them: without this, ICMP works and TCP does not.
    for h in net.hosts:
        for intf in h.intfList():
            h.cmd("ethtool -K %s tx off >/dev/null 2>&1" % intf.name)
    return net


def wait_topology(api, net, expected_links, timeout=30):
    dpids = sorted(s.dpid for s in net.switches)
    wait_for("switches", lambda: sorted(api.get("/v1/topology")["switches"]) == dpids, timeout)
    wait_for("links", lambda: api_links(api) == expected_links, timeout)
    wait_for("discovery to settle", lambda: api.get("/v1/topology")["settled"], timeout)


FLOW_RE = re.compile(r"cookie=(0x[0-9a-f]+).*?priority=(\d+)(?:,([^ ]*))? actions=(\S+)")


def ofctl_flows(switch):
    out = subprocess.run(["ovs-ofctl", "-O", "OpenFlow13", "dump-flows", switch], capture_output=True, text=True, check=True).stdout
    flows = set()
    for line in out.splitlines():
        m = FLOW_RE.search(line)
        if not m:
            continue
        cookie, prio, match = int(m.group(1), 16), int(m.group(2)), m.group(3) or ""
        fields = dict(kv.split("=", 1) for kv in match.split(",") if "=" in kv)
        flows.add((cookie, prio, fields.get("dl_src"), fields.get("dl_dst")))
    return flows


def api_flows(api, dpid):
    flows = set()
    for f in api.get("/v1/switches/%s/flows" % dpid)["flows"]:
        m = f["match"]
        flows.add((int(f["cookie"], 16), f["priority"], m.get("ethSrc"), m.get("ethDst")))
    return flows


def scenario_tree(api, port):
    net = start_net(topos.FcTree(), port)
    try:
        expected = switch_links(net)
        wait_topology(api, net, expected)
        dropped = net.pingAll(timeout="2")
        flow_compare = {}
        for s in net.switches:
            ours, theirs = api_flows(api, s.dpid), ofctl_flows(s.name)
            flow_compare[s.name] = {"api": len(ours), "ofctl": len(theirs), "equal": ours == theirs,
                                    "forwarding": sum(1 for f in ours if f[0] >> 48 == 0xF1E1)}
        normal = any("NORMAL" in subprocess.run(["ovs-ofctl", "-O", "OpenFlow13", "dump-flows", s.name], capture_output=True, text=True).stdout
                     for s in net.switches)
        return {
            "pingallDropped": dropped,
            "flows": flow_compare,
            "normalRule": normal,
            "links": {"expected": sorted(map(list, expected)), "api": sorted(map(list, api_links(api)))},
            "linksEqual": api_links(api) == expected,
            "hosts": len(api.get("/v1/hosts")["hosts"]),
        }
    finally:
        net.stop()


def ping_ok(src, dst_ip, count=3):
    out = src.cmd("ping -c %d -i 0.2 -W 1 %s" % (count, dst_ip))
    m = re.search(r"(\d+) received", out)
    return int(m.group(1)) if m else 0


def scenario_reroute(api, port):
    net = start_net(topos.FcTree(loop=True), port)
    try:
        expected = switch_links(net)
        wait_topology(api, net, expected)
        dropped = net.pingAll(timeout="2")
        h1, h3 = net.get("fh1"), net.get("fh3")
        before = ping_ok(h1, h3.IP())
        t0 = time.time()
        net.configLinkStatus("fc1", "fc2", "down")
        fc1, fc2 = net.get("fc1"), net.get("fc2")
        i1, i2 = fc1.connectionsTo(fc2)[0]
        gone = tuple(sorted([(fc1.dpid, fc1.ports[i1]), (fc2.dpid, fc2.ports[i2])]))
        wait_for("link down noticed", lambda: gone not in api_links(api), timeout=15, interval=0.05)
        noticed_ms = (time.time() - t0) * 1000
        after = ping_ok(h1, h3.IP(), count=5)
        return {"pingallDropped": dropped, "pingBefore": before, "pingAfter": after, "linkDownNoticedMs": round(noticed_ms, 1),
                "linksAfter": len(api_links(api)), "linksBefore": len(expected)}
    finally:
        net.stop()


SERVER = r"""
import http.server, sys
name = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = name.encode()
        self.send_response(200); self.send_header("content-length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer(("0.0.0.0", 8000), H).serve_forever()
"""

CLIENT = r"""
import socket, sys, time
ip, seconds, interval = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
end = time.time() + seconds
while time.time() < end:
    t = time.time(); who = ""
    try:
        s = socket.create_connection((ip, 8000), timeout=0.5)
        s.settimeout(0.5)
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk: break
            data += chunk
        s.close()
        who = data.split(b"\r\n\r\n", 1)[1].decode() if b"\r\n\r\n" in data else ""
    except Exception as e:
        who = ""
    print("%.3f %s" % (t, who or "-"), flush=True)
    time.sleep(max(0, interval - (time.time() - t)))
"""


def scenario_redirect(api, port, strategy):
    topos.make_vxlan_underlay()
    net = start_net(topos.FcTwoSite(), port)
    tmp = "/tmp/fc-redirect-%d" % os.getpid()
    os.makedirs(tmp, exist_ok=True)
    try:
        edge, cloud = net.get("fce"), net.get("fcc")
        for sw, dev in ((edge, topos.VXLAN_DEVS[0]), (cloud, topos.VXLAN_DEVS[1])):
            sw.cmd("ovs-vsctl add-port %s %s" % (sw.name, dev))
        vx_edge = int(edge.cmd("ovs-vsctl get Interface %s ofport" % topos.VXLAN_DEVS[0]).strip())
        vx_cloud = int(cloud.cmd("ovs-vsctl get Interface %s ofport" % topos.VXLAN_DEVS[1]).strip())
        expected = {tuple(sorted([(edge.dpid, vx_edge), (cloud.dpid, vx_cloud)]))}
        client, sa, sb = net.get("fcl"), net.get("fsa"), net.get("fsb")
        sb.cmd("ip link set fsb-eth0 down")
        wait_topology(api, net, expected)
        for h, name in ((sa, "edge"), (sb, "cloud")):
            with open("%s/server.py" % tmp, "w") as f:
                f.write(SERVER)
            h.cmd("/usr/bin/python3 %s/server.py %s >/dev/null 2>&1 &" % (tmp, name))
        with open("%s/client.py" % tmp, "w") as f:
            f.write(CLIENT)
        api.call("PUT", "/v1/dns/records/web", {"ip": topos.SERVICE_IP})
        time.sleep(1.0)
        gradual = strategy == "gradual"
        # A gradual move shifts the share over 4 steps of 1 s while both copies serve.
        loop_s = 12 if gradual else 9
        client.cmd("/usr/bin/python3 %s/client.py %s %d 0.1 > %s/loop.txt 2>&1 &" % (tmp, topos.SERVICE_IP, loop_s, tmp))
        time.sleep(3.0)
        # The migration: the edge copy stops, the cloud copy takes over with the same IP and MAC.
        # A gradual move keeps the old copy serving while the share shifts.
        if strategy != "gradual":
            sa.cmd("ip link set fsa-eth0 down")
        sb.cmd("ip link set fsb-eth0 up")
        cloud_port = cloud.ports[sb.connectionsTo(cloud)[0][1]]
        t0 = time.time()
        result = api.call("POST", "/v1/redirect", {"service": "web", "ip": topos.SERVICE_IP, "mac": topos.SERVICE_MAC,
                                                   "to": {"switch": cloud.dpid, "port": cloud_port}, "strategy": strategy,
                                                   "steps": 4, "stepMs": 1000})
        api_ms = (time.time() - t0) * 1000
        if strategy == "gradual":
            sa.cmd("ip link set fsa-eth0 down")
        time.sleep(loop_s - 3.0 - api_ms / 1000 + 0.5)
        lines = [l.split() for l in open("%s/loop.txt" % tmp).read().splitlines() if l.strip()]
        t_redirect = t0
        before = [w for t, w in lines if float(t) < t_redirect]
        t_done = t0 + api_ms / 1000
        after = [w for t, w in lines if float(t) >= t_done + 1.0]
        window = [w for t, w in lines if t_done <= float(t) < t_done + 1.0]
        during = [w for t, w in lines if t_redirect <= float(t) < t_done]
        cloud_flows = api.get("/v1/switches/%s/flows" % cloud.dpid)["flows"]
        # Rollback: the redirect's flows go and the earlier DNS record returns.
        rollback = api.call("POST", "/v1/redirects/%d/rollback" % result["redirects"][0]["id"])["redirect"]
        flows_after_rollback = sum(1 for sw in (edge, cloud) for f in api.get("/v1/switches/%s/flows" % sw.dpid)["flows"]
                                   if f["owner"] == "redirect")
        return {
            "strategy": strategy,
            "vxlan": "kernel VXLAN devices (UDP sockets in private namespaces) attached as OVS ports",
            "linksEqual": api_links(api) == expected,
            "requestsBefore": {"total": len(before), "edge": before.count("edge"), "cloud": before.count("cloud")},
            "requestsAfter": {"total": len(after), "edge": after.count("edge"), "cloud": after.count("cloud")},
            "requestsInFirstSecond": {"total": len(window), "failed": window.count("-")},
            "requestsDuring": {"total": len(during), "edge": during.count("edge"), "cloud": during.count("cloud"), "failed": during.count("-")},
            "lastAnswer": lines[-1][1] if lines else None,
            "dns": api.get("/v1/dns")["records"],
            "reconfigurationMs": result["reconfigurationMs"],
            "httpRoundTripMs": round(api_ms, 1),
            "redirect": result["redirects"][0],
            "redirectFlowsOnCloud": sum(1 for f in cloud_flows if f["owner"] == "redirect"),
            "rollback": {"state": rollback["state"], "reconfigurationMs": rollback["reconfigurationMs"], "dnsAfter": rollback["dnsAfter"],
                         "to": rollback["to"], "redirectFlowsLeft": flows_after_rollback},
            "vxlanPorts": {"edge": vx_edge, "cloud": vx_cloud},
            "cloudPort": cloud_port,
        }
    finally:
        for h in net.hosts:
            h.cmd("kill %python3 2>/dev/null")
        net.stop()
        topos.remove_vxlan_underlay()
        subprocess.run(["rm", "-rf", tmp])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--scenario", required=True, choices=["tree", "reroute", "redirect"])
    p.add_argument("--controller-port", type=int, required=True)
    p.add_argument("--api", required=True)
    p.add_argument("--strategy", default="all-at-once")
    a = p.parse_args()
    setLogLevel(os.environ.get("FC_MN_LOG", "warning"))
    api = Api(a.api)
    if a.scenario == "tree":
        out = scenario_tree(api, a.controller_port)
    elif a.scenario == "reroute":
        out = scenario_reroute(api, a.controller_port)
    else:
        out = scenario_redirect(api, a.controller_port, a.strategy)
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
