// The Docker moves' image holds this machine's node and the libraries ldd
// names; the container runs the same image server as the other strategies.
import { describe, expect, it } from "vitest";
import { ballastWorkloadSpec, CONTAINER_PORT, lddPaths } from "../../../../src/testbed/docker-engine.js";

describe("the image server's Docker image", () => {
  it("copies every library ldd resolves and the loader, not the vDSO", () => {
    const ldd = [
      "\tlinux-vdso.so.1 (0x00007f51e5439000)",
      "\tlibdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007f51e5422000)",
      "\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f51e5200000)",
      "\t/lib64/ld-linux-x86-64.so.2 (0x00007f51e543b000)",
      "",
    ].join("\n");
    expect(lddPaths(ldd)).toEqual(["/lib/x86_64-linux-gnu/libdl.so.2", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib64/ld-linux-x86-64.so.2"]);
  });

  it("runs the image server with the size's ballast on its port, on every address of the container", () => {
    expect(ballastWorkloadSpec(64)).toEqual({
      command: ["/usr/bin/node", "/srv/server.mjs"],
      env: { FLEXIMIGRATE_WORKLOAD_BALLAST_MIB: "64", FLEXIMIGRATE_WORKLOAD_PORT: String(CONTAINER_PORT), FLEXIMIGRATE_WORKLOAD_HOST: "0.0.0.0" },
    });
  });
});
