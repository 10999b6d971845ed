// Credential rotation from secret config. Each secret lives in the stack's config, encrypted;
// rotating one is a config change followed by `pulumi up`, which sends one PATCH with one op:
//
//   pulumi config set --secret s3SecretKey 'wJalrXUtnFEMI/K7MDENG/…'
//   pulumi up
import * as pulumi from "@pulumi/pulumi";
import { Connection } from "pulumi-flowservice";

const config = new pulumi.Config();

const landing = new Connection("landing-bucket", {
  name: "Landing bucket",
  description: "Raw files from the data lake",
  connectionSpec: { id: "ecadc60c-7455-4d87-84dc-2a0e293d997b", version: "1.0" },
  auth: {
    specName: "Access Key",
    params: {
      s3AccessKey: config.require("s3AccessKey"),
      s3SecretKey: config.requireSecret("s3SecretKey"),
    },
  },
});

const archive = new Connection("archive", {
  name: "Archive container",
  connectionSpec: { id: "4c10e202-c428-4796-9208-5f1f5732b1cf", version: "1.0" },
  auth: { specName: "ConnectionString", params: { connectionString: config.requireSecret("azureConnectionString") } },
});

export const etags = { landing: landing.etag, archive: archive.etag };
