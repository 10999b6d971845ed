// Several connections from a list: one SFTP drop per partner. Adding a partner to the list
// creates a connection; removing one deletes it; changing one password patches only that one.
//
//   pulumi config set --path 'partners[0].name' acme
//   pulumi config set --path 'partners[0].host' sftp.acme.example
//   pulumi config set --path 'partners[0].user' aep
//   pulumi config set --secret sftpPassword-acme …
import * as pulumi from "@pulumi/pulumi";
import { Connection } from "pulumi-flowservice";

interface Partner {
  name: string;
  host: string;
  user: string;
}

const config = new pulumi.Config();
const partners = config.requireObject<Partner[]>("partners");

export const connections = partners.map((p) => {
  const conn = new Connection(`sftp-${p.name}`, {
    name: `SFTP drop: ${p.name}`,
    connectionSpec: { id: "b7bf2577-4520-42c9-bae9-cad01560f7bc", version: "1.0" },
    auth: {
      specName: "Basic Authentication for sftp",
      params: { host: p.host, userName: p.user, password: config.requireSecret(`sftpPassword-${p.name}`) },
    },
  });
  return { partner: p.name, id: conn.id, etag: conn.etag };
});
