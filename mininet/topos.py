"""Mininet topologies for the controller's integration tests.

Every switch is a user-space OVS bridge (datapath=user, OpenFlow 1.3,
fail-mode secure) so only our controller forwards traffic. Names carry the
prefix "fc" so they never collide with other test suites' bridges.
"""
import os
import subprocess
from functools import partial

from mininet.node import OVSSwitch
from mininet.topo import Topo

UserOVS = partial(OVSSwitch, datapath="user", protocols="OpenFlow13", failMode="secure")

SERVICE_IP = "10.0.0.100"
SERVICE_MAC = "00:00:00:00:01:00"


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
