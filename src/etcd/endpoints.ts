// `--store etcd://HOST:PORT[,HOST:PORT...]`: where a distributed store's
// members listen. Pure: the flag's parse and its errors.

export interface EtcdEndpoints {
  /** `http://HOST:PORT` per member, as the etcd client dials them. */
  hosts: string[];
}

/** Reads an etcd:// URL; throws a message naming what is wrong. */
export function parseEtcdUrl(raw: string): EtcdEndpoints {
  const m = /^etcd:\/\/(.+)$/.exec(raw.trim());
  if (!m) throw new Error(`expected etcd://HOST:PORT[,HOST:PORT...], got '${raw}'`);
  const hosts = m[1]!.split(",").map((member, i) => {
    const hp = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/.exec(member.trim());
    const port = hp ? Number(hp[2]) : Number.NaN;
    if (!hp || !(port >= 1 && port <= 65535)) throw new Error(`etcd member ${i + 1} '${member}' is not HOST:PORT with a port in 1-65535`);
    return `http://${hp[1]}:${port}`;
  });
  if (new Set(hosts).size !== hosts.length) throw new Error(`etcd members repeat in '${raw}'`);
  return { hosts };
}

/** Store flag values: the embedded default or etcd. */
export type StoreChoice = { kind: "embedded" } | { kind: "etcd"; endpoints: EtcdEndpoints; url: string };

export function parseStoreFlag(raw: string): StoreChoice {
  if (raw === "embedded") return { kind: "embedded" };
  return { kind: "etcd", endpoints: parseEtcdUrl(raw), url: raw };
}
