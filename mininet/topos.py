"""Mininet topologies.

FcTree and FcTwoSite serve the controller's integration tests (names "fc...").

FlexiMigrateTopo ("fleximigrate") is the testbed of mininet/testbed.json, the
same definition `fleximigrate testbed` and `up --testbed` use: one OVS switch
per site (user-space datapath, OpenFlow 1.3, fail-mode secure, so only our
controller forwards), two agent hosts per edge site, one at the cloud, one IoT
device host per edge site. Each edge site is joined to the cloud site by a
kernel VXLAN device (a bridge port) whose UDP goes through the WAN relay: a
user-space process that holds every datagram for the configured delay, in
order, in a bounded queue (netem is missing on this kernel); bandwidth is a tbf
qdisc on the relay's two links. OVS's own VXLAN ports are not used: the
user-space datapath cannot terminate VXLAN between two bridges on one host.

    sudo mn --custom mininet/topos.py --topo fleximigrate,prefix=fmt,delay=10,bw=100 \
        --controller remote,ip=127.0.0.1,port=6653 --test pingall
"""
import inspect
import json
import sys
import os
import signal
import subprocess
from functools import partial

def _guard_mn_cleanup():
    """`mn` runs Mininet's global cleanup on any error or Ctrl-C, which deletes
    EVERY OVS bridge on the host (other users' too). Loaded by `mn --custom`,
    this file swaps it for the removal of this topo's own names."""
    main = sys.modules.get("__main__")
    if main is None or not hasattr(main, "cleanup") or not os.path.basename(sys.argv[0]) == "mn":
        return
    prefix = "fmt"
    for i, arg in enumerate(sys.argv):
        value = arg.split("=", 1)[1] if arg.startswith("--topo=") else (sys.argv[i + 1] if arg == "--topo" and i + 1 < len(sys.argv) else None)
        if value and value.startswith("fleximigrate"):
            for part in value.split(",")[1:]:
                if part.startswith("prefix="):
                    prefix = part.split("=", 1)[1]

    def cleanup():
        sys.stderr.write("*** fleximigrate topo: removing only %s-* objects (not Mininet's global cleanup)\n" % prefix)
        try:
            for link in list(SiteSwitch.wan_links.values()):
                link.remove()
            remove_testbed(prefix)
        except Exception as e:  # noqa: BLE001 - a half-loaded file: nothing of ours was made
            sys.stderr.write("*** fleximigrate topo: %s\n" % e)

    main.cleanup = cleanup


_guard_mn_cleanup()


from mininet.node import OVSSwitch
from mininet.topo import Topo

UserOVS = partial(OVSSwitch, datapath="user", protocols="OpenFlow13", failMode="secure")

SERVICE_IP = "10.0.0.100"
SERVICE_MAC = "00:00:00:00:01:00"
# `mn --custom` runs this file without __file__: its code object knows the path.
HERE = os.path.dirname(os.path.abspath(inspect.currentframe().f_code.co_filename))
REPO = os.path.dirname(HERE)
DEFINITION = os.path.join(HERE, "testbed.json")


def dpid(n):
    return "%016x" % n


class FcTree(Topo):
    """Tree of depth 2 and fanout 2 (as `mn --topo tree,2,2`), optionally with a
    redundant link between the two leaf switches so a link can fail and traffic reroute."""

    def build(self, loop=False):
        root = self.addSwitch("fc1", dpid=dpid(1))
        leaves = []
        h = 0
        for i in (2, 3):
            leaf = self.addSwitch("fc%d" % i, dpid=dpid(i))
            self.addLink(root, leaf)
            leaves.append(leaf)
            for _ in range(2):
                h += 1
                host = self.addHost("fh%d" % h, ip="10.0.0.%d/24" % h, mac="00:00:00:00:00:%02x" % h)
                self.addLink(leaf, host)
        if loop:
            self.addLink(leaves[0], leaves[1])


class FcTwoSite(Topo):
    """An edge site and a cloud site, one OVS switch each (fce, fcc). The
    service host exists at both sites with the same IP and MAC (the migrated
    copy is down until the move). The sites are joined by a VXLAN tunnel that
    run_scenario attaches as a port on each switch."""

    def build(self):
        edge = self.addSwitch("fce", dpid=dpid(0xE1))
        cloud = self.addSwitch("fcc", dpid=dpid(0xC1))
        client = self.addHost("fcl", ip="10.0.0.1/24", mac="00:00:00:00:00:01")
        svc_edge = self.addHost("fsa", ip=SERVICE_IP + "/24", mac=SERVICE_MAC)
        svc_cloud = self.addHost("fsb", ip=SERVICE_IP + "/24", mac=SERVICE_MAC)
        self.addLink(edge, client)
        self.addLink(edge, svc_edge)
        self.addLink(cloud, svc_cloud)


UNDERLAY_NS = ("fcx-edge", "fcx-cloud")
VXLAN_DEVS = ("fcxv-e", "fcxv-c")


def sh(*cmd, check=True):
    return subprocess.run(list(cmd), check=check, capture_output=True, text=True)


def remove_vxlan_underlay():
    """Deletes our own underlay leftovers by exact name (a crashed run's)."""
    for dev in VXLAN_DEVS:
        sh("ip", "link", "del", dev, check=False)
    for ns in UNDERLAY_NS:
        sh("ip", "netns", "del", ns, check=False)


def make_vxlan_underlay(vni=4242):
    """Kernel VXLAN devices whose UDP sockets live in two private namespaces
    joined by a veth pair (the sites' underlay network); the devices are then
    moved to the root namespace so OVS can take them as bridge ports. The
    user-space datapath cannot terminate VXLAN between two bridges on one host."""
    remove_vxlan_underlay()
    e, c = UNDERLAY_NS
    for ns in UNDERLAY_NS:
        sh("ip", "netns", "add", ns)
    sh("ip", "link", "add", "fcxu-e", "netns", e, "type", "veth", "peer", "name", "fcxu-c", "netns", c)
    sh("ip", "-n", e, "addr", "add", "192.168.77.1/30", "dev", "fcxu-e")
    sh("ip", "-n", c, "addr", "add", "192.168.77.2/30", "dev", "fcxu-c")
    for ns, dev in ((e, "fcxu-e"), (c, "fcxu-c")):
        sh("ip", "-n", ns, "link", "set", dev, "up")
        sh("ip", "-n", ns, "link", "set", "lo", "up")
    for ns, dev, local, remote, under in ((e, VXLAN_DEVS[0], "192.168.77.1", "192.168.77.2", "fcxu-e"),
                                          (c, VXLAN_DEVS[1], "192.168.77.2", "192.168.77.1", "fcxu-c")):
        sh("ip", "-n", ns, "link", "add", dev, "type", "vxlan", "id", str(vni), "local", local,
           "remote", remote, "dstport", "4789", "dev", under)
        sh("ip", "-n", ns, "link", "set", dev, "netns", str(os.getpid()))
        sh("ip", "link", "set", dev, "up")


# --- The FlexiMigrate testbed (mininet/testbed.json) ------------------------
# Names and addresses here must match src/testbed/names.ts (a unit test reads both).

def fnv1a(text):
    h = 0x811C9DC5
    for c in text:
        h = ((h ^ ord(c)) * 0x01000193) & 0xFFFFFFFF
    return h


def site_dpid(prefix, index):
    """As src/loopnet's dpidOf: the prefix's hash, then the 1-based index."""
    return "%08x%08x" % (fnv1a(prefix), index + 1)


def wan_names(prefix, k):
    return {
        "ua": "%s-u%da" % (prefix, k), "ub": "%s-u%db" % (prefix, k), "relay": "%s-r%d" % (prefix, k),
        "wa": "%s-w%da" % (prefix, k), "wb": "%s-w%db" % (prefix, k),
        "qa": "%s-q%da" % (prefix, k), "qb": "%s-q%db" % (prefix, k),
        "xa": "%s-x%da" % (prefix, k), "xb": "%s-x%db" % (prefix, k),
    }


def wan_addresses(k):
    """Underlay of WAN link k: edge side 192.168.(80+k).0/30, cloud side 192.168.(90+k).0/30, the relay at .2 of both."""
    return {"ua": "192.168.%d.1" % (80 + k), "ra": "192.168.%d.2" % (80 + k),
            "ub": "192.168.%d.1" % (90 + k), "rb": "192.168.%d.2" % (90 + k)}


def load_definition(path=DEFINITION):
    with open(path) as f:
        return json.load(f)


class WanLink:
    """Edge site ↔ cloud: two kernel VXLAN devices (moved to the root namespace
    as bridge ports) whose UDP sockets live in two underlay namespaces; the
    relay namespace between them runs the delaying relay, and tbf shapes its
    two links. Made and removed by exact name."""

    def __init__(self, prefix, k, delay_ms, bw_mbit, queue):
        self.prefix, self.k, self.delay_ms, self.bw_mbit, self.queue = prefix, k, delay_ms, bw_mbit, queue
        self.n = wan_names(prefix, k)
        self.a = wan_addresses(k)
        self.relay = None
        self.log_path = os.path.join("/tmp", "%s-relay%d.log" % (prefix, k))

    def remove(self):
        if self.relay and self.relay.poll() is None:
            os.kill(self.relay.pid, signal.SIGTERM)
            try:
                self.relay.wait(5)
            except subprocess.TimeoutExpired:
                os.kill(self.relay.pid, signal.SIGKILL)
        for dev in (self.n["xa"], self.n["xb"]):
            sh("ip", "link", "del", dev, check=False)
        for ns in (self.n["ua"], self.n["ub"], self.n["relay"]):
            sh("ip", "netns", "del", ns, check=False)
        if self.relay is not None:
            try:
                os.remove(self.log_path)
            except OSError:
                pass

    def make(self):
        self.remove()
        n, a = self.n, self.a
        for ns in (n["ua"], n["ub"], n["relay"]):
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        for side in ("a", "b"):
            u, w, q = n["u" + side], n["w" + side], n["q" + side]
            sh("ip", "link", "add", w, "netns", u, "mtu", "1600", "type", "veth", "peer", "name", q, "netns", n["relay"], "mtu", "1600")
            sh("ip", "-n", u, "addr", "add", a["u" + side] + "/30", "dev", w)
            sh("ip", "-n", n["relay"], "addr", "add", a["r" + side] + "/30", "dev", q)
            sh("ip", "-n", u, "link", "set", w, "up")
            sh("ip", "-n", n["relay"], "link", "set", q, "up")
            if self.bw_mbit:
                sh("ip", "netns", "exec", n["relay"], "tc", "qdisc", "add", "dev", q, "root", "tbf",
                   "rate", "%smbit" % self.bw_mbit, "burst", "%d" % max(16000, int(self.bw_mbit * 1e6 / 8 / 250)), "latency", "100ms")
            vx = n["x" + side]
            sh("ip", "-n", u, "link", "add", vx, "type", "vxlan", "id", str(4200 + self.k), "local", a["u" + side],
               "remote", a["r" + side], "dstport", "4789", "dev", w)
            sh("ip", "-n", u, "link", "set", vx, "netns", str(os.getpid()))
            sh("ip", "link", "set", vx, "up")
        # The relay's stderr while it runs (removed with the link); where to look when it does not start.
        log = open(self.log_path, "w")
        self.relay = subprocess.Popen(
            ["ip", "netns", "exec", n["relay"], "/usr/bin/env", "node", os.path.join(REPO, "bin", "fleximigrate.js"), "testbed", "relay",
             "--a", a["ra"], "--a-peer", a["ua"], "--b", a["rb"], "--b-peer", a["ub"],
             "--delay-ms", str(self.delay_ms), "--queue", str(self.queue)],
            stdout=subprocess.PIPE, stderr=log, text=True, cwd=REPO)
        line = self.relay.stdout.readline()
        if '"relaying"' not in line:
            raise RuntimeError("the WAN relay of link %d did not start (see /tmp/%s-relay%d.log)" % (self.k, self.prefix, self.k))


class SiteSwitch(OVSSwitch):
    """A site's OVS switch; an edge site's also takes its WAN link's edge VXLAN
    device as a port, the cloud's every link's cloud device (made on first start)."""

    wan_links = {}

    def __init__(self, name, wan=(), wan_side="a", wan_opts=None, **params):
        params.update(datapath="user", protocols="OpenFlow13", failMode="secure")
        OVSSwitch.__init__(self, name, **params)
        self.wan, self.wan_side, self.wan_opts = list(wan), wan_side, wan_opts or {}

    def start(self, controllers):
        OVSSwitch.start(self, controllers)
        for k in self.wan:
            link = SiteSwitch.wan_links.get((self.wan_opts["prefix"], k))
            if link is None:
                link = WanLink(self.wan_opts["prefix"], k, self.wan_opts["delay"], self.wan_opts["bw"], self.wan_opts["queue"])
                link.make()
                SiteSwitch.wan_links[(self.wan_opts["prefix"], k)] = link
            # "--" starts a command of its own in `mn`'s one batched ovs-vsctl transaction.
            self.vsctl("--", "add-port", self.name, link.n["x" + self.wan_side])

    def remove_wan(self):
        for k in self.wan:
            link = SiteSwitch.wan_links.pop((self.wan_opts["prefix"], k), None)
            if link:
                link.remove()

    def stop(self, deleteIntfs=True):
        OVSSwitch.stop(self, deleteIntfs)
        self.remove_wan()

    @classmethod
    def batchShutdown(cls, switches, run=None):
        """Mininet stops OVS switches in one batch, without calling stop()."""
        done = OVSSwitch.batchShutdown.__func__(cls, switches) if run is None else OVSSwitch.batchShutdown.__func__(cls, switches, run)
        for s in switches:
            s.remove_wan()
        return done


class FlexiMigrateTopo(Topo):
    """mininet/testbed.json as a Mininet topology (see the module's docstring).
    Options: prefix (2-4 letters/digits, starts every name), delay (WAN ms),
    bw (WAN Mbit/s, 0: unshaped), queue (relay frames), definition (path)."""

    def build(self, prefix="fmt", delay=None, bw=None, queue=None, definition=DEFINITION):
        d = load_definition(definition)
        wan = d["wan"]
        opts = {"prefix": prefix,
                "delay": wan["delayMs"] if delay is None else float(delay),
                "bw": wan["bandwidthMbit"] if bw is None else float(bw),
                "queue": wan["queueFrames"] if queue is None else int(queue)}
        sites = d["sites"]
        edges = [s for s in sites if s["tier"] == "edge"]
        links = {s["name"]: k + 1 for k, s in enumerate(edges)}
        host_no = dev_no = 0
        for i, site in enumerate(sites):
            side = "a" if site["tier"] == "edge" else "b"
            wan_of = [links[site["name"]]] if site["tier"] == "edge" else list(links.values())
            sw = self.addSwitch("%s-s%d" % (prefix, i + 1), cls=SiteSwitch, dpid=site_dpid(prefix, i),
                                wan=wan_of, wan_side=side, wan_opts=opts)
            for _node in site["nodes"]:
                host_no += 1
                h = self.addHost("%s-h%d" % (prefix, host_no), ip=host_ip(d, host_no), mac="02:fa:00:00:01:%02x" % host_no)
                self.addLink(sw, h)
            for _ in range(site.get("devices", 0)):
                dev_no += 1
                h = self.addHost("%s-d%d" % (prefix, dev_no), ip=device_ip(d, dev_no), mac="02:fa:00:00:02:%02x" % dev_no)
                self.addLink(sw, h)


def _cidr(d):
    base, length = d["serviceCidr"].split("/")
    parts = [int(x) for x in base.split(".")]
    return (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3], int(length)


def _top(d, n):
    base, length = _cidr(d)
    v = base + 2 ** (32 - length) - 1 - n
    return "%d.%d.%d.%d/%d" % (v >> 24 & 255, v >> 16 & 255, v >> 8 & 255, v & 255, length)


def host_ip(d, k):
    """Agent host k (1-based): the second /24 from the CIDR's top, from its bottom (10.144.254.k for a /16)."""
    return _top(d, 511 - k)


def device_ip(d, k):
    """Device host k (1-based): as src/loopnet's devices, the top /24 from its bottom (10.144.255.k for a /16)."""
    return _top(d, 255 - k)


topos = {"fleximigrate": FlexiMigrateTopo, "fctree": FcTree, "fctwosite": FcTwoSite}


def remove_testbed(prefix="fmt", definition=DEFINITION):
    """Removes the fleximigrate topo's objects for `prefix` by exact name (a
    crashed run's): its switches, its hosts' veths, its WAN links."""
    d = load_definition(definition)
    sites = d["sites"]
    for i in range(len(sites)):
        sh("ovs-vsctl", "--if-exists", "del-br", "%s-s%d" % (prefix, i + 1), check=False)
    hosts = sum(len(s["nodes"]) for s in sites)
    devices = sum(s.get("devices", 0) for s in sites)
    for name in ["%s-h%d" % (prefix, k + 1) for k in range(hosts)] + ["%s-d%d" % (prefix, k + 1) for k in range(devices)]:
        sh("ip", "link", "del", name + "-eth0", check=False)
    for i in range(len(sites)):
        for port in range(1, 8):
            sh("ip", "link", "del", "%s-s%d-eth%d" % (prefix, i + 1, port), check=False)
    for k in range(1, len([s for s in sites if s["tier"] == "edge"]) + 1):
        WanLink(prefix, k, 0, 0, 1).remove()


