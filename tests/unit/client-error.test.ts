import http from 'node:http';
import net from 'node:net';
import { answerClientError } from '../../src/http/error-handler';

/** Sends raw bytes to a server with the handler and returns the raw answer. */
async function raw(payload: string): Promise<string> {
  const server = http.createServer((_req, res) => res.end('{}'));
  server.on('clientError', answerClientError);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  try {
    return await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(payload));
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
  } finally {
    server.close();
  }
}

const bodyOf = (answer: string) => JSON.parse(answer.split('\r\n\r\n')[1]!) as { error: { code: string } };

it('answers an oversized request line with 431 in the error shape', async () => {
  const answer = await raw(
    `GET /api/v1/benchmarks/TP01?organisations=${'a'.repeat(20000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  );
  expect(answer).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  expect(answer).toContain('Content-Type: application/json');
  expect(bodyOf(answer).error.code).toBe('HEADERS_TOO_LARGE');
});

it('answers malformed HTTP with 400 in the error shape', async () => {
  const answer = await raw('HELLO THERE\r\n\r\n');
  expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  expect(bodyOf(answer)).toMatchObject({ error: { code: 'BAD_REQUEST', details: [] } });
});
