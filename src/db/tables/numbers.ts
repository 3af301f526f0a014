import type { Generated, Insertable, Selectable } from "kysely";

export interface PhoneNumberTable {
  id: Generated<number>;
  /** E.164, unique in the whole portal: a number has one home. */
  e164: string;
  business_id: number;
  /** Null = assigned at business level. */
  business_unit_id: number | null;
  /** Null = not in a program; requires business_unit_id when set. */
  program_id: number | null;
  call_purpose_id: number;
  created_at: string;
  updated_at: string;
}
export type PhoneNumber = Selectable<PhoneNumberTable>;
export type NewPhoneNumber = Insertable<PhoneNumberTable>;
