// A small keep-alive HTTP/1.1 client for the REST side of the scenarios, and HS256 token minting.
import http from 'node:http';
import { createHmac } from 'node:crypto';
import { nowMs } from './stats.mjs';

export function client(baseUrl, token, maxSockets) {
  const u = new URL(baseUrl);
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(u.hostname) && !u.hostname.startsWith('127.')) {
    throw new Error(`--url must be a loopback address (127.0.0.0/8, localhost, ::1), got ${u.hostname}`);
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;

  /** Sends one request; resolves {status, body, ms, sentAt} (status 0 on a network error). Never rejects. */
  function request(method, path, body, onSent) {
    return new Promise((resolve) => {
      const payload = body === undefined ? null : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
      const h = payload ? { ...headers, 'Content-Length': payload.length } : headers;
      const req = http.request({ host: u.hostname, port: u.port || 80, method, path, headers: h, agent });
      let sentAt = 0;
      req.on('response', (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString(), ms: nowMs() - sentAt, sentAt }));
        res.on('error', (e) => resolve({ status: 0, body: String(e), ms: nowMs() - sentAt, sentAt }));
      });
      req.on('error', (e) => resolve({ status: 0, body: e.code || e.message, ms: nowMs() - sentAt, sentAt }));
      sentAt = nowMs();
      if (onSent) onSent(sentAt);
      req.end(payload);
    });
  }

  return { request, close: () => agent.destroy() };
}

function b64url(x) {
  return Buffer.from(x).toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/** An HS256 admin token for Atlas (claims: role, sub, iat, exp), signed with the server's ATLAS_JWT_SECRET. */
export function mintAdminToken(secret, ttlSeconds = 4 * 3600) {
  const iat = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const claims = b64url(JSON.stringify({ sub: 'bench', role: 'admin', iat, exp: iat + ttlSeconds }));
  const sig = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${header}.${claims}`).digest('base64')
    .replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${header}.${claims}.${sig}`;
}
