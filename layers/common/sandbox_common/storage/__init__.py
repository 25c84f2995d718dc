"""DynamoDB repositories: one per aggregate, each speaking DynamoDB and nothing else."""
