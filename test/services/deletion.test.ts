import t from "tap";
import { describeDeletion } from "../../src/services/hierarchy/deletion-check.js";

const empty = { numbers: 0, users: 0, units: 0, programs: 0 };

t.test("a place holding numbers cannot be deleted, and the message says how many", async (t) => {
  const check = describeDeletion("business unit", { ...empty, numbers: 1234, programs: 2 });
  t.notOk(check.allowed);
  t.equal(
    check.message,
    "still holds 1,234 phone numbers. Move or delete them before deleting this business unit.",
  );
  t.match(
    describeDeletion("program", { ...empty, numbers: 1 }).message,
    /still holds 1 phone number\./,
  );
});

t.test("users scoped to a place also block its deletion", async (t) => {
  const check = describeDeletion("business", { ...empty, users: 2 });
  t.notOk(check.allowed);
  t.match(check.message, /still has 2 users scoped to it/);
});

t.test("an empty place can go, and what goes with it is named", async (t) => {
  t.same(describeDeletion("program", empty), {
    allowed: true,
    message: "It holds no phone numbers.",
    holdings: empty,
  });
  t.match(
    describeDeletion("business", { ...empty, units: 3, programs: 1 }).message,
    /Its 3 business units and 1 program will be deleted with it/,
  );
});
