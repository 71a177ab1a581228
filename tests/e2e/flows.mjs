// Steps several end-to-end tests share.
import { join, resolve } from "node:path";

const artifacts = join(resolve(import.meta.dirname, "../.."), "tests/artifacts");

/** Walks the first-run screens as a new advisor on respect-mal-current. */
export async function firstRun(s, { shots = false } = {}) {
  await s.waitForText("h1", "Set up Confide");
  await s.waitForText("fieldset", "Respect Phoneline and Men's Advice Line (current policy)");
  if (shots) await s.screenshot(artifacts, "01-first-run");
  await s.click('input[value="respect-mal-current"]');
  await s.type("input[maxlength='80']", "Ash");
  await s.click('option[value="advisor"]');
  await s.click('button[type="submit"]');
  await s.waitForText("h1", "Confidentiality agreement");
  await s.waitForText(".agreement", "Respect will not inform perpetrators");
  await s.waitForText("p.muted", "version current-1");
  if (shots) await s.screenshot(artifacts, "02-agreement");
  await s.click('input[type="checkbox"]');
  await s.click("section.card > button");
  await s.waitForText("h1", "Inbox");
}

