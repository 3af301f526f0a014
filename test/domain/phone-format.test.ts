import t from "tap";
import { formatNational, setHomeRegion } from "../../src/domain/phone-format.js";

t.test("numbers of the home country in national format, others international", async (t) => {
  t.teardown(() => setHomeRegion("US"));
  setHomeRegion("US");
  t.equal(formatNational("+12133734253"), "(213) 373-4253");
  t.equal(formatNational("+442079460959"), "+44 20 7946 0959", "a UK number says its country");
  t.equal(formatNational("+14165550123"), "(416) 555-0123", "+1 shares the US's dialling");
  setHomeRegion("GB");
  t.equal(formatNational("+442079460959"), "020 7946 0959", "at home in a UK portal");
  t.equal(formatNational("+12133734253"), "+1 213 373 4253", "remembered formats are dropped");
  setHomeRegion(null);
  t.equal(formatNational("+442079460959"), "+44 20 7946 0959", "no home region: all international");
  t.equal(formatNational("not a number"), "not a number");
});
