import { sign, verify } from "hono/jwt";
import { derivedKey, type Keyring, keysOf } from "../auth/keys";
import { constantTimeEqual, fromHex, randomBytes, sha256, toBase64Url, toHex } from "../lib/crypto";
import { AppError } from "../lib/errors";

/** The one scope OAuth clients are granted: calling back approval gates. */
export const CALLBACK_SCOPE = "approvals:callback";
export const OAUTH_SCOPES = [CALLBACK_SCOPE] as const;
/** Access tokens live 24 h, as in the webhook-approval flow this reproduces. */
export const ACCESS_TOKEN_SECONDS = 86_400;
const ISSUER = "hookline";
const AUDIENCE = "hookline-callbacks";

export interface OAuthClient {
  clientId: string;
  name: string;
  secretHash: string;
  scopes: string[];
  namespaces: string[];
  createdAt: number;
}

interface ClientRow {
  client_id: string;
  name: string;
  secret_hash: string;
  scopes: string;
  namespaces: string;
  created_at: number;
}

const fromRow = (row: ClientRow): OAuthClient => ({
  clientId: row.client_id,
  name: row.name,
  secretHash: row.secret_hash,
  scopes: JSON.parse(row.scopes) as string[],
  namespaces: JSON.parse(row.namespaces) as string[],
  createdAt: row.created_at,
});

/** Creates a client; returns it with its secret, which is shown only now (stored as SHA-256). */
export async function createClient(
  db: D1Database,
  name: string,
  namespaces: string[],
): Promise<{ client: OAuthClient; clientSecret: string }> {
  const clientSecret = `hls_${toBase64Url(randomBytes(32))}`;
  const client: OAuthClient = {
    clientId: `hlc_${toHex(randomBytes(12))}`,
    name,
    secretHash: toHex(await sha256(clientSecret)),
    scopes: [...OAUTH_SCOPES],
    namespaces,
    createdAt: Date.now(),
  };
  const result = await db
    .prepare(
      "INSERT INTO oauth_clients (client_id, name, secret_hash, scopes, namespaces, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
    )
    .bind(
      client.clientId,
      name,
      client.secretHash,
      JSON.stringify(client.scopes),
      JSON.stringify(namespaces),
      client.createdAt,
    )
    .run();
  if (result.meta.changes === 0) throw new AppError("already_exists", `OAuth client "${name}" already exists`);
  return { client, clientSecret };
}

export async function findClient(db: D1Database, clientId: string): Promise<OAuthClient | null> {
  const row = await db.prepare("SELECT * FROM oauth_clients WHERE client_id = ?1").bind(clientId).first<ClientRow>();
  return row ? fromRow(row) : null;
}

export async function listClients(db: D1Database): Promise<OAuthClient[]> {
  const { results } = await db.prepare("SELECT * FROM oauth_clients ORDER BY name").all<ClientRow>();
  return results.map(fromRow);
}

export async function deleteClient(db: D1Database, clientId: string): Promise<boolean> {
  const result = await db.prepare("DELETE FROM oauth_clients WHERE client_id = ?1").bind(clientId).run();
  knownClients.delete(clientId);
  return result.meta.changes > 0;
}

/**
 * Clients seen to exist, cached briefly so callbacks do not read D1 each time; deleting a
 * client evicts it here at once, and other isolates within the TTL.
 */
const CLIENT_CACHE_TTL_MS = 10_000;
const knownClients = new Map<string, number>();

/** True when the client still exists (its tokens stop working once it is deleted). */
export async function clientExists(db: D1Database, clientId: string, now = Date.now()): Promise<boolean> {
  const until = knownClients.get(clientId);
  if (until !== undefined && until > now) return true;
  const exists = (await findClient(db, clientId)) !== null;
  if (exists) {
    if (knownClients.size >= 10_000) knownClients.clear();
    knownClients.set(clientId, now + CLIENT_CACHE_TTL_MS);
  } else knownClients.delete(clientId);
  return exists;
}

/** Checks client credentials in constant time; null when they do not match a client. */
export async function authenticateClient(
  db: D1Database,
  clientId: string,
  clientSecret: string,
): Promise<OAuthClient | null> {
  const client = /^hlc_[0-9a-f]{24}$/.test(clientId) ? await findClient(db, clientId) : null;
  const expected = client ? (fromHex(client.secretHash) ?? new Uint8Array(32)) : new Uint8Array(32);
  const matches = constantTimeEqual(await sha256(clientSecret), expected);
  return client && matches ? client : null;
}

export interface AccessTokenClaims {
  clientId: string;
  scopes: string[];
  namespaces: string[];
}

/** Issues an HS256 access token (JWT) carrying scope, namespaces and a 24 h expiry. */
export async function issueAccessToken(keyring: Keyring, client: OAuthClient, scopes: string[], now = Date.now()) {
  const iat = Math.floor(now / 1000);
  const token = await sign(
    {
      iss: ISSUER,
      aud: AUDIENCE,
      sub: client.clientId,
      scope: scopes.join(" "),
      ns: client.namespaces,
      iat,
      exp: iat + ACCESS_TOKEN_SECONDS,
      jti: toHex(randomBytes(8)),
    },
    await derivedKey(keyring.current, "oauth-access-tokens", "HMAC"),
    "HS256",
  );
  return { access_token: token, token_type: "Bearer", expires_in: ACCESS_TOKEN_SECONDS, scope: scopes.join(" ") };
}

/**
 * Verifies an access token's signature (current key, or the previous one during a rotation),
 * issuer, audience and expiry; null when it is not valid.
 */
export async function verifyAccessToken(keyring: Keyring, token: string): Promise<AccessTokenClaims | null> {
  for (const secret of keysOf(keyring)) {
    const key = await derivedKey(secret, "oauth-access-tokens", "HMAC");
    try {
      const payload = await verify(token, key, { alg: "HS256", iss: ISSUER, aud: AUDIENCE });
      if (typeof payload.sub !== "string" || typeof payload.scope !== "string" || !Array.isArray(payload.ns))
        return null;
      return {
        clientId: payload.sub,
        scopes: payload.scope.split(" ").filter(Boolean),
        namespaces: payload.ns.map(String),
      };
    } catch {
      // not valid under this key: try the previous one
    }
  }
  return null;
}
