import type { Generated, Insertable, Selectable, Updateable } from "kysely";

import type { Role } from "../../domain/permissions.js";

export type { Role };

export interface UserTable {
  id: Generated<number>;
  email: string;
  role: Role;
  /** Scope: null for a portal admin; a business, or a unit (with its business) for others. */
  business_id: number | null;
  business_unit_id: number | null;
  password_hash: string | null;
  /** 1 when an admin issued the password: the user must choose their own at sign-in. */
  must_change_password: Generated<number>;
  disabled_at: string | null;
  created_at: string;
  updated_at: string;
}
export type User = Selectable<UserTable>;
export type NewUser = Insertable<UserTable>;
export type UserUpdate = Updateable<UserTable>;

export interface SessionTable {
  /** SHA-256 of the cookie token, so a database copy holds no usable session. */
  id: string;
  user_id: number;
  created_at: string;
  last_seen_at: string;
  /** Absolute end of the session, whatever its activity. */
  expires_at: string;
}
export type Session = Selectable<SessionTable>;
export type NewSession = Insertable<SessionTable>;

export interface ServerSecretTable {
  name: string;
  value: string;
  created_at: string;
}
