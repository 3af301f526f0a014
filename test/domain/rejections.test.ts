import t from "tap";
import {
  NOT_FOUND_MESSAGE,
  REJECTION_LABELS,
  rejectionSentence,
} from "../../src/domain/rejections.js";

t.test("a rejection reads as one sentence, its reason said once", async (t) => {
  t.equal(
    rejectionSentence(REJECTION_LABELS.ALREADY_HERE, "It is in ACME Corp › Billing."),
    "Already here: It is in ACME Corp › Billing.",
  );
  t.equal(
    rejectionSentence(REJECTION_LABELS.NOT_FOUND, NOT_FOUND_MESSAGE),
    NOT_FOUND_MESSAGE,
    "a message that starts with its reason is said alone",
  );
  t.equal(rejectionSentence(REJECTION_LABELS.INVALID_FORMAT, null), "Invalid format");
  t.equal(rejectionSentence(REJECTION_LABELS.INVALID_FORMAT, ""), "Invalid format");
});
