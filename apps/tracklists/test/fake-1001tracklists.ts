import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

const FIXTURES = path.join(__dirname, 'fixtures', '1001tracklists');

export function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}

function scriptedPage(port: number): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Scripted</title></head><body>
<h1 id="pageTitle">Nina Kraviz @ Dekmantel Festival 2017-08-05</h1><div id="tlTab"></div>
<img src="http://localhost:${port}/beacon.gif" alt="">
<script>
  const rows = [['Nina Kraviz', 'Ghetto Kraviz', '0:00'], ['ID', 'ID', '4:10'], ['Aphex Twin', 'Xtal', '9:45']];
  const tab = document.getElementById('tlTab');
  rows.forEach(([a, t, c], i) => {
    const row = document.createElement('div');
    row.setAttribute('data-trno', String(i));
    const cue = document.createElement('div');
    cue.className = 'cue';
    cue.textContent = c;
    const value = document.createElement('span');
    value.className = 'trackValue';
    for (const text of [a, '-', t]) {
      const s = document.createElement('span');
      s.textContent = text;
      value.append(s);
    }
    row.append(cue, value);
    tab.append(row);
  });
</script></body></html>`;
}

export interface SeenRequest {
  method: string;
  path: string;
  form: Record<string, string>;
  userAgent: string;
}

/**
 * A stand-in for 1001Tracklists on 127.0.0.1, serving the saved fixture pages so the real client runs over HTTP.
 * The search query picks the answer (`empty`, `challenge`, `shell`, `busy`, anything else: results); tracklist
 * paths pick theirs (`/tracklist/full/…`, `nocues`, `broken`, `challenge`, `shell`, `gone`, `moved`, `offhost`,
 * `error`, `hang`). `localhost` reaches the same server under a host name the tests do not allow.
 */
export class FakeTracklistsSite {
  readonly requests: SeenRequest[] = [];
  private server!: Server;
  private hanging: ServerResponse[] = [];

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', this.origin);
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      form,
      userAgent: req.headers['user-agent'] ?? '',
    });
    const send = (status: number, page: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
      res.end(page);
    };
    if (url.pathname === '/search/result.php' && req.method === 'POST') {
      if (form.search_selection !== '9') return send(400, 'bad form');
      switch (form.main_search) {
        case 'empty':
          return send(200, fixture('search-empty.html'));
        case 'challenge':
          return send(403, fixture('challenge.html'), { server: 'cloudflare' });
        case 'shell':
          return send(200, fixture('shell.html'));
        case 'busy':
          return send(429, 'Too many requests');
        default:
          return send(200, fixture('search-results.html'));
      }
    }
    const m = /^\/tracklist\/([^/]+)\//.exec(url.pathname);
    switch (m?.[1]) {
      case 'full':
      case '2k9fj3t1':
        return send(200, fixture('tracklist-full.html'));
      case 'nocues':
        return send(200, fixture('tracklist-no-cues.html'));
      case 'broken':
        return send(200, fixture('tracklist-broken-row.html'));
      case 'challenge':
        return send(503, fixture('challenge.html'));
      case 'challenge200':
        return send(200, fixture('challenge.html'));
      case 'shell':
        return send(200, fixture('shell.html'));
      case 'scripted':
        // Rows exist only after the page's script ran (as on the real site); a beacon to another host must be
        // stopped by the renderer.
        return send(200, scriptedPage(this.port));
      case 'gone':
        return send(404, 'not here');
      case 'moved':
        return send(301, '', { location: '/tracklist/full/moved-here.html' });
      case 'offhost':
        return send(302, '', { location: `http://localhost:${this.port}/tracklist/full/x.html` });
      case 'error':
        return send(503, 'upstream down');
      case 'hang':
        this.hanging.push(res);
        return;
      default:
        return send(404, 'not here');
    }
  }
}
