/** The stored trail as the operator reads it: one line per event, its data as stored. */
export function trailText(
  messageId: string,
  events: ReadonlyArray<{ type: string; accountId: string; occurredAt: string; data: unknown }>,
): string {
  if (events.length === 0) return `No events stored for ${messageId}.`;
  const header = `${messageId} (account ${events[0]?.accountId ?? "?"}), ${events.length} event(s):`;
  const lines = events.map(
    (event) => `${event.occurredAt}  ${event.type.padEnd(17)} ${JSON.stringify(event.data)}`,
  );
  return [header, ...lines].join("\n");
}
