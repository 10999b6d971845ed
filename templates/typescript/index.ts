import * as pulumi from "@pulumi/pulumi";
import { Connection } from "pulumi-flowservice";

const config = new pulumi.Config();

// One Flow Service base connection (an account). The connector's secret params (password,
// securityToken) are held as secrets: never in clear in state, previews or logs. Rotate one with
// `pulumi config set --secret salesforcePassword NEW` and `pulumi up`: one PATCH, If-Match from state.
const crm = new Connection("crm", {
  name: "Salesforce",
  description: "CRM source",
  connectionSpec: { id: "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5", version: "1.0" },
  auth: {
    specName: "Basic Authentication",
    params: {
      environmentUrl: "login.salesforce.com",
      username: "integration@example.com",
      password: config.requireSecret("salesforcePassword"),
      securityToken: config.requireSecret("salesforceSecurityToken"),
    },
  },
});

export const connectionId = crm.id;
export const etag = crm.etag;
export const state = crm.state;
