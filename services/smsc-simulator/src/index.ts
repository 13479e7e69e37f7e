export {
  DEFAULT_SIM_CARRIERS,
  loadSmscSimulatorConfig,
  SimBehaviour,
  type SimCarrier,
  type SmscSimulatorConfig,
  SmscSimulatorEnv,
} from "./config.ts";
export {
  createTpsWindow,
  type Delay,
  decideSubmit,
  type Profile,
  receiptIdFor,
  type SubmitDecision,
} from "./domain/behaviour.ts";
export { createMessageIds, type IdBase } from "./domain/message-ids.ts";
export { DEFAULT_OUTCOMES, type Outcome, outcomeFor, wantsReceipt } from "./domain/outcomes.ts";
export type { MoCommand, MoConcat } from "./domain/receipt.ts";
export { decodeText, describeSubmission, type Submission } from "./domain/submission.ts";
export type { BindCounts } from "./handlers/carrier.ts";
export { type StartedSmscSimulator, startSmscSimulator } from "./service.ts";
