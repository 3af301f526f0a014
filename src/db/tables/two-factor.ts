import type { Generated, Selectable } from "kysely";

export interface TwoFactorTable {
  user_id: number;
  /** Base32 TOTP secret; null until enrolment is confirmed with a first code. */
  secret: string | null;
  /** The secret shown on the enrolment page, waiting for its first code. */
  pending_secret: string | null;
  /** The last 30-second step a code was accepted for: a code is never accepted twice. */
  last_step: Generated<number>;
  enabled_at: string | null;
}
export type TwoFactor = Selectable<TwoFactorTable>;

export interface RecoveryCodeTable {
  id: Generated<number>;
  user_id: number;
  /** SHA-256 (hex) of the normalised code. */
  code_hash: string;
  used_at: string | null;
}

export interface SignInChallengeTable {
  /** SHA-256 of the challenge cookie's token. */
  id: string;
  user_id: number;
  /** Where the sign-in goes once the code is given (already a safe local path). */
  next: string;
  expires_at: string;
}
export type SignInChallenge = Selectable<SignInChallengeTable>;

export interface TwoFactorRuleTable {
  id: Generated<number>;
  /** Null: the rule covers the whole portal. */
  business_id: number | null;
  created_at: string;
}
