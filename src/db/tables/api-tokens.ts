import type { Generated, Insertable, Selectable } from "kysely";

export interface ApiTokenTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  /** SHA-256 (hex) of the token: the token itself is shown once and never stored. */
  token_hash: string;
  /** The token's first characters, so its owner can tell tokens apart. */
  hint: string;
  created_at: string;
  /** Written at most once a minute per token. */
  last_used_at: string | null;
  revoked_at: string | null;
}
export type ApiToken = Selectable<ApiTokenTable>;
export type NewApiToken = Insertable<ApiTokenTable>;
