/**
 * Personal API tokens for scripts (`Authorization: Bearer nd_…`). A token is 32 random bytes,
 * shown once when it is created; the database keeps only its SHA-256, like sessions. A token
 * acts as its user with the user's current role and scope, checked on every request.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "../../db/database.js";
import { isUniqueViolation } from "../../db/errors.js";
import type { ApiToken } from "../../db/tables/api-tokens.js";
import type { User } from "../../db/tables/users.js";
import { inWriteTransaction } from "../../db/transaction.js";
import { ForbiddenError, NotFoundError, ValidationError } from "../../domain/errors.js";
import { normaliseName, validateName } from "../../domain/names.js";
import type { CurrentUser } from "../../domain/permissions.js";
import {
  findLiveTokenOfUser,
  findLiveTokenWithUser,
  insertApiToken,
  listLiveTokensOfUser,
  revokeToken,
  touchToken,
} from "../../queries/api-tokens.js";
import { auditPlaceOf, recordAudit } from "../audit/audit.js";
import { COMMAND_LINE } from "./users.js";

/** Makes a leaked token easy to recognise (secret scanners, logs). */
const TOKEN_PREFIX = "nd_";
/** nd_ + 43 base64url characters (32 bytes). */
const TOKEN_SHAPE = /^nd_[A-Za-z0-9_-]{43}$/;
/** last_used_at is written at most this often, so scripted reads do not mean writes. */
const TOUCH_EVERY_MS = 60 * 1000;

const hashOf = (token: string): string => createHash("sha256").update(token).digest("hex");

/** The token in an `Authorization` header, or null when the header is not `Bearer <token>`. */
export function bearerTokenOf(header: string): string | null {
  const match = /^Bearer +(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

export interface CreatedToken {
  token: ApiToken;
  /** The token itself: shown once, never stored. */
  secret: string;
}

/**
 * Tokens are personal: a user makes their own (signed in, not with another token, so a leaked
 * token cannot mint successors), and the command line, run on the server, may make anyone's.
 */
function mayManageTokensOf(actor: CurrentUser, owner: CurrentUser): void {
  if (actor.token) throw new ForbiddenError("API tokens are managed from a signed-in session.");
  if (actor.id !== owner.id && actor.id !== COMMAND_LINE.id) {
    throw new ForbiddenError("API tokens are personal: each user manages their own.");
  }
}

export async function createApiToken(
  db: Kysely<DB>,
  actor: CurrentUser,
  owner: CurrentUser,
  rawName: string,
): Promise<CreatedToken> {
  mayManageTokensOf(actor, owner);
  const name = normaliseName(rawName);
  const problem = validateName(name, "token");
  if (problem) throw new ValidationError({ name: problem });
  const secret = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  try {
    return await inWriteTransaction(db, async (trx) => {
      const now = new Date().toISOString();
      const token = await insertApiToken(trx, {
        user_id: owner.id,
        name,
        token_hash: hashOf(secret),
        hint: secret.slice(0, TOKEN_PREFIX.length + 4),
        created_at: now,
      });
      await recordAudit(
        trx,
        actor,
        {
          action: "token.create",
          subjectType: "api_token",
          subjectId: token.id,
          place: auditPlaceOf(owner.scope),
          summary: `Created the API token “${name}” of ${owner.email}`,
          after: { name, hint: token.hint },
        },
        now,
      );
      return { token, secret };
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw new ValidationError({ name: `There is already a token named “${name}”.` });
  }
}

export function listApiTokens(db: Kysely<DB>, owner: CurrentUser): Promise<ApiToken[]> {
  return listLiveTokensOfUser(db, owner.id);
}

/** Revokes one of the owner's live tokens; another user's token id is simply not found. */
export async function revokeApiToken(
  db: Kysely<DB>,
  actor: CurrentUser,
  owner: CurrentUser,
  id: number,
): Promise<ApiToken> {
  mayManageTokensOf(actor, owner);
  return inWriteTransaction(db, async (trx) => {
    const token = await findLiveTokenOfUser(trx, owner.id, id);
    if (!token) throw new NotFoundError("No such token.");
    const now = new Date().toISOString();
    await revokeToken(trx, token.id, now);
    await recordAudit(
      trx,
      actor,
      {
        action: "token.revoke",
        subjectType: "api_token",
        subjectId: token.id,
        place: auditPlaceOf(owner.scope),
        summary: `Revoked the API token “${token.name}” of ${owner.email}`,
        before: { name: token.name, hint: token.hint },
      },
      now,
    );
    return { ...token, revoked_at: now };
  });
}

/**
 * The live token and its enabled user for a bearer token, or null (unknown, revoked, or its
 * user disabled). Marks it used, at most once a minute.
 */
export async function authenticateToken(
  db: Kysely<DB>,
  secret: string,
  now = new Date(),
): Promise<{ token: ApiToken; user: User } | null> {
  if (!TOKEN_SHAPE.test(secret)) return null;
  const found = await findLiveTokenWithUser(db, hashOf(secret));
  if (!found || found.user.disabled_at !== null) return null;
  const lastUsed = found.token.last_used_at ? Date.parse(found.token.last_used_at) : 0;
  if (now.getTime() - lastUsed >= TOUCH_EVERY_MS) {
    await touchToken(db, found.token.id, now.toISOString());
  }
  return found;
}
