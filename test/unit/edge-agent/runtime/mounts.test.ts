// Which mounts a migration folder holds, read from a mountinfo text: the
// folder itself and what is below it (deepest first), never a sibling whose
// name only starts the same, with mountinfo's octal escapes decoded.
import { describe, expect, it } from "vitest";
import { mountsUnder } from "../../../../edge-agent/runtime/mounts.js";

const line = (id: number, point: string) => `${id} 1 0:${id} / ${point} rw,relatime shared:${id} - tmpfs tmpfs rw`;

describe("mountsUnder", () => {
  const info = [
    line(22, "/"),
    line(30, "/dev/shm"),
    line(41, "/dev/shm/fmx/in-m-1/.criu.cgyard.abc"),
    line(42, "/dev/shm/fmx/in-m-1/.criu.cgyard.abc/cpu"),
    line(43, "/dev/shm/fmx/in-m-10/x"),
    line(44, "/dev/shm/fmx/in-m-1/with\\040space"),
    line(45, "/dev/shm/fmx/in-m-1"),
  ].join("\n");

  it("answers the folder's own mounts, deepest first, decoding escapes and skipping look-alike siblings", () => {
    expect(mountsUnder("/dev/shm/fmx/in-m-1", info)).toEqual([
      "/dev/shm/fmx/in-m-1/.criu.cgyard.abc/cpu",
      "/dev/shm/fmx/in-m-1/with space",
      "/dev/shm/fmx/in-m-1/.criu.cgyard.abc",
      "/dev/shm/fmx/in-m-1",
    ]);
  });

  it("answers nothing for a folder with no mount, and tolerates a trailing slash and blank lines", () => {
    expect(mountsUnder("/dev/shm/fmx/in-m-2", `${info}\n\n`)).toEqual([]);
    expect(mountsUnder("/dev/shm/fmx/in-m-10/", info)).toEqual(["/dev/shm/fmx/in-m-10/x"]);
  });
});
