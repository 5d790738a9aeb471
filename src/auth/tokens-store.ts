import { AppError } from "../lib/errors";
import type { RateLimit, Scope } from "./principal";

/** An API token as stored: never the token itself, only its hash. */
export interface TokenRecord {
  name: string;
  tokenId: string;
  tokenHash: string;
  namespaces: string[];
  scopes: Scope[];
  templates: string[] | null;
  createdAt: number;
  expiresAt: number | null;
  /** The token's own ingest rate limit; null means the gateway's default. */
  rateLimit: RateLimit | null;
}

interface TokenRow {
  name: string;
  token_id: string;
  token_hash: string;
  namespaces: string;
  scopes: string;
  templates: string | null;
  created_at: number;
  expires_at: number | null;
  rate_limit: string | null;
}

const columns = "name, token_id, token_hash, namespaces, scopes, templates, created_at, expires_at, rate_limit";

/** Inserts a token; a taken name is already_exists. */
export async function insertToken(db: D1Database, token: TokenRecord): Promise<void> {
  const result = await db
    .prepare(
      `INSERT INTO api_tokens (${columns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (name) DO NOTHING`,
    )
    .bind(
      token.name,
      token.tokenId,
      token.tokenHash,
      JSON.stringify(token.namespaces),
      JSON.stringify(token.scopes),
      token.templates ? JSON.stringify(token.templates) : null,
      token.createdAt,
      token.expiresAt,
      token.rateLimit === null ? null : JSON.stringify(token.rateLimit),
    )
    .run();
  if (result.meta.changes === 0) {
    throw new AppError("already_exists", `token "${token.name}" already exists`);
  }
}

/** The token whose public id is `tokenId`, or null. */
export async function findTokenById(db: D1Database, tokenId: string): Promise<TokenRecord | null> {
  const row = await db.prepare(`SELECT ${columns} FROM api_tokens WHERE token_id = ?1`).bind(tokenId).first<TokenRow>();
  return row ? fromRow(row) : null;
}

/** One token by name, or null. */
export async function findTokenByName(db: D1Database, name: string): Promise<TokenRecord | null> {
  const row = await db.prepare(`SELECT ${columns} FROM api_tokens WHERE name = ?1`).bind(name).first<TokenRow>();
  return row ? fromRow(row) : null;
}

/** Every token, by name. */
export async function listTokens(db: D1Database): Promise<TokenRecord[]> {
  const { results } = await db.prepare(`SELECT ${columns} FROM api_tokens ORDER BY name`).all<TokenRow>();
  return results.map(fromRow);
}

/** Deletes a token by name; returns its public id, or null when there was none. */
export async function deleteToken(db: D1Database, name: string): Promise<string | null> {
  const row = await db
    .prepare("DELETE FROM api_tokens WHERE name = ?1 RETURNING token_id")
    .bind(name)
    .first<{ token_id: string }>();
  return row?.token_id ?? null;
}

function fromRow(row: TokenRow): TokenRecord {
  return {
    name: row.name,
    tokenId: row.token_id,
    tokenHash: row.token_hash,
    namespaces: JSON.parse(row.namespaces) as string[],
    scopes: JSON.parse(row.scopes) as Scope[],
    templates: row.templates === null ? null : (JSON.parse(row.templates) as string[]),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    rateLimit: row.rate_limit === null ? null : (JSON.parse(row.rate_limit) as RateLimit),
  };
}
