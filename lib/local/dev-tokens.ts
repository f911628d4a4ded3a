import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { GROUPS_CLAIM, ROLES, type Role } from '../shared/names';

/**
 * Local mode's stand-in for Amazon Cognito: an ES256 key kept in the data dir signs dev tokens
 * shaped like Cognito ID tokens (email, cognito:groups), and the local server verifies them as
 * API Gateway's JWT authorizer would. Delete the key file to rotate it; old tokens stop working.
 */

export const DEV_ISSUER = 'funding-tracker-local';
export const DEV_AUDIENCE = 'funding-tracker';
export const KEY_FILE = 'dev-signing-key.json';
const ALG = 'ES256';
const TOKEN_LIFETIME = '12h';

interface StoredKey {
  readonly kid: string;
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

const loadOrCreateKey = async (dataDir: string): Promise<StoredKey> => {
  const file = join(dataDir, KEY_FILE);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as StoredKey;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const stored: StoredKey = {
    kid: `dev-${Date.now().toString(36)}`,
    privateJwk: await exportJWK(privateKey),
    publicJwk: await exportJWK(publicKey),
  };
  await writeFile(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600, flag: 'wx' }).catch(
    async (error) => {
      // Another process created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    },
  );
  return JSON.parse(await readFile(file, 'utf8')) as StoredKey;
};

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

export const issueDevToken = async (
  dataDir: string,
  claims: { readonly email: string; readonly roles: readonly Role[]; readonly expiresIn?: string | number },
): Promise<string> => {
  const key = await loadOrCreateKey(dataDir);
  return new SignJWT({
    email: claims.email.toLowerCase(),
    [GROUPS_CLAIM]: [...claims.roles],
    token_use: 'id',
  })
    .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' })
    .setSubject(claims.email.toLowerCase())
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? TOKEN_LIFETIME)
    .sign(await importJWK(key.privateJwk, ALG));
};

export type TokenVerifier = (token: string) => Promise<JWTPayload>;

/** Verifies signature, issuer, audience and expiry, as the API Gateway JWT authorizer does in AWS. */
export const devTokenVerifier = async (dataDir: string): Promise<TokenVerifier> => {
  const key = await loadOrCreateKey(dataDir);
  const publicKey = await importJWK(key.publicJwk, ALG);
  return async (token) => {
    const { payload } = await jwtVerify(token, publicKey, {
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      algorithms: [ALG],
    });
    return payload;
  };
};
