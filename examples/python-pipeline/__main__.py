"""A whole source as code, from Python (the SDK pulumi_flowservice; setup as in examples/python).

CSV files from an S3 bucket ingested into an Experience Platform dataset every 15 minutes: a base
connection (the S3 credentials), a source connection (the files), a target connection (the
dataset) and a dataflow (schedule + mapping). Each reference is an output, so `up` creates them in
that order and `destroy` deletes them in the reverse one. The dataset, its XDM schema and the
mapping set come from other APIs: give their ids as stack config.
    pulumi config set datasetId 638e6c7b5679741b63ff5c24
    pulumi config set schemaId https://ns.adobe.com/<tenant>/schemas/<id>
    pulumi config set mappingId 0b090130b58b4819afc78b6dc98b484d
    pulumi config set s3AccessKey AKIA…
    pulumi config set --secret s3SecretKey …
"""
import pulumi
import pulumi_flowservice as flowservice

config = pulumi.Config()
S3 = "ecadc60c-7455-4d87-84dc-2a0e293d997b"
DATA_LAKE = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"
CLOUD_STORAGE_TO_AEP = "9753525b-82c7-4dce-8a9b-5ccfce2b9876"

bucket = flowservice.Connection(
    "bucket",
    name="Landing bucket",
    connection_spec=flowservice.ConnectionSpecArgs(id=S3, version="1.0"),
    auth=flowservice.AuthArgs(
        spec_name="Access Key",
        params={"s3AccessKey": config.require("s3AccessKey"), "s3SecretKey": config.require_secret("s3SecretKey")},
    ),
)

files = flowservice.SourceConnection(
    "files",
    name="Landing files",
    base_connection_id=bucket.id,
    connection_spec=flowservice.ConnectionSpecArgs(id=S3, version="1.0"),
    data={"format": "delimited"},
    params={"path": config.get("path") or "/landing/customers.csv"},
)

dataset = flowservice.TargetConnection(
    "dataset",
    name="Customers dataset",
    connection_spec=flowservice.ConnectionSpecArgs(id=DATA_LAKE, version="1.0"),
    data={
        "format": "parquet_xdm",
        "schema": {"id": config.require("schemaId"), "version": "application/vnd.adobe.xed-full+json;version=1"},
    },
    params={"dataSetId": config.require("datasetId")},
)

flow = flowservice.Dataflow(
    "flow",
    name="Customers from S3",
    flow_spec=flowservice.FlowSpecArgs(id=CLOUD_STORAGE_TO_AEP, version="1.0"),
    source_connection_ids=[files.id],
    target_connection_ids=[dataset.id],
    transformations=[
        flowservice.TransformationArgs(
            name="Mapping",
            params={"mappingId": config.require("mappingId"), "mappingVersion": config.get("mappingVersion") or "0"},
        )
    ],
    # startTime cannot move once it has passed: fixed here, not "now".
    schedule_params=flowservice.ScheduleParamsArgs(
        start_time=config.get_int("startTime") or 1893456000,
        frequency="minute",
        interval=config.get_int("interval") or 15,
    ),
    enabled=config.get_bool("enabled") if config.get_bool("enabled") is not None else True,
)

pulumi.export("flowId", flow.id)
pulumi.export("flowState", flow.state)
pulumi.export("sourceConnectionId", files.id)
pulumi.export("targetConnectionId", dataset.id)
