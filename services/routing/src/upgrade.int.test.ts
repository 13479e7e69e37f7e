import { NATS_OPERATOR_USER, subjects as subjectsFor } from "@smsgw/contracts";
import { BaseEnv, connectNats, ensureEventStream, loadConfig, type Nats } from "@smsgw/service-kit";
import { createTestInfra, type TestInfra, waitFor } from "@smsgw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRoutingConfig } from "./config.ts";
import { ROUTING_DURABLES, type StartedRouting, startRouting } from "./service.ts";
import { deleteRoutingBuckets, silent } from "./test-support.ts";

let infra: TestInfra;
let operator: Nats;
let routing: StartedRouting | undefined;

beforeAll(async () => {
  infra = await createTestInfra({ HEALTH_PORT: "0" }, { natsUser: "routing" });
  operator = await connectNats(
    loadConfig(BaseEnv, infra.envOf(NATS_OPERATOR_USER)),
    "routing-upgrade-test",
    silent,
  );
});

afterAll(async () => {
  await routing?.stop();
  await operator?.nc.close();
  await deleteRoutingBuckets(infra.env.NATS_URL ?? "", infra.prefix);
  await infra?.cleanup();
});

const heldDurableExists = async (stream: string) =>
  operator.jsm.consumers
    .info(stream, ROUTING_DURABLES.held)
    .then(() => true)
    .catch(() => false);

describe("routing during a roll-out", () => {
  it("when the stream does not hold the held subject yet (an event store of the version before), routing starts, and creates its held durable once the stream does", async () => {
    const subjects = subjectsFor(infra.prefix);
    // The stream as the event store of the version before left it: no `<p>.routing.>`.
    await operator.jsm.streams.add({
      name: subjects.stream,
      subjects: subjects.streamSubjects.filter((s) => s !== `${infra.prefix}.routing.>`),
    });

    routing = await startRouting(loadRoutingConfig(infra.env), silent);
    expect(await heldDurableExists(subjects.stream)).toBe(false);

    // The new event store comes up and updates the stream (only its user may).
    expect(await ensureEventStream(operator.jsm, subjects)).toBe("updated");
    await waitFor(() => heldDurableExists(subjects.stream), {
      timeoutMs: 15_000,
      what: "routing's held durable, created once the stream holds its subject",
    });
  });
});
