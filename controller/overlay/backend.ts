// The overlay API's view of Open vSwitch: the OVSDB-backed Overlay manager,
// connected on first use so the controller starts (and answers everything
// else) on a machine without OVS. A dropped OVSDB session is re-opened on the
// next request; the tunnels already made are carried over.
//
// API:
//   const b = new OvsdbOverlayBackend("unix:/var/run/openvswitch/db.sock")
//   await b.ready()                       -> throws OverlayUnavailableError when OVSDB cannot be reached
//   await b.bridge(name) -> {name, datapathId} | null;  await b.interfaces(names) -> Map name -> status
//   await b.connect(ConnectSite) -> Tunnel;  await b.disconnect(bridge, site);  b.tunnels();  b.close()
import { OvsdbClient } from "../ovsdb/client.js";
import { type ConnectSite, Overlay } from "./manager.js";
import type { Tunnel } from "./tunnels.js";

export class OverlayUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OverlayUnavailableError";
  }
}

export interface InterfaceStatus {
  type: string;
  ofport: number | null;
  error: string | null;
}

/** What the overlay routes need from OVS; faked in unit tests. */
export interface OverlayBackend {
  readonly target: string;
  ready(): Promise<void>;
  /** The bridge as OVSDB has it (datapathId: 16 hex digits once vswitchd made it), or null. */
  bridge(name: string): Promise<{ name: string; datapathId: string | null } | null>;
  /** Live state of the named interfaces; names OVSDB does not have are absent. */
  interfaces(names: string[]): Promise<Map<string, InterfaceStatus>>;
  connect(req: ConnectSite): Promise<Tunnel>;
  disconnect(bridge: string, remoteSite: string): Promise<boolean>;
  tunnels(): Tunnel[];
  /** Tunnels made by an earlier run (OVS kept their ports): known again, nothing sent. */
  adopt(tunnels: Tunnel[]): void;
  close(): void;
}

export class OvsdbOverlayBackend implements OverlayBackend {
  private client: OvsdbClient | undefined;
  private overlay: Overlay | undefined;
  private connecting: Promise<Overlay> | undefined;
  private carried: Tunnel[] = [];

  constructor(
    readonly target: string,
    private readonly connectTimeoutMs = 5000,
  ) {}

  async ready(): Promise<void> {
    await this.session();
  }

  async bridge(name: string): Promise<{ name: string; datapathId: string | null } | null> {
    const rows = await (await this.clientOf()).select("Bridge", [["name", "==", name]], ["name", "datapath_id"]);
    const row = rows[0];
    if (!row) return null;
    return { name: String(row.name), datapathId: typeof row.datapath_id === "string" && row.datapath_id ? row.datapath_id : null };
  }

  async interfaces(names: string[]): Promise<Map<string, InterfaceStatus>> {
    const out = new Map<string, InterfaceStatus>();
    if (names.length === 0) return out;
    const wanted = new Set(names);
    for (const row of await (await this.clientOf()).listInterfaces()) {
      if (wanted.has(row.name)) out.set(row.name, { type: row.type, ofport: row.ofport, error: row.error });
    }
    return out;
  }

  async connect(req: ConnectSite): Promise<Tunnel> {
    return (await this.session()).connect(req);
  }

  async disconnect(bridge: string, remoteSite: string): Promise<boolean> {
    return (await this.session()).disconnect(bridge, remoteSite);
  }

  tunnels(): Tunnel[] {
    return this.overlay ? this.overlay.tunnels.list() : [...this.carried];
  }

  adopt(tunnels: Tunnel[]): void {
    if (this.overlay) for (const t of tunnels) this.overlay.tunnels.add(t);
    else this.carried.push(...tunnels.map((t) => ({ ...t })));
  }

  close(): void {
    if (this.overlay) this.carried = this.overlay.tunnels.list();
    this.client?.close();
    this.client = undefined;
    this.overlay = undefined;
  }

  private async clientOf(): Promise<OvsdbClient> {
    await this.session();
    return this.client as OvsdbClient;
  }

  private async session(): Promise<Overlay> {
    if (this.overlay && this.client) {
      try {
        await this.client.echo();
        return this.overlay;
      } catch {
        // The session is gone (ovsdb-server restarted): keep the tunnels, open a new one.
        this.carried = this.overlay.tunnels.list();
        this.client.close();
        this.client = undefined;
        this.overlay = undefined;
      }
    }
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<Overlay> {
    let client: OvsdbClient;
    try {
      client = await OvsdbClient.connect(this.target, { timeoutMs: this.connectTimeoutMs });
    } catch (err) {
      throw new OverlayUnavailableError(`the overlay needs Open vSwitch, but OVSDB at ${this.target} cannot be reached (${(err as Error).message})`);
    }
    const overlay = new Overlay(client);
    for (const t of this.carried) overlay.tunnels.add(t);
    this.client = client;
    this.overlay = overlay;
    return overlay;
  }
}
