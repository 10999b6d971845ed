"""A Flow Service connection, with the generated SDK pulumi_flowservice (see docs/sdks.md).

The provider plugin comes from the npm package: `npx flowservice-plugin install`.
"""
import pulumi
import pulumi_flowservice as flowservice

config = pulumi.Config()

# One Flow Service base connection (an account). The connector's secret params (password,
# securityToken) are held as secrets: never in clear in state, previews or logs. Rotate one with
# `pulumi config set --secret salesforcePassword NEW` and `pulumi up`: one PATCH, If-Match from state.
crm = flowservice.Connection(
    "crm",
    name="Salesforce",
    description="CRM source",
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

pulumi.export("connectionId", crm.connection_id)
pulumi.export("etag", crm.etag)
pulumi.export("state", crm.state)
