// A post-copy source in a process of its own, so a test can kill it with
// SIGKILL the way a crashing agent dies. Prints one JSON line once serving.
import { startPostcopySource } from "../../../../edge-agent/postcopy/source.js";

const [pid, workDir, rate] = process.argv.slice(2);
const src = await startPostcopySource({
  pid: Number(pid),
  workDir: workDir!,
  listenHost: "127.0.0.1",
  pushBytesPerSec: Number(rate) || undefined,
});
process.stdout.write(`${JSON.stringify({ port: src.pageServer.port, reducedImagesDir: src.reducedImagesDir, dumpMode: src.dumpMode })}\n`);
await src.done.catch(() => {});
