// Test-only OAuth2 server for the gateway's identity tests: oauth2-mock-server's issuer and service (token
// endpoint, JWKS, discovery) on 127.0.0.1, wrapped so a test can steer it over a control port:
//   POST /token     {"claims":{...},"expiresIn":s,"kid":"..."}   -> a JWT signed by the current (or given) key
//   POST /rotate                                                  -> new RS256 signing key, old one stays published
//   POST /retire    {"kid":"..."}                                 -> stops publishing a key
//   POST /jwks-mode {"mode":"normal|down|slow|garbage"}           -> how /jwks answers (down: 503, slow: 30 s)
//   POST /token-ttl {"seconds":n}                                 -> expires_in the token endpoint announces
//   GET  /stats                                                   -> {"jwks":n,"introspect":n,"grants":{..},"kids":[...]}
// /introspect (RFC 7662) is answered here, not by the mock (which says active:true to anything): HTTP Basic client
// credentials are checked, the token is verified against the issuer's own keys, and the claims are returned.
// Prints one JSON line {"issuer":..,"control":port} on stdout when ready; exits when stdin closes.
import http from 'node:http';
import { OAuth2Issuer, OAuth2Service } from 'oauth2-mock-server';
import { createLocalJWKSet, jwtVerify } from 'jose';

const [clientId, clientSecret] = (process.argv[2] ?? 'gateway:gateway-secret').split(':');
const issuer = new OAuth2Issuer();
const service = new OAuth2Service(issuer);
let currentKid = (await issuer.keys.generate('RS256')).kid;
const retired = new Set();
let jwksMode = 'normal';
const stats = { jwks: 0, introspect: 0, grants: {} };
let tokenTtl = null; // POST /token-ttl: the expires_in the token endpoint announces (sessions' refresh tests)
const revoked = new Set();

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res, status, body, type = 'application/json') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function publishedKeys() {
  return issuer.keys.toJSON().filter((k) => !retired.has(k.kid));
}

async function introspect(req, res) {
  stats.introspect++;
  const auth = req.headers.authorization ?? '';
  const expected = 'Basic ' + Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
  const form = new URLSearchParams(await readBody(req));
  if (auth !== expected) {
    return send(res, 401, { error: 'invalid_client' });
  }
  const token = form.get('token') ?? '';
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: publishedKeys() }), { issuer: issuer.url });
    if (revoked.has(token)) {
      return send(res, 200, { active: false });
    }
    return send(res, 200, { active: true, token_type: 'Bearer', ...payload });
  } catch {
    return send(res, 200, { active: false });
  }
}

const idp = http.createServer(async (req, res) => {
  const path = (req.url ?? '').split('?')[0];
  if (path === '/jwks' && req.method === 'GET') {
    stats.jwks++;
    if (jwksMode === 'down') return send(res, 503, { error: 'down' });
    if (jwksMode === 'garbage') return send(res, 200, '{"keys": [ this is not json', 'application/json');
    if (jwksMode === 'slow') {
      const timer = setTimeout(() => send(res, 200, { keys: publishedKeys() }), 30_000);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    return send(res, 200, { keys: publishedKeys() });
  }
  if (path === '/introspect' && req.method === 'POST') {
    return introspect(req, res);
  }
  return service.requestHandler(req, res);
});
// token endpoint answers: counted by grant type; expires_in shortened when a test asks
service.on('beforeResponse', (response, req) => {
  const grant = req.body?.grant_type ?? 'unknown';
  stats.grants[grant] = (stats.grants[grant] ?? 0) + 1;
  if (tokenTtl !== null && response.body && 'expires_in' in response.body) response.body.expires_in = tokenTtl;
});
await new Promise((resolve) => idp.listen(0, '127.0.0.1', resolve));
issuer.url = `http://127.0.0.1:${idp.address().port}`;

const control = http.createServer(async (req, res) => {
  try {
    const path = (req.url ?? '').split('?')[0];
    const body = req.method === 'POST' ? await readBody(req) : '';
    const args = body ? JSON.parse(body) : {};
    if (path === '/token') {
      const kid = args.kid ?? currentKid;
      const token = await issuer.buildToken({
        kid,
        expiresIn: args.expiresIn ?? 600,
        scopesOrTransform: (_header, payload) => Object.assign(payload, args.claims ?? {}),
      });
      return send(res, 200, { token, kid });
    }
    if (path === '/rotate') {
      currentKid = (await issuer.keys.generate('RS256')).kid;
      return send(res, 200, { kid: currentKid });
    }
    if (path === '/retire') {
      retired.add(args.kid);
      return send(res, 200, { retired: args.kid });
    }
    if (path === '/revoke') {
      revoked.add(args.token);
      return send(res, 200, {});
    }
    if (path === '/jwks-mode') {
      jwksMode = args.mode;
      return send(res, 200, { mode: jwksMode });
    }
    if (path === '/private-jwks') {
      return send(res, 200, { keys: issuer.keys.toJSON(true).filter((k) => !retired.has(k.kid)) });
    }
    if (path === '/token-ttl') {
      tokenTtl = args.seconds;
      return send(res, 200, { seconds: tokenTtl });
    }
    if (path === '/stats') {
      return send(res, 200, { ...stats, kids: publishedKeys().map((k) => k.kid), current: currentKid });
    }
    return send(res, 404, { error: 'no such control' });
  } catch (e) {
    return send(res, 500, { error: String(e) });
  }
});
await new Promise((resolve) => control.listen(0, '127.0.0.1', resolve));
process.stdout.write(JSON.stringify({ issuer: issuer.url, control: control.address().port }) + '\n');

// The test owns this process: when its end of stdin closes (test over, or the JVM died), stop.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
