import { formatPhone } from "@smsgw/phone-format";
import type { Router } from "express";
import { phonePage } from "../domain/pages/tools.ts";
import { pageContext } from "./security.ts";

/** The phone formatter: public (no account needed), the same code as `GET /v1/phone/format`. */
export function mountTools(router: Router): void {
  router.get("/tools/phone", (req, res) => {
    const text = (v: unknown) => (typeof v === "string" ? v.slice(0, 64) : "");
    const input = {
      number: text(req.query.number),
      country: text(req.query.country).toUpperCase(),
    };
    if (input.number === "")
      return void res.send(phonePage(pageContext(res), input, null, null).value);
    const checked = formatPhone(input.number, input.country);
    if (checked.ok)
      return void res.send(phonePage(pageContext(res), input, checked.value, null).value);
    res.status(422).send(phonePage(pageContext(res), input, null, checked.error.message).value);
  });
}
