import type { Generated, Insertable, Selectable, Updateable } from "kysely";

export interface BusinessTable {
  id: Generated<number>;
  name: string;
  created_at: string;
  updated_at: string;
}
export type Business = Selectable<BusinessTable>;
export type NewBusiness = Insertable<BusinessTable>;

export interface BusinessUnitTable {
  id: Generated<number>;
  business_id: number;
  name: string;
  created_at: string;
  updated_at: string;
}
export type BusinessUnit = Selectable<BusinessUnitTable>;
export type NewBusinessUnit = Insertable<BusinessUnitTable>;

export interface ProgramTable {
  id: Generated<number>;
  /** Copied from the unit so the database can check that a number's places agree. */
  business_id: number;
  business_unit_id: number;
  name: string;
  display_name: string;
  default_call_purpose_id: number;
  /** ISO dates (YYYY-MM-DD); null = open-ended on that side. */
  starts_on: string | null;
  ends_on: string | null;
  created_at: string;
  updated_at: string;
}
export type Program = Selectable<ProgramTable>;
export type NewProgram = Insertable<ProgramTable>;
export type ProgramUpdate = Updateable<ProgramTable>;

export interface CallPurposeTable {
  id: Generated<number>;
  name: string;
  /** Stable code for seeded purposes the code relies on (e.g. do_not_originate); null for added ones. */
  code: string | null;
  retired_at: string | null;
  created_at: string;
  updated_at: string;
}
export type CallPurpose = Selectable<CallPurposeTable>;
export type NewCallPurpose = Insertable<CallPurposeTable>;
