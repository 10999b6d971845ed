"""An Amazon S3 connection in Flow Service, from a Python program.

The connection is served by the provider plugin `pulumi-resource-flowservice`; install it once with
    pulumi plugin install resource flowservice 0.1.0 --file pulumi-resource-flowservice-v0.1.0.tgz
(`npm run plugin:package` builds the tarball), or put the package's bin/ folder on PATH. Then:
    pulumi config set flowservice:clientId …   (and orgId; secret flowservice:clientSecret)
    pulumi config set s3AccessKey AKIA…
    pulumi config set --secret s3SecretKey …
    pulumi up
Rotating the key: `pulumi config set --secret s3SecretKey NEW`, then `pulumi up` (one PATCH).
"""
from typing import Mapping, Optional, Union

import pulumi

ParamValue = Union[str, int, bool]


class Connection(pulumi.CustomResource):
    """flowservice:index:Connection: the inputs and outputs of the package schema.

    Params the connector marks secret (here s3SecretKey) are held as secrets by the provider,
    whether or not the program wraps them; wrap others with pulumi.Output.secret().
    """

    connection_id: pulumi.Output[str]
    etag: pulumi.Output[str]
    state: pulumi.Output[str]
    secret_keys: pulumi.Output[list]

    def __init__(
        self,
        resource_name: str,
        *,
        name: pulumi.Input[str],
        connection_spec: Mapping[str, pulumi.Input[str]],
        auth_spec_name: pulumi.Input[str],
        params: Mapping[str, pulumi.Input[ParamValue]],
        description: Optional[pulumi.Input[str]] = None,
        sandbox_name: Optional[pulumi.Input[str]] = None,
        adopt_id: Optional[pulumi.Input[str]] = None,
        delete_on_destroy: Optional[pulumi.Input[bool]] = None,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        props = {
            "name": name,
            "description": description,
            "connectionSpec": connection_spec,
            "auth": {"specName": auth_spec_name, "params": params},
            "sandboxName": sandbox_name,
            "adoptId": adopt_id,
            "deleteOnDestroy": delete_on_destroy,
            # Outputs: declared (as None) so that the engine fills them in.
            "connection_id": None,
            "etag": None,
            "state": None,
            "secret_keys": None,
        }
        super().__init__("flowservice:index:Connection", resource_name, props, opts)

    # The schema's camelCase names for this class's snake_case attributes, both ways.
    _CAMEL = {"connection_id": "connectionId", "secret_keys": "secretKeys"}

    def translate_input_property(self, prop: str) -> str:
        return self._CAMEL.get(prop, prop)

    def translate_output_property(self, prop: str) -> str:
        return {v: k for k, v in self._CAMEL.items()}.get(prop, prop)


config = pulumi.Config()
s3 = Connection(
    "s3",
    name="Amazon S3 (Python)",
    description="Landing bucket, managed from a Python program",
    connection_spec={"id": "ecadc60c-7455-4d87-84dc-2a0e293d997b", "version": "1.0"},
    auth_spec_name="Access Key",
    params={
        "s3AccessKey": config.require("s3AccessKey"),
        "s3SecretKey": config.require_secret("s3SecretKey"),
    },
)

pulumi.export("connectionId", s3.connection_id)
pulumi.export("etag", s3.etag)
pulumi.export("state", s3.state)
