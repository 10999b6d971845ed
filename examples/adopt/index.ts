// Adopting connections that already exist (made in the UI, or by a script). Pulumi's `import`
// does not work for dynamic resources, so adoption is the `adoptId` argument: `up` reads the
// connection, checks its connector, and PATCHes it to what is declared here (secrets are always
// sent once, since Flow Service never returns them).
//
// `pulumi destroy` leaves adopted connections in place unless `deleteOnDestroy: true`.
//
//   pulumi config set salesforceConnectionId 139f6a5f-a78b-4744-9f6a-5fa78bd74431
//   pulumi config set --secret salesforcePassword …
//   pulumi config set --secret salesforceSecurityToken …
import * as pulumi from "@pulumi/pulumi";
import { Connection } from "pulumi-flowservice";

const config = new pulumi.Config();

const salesforce = new Connection("salesforce", {
  adoptId: config.require("salesforceConnectionId"),
  name: "Salesforce prod",
  description: "Adopted from the UI; managed by Pulumi since then",
  connectionSpec: { id: "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5", version: "1.0" },
  auth: {
    specName: "Basic Authentication",
    params: {
      environmentUrl: "login.salesforce.com",
      username: config.require("salesforceUser"),
      password: config.requireSecret("salesforcePassword"),
      securityToken: config.requireSecret("salesforceSecurityToken"),
    },
  },
  // Keep the default (false) for connections that must outlive this stack.
  deleteOnDestroy: false,
});

export const adopted = salesforce.adopted;
export const etag = salesforce.etag;
