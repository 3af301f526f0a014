import type { FastifyInstance } from "fastify";
import { parsePhoneInput } from "../../domain/phone-input.js";
import { splitEntries } from "../../services/runs/entry-list.js";

export interface NumberCheckOptions {
  /** config.defaultRegion: how numbers typed without a country code are read (null = asked). */
  defaultRegion: string | null;
}

interface CheckQuery {
  number?: string;
}

/**
 * The live check beside a phone-number field: is what was typed so far a valid number, and
 * which one. It reads numbers exactly as the Add and Delete runs do (parsePhoneInput), so the
 * green checkmark promises the run will accept it. Always 200: it answers a question, it does
 * not refuse a form.
 */
export async function numberCheckRoutes(
  app: FastifyInstance,
  { defaultRegion }: NumberCheckOptions,
): Promise<void> {
  app.get<{ Querystring: CheckQuery }>(
    "/numbers/check",
    {
      // A repeated ?number= arrives as an array: 400 rather than checking one of them.
      schema: { querystring: { type: "object", properties: { number: { type: "string" } } } },
    },
    async (request, reply) => {
      const raw = request.query.number ?? "";
      // Several numbers pasted into a list's field: the list checks each once they are added.
      const several = splitEntries(raw).length;
      if (several > 1 && !request.wantsJson) {
        return reply.fragment("numbers/_check", {
          result: null,
          note: `${several.toLocaleString("en-US")} numbers: adding them to the list checks each one.`,
        });
      }
      const result = parsePhoneInput(raw, defaultRegion);
      if (request.wantsJson) {
        return result.ok
          ? { valid: true, e164: result.e164, national: result.national }
          : { valid: false, code: result.code, message: result.message };
      }
      // Nothing typed yet (or all erased): no verdict, rather than an error under an empty field.
      return reply.fragment("numbers/_check", { result: raw.trim() === "" ? null : result });
    },
  );
}
