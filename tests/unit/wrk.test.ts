import { parseWrk, wrkArgs } from '../../scripts/wrk';

const REPORT = `Running 10s test @ http://127.0.0.1:4560/x
  1 threads and 100 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     7.22ms    2.82ms 139.82ms   88.50%
    Req/Sec    14.02k   849.43    15.78k    68.00%
  Latency Distribution
     50%    6.28ms
     75%    7.98ms
     90%   10.15ms
     99%   13.14ms
  139584 requests in 10.01s, 1.46GB read
Requests/sec:  13947.02
Transfer/sec:    149.37MB
`;

describe('wrk report', () => {
  it('reads the percentiles, the rate and the bytes per answer', () => {
    const figures = parseWrk(REPORT);
    expect(figures).toEqual({
      requests: 139584,
      perSecond: Math.round(139584 / 10.01),
      non2xx: 0,
      bytesPerResponse: Math.round((1.46 * 1024 ** 3) / 139584),
      p50: 6.28,
      p99: 13.14,
    });
  });

  it('converts microseconds and seconds, and counts failed answers and connections', () => {
    const report = REPORT.replace('50%    6.28ms', '50%  812.00us')
      .replace('99%   13.14ms', '99%    1.25s')
      .replace(
        'Requests/sec:',
        'Socket errors: connect 0, read 2, write 1, timeout 4\n  Non-2xx or 3xx responses: 10\nRequests/sec:',
      );
    const figures = parseWrk(report);
    expect(figures.p50).toBeCloseTo(0.812, 6);
    expect(figures.p99).toBe(1250);
    expect(figures.non2xx).toBe(17);
  });

  it('refuses output without a latency distribution', () => {
    expect(() => parseWrk(REPORT.replace(/Latency Distribution[\s\S]*?99%.*\n/, ''))).toThrow(
      /50th percentile/,
    );
  });

  it('passes each header as its own -H argument', () => {
    expect(wrkArgs({ Authorization: 'Bearer k', 'Accept-Encoding': 'gzip' })).toEqual([
      '-t1',
      '-c100',
      '-H',
      'Authorization: Bearer k',
      '-H',
      'Accept-Encoding: gzip',
    ]);
  });
});
