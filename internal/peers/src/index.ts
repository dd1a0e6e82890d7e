// Peer tools (QEMU, GNU binutils, gcc, dtc) are oracles for differential tests. Locally a test
// that needs a missing tool is skipped with a one-line notice; with HVSIM_PEERS=required (CI)
// a missing tool fails the run, so CI can never pass by skipping.
import { spawn, spawnSync, type SpawnSyncOptions } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { describe, it } from "vitest";

/** The peer tools hvsim's tests know by name, with the Debian package that provides each. */
export const PEER_PACKAGES: Readonly<Record<string, string>> = {
  "qemu-system-ppc64": "qemu-system-ppc",
  "qemu-ppc64le": "qemu-user",
  "qemu-ppc64": "qemu-user",
  "powerpc64le-linux-gnu-objdump": "binutils-powerpc64le-linux-gnu",
  "powerpc64le-linux-gnu-as": "binutils-powerpc64le-linux-gnu",
  "powerpc64le-linux-gnu-ld": "binutils-powerpc64le-linux-gnu",
  "powerpc64le-linux-gnu-objcopy": "binutils-powerpc64le-linux-gnu",
  "powerpc64le-linux-gnu-gcc": "gcc-powerpc64le-linux-gnu",
  dtc: "device-tree-compiler",
  fdtdump: "device-tree-compiler",
};

const cache = new Map<string, string | null>();

/** Absolute path of `tool` on PATH, or null. */
export function findPeer(tool: string): string | null {
  const hit = cache.get(tool);
  if (hit !== undefined) return hit;
  let found: string | null = null;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, tool);
    try {
      accessSync(candidate, constants.X_OK);
      found = candidate;
      break;
    } catch {
      // not in this directory
    }
  }
  cache.set(tool, found);
  return found;
}

/** True when CI demands every peer tool (HVSIM_PEERS=required). */
export function peersRequired(): boolean {
  return process.env.HVSIM_PEERS === "required";
}

/** The tools from `tools` that are not installed. */
export function missingPeers(tools: readonly string[]): string[] {
  return tools.filter((t) => findPeer(t) === null);
}

function installHint(missing: readonly string[]): string {
  const pkgs = [...new Set(missing.map((t) => PEER_PACKAGES[t] ?? t))].join(" ");
  return `apt-get install -y --no-install-recommends ${pkgs}`;
}

/**
 * `describe` for a block of tests that needs peer tools. Missing tools: skipped with a notice
 * locally, a failing test when HVSIM_PEERS=required.
 */
export function describeWithPeers(tools: readonly string[], name: string, body: () => void): void {
  const missing = missingPeers(tools);
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  if (peersRequired()) {
    describe(name, () => {
      it("has its peer tools installed", () => {
        throw new Error(
          `HVSIM_PEERS=required but ${missing.join(", ")} not found on PATH (${installHint(missing)})`,
        );
      });
    });
    return;
  }
  console.warn(
    `[peers] skipping "${name}": ${missing.join(", ")} not installed (${installHint(missing)})`,
  );
  describe.skip(name, body);
}

export interface PeerResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Run a peer tool synchronously; throws with its stderr when it cannot start. */
export function runPeer(
  tool: string,
  args: readonly string[],
  opts: SpawnSyncOptions = {},
): PeerResult {
  const path = findPeer(tool);
  if (path === null) throw new Error(`peer tool ${tool} is not installed`);
  const r = spawnSync(path, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, ...opts });
  if (r.error) throw new Error(`${tool} ${args.join(" ")}: ${r.error.message}`);
  return {
    status: r.status ?? -1,
    stdout: String(r.stdout ?? ""),
    stderr: String(r.stderr ?? ""),
  };
}

export interface AsyncPeerResult extends PeerResult {
  timedOut: boolean;
}

/**
 * Run a command without blocking the test worker's event loop (a long spawnSync starves
 * vitest's worker RPC on a loaded machine). Resolves when the process exits or is killed
 * after `timeoutMs`.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  opts: {
    timeoutMs?: number;
    cwd?: string;
    input?: string;
    /** Called with each piece of stdout; stdin stays open for it to write (a dialogue). */
    interact?: (stdout: string, stdin: NodeJS.WritableStream) => void;
  } = {},
): Promise<AsyncPeerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd: opts.cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      opts.interact?.(d, child.stdin);
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => void (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs ?? 60_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`${command} ${args.join(" ")}: ${e.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout, stderr, timedOut });
    });
    if (opts.interact === undefined) child.stdin.end(opts.input ?? "");
  });
}

/** `runPeer` without blocking: the tool must be installed. */
export function runPeerAsync(
  tool: string,
  args: readonly string[],
  opts: { timeoutMs?: number; cwd?: string; input?: string } = {},
): Promise<AsyncPeerResult> {
  const path = findPeer(tool);
  if (path === null) return Promise.reject(new Error(`peer tool ${tool} is not installed`));
  return runProcess(path, args, opts);
}

/**
 * For benchmarks: run `command`, timestamp the first appearance of `start` and of `done` on its
 * stdout, and resolve with the seconds between them and the whole output (the caller checks the
 * output says the run was right). Rejects when the process cannot start or either marker is
 * missing. Times only the guest's measured section, not the start-up of the simulator or QEMU.
 */
export function secondsBetweenMarkers(
  command: string,
  args: readonly string[],
  start: string,
  done: string,
): Promise<{ seconds: number; output: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(command, [...args], { stdio: ["ignore", "pipe", "ignore"] });
    let output = "";
    let tStart = 0n;
    let tDone = 0n;
    p.stdout.on("data", (d: Buffer) => {
      const now = process.hrtime.bigint();
      output += d.toString();
      if (!tStart && output.includes(start)) tStart = now;
      if (!tDone && output.includes(done)) tDone = now;
    });
    p.on("error", reject);
    p.on("exit", () => {
      if (!tStart || !tDone) {
        reject(
          new Error(`${command}: no ${start}/${done} in ${JSON.stringify(output.slice(-400))}`),
        );
      } else resolve({ seconds: Number(tDone - tStart) / 1e9, output });
    });
  });
}
