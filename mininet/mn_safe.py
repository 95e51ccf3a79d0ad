#!/usr/bin/python3
"""Runs /usr/bin/mn with its arguments, except that Mininet's global cleanup
(which `mn` runs on any error or Ctrl-C, and for `mn -c`) is refused: it deletes
EVERY OVS bridge and every "*-ethN" link on the host and kills every ping,
other users' included. Tests and scripts on a shared host use this; the
fleximigrate topo removes its own objects by exact name either way.

    /usr/bin/python3 mininet/mn_safe.py --custom mininet/topos.py --topo fleximigrate ...
"""
import runpy
import sys

import mininet.clean as clean


def refused():
    sys.stderr.write("*** mn_safe: Mininet's global cleanup refused (it would remove other users' bridges)\n")


clean.cleanup = refused
clean.Cleanup.cleanup = classmethod(lambda cls: refused())
sys.argv[0] = "mn"
runpy.run_path("/usr/bin/mn", run_name="__main__")
