// Realistic connector fixtures (flow-service-api.md) shared by the unit tests.
import { SALESFORCE, salesforceConnection, salesforceParams } from "../../tools/demo";

export { SALESFORCE };
export const S3 = "ecadc60c-7455-4d87-84dc-2a0e293d997b";
export const AZURE_BLOB = "4c10e202-c428-4796-9208-5f1f5732b1cf";

export function salesforceInputs(overrides: Record<string, unknown> = {}) {
  return {
    ...salesforceConnection("Salesforce prod", salesforceParams("sf-user", "pw-1", "tok-1"), "CRM accounts"),
    secretKeys: ["password", "securityToken"],
    ...overrides,
  };
}

export function salesforceOutputs(overrides: Record<string, unknown> = {}) {
  return {
    ...salesforceInputs(),
    connectionId: "139f6a5f-a78b-4744-9f6a-5fa78bd74431",
    etag: '"1400dd53-0000-0200-0000-5f3f23450000"',
    adopted: false,
    state: "enabled",
    createdAt: 1597973312000,
    updatedAt: 1597973312000,
    sandboxName: "prod",
    ...overrides,
  };
}
