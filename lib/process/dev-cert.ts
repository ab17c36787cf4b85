import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate for the TLS listener and the CA that signed it (what a car is given, `--ca`). */
export interface DevCertificate {
  dir: string;
  /** PEM files: the CA certificate for clients, the server certificate and its key for TLS_CERT / TLS_KEY. */
  caFile: string;
  certFile: string;
  keyFile: string;
  ca: string;
  cert: string;
  key: string;
  /** False when an earlier run's files were still good and were kept. */
  created: boolean;
}

/**
 * A throw-away CA and a server certificate it signed, for the demo's and the tests' MQTT over TLS
 * (issue 11), made with the `openssl` command (Debian's `openssl` package; Node cannot make X.509
 * certificates itself). The CA's private key is deleted once it has signed: nothing else can be
 * issued under it. EC P-256, valid 825 days, for `hosts` (names and IP addresses) plus localhost.
 * Files already in `dir` that still cover `hosts` for a day or more are kept, so a car's `--ca` file
 * stays valid across restarts of the demo.
 */
export async function devCertificate(dir: string, hosts: string[] = []): Promise<DevCertificate> {
  const names = [...new Set(['localhost', '127.0.0.1', '::1', ...hosts.filter((h) => h && h !== '0.0.0.0' && h !== '::')])];
  const reused = await readExisting(dir, names);
  if (reused) return reused;
  const work = await mkdtemp(join(dirname(dir), '.anshin-cert-'));
  try {
    await make(work, names);
    await rm(dir, { recursive: true, force: true });
    await rename(work, dir);
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !existsSync(dir)) throw new Error('making a TLS certificate needs the openssl command (apt-get install -y openssl), or set TLS_CERT and TLS_KEY', { cause: err });
    throw err;
  }
  const made = await readExisting(dir, names);
  if (!made) throw new Error(`the certificate made in ${dir} does not cover ${names.join(', ')}`);
  return { ...made, created: true };
}

async function make(dir: string, names: string[]): Promise<void> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const f = (name: string) => join(dir, name);
  await run('openssl', ['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '825', '-subj', '/CN=anshin demo CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await run('openssl', ['req', ...ec, '-keyout', f('key.pem'), '-out', f('server.csr'), '-subj', '/CN=localhost']);
  const san = names.map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  await writeFile(f('ext.cnf'), `subjectAltName=${san}\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`);
  await run('openssl', ['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-set_serial', `0x${Date.now().toString(16)}`,
    '-out', f('cert.pem'), '-days', '825', '-extfile', f('ext.cnf')]);
  for (const name of ['ca.key', 'server.csr', 'ext.cnf']) await rm(f(name), { force: true });
  await chmod(f('key.pem'), 0o600);
}

async function readExisting(dir: string, names: string[]): Promise<DevCertificate | null> {
  const caFile = join(dir, 'ca.pem');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  try {
    const [ca, cert, key] = await Promise.all([readFile(caFile, 'utf8'), readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
    const x509 = new X509Certificate(cert);
    const covers = names.every((n) => (isIP(n) ? x509.checkIP(n) : x509.checkHost(n)) !== undefined);
    const fresh = new Date(x509.validTo).getTime() - 86_400_000 > new Date().getTime();
    if (!covers || !fresh || !x509.verify(new X509Certificate(ca).publicKey)) return null;
    return { dir, caFile, certFile, keyFile, ca, cert, key, created: false };
  } catch {
    return null;
  }
}
