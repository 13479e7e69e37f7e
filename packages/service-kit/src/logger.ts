import { trace } from "@opentelemetry/api";
import { type Logger, pino } from "pino";

export type { Logger } from "pino";

// Credentials never reach a log line, whatever object a handler logs.
const REDACT = [
  "token",
  "password",
  "secret",
  "webhookSecrets",
  "tokenSha256",
  "*.token",
  "*.password",
  "*.secret",
  "*.webhookSecrets",
  "*.tokenSha256",
  "req.headers.authorization",
  "headers.authorization",
];

export function createLogger(service: string, level = "info"): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT, censor: "[redacted]" },
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const span = trace.getActiveSpan();
      if (!span) return {};
      const { traceId, spanId } = span.spanContext();
      return { traceId, spanId };
    },
  });
}
