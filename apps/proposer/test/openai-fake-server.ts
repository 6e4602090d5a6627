import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small HTTP server speaking the OpenAI chat-completions API, for driving the real client: each request
 * is answered by the next scripted behaviour (a 429 with Retry-After, a hang past the client's time-out,
 * a malformed answer, a good one); when the script runs out, a good answer for the files asked about.
 */
export type Behaviour =
  | { kind: 'rate-limit'; retryAfterSec: number }
  | { kind: 'hang'; ms: number }
  | { kind: 'malformed' }
  | { kind: 'ok' }
  | { kind: 'server-error' };

export interface FakeOpenAi {
  url: string;
  requests: { at: number; path: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

function completion(content: string) {
  return JSON.stringify({
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: 'test-model',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 120, completion_tokens: 40, total_tokens: 160 },
  });
}

/** A good answer: every file asked about, named from its tags. */
function goodAnswer(body: string): string {
  const request = JSON.parse(body) as { messages: { content: string }[] };
  const data = JSON.parse(request.messages[request.messages.length - 1].content) as {
    files: { file: { id: string; ext: string }; tags: { artist?: string; title?: string } }[];
  };
  return JSON.stringify({
    proposals: data.files.map((f) => ({
      fileId: f.file.id,
      folder: `music/${f.tags.artist ?? 'Unknown'}`,
      name: `${f.tags.artist ?? 'Unknown'} - ${f.tags.title ?? 'Untitled'}.${f.file.ext}`,
      confidence: 0.9,
      reason: 'from the tags',
    })),
  });
}

export async function startFakeOpenAi(script: Behaviour[] = []): Promise<FakeOpenAi> {
  const requests: FakeOpenAi['requests'] = [];
  const pending = new Set<ServerResponse>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push({ at: Date.now(), path: req.url ?? '', authorization: req.headers.authorization });
      const b = script.shift() ?? { kind: 'ok' };
      const send = (status: number, payload: string, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(payload);
      };
      if (!req.url?.endsWith('/chat/completions')) return send(404, '{"error":{"message":"not here"}}');
      if (b.kind === 'rate-limit') {
        return send(429, '{"error":{"message":"Rate limit reached","type":"requests"}}', {
          'retry-after': String(b.retryAfterSec),
        });
      }
      if (b.kind === 'server-error') return send(503, '{"error":{"message":"overloaded"}}');
      if (b.kind === 'hang') {
        pending.add(res);
        setTimeout(() => {
          pending.delete(res);
          if (!res.destroyed) send(200, completion(goodAnswer(body)));
        }, b.ms);
        return;
      }
      if (b.kind === 'malformed') return send(200, completion('Sure! Here are some names: Artist - Title'));
      return send(200, completion(goodAnswer(body)));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise((r) => {
        for (const res of pending) res.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
