import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import type { DB } from "../../src/db/database.js";
import { COMMAND_LINE, createUser } from "../../src/services/people/users.js";
import { Agent } from "./agent.js";
import { TEST_HASHING } from "./app.js";

/**
 * Creates a user as an admin would and signs them in. The one-time password is accepted
 * as theirs (the must-choose-a-password step has its own tests).
 */
export async function userAgent(
  app: FastifyInstance,
  db: Kysely<DB>,
  email: string,
  role: string,
  scope: string,
): Promise<{ agent: Agent; id: number; password: string }> {
  const { user, oneTimePassword } = await createUser(
    db,
    COMMAND_LINE,
    { email, role, scope },
    TEST_HASHING,
  );
  await db
    .updateTable("users")
    .set({ must_change_password: 0 })
    .where("id", "=", user.id)
    .execute();
  const agent = await new Agent(app).signIn(email, oneTimePassword);
  return { agent, id: user.id, password: oneTimePassword };
}
