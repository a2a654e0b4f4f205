// Signs one HTTP request with http-message-signatures (an RFC 9421 implementation independent of the
// Portal) and sends it, or prints it for the caller to send.
//
// Input: one JSON object, as the first argument or on standard input:
//   url            "http://127.0.0.1:8090/payments?x=1" (required; @authority, @path and @query come from it)
//   method         "POST" (default GET)
//   headers        { "authorization": "Bearer ..." } sent as given, besides the signature fields
//   body           a string sent as UTF-8; with a body, Content-Digest (RFC 9530, sha-256) and
//                  Content-Length are set here
//   keyId          the signing credential's keyid ("sig_...")
//   algorithm      "hmac-sha256" | "ecdsa-p256-sha256" | "ed25519"
//   secretBase64   the hmac-sha256 secret (base64), or
//   privateKeyPem  the ecdsa-p256-sha256 / ed25519 private key (PKCS#8 PEM)
//   components     the covered components, e.g. ["@method", "@authority", "@path", "content-digest"]
//   created        unix seconds (default now); nonce (default 16 random bytes, base64url);
//   expires        unix seconds (absent by default); tag (absent by default); alg: false leaves
//                  the alg parameter out (it is sent by default)
//   label          the signature's label (default "sig")
//   send           true (default): send with node's http module; false: only sign and print
//   sendTo         optional "host:port" to connect to instead of the URL's (the signed URL stays as is)
//
// Or, to make a key pair for an ecdsa-p256-sha256 / ed25519 credential: { "generate": "ed25519" }
// prints { privateKeyPem (PKCS#8), publicKeyPem (SPKI) }.
//
// Output (standard output, one JSON object):
//   { request: { method, url, headers, body }, signatureBase, response?: { status, headers, body } }
// signatureBase is the exact text the library signed (RFC 9421 section 2.5), for diagnosing a refusal.
// Exit code 1 with a message on standard error when the input is unusable or the request cannot be sent.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import { createSigner, httpbis } from 'http-message-signatures';

const input = JSON.parse(process.argv[2] ?? (await readStdin()));

if (input.generate !== undefined) {
  const pair = input.generate === 'ed25519'
    ? generateKeyPairSync('ed25519')
    : input.generate === 'ecdsa-p256-sha256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : null;
  if (pair === null) throw new Error(`Cannot generate a key pair for "${input.generate}".`);
  process.stdout.write(JSON.stringify({
    privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }),
  }));
  process.exit(0);
}

const url = new URL(required(input.url, 'url'));
const method = (input.method ?? 'GET').toUpperCase();
const headers = { ...(input.headers ?? {}) };
const body = input.body ?? null;

if (body !== null) {
  const bytes = Buffer.from(body, 'utf8');
  // RFC 9530: the digest of the content as sent, as a structured-field byte sequence.
  headers['content-digest'] = `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`;
  headers['content-length'] = String(bytes.length);
}

const algorithm = required(input.algorithm, 'algorithm');
const keyMaterial = algorithm === 'hmac-sha256'
  ? Buffer.from(required(input.secretBase64, 'secretBase64'), 'base64')
  : required(input.privateKeyPem, 'privateKeyPem');
const librarySigner = createSigner(keyMaterial, algorithm, required(input.keyId, 'keyId'));

// The library hands its signer the signature base: keep it for the output.
let signatureBase = null;
const key = {
  ...librarySigner,
  async sign(data) {
    signatureBase = data.toString('utf8');
    return librarySigner.sign(data);
  },
};

const paramValues = {
  created: new Date((input.created ?? Math.floor(Date.now() / 1000)) * 1000),
  nonce: input.nonce ?? randomBytes(16).toString('base64url'),
};
const params = ['created', 'keyid', 'nonce'];
if (input.alg !== false) params.push('alg');
if (input.expires !== undefined) {
  params.push('expires');
  paramValues.expires = new Date(input.expires * 1000);
}
if (input.tag !== undefined) {
  params.push('tag');
  paramValues.tag = input.tag;
}

const signed = await httpbis.signMessage(
  { key, name: input.label ?? 'sig', fields: input.components ?? [], params, paramValues },
  { method, url: url.toString(), headers },
);

const output = {
  request: { method, url: url.toString(), headers: signed.headers, body },
  signatureBase,
};
if (input.send !== false) {
  output.response = await send(url, method, signed.headers, body, input.sendTo);
}
process.stdout.write(JSON.stringify(output));

function send(target, verb, requestHeaders, content, sendTo) {
  const [host, port] = sendTo ? sendTo.split(':') : [target.hostname, target.port || '80'];
  return new Promise((resolve, reject) => {
    const request = http.request({
      host,
      port: Number(port),
      method: verb,
      path: `${target.pathname}${target.search}`,
      // Host is the signed URL's authority, as a browser or any HTTP client would send it.
      headers: { host: target.host, connection: 'close', ...requestHeaders },
      agent: false,
      timeout: 30_000,
    }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({
        status: response.statusCode,
        headers: response.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`No answer from ${host}:${port} within 30 s.`)));
    request.on('error', reject);
    request.end(content === null ? undefined : Buffer.from(content, 'utf8'));
  });
}

function required(value, name) {
  if (value === undefined || value === null || value === '') {
    throw new Error(`The input needs "${name}".`);
  }
  return value;
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
