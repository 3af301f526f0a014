import { type Kysely, sql } from "kysely";
import { strictTable } from "../src/db/sqlite/sqlite.js";

/** The call purposes every portal starts with (product.md §1). */
const SEEDED_CALL_PURPOSES: Array<[code: string, name: string]> = [
  ["customer_service", "Customer Service"],
  ["informational", "Informational/Notification"],
  ["appointment_reminder", "Appointment Reminder"],
  ["debt_collection", "Debt Collection"],
  ["charity", "Charity"],
  ["political", "Political"],
  ["survey", "Survey"],
  ["telemarketing", "Telemarketing"],
  ["multi_use", "Multi-Use Line"],
  ["prison", "Prison"],
  ["do_not_originate", "Do Not Originate"],
];

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("businesses")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .modifyEnd(strictTable)
    .execute();
  await db.schema
    .createIndex("businesses_name_key")
    .on("businesses")
    .unique()
    .expression(sql`lower(name)`)
    .execute();

  await db.schema
    .createTable("business_units")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("business_id", "integer", (c) => c.notNull().references("businesses.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    // Target of the composite keys below: a unit together with the business it belongs to.
    .addUniqueConstraint("business_units_id_business", ["id", "business_id"])
    .modifyEnd(strictTable)
    .execute();
  await db.schema
    .createIndex("business_units_name_key")
    .on("business_units")
    .unique()
    .expression(sql`business_id, lower(name)`)
    .execute();

  await db.schema
    .createTable("call_purposes")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("code", "text", (c) => c.unique())
    .addColumn("retired_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .modifyEnd(strictTable)
    .execute();
  await db.schema
    .createIndex("call_purposes_name_key")
    .on("call_purposes")
    .unique()
    .expression(sql`lower(name)`)
    .execute();

  await db.schema
    .createTable("programs")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("business_id", "integer", (c) => c.notNull())
    .addColumn("business_unit_id", "integer", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("default_call_purpose_id", "integer", (c) =>
      c.notNull().references("call_purposes.id"),
    )
    .addColumn("starts_on", "text")
    .addColumn("ends_on", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addForeignKeyConstraint(
      "programs_unit_in_business",
      ["business_unit_id", "business_id"],
      "business_units",
      ["id", "business_id"],
    )
    .addUniqueConstraint("programs_id_unit", ["id", "business_unit_id"])
    .addCheckConstraint(
      "programs_duration_order",
      sql`starts_on is null or ends_on is null or ends_on >= starts_on`,
    )
    .modifyEnd(strictTable)
    .execute();
  await db.schema
    .createIndex("programs_name_key")
    .on("programs")
    .unique()
    .expression(sql`business_unit_id, lower(name)`)
    .execute();
  await db.schema.createIndex("programs_business").on("programs").column("business_id").execute();

  await db.schema
    .createTable("phone_numbers")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("e164", "text", (c) => c.notNull().unique())
    .addColumn("business_id", "integer", (c) => c.notNull().references("businesses.id"))
    .addColumn("business_unit_id", "integer")
    .addColumn("program_id", "integer")
    .addColumn("call_purpose_id", "integer", (c) => c.notNull().references("call_purposes.id"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    // Containment (business ⊇ unit ⊇ program) is enforced by the database itself:
    // the unit must belong to the number's business and the program to its unit.
    .addForeignKeyConstraint(
      "phone_numbers_unit_in_business",
      ["business_unit_id", "business_id"],
      "business_units",
      ["id", "business_id"],
    )
    .addForeignKeyConstraint(
      "phone_numbers_program_in_unit",
      ["program_id", "business_unit_id"],
      "programs",
      ["id", "business_unit_id"],
    )
    .addCheckConstraint(
      "phone_numbers_program_needs_unit",
      sql`program_id is null or business_unit_id is not null`,
    )
    .modifyEnd(strictTable)
    .execute();
  for (const column of ["business_id", "business_unit_id", "program_id", "call_purpose_id"]) {
    await db.schema
      .createIndex(`phone_numbers_${column}`)
      .on("phone_numbers")
      .columns([column, "created_at"])
      .execute();
  }

  await db.schema
    .createTable("users")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) =>
      c.notNull().check(sql`role in ('portal_admin', 'admin', 'editor', 'viewer')`),
    )
    .addColumn("business_id", "integer", (c) => c.references("businesses.id"))
    .addColumn("business_unit_id", "integer")
    .addColumn("password_hash", "text")
    .addColumn("disabled_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addForeignKeyConstraint(
      "users_unit_in_business",
      ["business_unit_id", "business_id"],
      "business_units",
      ["id", "business_id"],
    )
    // A portal admin has no scope; everyone else is scoped to a business or one of its units.
    .addCheckConstraint(
      "users_scope_matches_role",
      sql`(role = 'portal_admin' and business_id is null and business_unit_id is null)
        or (role <> 'portal_admin' and business_id is not null)`,
    )
    .modifyEnd(strictTable)
    .execute();
  await db.schema
    .createIndex("users_email_key")
    .on("users")
    .unique()
    .expression(sql`lower(email)`)
    .execute();

  await db.schema
    .createTable("sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("last_seen_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .modifyEnd(strictTable)
    .execute();
  await db.schema.createIndex("sessions_user").on("sessions").column("user_id").execute();

  await db.schema
    .createTable("audit_events")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("occurred_at", "text", (c) => c.notNull())
    .addColumn("actor_user_id", "integer")
    .addColumn("actor_email", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("subject_type", "text", (c) => c.notNull())
    .addColumn("subject_id", "integer")
    .addColumn("business_id", "integer")
    .addColumn("business_unit_id", "integer")
    .addColumn("program_id", "integer")
    .addColumn("phone_number", "text")
    .addColumn("summary", "text", (c) => c.notNull())
    .addColumn("before_json", "text")
    .addColumn("after_json", "text")
    .modifyEnd(strictTable)
    .execute();
  await db.schema
    .createIndex("audit_events_business")
    .on("audit_events")
    .columns(["business_id", "occurred_at"])
    .execute();
  await db.schema
    .createIndex("audit_events_phone_number")
    .on("audit_events")
    .columns(["phone_number", "occurred_at"])
    .execute();

  const now = new Date().toISOString();
  await db
    .insertInto("call_purposes")
    .values(
      SEEDED_CALL_PURPOSES.map(([code, name]) => ({
        code,
        name,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "audit_events",
    "sessions",
    "users",
    "phone_numbers",
    "programs",
    "call_purposes",
    "business_units",
    "businesses",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
