// A process that campaigns in an etcd election and prints each change of its
// role, so a test can SIGKILL a leader as a crashed host would (its lease is
// then left to expire; closing a client in-process keeps the lease alive).
// Usage: node --import tsx election-candidate.ts HOSTS NAME SELF TTL_S
import { Etcd3 } from "etcd3";
import { joinElection } from "../../src/etcd/leadership.js";

const [hosts, name, self, ttl] = process.argv.slice(2);
const client = new Etcd3({ hosts: hosts!.split(","), dialTimeout: 2_000 });
const leadership = await joinElection(client, name!, self!, { ttlS: Number(ttl ?? 2) });
leadership.on("elected", (term) => console.log(`elected ${term}`));
leadership.on("deposed", (reason) => console.log(`deposed ${reason}`));
console.log("campaigning");
process.once("SIGTERM", () => {
  void leadership.close().finally(() => {
    client.close();
    process.exit(0);
  });
});
