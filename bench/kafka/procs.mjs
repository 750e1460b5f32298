// Which processes did the work, for the CPU columns of the end-to-end Kafka table (Linux /proc only; elsewhere
// every lookup finds nothing and the columns show '-'):
//   - the PostgreSQL backends serving one client process: its TCP sockets to the server's port, by inode in
//     /proc/<pid>/fd, give their local ports, and pg_stat_activity.client_port maps those to backend pids (not
//     the shared walwriter, checkpointer and background writer, which every session on the server uses);
//   - the process listening on a port (the Kafka broker, a JVM of scripts/kafka.sh).
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { cpuSeconds } from '../ingest/targets.mjs';

function socketInodes(pid) {
  const inodes = new Set();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    // not Linux, or not ours to read
  }
  return inodes;
}

/** Rows of /proc/net/tcp and tcp6: local port, remote port, state, inode. */
function tcpRows() {
  const rows = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.trim().split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      const port = (addr) => parseInt(addr.split(':').pop(), 16);
      rows.push({ local: port(f[1]), remote: port(f[2]), state: f[3], inode: f[9] });
    }
  }
  return rows;
}

/** The pids of the PostgreSQL backends serving `clientPid`'s connections (`pool`: any connection to the same server). */
export async function pgBackendPids(pool, clientPid, serverPort = 5432) {
  const inodes = socketInodes(clientPid);
  const ports = tcpRows().filter((r) => r.remote === serverPort && inodes.has(r.inode)).map((r) => r.local);
  if (ports.length === 0) return [];
  const res = await pool.query('SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1::int[])', [ports]);
  return res.rows.map((r) => r.pid);
}

/** The pid of the process listening on `port` (undefined when not found or not readable). */
export function listenerPid(port) {
  const inodes = new Set(tcpRows().filter((r) => r.local === port && r.state === '0A').map((r) => r.inode));
  if (inodes.size === 0) return undefined;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    for (const inode of socketInodes(pid)) if (inodes.has(inode)) return Number(pid);
  }
  return undefined;
}

/** CPU seconds of a set of pids; `before` (pid → seconds) is subtracted, a pid not in it counts from 0. */
export function cpuOf(pids, before = new Map()) {
  const now = new Map(pids.map((pid) => [pid, cpuSeconds(pid)]));
  let total = 0;
  for (const [pid, s] of now) if (Number.isFinite(s)) total += s - (before.get(pid) ?? 0);
  return { total, now };
}
