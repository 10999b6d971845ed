// The constants that the tools and the tests share: the emulator's demo credentials, the Flow
// Service paths and the connection spec most tests declare. Defined once here. The emulator
// (emulator/) and the provider (provider/) keep their own copies on purpose: they share no code
// with each other or with the tools, so each checks the others.

export interface Credentials {
  clientId: string;
  clientSecret: string;
  orgId: string;
  sandboxName?: string;
}

/** The credentials the emulator accepts out of the box (see the README's emulator section). */
export const DEMO: Readonly<Required<Credentials>> = Object.freeze({
  clientId: "flowservice-demo-client",
  clientSecret: "flowservice-demo-secret",
  orgId: "DEMO0000000000000000000@AdobeOrg",
  sandboxName: "prod",
});

/** Where Flow Service lives under a platform host (https://platform.adobe.io or the emulator). */
export const FLOW_BASE_PATH = "/data/foundation/flowservice";

/** The IMS token endpoint under the IMS host (or the emulator). */
export const IMS_TOKEN_PATH = "/ims/token/v3";

/** The Salesforce connection spec id (version 1.0). */
export const SALESFORCE = "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5";

/** Salesforce Basic Authentication params: its instance, user and two secrets (the password and the security token). */
export function salesforceParams<S = string>(username: string, password: S, securityToken: S) {
  return { environmentUrl: "login.salesforce.com", username, password, securityToken };
}

/** A Salesforce connection's inputs (the body of POST /connections), the connector the demo, tests and benchmark declare. */
export function salesforceConnection<P>(name: string, params: P, description?: string) {
  return {
    name,
    ...(description === undefined ? {} : { description }),
    connectionSpec: { id: SALESFORCE, version: "1.0" },
    auth: { specName: "Basic Authentication", params },
  };
}
