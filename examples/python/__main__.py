"""Two Flow Service connections from a Python program, with the generated SDK (pulumi_flowservice).

Setup (docs/sdks.md): `npx flowservice-plugin install` (from the npm package pulumi-flowservice)
puts the provider plugin into Pulumi's plugin folder; `pip install` the pulumi_flowservice wheel
(`bash scripts/sdk.sh --wheel DIR` builds it, or `pip install ./sdk/python` from a checkout). Then:
    pulumi config set flowservice:clientId …   (and flowservice:orgId; --secret flowservice:clientSecret)
    pulumi config set s3AccessKey AKIA…
    pulumi config set --secret s3SecretKey …
    pulumi config set --secret salesforcePassword …
    pulumi config set --secret salesforceSecurityToken …
    pulumi up
Rotating a key: `pulumi config set --secret s3SecretKey NEW`, `pulumi preview --diff` (names
s3SecretKey), then `pulumi up` (one PATCH, If-Match from state).
"""
import pulumi
import pulumi_flowservice as flowservice

config = pulumi.Config()

# Params the connector marks secret (s3SecretKey, password, securityToken) are held as secrets by
# the provider whether or not the program wraps them; wrap others with pulumi.Output.secret().
s3 = flowservice.Connection(
    "s3",
    name="Amazon S3 (Python)",
    description="Landing bucket, managed from a Python program",
    connection_spec=flowservice.ConnectionSpecArgs(id="ecadc60c-7455-4d87-84dc-2a0e293d997b", version="1.0"),
    auth=flowservice.AuthArgs(
        spec_name="Access Key",
        params={
            "s3AccessKey": config.require("s3AccessKey"),
            "s3SecretKey": config.require_secret("s3SecretKey"),
        },
    ),
)

crm = flowservice.Connection(
    "crm",
    name="Salesforce (Python)",
    connection_spec=flowservice.ConnectionSpecArgs(id="cfc0fee1-7dc0-40ef-b73e-d8b134c436f5", version="1.0"),
    auth=flowservice.AuthArgs(
        spec_name="Basic Authentication",
        params={
            "environmentUrl": "login.salesforce.com",
            "username": "integration@example.com",
            "password": config.require_secret("salesforcePassword"),
            "securityToken": config.require_secret("salesforceSecurityToken"),
        },
    ),
)

pulumi.export("s3Id", s3.connection_id)
pulumi.export("s3Etag", s3.etag)
pulumi.export("crmId", crm.connection_id)
pulumi.export("state", s3.state)
