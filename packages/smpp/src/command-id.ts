/** command_id of every PDU this package speaks. A response's id is the request's | 0x80000000. */
export const CommandId = {
  generic_nack: 0x80000000,
  bind_receiver: 0x00000001,
  bind_receiver_resp: 0x80000001,
  bind_transmitter: 0x00000002,
  bind_transmitter_resp: 0x80000002,
  query_sm: 0x00000003,
  query_sm_resp: 0x80000003,
  submit_sm: 0x00000004,
  submit_sm_resp: 0x80000004,
  deliver_sm: 0x00000005,
  deliver_sm_resp: 0x80000005,
  unbind: 0x00000006,
  unbind_resp: 0x80000006,
  cancel_sm: 0x00000008,
  cancel_sm_resp: 0x80000008,
  bind_transceiver: 0x00000009,
  bind_transceiver_resp: 0x80000009,
  enquire_link: 0x00000015,
  enquire_link_resp: 0x80000015,
  data_sm: 0x00000103,
  data_sm_resp: 0x80000103,
} as const;

export type CommandName = keyof typeof CommandId;

const byId = new Map<number, CommandName>(
  (Object.keys(CommandId) as CommandName[]).map((name) => [CommandId[name], name]),
);

export function commandNameOf(commandId: number): CommandName | undefined {
  return byId.get(commandId);
}

/** True for response ids (high bit set), including generic_nack. */
export function isResponseId(commandId: number): boolean {
  return commandId >= 0x80000000;
}
