// One definition, three sandboxes: the same Salesforce connection in dev, stage and prod, each
// with its own credentials from secret stack config. Every request for a connection carries its
// sandbox (x-sandbox-name); one IMS token serves them all.
//
//   pulumi config set --secret salesforcePassword-dev …
//   pulumi config set --secret salesforcePassword-stage …
//   pulumi config set --secret salesforcePassword-prod …
//   pulumi config set --secret salesforceSecurityToken …
//   pulumi up
//
// Rotating prod's password (`pulumi config set --secret salesforcePassword-prod …` + `pulumi up`)
// sends one PATCH, to the prod connection only.
import * as pulumi from "@pulumi/pulumi";
import { Connection } from "pulumi-flowservice";

const config = new pulumi.Config();

/** The CRM connection of one sandbox: the same declaration everywhere, that sandbox's own password. */
function crmConnection(sandboxName: string): Connection {
  return new Connection(`crm-${sandboxName}`, {
    name: "Salesforce CRM",
    description: `CRM accounts for ${sandboxName}`,
    // A change of sandbox is a new connection there (created first), then the old one deleted.
    sandboxName,
    connectionSpec: { id: "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5", version: "1.0" },
    auth: {
      specName: "Basic Authentication",
      params: {
        environmentUrl: "login.salesforce.com",
        username: config.get("salesforceUser") ?? "integration@example.com",
        password: config.requireSecret(`salesforcePassword-${sandboxName}`),
        securityToken: config.requireSecret("salesforceSecurityToken"),
      },
    },
  });
}

const crm = ["dev", "stage", "prod"].map(crmConnection);

export const connections = crm.map((c) => ({ sandbox: c.sandboxName, id: c.id, etag: c.etag }));
