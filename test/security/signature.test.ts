// Signed containers: pack signs the root and header digests with Ed25519;
// readers given a public key require a valid signature by that key. Each
// attack below keeps every digest consistent (what an unkeyed checksum
// cannot catch) and must fail with SignatureError, the right `problem`.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { SignatureError, fingerprint, inspect, pack, readChunks, readModelWeights, readTrainingBatches, streamModelWeights, unpack, verify, writeTrainingData } from '../../dist/index.js';
import { chunksOf, forge } from '../helpers/forge.js';
import { runCli, sample, tempDir } from '../helpers/fixtures.js';

const tmp = tempDir('hvs-sign-');
afterAll(() => tmp.cleanup());

const alice = generateKeyPairSync('ed25519');
const mallory = generateKeyPairSync('ed25519');
const raw = (k: typeof alice.publicKey): Buffer => k.export({ format: 'der', type: 'spki' }).subarray(12);
const alicePem = alice.publicKey.export({ format: 'pem', type: 'spki' }).toString();
const CHUNK = 4096;
const data = sample('text', 5 * CHUNK + 123, 21);

async function signedContainer(name: string, bytes: Uint8Array = data, key = alice.privateKey): Promise<string> {
  const out = tmp.path(name);
  await pack(bytes, out, { chunkSize: CHUNK, signingKey: key, workers: 1 });
  return out;
}

/** The final record's signature value as it sits in the file. */
function signatureValue(file: Buffer): { at: number; value: string } {
  const at = file.lastIndexOf('ed25519:');
  return { at, value: file.subarray(at, at + 8 + 44 + 1 + 88).toString('latin1') };
}

describe('signed containers', () => {
  it('pack signs; verify, unpack and readChunks check the signature by the given key', async () => {
    const path = await signedContainer('a.hvs');
    const report = await verify(path, { publicKey: alice.publicKey });
    expect(report.signer).toBe(fingerprint(raw(alice.publicKey)));
    await expect(verify(path, { publicKey: alicePem })).resolves.toMatchObject({ signer: report.signer });
    await expect(verify(path, { publicKey: raw(alice.publicKey) })).resolves.toMatchObject({ signer: report.signer });
    const restored: Buffer[] = [];
    for await (const e of readChunks(path, { publicKey: alice.publicKey })) if (e.kind === 'chunk') restored.push(Buffer.from(e.bytes));
    expect(Buffer.concat(restored).equals(data)).toBe(true);
    // Without a key a signature is still checked against its digests and reported.
    await expect(verify(path)).resolves.toMatchObject({ signer: report.signer });
    await expect(inspect(path)).resolves.toMatchObject({ signer: report.signer });
  });

  it('a full final chunk with its signature stays within the documented record limit', async () => {
    const path = await signedContainer('full.hvs', data.subarray(0, 4 * CHUNK));
    await expect(verify(path, { publicKey: alice.publicKey, maxChunkSize: CHUNK })).resolves.toMatchObject({ chunks: 4 });
  });

  it('refuses a container signed by another key', async () => {
    const path = await signedContainer('mallory.hvs', data, mallory.privateKey);
    await expect(verify(path, { publicKey: alice.publicKey })).rejects.toMatchObject({ constructor: SignatureError, code: 'E_SIGNATURE', problem: 'wrong-key' });
  });

  it('refuses an unsigned container when a key is given', async () => {
    const path = tmp.path('unsigned.hvs');
    await pack(data, path, { chunkSize: CHUNK, workers: 1 });
    await expect(verify(path)).resolves.not.toHaveProperty('signer');
    await expect(verify(path, { publicKey: alice.publicKey })).rejects.toMatchObject({ constructor: SignatureError, problem: 'missing' });
  });

  it('refuses a signature whose bytes were changed, with or without a key', async () => {
    const path = await signedContainer('tampered.hvs');
    const file = readFileSync(path);
    const { at } = signatureValue(file);
    const i = at + 8 + 44 + 1 + 40; // inside the signature
    file[i] = file[i] === 0x41 ? 0x42 : 0x41;
    writeFileSync(path, file);
    await expect(verify(path, { publicKey: alice.publicKey })).rejects.toMatchObject({ constructor: SignatureError, problem: 'invalid' });
    await expect(verify(path)).rejects.toMatchObject({ constructor: SignatureError, problem: 'invalid' });
  });

  it('refuses other content carrying a genuine signature (digests recomputed, signature copied)', async () => {
    const genuine = signatureValue(readFileSync(await signedContainer('genuine.hvs'))).value;
    const other = Buffer.from(data);
    other.writeUInt8(other.readUInt8(100) ^ 1, 100);
    const recs = chunksOf(other, CHUNK);
    const last = recs[recs.length - 1];
    if (last === undefined) throw new Error('no records');
    last.metadata = [['hivestream.signature', genuine]];
    const path = tmp.path('forged.hvs');
    writeFileSync(path, forge(recs, { chunkSize: CHUNK }));
    await expect(verify(path, { publicKey: alice.publicKey })).rejects.toMatchObject({ constructor: SignatureError, problem: 'invalid' });
  });

  it('refuses a malformed signature value', async () => {
    const recs = chunksOf(data, CHUNK);
    const last = recs[recs.length - 1];
    if (last === undefined) throw new Error('no records');
    last.metadata = [['hivestream.signature', 'ed25519:nonsense']];
    const path = tmp.path('malformed.hvs');
    writeFileSync(path, forge(recs, { chunkSize: CHUNK }));
    await expect(verify(path)).rejects.toMatchObject({ constructor: SignatureError, problem: 'malformed' });
  });

  it('unpack with the wrong key leaves no output behind', async () => {
    const path = await signedContainer('b.hvs', data, mallory.privateKey);
    const dir = tempDir('hvs-sign-out-');
    try {
      await expect(unpack(path, dir.path('out.bin'), { publicKey: alice.publicKey })).rejects.toBeInstanceOf(SignatureError);
      expect(readdirSync(dir.dir)).toEqual([]);
    } finally {
      dir.cleanup();
    }
  });

  it('the ML writers sign and the ML readers check, like pack and verify', async () => {
    const weights = tmp.path('w.hvs');
    await streamModelWeights(new Float32Array(3000).fill(1.5), weights, { signingKey: alice.privateKey, chunkSize: CHUNK });
    await expect(readModelWeights(weights, { publicKey: alice.publicKey })).resolves.toMatchObject({ dtype: 'float32' });
    await expect(readModelWeights(weights, { publicKey: mallory.publicKey })).rejects.toMatchObject({ constructor: SignatureError, problem: 'wrong-key' });
    const dataset = tmp.path('d.hvs');
    const records = Array.from({ length: 200 }, (_, i) => ({ inputs: new Float32Array(16).fill(i), targets: new Float32Array(2).fill(i) }));
    await writeTrainingData(records, dataset, { signingKey: alice.privateKey, chunkSize: CHUNK });
    const read = async (publicKey: typeof alice.publicKey): Promise<number> => {
      let n = 0;
      for await (const b of readTrainingBatches(dataset, { batchSize: 50, publicKey })) n += b.indices.length;
      return n;
    };
    await expect(read(alice.publicKey)).resolves.toBe(200);
    await expect(read(mallory.publicKey)).rejects.toBeInstanceOf(SignatureError);
  });

  it('refuses keys of the wrong kind with ValidationError', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    await expect(pack(data, tmp.path('x.hvs'), { signingKey: rsa.privateKey })).rejects.toMatchObject({ code: 'E_VALIDATION' });
    await expect(pack(data, tmp.path('x.hvs'), { signingKey: alice.publicKey })).rejects.toMatchObject({ code: 'E_VALIDATION' });
    await expect(verify(tmp.path('a.hvs'), { publicKey: 'not a key' })).rejects.toMatchObject({ code: 'E_VALIDATION' });
    expect(existsSync(tmp.path('x.hvs'))).toBe(false);
  });

  it('CLI: pack --sign, verify --key (exit 21 for another key), inspect shows the fingerprint', async () => {
    const keyFile = tmp.path('alice.pem');
    const pubFile = tmp.path('alice.pub');
    const otherPub = tmp.path('mallory.pub');
    writeFileSync(keyFile, alice.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    writeFileSync(pubFile, alicePem);
    writeFileSync(otherPub, mallory.publicKey.export({ format: 'pem', type: 'spki' }));
    const input = tmp.path('in.bin');
    writeFileSync(input, data);
    const out = tmp.path('cli.hvs');
    expect((await runCli(['pack', input, '-o', out, '--sign', keyFile, '-q'])).code).toBe(0);
    expect((await runCli(['verify', out, '--key', pubFile, '-q'])).code).toBe(0);
    const wrong = await runCli(['verify', out, '--key', otherPub]);
    expect(wrong.code).toBe(21);
    expect(wrong.stderr).toMatch(/^hivestream: signature wrong-key: signed by SHA256:\S+, not by the given key/);
    const shown = await runCli(['inspect', out]);
    expect(shown.stdout.toString()).toContain(fingerprint(raw(alice.publicKey)));
    expect((await runCli(['pack', input, '-o', tmp.path('y.hvs'), '--sign', pubFile])).code).toBe(2);
  });
});
