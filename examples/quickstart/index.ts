// Quickstart: one Salesforce connection ("account") in Flow Service, its password and security
// token taken from secret stack config. `npm start` runs this against the local emulator;
// pointing it at Adobe is a matter of the flowservice:* config keys (see README).
import * as pulumi from "@pulumi/pulumi";
import { Connection } from "pulumi-flowservice";

const config = new pulumi.Config();

const salesforce = new Connection("salesforce", {
  name: "Salesforce (quickstart)",
  description: config.get("description") ?? "CRM accounts, managed by Pulumi",
  connectionSpec: { id: "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5", version: "1.0" },
  auth: {
    specName: "Basic Authentication",
    params: {
      environmentUrl: "login.salesforce.com",
      username: config.get("salesforceUser") ?? "integration@example.com",
      // Rotating a credential is a config change: `pulumi config set --secret salesforcePassword …`.
      password: config.requireSecret("salesforcePassword"),
      securityToken: config.requireSecret("salesforceSecurityToken"),
    },
  },
});

export const connectionId = salesforce.id;
export const etag = salesforce.etag;
export const state = salesforce.state;
