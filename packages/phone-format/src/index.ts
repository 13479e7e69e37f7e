export {
  type FormattedPhone,
  formatPhone,
  MAX_PHONE_INPUT,
  type PhoneFormatProblem,
  type PhoneFormatResult,
} from "./format.ts";
export { e164OfInternationalDigits } from "./international.ts";
