/** Running the `wrk` HTTP load generator and reading its report. */

/** What one load run measured. Latencies in milliseconds. */
export type LoadFigures = {
  requests: number;
  perSecond: number;
  /** Answers other than 2xx, plus connections that failed. */
  non2xx: number;
  bytesPerResponse: number;
  p50: number;
  p99: number;
};

const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };
const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** One thread, 100 connections kept busy, the given request headers. */
export function wrkArgs(headers: Record<string, string>): string[] {
  return ['-t1', '-c100', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`])];
}

/** Reads the figures out of what `wrk --latency` prints. */
export function parseWrk(out: string): LoadFigures {
  const percentile = (p: number) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
    if (!m) throw new Error(`wrk printed no ${p}th percentile:\n${out}`);
    return +(Number(m[1]) * TIME_UNITS[m[2]!]!).toFixed(3);
  };
  const total = /^\s*(\d+) requests in ([\d.]+)(us|ms|s|m), ([\d.]+)(B|KB|MB|GB|TB) read/m.exec(out);
  if (!total) throw new Error(`wrk printed no request count:\n${out}`);
  const requests = Number(total[1]);
  const seconds = (Number(total[2]) * TIME_UNITS[total[3]!]!) / 1000;
  const bytes = Number(total[4]) * SIZE_UNITS[total[5]!]!;
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const failedConnections = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    requests,
    perSecond: Math.round(requests / seconds),
    non2xx: (non2xx ? Number(non2xx[1]) : 0) + failedConnections,
    bytesPerResponse: Math.round(bytes / Math.max(requests, 1)),
    p50: percentile(50),
    p99: percentile(99),
  };
}
